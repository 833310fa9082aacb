/*-------------------------------------------------------------------------
 * remote_xact.c
 *	  Remote transactions on node connections, tied to the coordinator's
 *	  transaction by transaction callbacks.
 *
 * State machine per connection (xactState, see README.md):
 *	 NONE --BEGIN in a prefix--> OPEN --PREPARE ok--> PREPARED
 *	 OPEN --cleanup failed / connection lost--> FAILED
 *	 every state --coordinator commit or abort--> NONE
 *
 * Invariants:
 * - While OPEN, the node has savepoints s2..s<xactNestLevel> mirroring the
 *	 coordinator's subtransactions (created lazily, just before the first
 *	 command at a deeper level); releasePending means RELEASE SAVEPOINT
 *	 s<xactNestLevel + 1> is owed and goes out with the next command.
 * - State is updated when commands are appended to a prefix, "as if run":
 *	 callers send the prefix right away or throw (the abort callback then
 *	 cleans up).  Rollback on the node may undo SETs, so every rollback makes
 *	 the connection resend the shipped settings.
 * - Two-phase commit is used when more than one node wrote (or when asked
 *	 by RequireTwoPhaseCommit); its decision is a shard.dist_transaction row
 *	 inserted in the coordinator's own transaction, so the row exists iff
 *	 the coordinator committed.  recovery.c resolves what is left behind.
 * - Nothing throws in XACT_EVENT_COMMIT / ABORT or SUBXACT_EVENT_ABORT_SUB:
 *	 failures warn, close the connection, and leave prepared transactions to
 *	 recovery.  Interrupts are held there, so each callback's waits share
 *	 one deadline, shard.node_timeout from its start (NodeWaitDeadline),
 *	 and end early on a pending cancel or termination; a node that does not
 *	 answer is closed, not waited for.  Those callbacks allocate only in
 *	 RemoteXactCallbackContext, reserved at load time and reset after use.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "connection/connection.h"
#include "transaction/moved_rows.h"
#include "transaction/remote_xact.h"

#define GID_FORMAT_PREFIX "shard_"

/* memory for the commit/abort callbacks, reserved at load time */
static MemoryContext RemoteXactCallbackContext = NULL;

/* GUC shard.debug_fail_at, defined in shard.c */
int			DebugFailAt = DEBUG_FAIL_NONE;

/* RequireTwoPhaseCommit was called in the current transaction */
static bool TwoPhaseRequired = false;

static void RemoteXactCallback(XactEvent event, void *arg);
static void EndRemoteTransactions(List *conns, MemoryContext oldContext);
static void RemoteSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
								  SubTransactionId parentSubid, void *arg);
static void PreCommitRemoteTransactions(void);
static void CollectCommitResults(NodeConnection **conns, char **commands,
								 const char **tags, int count);
static void RecordCommitDecisions(NodeConnection **conns, int count);
static void CommitRemoteTransactions(void);
static void CommitRowLockingReaders(List *conns, TimestampTz deadline);
static void AbortRemoteTransactions(void);
static void AbortRemoteSubTransactions(int level);
static void CommitRemoteSubTransactions(int level);
static void CloseIfUnusable(NodeConnection *conn);
static void ResetRemoteXactState(NodeConnection *conn);


/*
 * InitRemoteTransactions registers the transaction callbacks and reserves
 * the callback memory context.  Called from _PG_init.
 */
void
InitRemoteTransactions(void)
{
	if (RemoteXactCallbackContext == NULL)
		RemoteXactCallbackContext = AllocSetContextCreate(TopMemoryContext,
														  "shard remote transaction callbacks",
														  8 * 1024, 8 * 1024,
														  8 * 1024);
	RegisterXactCallback(RemoteXactCallback, NULL);
	RegisterSubXactCallback(RemoteSubXactCallback, NULL);
}


/*
 * AppendRemotePrefix appends to prefix the commands conn needs before a
 * command of the current statement, updates conn's state as if they had
 * run, and returns how many statements it appended (each yields one
 * PGRES_COMMAND_OK result, in front of the caller's own results):
 *	 1. SET for shipped settings that changed (AppendChangedSettings);
 *	 2. with needTransaction and no remote transaction yet: BEGIN with the
 *		coordinator's isolation level and read-only mode;
 *	 3. in a remote transaction: an owed RELEASE SAVEPOINT, then SAVEPOINT
 *		s<n> for each coordinator subtransaction level not yet mirrored.
 * Throws when the remote transaction failed or conn is busy.
 */
int
AppendRemotePrefix(NodeConnection *conn, bool needTransaction, StringInfo prefix)
{
	int			level = GetCurrentTransactionNestLevel();
	int			count = 0;

	if (conn->busy)
		elog(ERROR, "connection to node %s:%d already has a command in progress",
			 conn->host, conn->port);
	if (conn->xactState == REMOTE_XACT_FAILED)
		ereport(ERROR,
				(errcode(ERRCODE_IN_FAILED_SQL_TRANSACTION),
				 errmsg("current transaction is aborted on node %s:%d",
						conn->host, conn->port),
				 errdetail("An earlier command or its cleanup failed on that node."),
				 errhint("Roll back the transaction.")));
	if (conn->xactState == REMOTE_XACT_PREPARED)
		elog(ERROR, "remote transaction on node %s:%d is already prepared",
			 conn->host, conn->port);

	count += AppendChangedSettings(conn, prefix);

	if (needTransaction && conn->xactState == REMOTE_XACT_NONE)
	{
		appendStringInfoString(prefix, "BEGIN ISOLATION LEVEL ");
		if (XactIsoLevel == XACT_SERIALIZABLE)
			appendStringInfoString(prefix, "SERIALIZABLE");
		else if (XactIsoLevel == XACT_REPEATABLE_READ)
			appendStringInfoString(prefix, "REPEATABLE READ");
		else
			appendStringInfoString(prefix, "READ COMMITTED");
		if (XactReadOnly)
		{
			appendStringInfoString(prefix, " READ ONLY");
			if (XactDeferrable && XactIsoLevel == XACT_SERIALIZABLE)
				appendStringInfoString(prefix, " DEFERRABLE");
		}
		appendStringInfoString(prefix, "; ");
		count++;

		/*
		 * wroteInXact is left alone: MarkRemoteWrite may come before the
		 * prefix, and the end of the last transaction already cleared it.
		 */
		conn->xactState = REMOTE_XACT_OPEN;
		conn->xactNestLevel = 1;
		conn->releasePending = false;
		conn->prepareSent = false;
	}

	if (conn->xactState == REMOTE_XACT_OPEN)
	{
		if (conn->releasePending)
		{
			appendStringInfo(prefix, "RELEASE SAVEPOINT s%d; ",
							 conn->xactNestLevel + 1);
			conn->releasePending = false;
			count++;
		}
		while (conn->xactNestLevel < level)
		{
			conn->xactNestLevel++;
			appendStringInfo(prefix, "SAVEPOINT s%d; ", conn->xactNestLevel);
			count++;
		}
	}

	return count;
}


/*
 * PrepareRemoteCommand appends the commands conn needs before the caller's
 * command to prefix (see AppendRemotePrefix); with prefix NULL it runs them
 * at once instead.  Throws like AppendRemotePrefix, and on remote failure
 * when running them.
 */
void
PrepareRemoteCommand(NodeConnection *conn, bool needTransaction,
					 StringInfo prefix)
{
	StringInfoData commands;

	if (prefix != NULL)
	{
		(void) AppendRemotePrefix(conn, needTransaction, prefix);
		return;
	}

	initStringInfo(&commands);
	if (AppendRemotePrefix(conn, needTransaction, &commands) > 0)
		ExecuteRemoteCommandNoResult(conn, commands.data);
	pfree(commands.data);
}


/*
 * RunRemotePrefix runs the commands conn needs before a command of the
 * current statement (settings, BEGIN, savepoints) on their own, one round
 * trip when there are any.  Throws on remote failure.
 */
void
RunRemotePrefix(NodeConnection *conn, bool needTransaction)
{
	PrepareRemoteCommand(conn, needTransaction, NULL);
}


/*
 * MarkRemoteWrite records that a modifying command is sent on conn in the
 * current remote transaction, which makes conn a commit participant that
 * counts toward two-phase commit.
 */
void
MarkRemoteWrite(NodeConnection *conn)
{
	conn->wroteInXact = true;
}


/*
 * MarkRemoteRowLocks records that conn's remote transaction locks rows
 * (SELECT ... FOR KEY SHARE of a foreign key check, FOR UPDATE): unless it
 * also writes, it commits only after the coordinator and the writers did,
 * so that a referenced row stays locked until the row that references it
 * is visible everywhere.
 */
void
MarkRemoteRowLocks(NodeConnection *conn)
{
	conn->lockedRowsInXact = true;
}


/*
 * InRemoteTransaction returns true when some connection has a remote
 * transaction (open, failed or prepared) for the current coordinator
 * transaction.
 */
bool
InRemoteTransaction(void)
{
	List	   *conns = ActiveConnectionList();
	ListCell   *lc;
	bool		result = false;

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (conn->xactState != REMOTE_XACT_NONE)
		{
			result = true;
			break;
		}
	}
	list_free(conns);
	return result;
}


/*
 * RequireTwoPhaseCommit makes the current transaction use two-phase commit
 * on every node that wrote, even if only one did.
 */
void
RequireTwoPhaseCommit(void)
{
	TwoPhaseRequired = true;
}


/*
 * FormatShardGid writes the gid of the prepared transaction of coordinator
 * transaction xid on node nodeId into gid (size bytes).
 */
void
FormatShardGid(char *gid, size_t size, uint64 systemId, TransactionId xid,
			   int nodeId)
{
	snprintf(gid, size, GID_FORMAT_PREFIX UINT64_FORMAT "_%u_%d",
			 systemId, xid, nodeId);
}


/*
 * ParseShardGid splits a gid made by FormatShardGid.  Returns false when gid
 * is not one.
 */
bool
ParseShardGid(const char *gid, uint64 *systemId, TransactionId *xid,
			  int *nodeId)
{
	const char *cursor = gid;
	char	   *end;
	unsigned long long sysid;
	unsigned long xidValue;
	long		node;

	if (strncmp(cursor, GID_FORMAT_PREFIX, strlen(GID_FORMAT_PREFIX)) != 0)
		return false;
	cursor += strlen(GID_FORMAT_PREFIX);

	errno = 0;
	sysid = strtoull(cursor, &end, 10);
	if (errno != 0 || end == cursor || *end != '_')
		return false;
	cursor = end + 1;
	xidValue = strtoul(cursor, &end, 10);
	if (errno != 0 || end == cursor || *end != '_' || xidValue > PG_UINT32_MAX)
		return false;
	cursor = end + 1;
	node = strtol(cursor, &end, 10);
	if (errno != 0 || end == cursor || *end != '\0' || node <= 0 || node > PG_INT32_MAX)
		return false;

	*systemId = (uint64) sysid;
	*xid = (TransactionId) xidValue;
	*nodeId = (int) node;
	return true;
}


/*
 * DistTransactionRelationId returns the OID of shard.dist_transaction.
 * Throws when the extension's catalog is missing.
 */
Oid
DistTransactionRelationId(void)
{
	Oid			namespaceId = get_namespace_oid("shard", true);
	Oid			relid = InvalidOid;

	if (OidIsValid(namespaceId))
		relid = get_relname_relid("dist_transaction", namespaceId);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"shard.dist_transaction\" does not exist"),
				 errhint("Run CREATE EXTENSION shard in this database.")));
	return relid;
}


/*
 * RemoteXactCallback drives the remote transactions through the coordinator
 * transaction's end.  Throws only in PRE_COMMIT and PRE_PREPARE.
 */
static void
RemoteXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			MovesPreCommit();	/* before any node commits */
			PreCommitRemoteTransactions();
			break;
		case XACT_EVENT_COMMIT:
			CommitRemoteTransactions();
			MovesEndOfTransaction();
			break;
		case XACT_EVENT_ABORT:
			AbortRemoteTransactions();
			MovesEndOfTransaction();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (InRemoteTransaction())
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has operated on distributed tables"),
						 errhint("Commit the transaction instead; shard uses two-phase commit on the nodes by itself.")));
			break;
		case XACT_EVENT_PREPARE:
			/* PRE_PREPARE refused if there was remote work: nothing left */
			TwoPhaseRequired = false;
			break;
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* parallel workers have no node connections */
			break;
	}
}


/*
 * PreCommitRemoteTransactions ends the remote transactions before the
 * coordinator commits.  Readers get COMMIT (those that locked rows only
 * after the coordinator committed, in CommitRemoteTransactions).  With at most one writer (and no
 * RequireTwoPhaseCommit) the writer gets COMMIT after the readers, so a
 * failure anywhere still rolls it back; otherwise every writer gets PREPARE
 * TRANSACTION, after a shard.dist_transaction row per writer recorded the
 * decision in the coordinator's transaction (and its WAL was flushed).  Commands go to all nodes before results are
 * collected.  Throws on any failure: the coordinator then aborts and
 * AbortRemoteTransactions rolls back the rest.
 */
static void
PreCommitRemoteTransactions(void)
{
	List	   *conns = ActiveConnectionList();
	ListCell   *lc;
	NodeConnection **participants;
	char	  **commands;
	const char **tags;
	NodeConnection *singleWriter = NULL;
	int			count = 0;
	int			writers = 0;
	int			sent = 0;
	bool		twoPhase;
	int			i;

	if (conns == NIL)
		return;

	participants = palloc(sizeof(NodeConnection *) * list_length(conns));
	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		/* results nobody read (e.g. a scan stopped early): let it finish */
		if (conn->busy)
			DrainRemoteResults(conn);

		if (conn->xactState == REMOTE_XACT_NONE)
			continue;
		if (conn->xactState != REMOTE_XACT_OPEN || conn->conn == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_TRANSACTION_ROLLBACK),
					 errmsg("remote transaction on node %s:%d failed",
							conn->host, conn->port),
					 errdetail("The transaction is rolled back on all nodes.")));
		participants[count++] = conn;
		if (conn->wroteInXact)
			writers++;
	}
	if (count == 0)
		return;

	twoPhase = (writers > 1 || (writers == 1 && TwoPhaseRequired));
	commands = palloc(sizeof(char *) * count);
	tags = palloc(sizeof(char *) * count);

	if (twoPhase)
	{
		uint64		systemId = GetSystemIdentifier();
		TransactionId xid = GetTopTransactionId();

		for (i = 0; i < count; i++)
		{
			NodeConnection *conn = participants[i];

			if (!conn->wroteInXact)
				continue;
			FormatShardGid(conn->preparedGid, sizeof(conn->preparedGid),
						   systemId, xid, conn->key.nodeId);
		}
	}

	/*
	 * Two-phase: the decision rows go in first and their WAL is flushed, so
	 * that the xid inside the gids is durable before any node prepares.
	 * Otherwise a coordinator crash could rewind the xid counter and a later
	 * transaction would reuse the xid, making the gids collide and the
	 * recovery's in-progress test wrong.  The rows still exist iff the
	 * coordinator commits.
	 */
	if (twoPhase)
	{
		int			writerCount = 0;
		NodeConnection **writerConns = palloc(sizeof(NodeConnection *) * count);

		for (i = 0; i < count; i++)
		{
			if (participants[i]->wroteInXact)
				writerConns[writerCount++] = participants[i];
		}
		RecordCommitDecisions(writerConns, writerCount);
		XLogFlush(XactLastRecEnd);

		/*
		 * The commit record must be durable before any COMMIT PREPARED goes
		 * out, even with synchronous_commit = off: a crash that lost it
		 * would make recovery roll back what a node already committed.
		 */
		ForceSyncCommit();
	}

	/* first round: readers commit, writers prepare (two-phase) */
	for (i = 0; i < count; i++)
	{
		NodeConnection *conn = participants[i];

		if (conn->wroteInXact && !twoPhase)
		{
			singleWriter = conn;
			continue;
		}
		if (!conn->wroteInXact && conn->lockedRowsInXact)
			continue;			/* CommitRemoteTransactions, after the writers */
		if (conn->wroteInXact)
		{
			commands[sent] = psprintf("PREPARE TRANSACTION %s",
									  quote_literal_cstr(conn->preparedGid));
			tags[sent] = "PREPARE TRANSACTION";
			conn->prepareSent = true;
		}
		else
		{
			commands[sent] = "COMMIT";
			tags[sent] = "COMMIT";
		}
		participants[sent] = conn;
		SendRemoteCommand(conn, commands[sent]);
		sent++;
	}
	CollectCommitResults(participants, commands, tags, sent);

	if (twoPhase && DebugFailAt == DEBUG_FAIL_AFTER_PREPARE)
		ereport(PANIC,
				(errmsg("shard.debug_fail_at: crashing after PREPARE TRANSACTION on the nodes")));

	if (singleWriter != NULL)
	{
		commands[0] = "COMMIT";
		tags[0] = "COMMIT";
		SendRemoteCommand(singleWriter, "COMMIT");
		CollectCommitResults(&singleWriter, commands, tags, 1);
	}
}


/*
 * CollectCommitResults reads the results of COMMIT / PREPARE TRANSACTION sent
 * on conns, updating each one's state (PREPARED, or NONE once its remote
 * transaction ended either way), and then throws the first failure, keeping
 * the worker's SQLSTATE (e.g. serialization_failure).  Throws also on
 * interrupt or connection loss.
 */
static void
CollectCommitResults(NodeConnection **conns, char **commands,
					 const char **tags, int count)
{
	PGresult   *volatile failure = NULL;
	NodeConnection *volatile failedConn = NULL;
	const char *volatile failedCommand = NULL;
	const char *volatile rolledBack = NULL;
	int			i;

	PG_TRY();
	{
		for (i = 0; i < count; i++)
		{
			NodeConnection *conn = conns[i];
			bool		ok = true;
			PGresult   *res;

			while ((res = GetRemoteResult(conn)) != NULL)
			{
				ExecStatusType status = PQresultStatus(res);

				if (status == PGRES_COMMAND_OK &&
					strcmp(PQcmdStatus(res), tags[i]) == 0)
				{
					PQclear(res);
					continue;
				}
				ok = false;
				if (failedConn == NULL)
				{
					failedConn = conn;
					failedCommand = commands[i];
					if (status == PGRES_COMMAND_OK)
					{
						/* COMMIT or PREPARE of an aborted transaction */
						rolledBack = tags[i];
						PQclear(res);
					}
					else
						failure = res;
				}
				else
					PQclear(res);
			}

			conn->prepareSent = false;
			if (ok && strcmp(tags[i], "PREPARE TRANSACTION") == 0)
				conn->xactState = REMOTE_XACT_PREPARED;
			else
			{
				/* COMMIT, or a failed PREPARE / COMMIT, ends the transaction */
				conn->xactState = REMOTE_XACT_NONE;
				conn->preparedGid[0] = '\0';
			}
		}
	}
	PG_CATCH();
	{
		if (failure != NULL)
			PQclear(failure);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (failure != NULL)
		ReportRemoteError(ERROR, failure, failedConn, failedCommand);
	if (failedConn != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_TRANSACTION_ROLLBACK),
				 errmsg("remote transaction on node %s:%d was rolled back",
						failedConn->host, failedConn->port),
				 errdetail("The node answered ROLLBACK to %s: an earlier command of the transaction failed there.",
						   rolledBack)));
}


/*
 * RecordCommitDecisions inserts a shard.dist_transaction row (node id, gid)
 * for each of conns (writers about to prepare), in the coordinator's transaction, bypassing
 * permissions (any user's transaction commits this way).  Throws on failure.
 */
static void
RecordCommitDecisions(NodeConnection **conns, int count)
{
	Relation	rel;
	int			i;

	if (count == 0)
		return;

	rel = table_open(DistTransactionRelationId(), RowExclusiveLock);
	for (i = 0; i < count; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		HeapTuple	tuple;

		values[0] = Int32GetDatum(conns[i]->key.nodeId);
		values[1] = CStringGetTextDatum(conns[i]->preparedGid);
		tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
		CatalogTupleInsert(rel, tuple);
		heap_freetuple(tuple);
	}
	table_close(rel, NoLock);
}


/*
 * CloseIfUnusable closes conn when it is not idle outside a transaction
 * (after a failed cleanup command or a timeout).  Never throws.
 */
static void
CloseIfUnusable(NodeConnection *conn)
{
	if (conn->conn == NULL)
		return;
	if (conn->busy || PQstatus(conn->conn) != CONNECTION_OK ||
		PQtransactionStatus(conn->conn) != PQTRANS_IDLE)
		CloseNodeConnection(conn);
}


/*
 * ResetRemoteXactState forgets the remote transaction of conn at the end of
 * the coordinator transaction, and closes it if its node changed.
 */
static void
ResetRemoteXactState(NodeConnection *conn)
{
	conn->xactState = REMOTE_XACT_NONE;
	conn->wroteInXact = false;
	conn->lockedRowsInXact = false;
	conn->xactNestLevel = 0;
	conn->commandNestLevel = 0;
	conn->releasePending = false;
	conn->prepareSent = false;
	conn->preparedGid[0] = '\0';
	if (conn->changedNode && !conn->busy)
	{
		CloseNodeConnection(conn);
		conn->changedNode = false;
	}
}


/*
 * CommitRemoteTransactions runs COMMIT PREPARED for the prepared remote
 * transactions after the coordinator committed (sent to all, then
 * collected), then commits the readers that locked rows.  Failures only warn and leave the transaction to
 * shard.recover_prepared_transactions().  Never throws.
 */
static void
CommitRemoteTransactions(void)
{
	MemoryContext oldContext = MemoryContextSwitchTo(RemoteXactCallbackContext);
	TimestampTz deadline = NodeWaitDeadline();
	List	   *conns = ActiveConnectionList();
	List	   *sentConns = NIL;
	List	   *sentCommands = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);
		char	   *command;

		if (conn->xactState != REMOTE_XACT_PREPARED)
			continue;
		if (DebugFailAt == DEBUG_FAIL_AFTER_DECISION)
			ereport(PANIC,
					(errmsg("shard.debug_fail_at: crashing after the commit decision")));
		command = psprintf("COMMIT PREPARED %s",
						   quote_literal_cstr(conn->preparedGid));
		if (conn->conn != NULL && !conn->busy &&
			DebugFailAt != DEBUG_FAIL_SKIP_COMMIT_PREPARED &&
			TrySendRemoteCommand(conn, command, WARNING))
		{
			sentConns = lappend(sentConns, conn);
			sentCommands = lappend(sentCommands, command);
			continue;
		}
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not commit prepared transaction %s on node %s:%d",
						conn->preparedGid, conn->host, conn->port),
				 errhint("It is committed by shard.recover_prepared_transactions().")));
		CloseNodeConnection(conn);
	}

	forboth(lc, sentConns, lc2, sentCommands)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);
		char	   *command = (char *) lfirst(lc2);

		if (!FinishRemoteCommand(conn, command, "COMMIT PREPARED", deadline,
								 WARNING))
		{
			ereport(WARNING,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("could not commit prepared transaction %s on node %s:%d",
							conn->preparedGid, conn->host, conn->port),
					 errhint("It is committed by shard.recover_prepared_transactions().")));
			CloseIfUnusable(conn);
		}
	}

	CommitRowLockingReaders(conns, deadline);
	EndRemoteTransactions(conns, oldContext);
}


/*
 * CommitRowLockingReaders commits the remote transactions that only read
 * and locked rows (MarkRemoteRowLocks), once the coordinator and the
 * writers committed (sent to all, then collected before deadline).  They
 * changed nothing: a failure only warns.  Never throws.
 */
static void
CommitRowLockingReaders(List *conns, TimestampTz deadline)
{
	List	   *sentConns = NIL;
	ListCell   *lc;

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (conn->xactState != REMOTE_XACT_OPEN || !conn->lockedRowsInXact ||
			conn->wroteInXact)
			continue;
		if (conn->conn != NULL && !conn->busy && TrySendRemoteCommand(conn, "COMMIT", WARNING))
			sentConns = lappend(sentConns, conn);
		else
			CloseNodeConnection(conn);
	}
	foreach(lc, sentConns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (!FinishRemoteCommand(conn, "COMMIT", "COMMIT", deadline, WARNING))
			CloseIfUnusable(conn);
	}
}


/*
 * EndRemoteTransactions ends commit or abort processing: every connection
 * of conns forgets the remote transaction, and the callback context is
 * left (for oldContext) and emptied.  Never throws.
 */
static void
EndRemoteTransactions(List *conns, MemoryContext oldContext)
{
	ListCell   *lc;

	foreach(lc, conns)
		ResetRemoteXactState((NodeConnection *) lfirst(lc));
	TwoPhaseRequired = false;

	MemoryContextSwitchTo(oldContext);
	MemoryContextReset(RemoteXactCallbackContext);
}


/*
 * AbortRemoteTransactions cleans up every connection when the coordinator
 * transaction aborts: commands in flight are cancelled, open remote
 * transactions get ROLLBACK and prepared ones ROLLBACK PREPARED (sent to
 * all, then collected, all within one shard.node_timeout).  A
 * connection whose cleanup fails is closed.  Shipped settings are resent
 * afterwards, since the rollback may have undone them.  Never throws.
 */
static void
AbortRemoteTransactions(void)
{
	MemoryContext oldContext = MemoryContextSwitchTo(RemoteXactCallbackContext);
	TimestampTz deadline = NodeWaitDeadline();
	List	   *conns = ActiveConnectionList();
	List	   *sentConns = NIL;
	List	   *sentCommands = NIL;
	List	   *sentTags = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	ListCell   *lc3;

	/* stop what is running first: Ctrl-C and statement_timeout end here */
	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (conn->conn != NULL && conn->busy)
			CancelRemoteCommand(conn, deadline);
	}

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);
		const char *command = NULL;
		const char *tag = NULL;
		PGTransactionStatusType txnStatus;

		ForgetSentSettings(conn);
		if (conn->conn == NULL)
			continue;

		txnStatus = PQtransactionStatus(conn->conn);
		if (txnStatus == PQTRANS_INTRANS || txnStatus == PQTRANS_INERROR)
		{
			/* also a PREPARE that never ran leaves the transaction open */
			command = "ROLLBACK";
			tag = "ROLLBACK";
		}
		else if (txnStatus != PQTRANS_IDLE)
		{
			CloseNodeConnection(conn);
			continue;
		}
		else if (conn->xactState == REMOTE_XACT_PREPARED || conn->prepareSent)
		{
			command = psprintf("ROLLBACK PREPARED %s",
							   quote_literal_cstr(conn->preparedGid));
			tag = "ROLLBACK PREPARED";
		}
		else
		{
			/*
			 * Idle outside a transaction: nothing to undo (the prefix with
			 * BEGIN may never have been sent).
			 */
			continue;
		}

		if (TrySendRemoteCommand(conn, command, WARNING))
		{
			sentConns = lappend(sentConns, conn);
			sentCommands = lappend(sentCommands, (char *) command);
			sentTags = lappend(sentTags, (char *) tag);
		}
		else
			CloseNodeConnection(conn);
	}

	forthree(lc, sentConns, lc2, sentCommands, lc3, sentTags)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);
		const char *command = (const char *) lfirst(lc2);
		const char *tag = (const char *) lfirst(lc3);
		bool		unknownPrepare = (conn->prepareSent &&
									  conn->xactState != REMOTE_XACT_PREPARED);

		/*
		 * After a PREPARE whose outcome is unknown, "does not exist" is a
		 * fine answer to ROLLBACK PREPARED: stay quiet about it.
		 */
		if (!FinishRemoteCommand(conn, command, tag, deadline,
								 unknownPrepare && strcmp(tag, "ROLLBACK") != 0 ?
								 DEBUG1 : WARNING))
			CloseIfUnusable(conn);
	}

	EndRemoteTransactions(conns, oldContext);
}


/*
 * RemoteSubXactCallback mirrors the end of a coordinator subtransaction on
 * the nodes: commit is remembered (RELEASE goes out lazily), abort rolls
 * back to the savepoint at once.  Never throws.
 */
static void
RemoteSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	/* the callbacks run while the ending subtransaction is still current */
	int			level = GetCurrentTransactionNestLevel();

	if (event == SUBXACT_EVENT_COMMIT_SUB)
		CommitRemoteSubTransactions(level);
	else if (event == SUBXACT_EVENT_ABORT_SUB)
		AbortRemoteSubTransactions(level);
}


/*
 * CommitRemoteSubTransactions records the commit of subtransaction level:
 * savepoint s<level>, where mirrored, is owed a RELEASE, and commands sent
 * in it now belong to the parent.
 */
static void
CommitRemoteSubTransactions(int level)
{
	MemoryContext oldContext = MemoryContextSwitchTo(RemoteXactCallbackContext);
	List	   *conns = ActiveConnectionList();
	ListCell   *lc;

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (conn->commandNestLevel >= level)
			conn->commandNestLevel = level - 1;
		if (conn->xactState == REMOTE_XACT_OPEN && conn->xactNestLevel >= level)
		{
			conn->xactNestLevel = level - 1;
			conn->releasePending = true;
		}
	}

	MemoryContextSwitchTo(oldContext);
	MemoryContextReset(RemoteXactCallbackContext);
}


/*
 * AbortRemoteSubTransactions undoes subtransaction level on the nodes:
 * commands sent in it that still run are cancelled, and where savepoint
 * s<level> was mirrored, "ROLLBACK TO SAVEPOINT s<level>; RELEASE SAVEPOINT
 * s<level>" runs (sent to all, then collected).  On failure the remote
 * transaction becomes FAILED, so its next use errors.  Never throws.
 */
static void
AbortRemoteSubTransactions(int level)
{
	MemoryContext oldContext = MemoryContextSwitchTo(RemoteXactCallbackContext);
	TimestampTz deadline = NodeWaitDeadline();
	List	   *conns = ActiveConnectionList();
	List	   *sentConns = NIL;
	char	   *command = psprintf("ROLLBACK TO SAVEPOINT s%d; RELEASE SAVEPOINT s%d",
								   level, level);
	ListCell   *lc;

	foreach(lc, conns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (conn->commandNestLevel >= level)
		{
			if (conn->busy)
				CancelRemoteCommand(conn, deadline);
			/* a failed command string may have undone its SETs */
			ForgetSentSettings(conn);
			conn->commandNestLevel = level - 1;
		}

		if (conn->xactState != REMOTE_XACT_OPEN || conn->xactNestLevel < level)
			continue;

		/* RELEASE of a deeper savepoint is moot: rolling back removes it */
		conn->releasePending = false;
		conn->xactNestLevel = level - 1;
		ForgetSentSettings(conn);

		if (conn->conn != NULL && TrySendRemoteCommand(conn, command, WARNING))
			sentConns = lappend(sentConns, conn);
		else
		{
			CloseNodeConnection(conn);
			conn->xactState = REMOTE_XACT_FAILED;
		}
	}

	foreach(lc, sentConns)
	{
		NodeConnection *conn = (NodeConnection *) lfirst(lc);

		if (!FinishRemoteCommand(conn, command, NULL, deadline, WARNING))
		{
			conn->xactState = REMOTE_XACT_FAILED;
			if (conn->busy || PQstatus(conn->conn) != CONNECTION_OK)
				CloseNodeConnection(conn);
		}
	}

	MemoryContextSwitchTo(oldContext);
	MemoryContextReset(RemoteXactCallbackContext);
}
