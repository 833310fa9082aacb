/*-------------------------------------------------------------------------
 * recovery.c
 *	  Resolution of prepared transactions that two-phase commit left on the
 *	  nodes (coordinator crash, lost connection, failed COMMIT PREPARED).
 *
 * The decision is the shard.dist_transaction row (node_id, gid), inserted
 * in the coordinator transaction just before it commits: a prepared
 * transaction whose coordinator transaction has ended is committed when its
 * row exists and rolled back otherwise.  Correctness rests on the order of
 * the checks:
 *	 1. snapshot "before" is taken;
 *	 2. prepared gids are listed on every node;
 *	 3. each gid's coordinator xid is checked with TransactionIdIsInProgress
 *		(running: skip, its own commit callback will finish it);
 *	 4. dist_transaction is read with a snapshot taken after step 3, so a
 *		transaction found ended in step 3 has its row visible iff it
 *		committed.
 * A row is deleted only when its gid was not listed in step 2 and its xid
 * had ended before step 1 (so its PREPARE had happened before the listing),
 * or right after its COMMIT PREPARED succeeded here.  Recoveries are
 * serialized by a ShareUpdateExclusiveLock on dist_transaction, which does
 * not block committing transactions (RowExclusiveLock).
 *
 * The gid's xid was made durable (WAL flushed) before the PREPARE, so a
 * coordinator crash cannot hand it to a new transaction.  gids carry the
 * 32-bit top-level xid: after xid wraparound an old gid could
 * alias a running transaction and be skipped until it ends (never decided
 * wrongly, since the row check uses the gid itself).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_stats.h"
#include "transaction/recovery.h"
#include "transaction/remote_xact.h"

/* a prepared transaction found on a node */
typedef struct PreparedGid
{
	NodeConnection *conn;		/* where it was listed */
	char	   *gid;
	TransactionId xid;			/* coordinator transaction */
	int			gidNodeId;		/* node id in the gid (the row's node_id) */
	bool		inProgress;
	bool		recent;			/* prepared less than minAgeMs ago */
} PreparedGid;

/* a shard.dist_transaction row */
typedef struct DecisionRow
{
	int			nodeId;
	char	   *gid;
	ItemPointerData tid;
	bool		resolved;		/* committed here: delete */
} DecisionRow;

/* a node to list, copied out of the metadata cache */
typedef struct RecoveryNode
{
	int			nodeId;
	char	   *host;
	int			port;
} RecoveryNode;

/* arguments and result of ListPreparedOnNode (a TryFunction) */
typedef struct ListPreparedArgs
{
	RecoveryNode *node;
	uint64		systemId;
	int			minAgeMs;
	List	   *result;			/* of PreparedGid */
} ListPreparedArgs;

PG_FUNCTION_INFO_V1(shard_recover_prepared_transactions);

static void ListPreparedOnNode(void *arg);
static List *ReadDecisionRows(Relation rel, Snapshot snapshot);
static DecisionRow *FindDecisionRow(List *rows, int nodeId, const char *gid);
static bool GidWasListed(List *prepared, int nodeId, const char *gid);
static bool ResolvePrepared(PreparedGid *prepared, bool commit);


/*
 * shard_recover_prepared_transactions is the SQL-callable on-demand
 * recovery: RecoverPreparedTransactions of everything left behind, however
 * recently prepared.  Returns the number of prepared transactions resolved.
 * Superuser only, checked before the recovery lock is taken (a caller
 * holding it in an open transaction would stall every other recovery);
 * the install script also revokes it from PUBLIC.
 */
Datum
shard_recover_prepared_transactions(PG_FUNCTION_ARGS)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers can recover prepared transactions")));
	PG_RETURN_INT32(RecoverPreparedTransactions(0, false));
}


/*
 * RecoverPreparedTransactions commits or rolls back the prepared
 * transactions of this coordinator found on the active primary nodes, to
 * match the coordinator's decisions, then deletes decision rows that are no
 * longer needed.  Only transactions prepared at least minAgeMs ago (by the
 * node's clock) are resolved: the background worker leaves the newest ones
 * to their own commit callback, which is about to finish them (they still
 * count as prepared when deciding which rows to delete).  Returns the
 * number of prepared transactions resolved.  A node that cannot be reached
 * is skipped with a warning, or, when quiet (the background workers), noted
 * by NoteNodeUnreachable, which reports only a node that stays unreachable.
 * Must run in a transaction; throws when a node is used by a remote
 * transaction of the calling transaction.
 */
int
RecoverPreparedTransactions(int minAgeMs, bool quiet)
{
	uint64		systemId = GetSystemIdentifier();
	List	   *nodeInfos;
	List	   *nodes = NIL;
	List	   *prepared = NIL;
	List	   *listedNodeIds = NIL;
	List	   *rows;
	ListCell   *lc;
	Relation	rel;
	Snapshot	before;
	Snapshot	latest;
	int			resolved = 0;

	rel = table_open(DistTransactionRelationId(), ShareUpdateExclusiveLock);

	/* copy the node list: catalog access below may rebuild the cache */
	nodeInfos = ActiveNodeList(true);
	foreach(lc, nodeInfos)
	{
		NodeInfo   *info = (NodeInfo *) lfirst(lc);
		RecoveryNode *node = palloc(sizeof(RecoveryNode));

		node->nodeId = info->nodeId;
		node->host = pstrdup(info->host);
		node->port = info->port;
		nodes = lappend(nodes, node);
	}

	before = RegisterSnapshot(GetLatestSnapshot());

	foreach(lc, nodes)
	{
		RecoveryNode *node = (RecoveryNode *) lfirst(lc);
		ListPreparedArgs listArgs = {node, systemId, minAgeMs, NIL};
		ErrorData  *edata;

		/* an unreachable node must not stop the others: subtransaction */
		edata = TryInSubTransaction(ListPreparedOnNode, &listArgs);
		if (edata == NULL)
		{
			prepared = list_concat(prepared, listArgs.result);
			listedNodeIds = lappend_int(listedNodeIds, node->nodeId);
			if (quiet)
				NoteNodeReachable(node->nodeId, node->host, node->port);
			continue;
		}

		/* the caller's own use of the node stops everything */
		if (edata->sqlerrcode == ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE)
			ReThrowError(edata);
		if (quiet)
			NoteNodeUnreachable(node->nodeId, node->host, node->port, edata);
		else
			ereport(WARNING,
					(errcode(edata->sqlerrcode),
					 errmsg("could not list prepared transactions on node %s:%d",
							node->host, node->port),
					 errdetail_internal("%s", edata->message)));
		FreeErrorData(edata);
	}

	/* step 3 strictly before the decision snapshot: see the file header */
	foreach(lc, prepared)
	{
		PreparedGid *entry = (PreparedGid *) lfirst(lc);

		entry->inProgress = TransactionIdIsInProgress(entry->xid);
	}

	latest = RegisterSnapshot(GetLatestSnapshot());
	rows = ReadDecisionRows(rel, latest);

	foreach(lc, prepared)
	{
		PreparedGid *entry = (PreparedGid *) lfirst(lc);
		DecisionRow *row;

		if (entry->inProgress || entry->recent)
			continue;
		row = FindDecisionRow(rows, entry->gidNodeId, entry->gid);
		if (ResolvePrepared(entry, row != NULL))
		{
			resolved++;
			if (row != NULL)
				row->resolved = true;
		}
	}

	foreach(lc, rows)
	{
		DecisionRow *row = (DecisionRow *) lfirst(lc);
		uint64		rowSystemId;
		TransactionId xid;
		int			gidNodeId;

		if (!row->resolved)
		{
			if (!list_member_int(listedNodeIds, row->nodeId))
				continue;		/* node not reachable now */
			if (GidWasListed(prepared, row->nodeId, row->gid))
				continue;		/* still prepared (or being committed) */
			if (ParseShardGid(row->gid, &rowSystemId, &xid, &gidNodeId) &&
				XidInMVCCSnapshot(xid, before))
				continue;		/* may have prepared after the listing */
		}
		CatalogTupleDelete(rel, &row->tid);
	}

	UnregisterSnapshot(latest);
	UnregisterSnapshot(before);
	table_close(rel, NoLock);

	if (resolved > 0)
		ereport(LOG,
				(errmsg("resolved %d prepared transactions on the nodes", resolved)));

	return resolved;
}


/*
 * ListPreparedOnNode (a TryFunction) sets args->result to the prepared
 * transactions of this coordinator (gid prefix shard_<systemId>_) in the
 * current database on args->node, those prepared less than minAgeMs ago (by
 * the node's clock) marked recent, as a List of PreparedGid in
 * CurrentMemoryContext.  Uses the node's cached connection outside any
 * remote transaction.  Throws on connection failure, and
 * (ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE) when the calling transaction
 * has a remote transaction on the node.
 */
static void
ListPreparedOnNode(void *arg)
{
	ListPreparedArgs *args = (ListPreparedArgs *) arg;
	RecoveryNode *node = args->node;
	uint64		systemId = args->systemId;
	int			minAgeMs = args->minAgeMs;
	NodeConnection *conn = GetNodeConnection(node->nodeId, node->host, node->port);
	char	   *pattern = psprintf("shard\\_" UINT64_FORMAT "\\_%%", systemId);
	char	   *sql;
	PGresult   *res;
	List	   *result = NIL;
	int			row;

	if (conn->xactState != REMOTE_XACT_NONE || conn->busy)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot recover prepared transactions on node %s:%d in a transaction that used it",
						conn->host, conn->port),
				 errhint("Call shard.recover_prepared_transactions() in a transaction of its own.")));

	sql = psprintf("SELECT gid, prepared > pg_catalog.now() - %d * interval '1 ms' "
				   "FROM pg_catalog.pg_prepared_xacts "
				   "WHERE gid LIKE %s AND database = pg_catalog.current_database()",
				   minAgeMs, quote_literal_cstr(pattern));
	res = ExecuteRemoteCommand(conn, sql, PGRES_TUPLES_OK);

	for (row = 0; row < PQntuples(res); row++)
	{
		const char *gid = PQgetvalue(res, row, 0);
		uint64		gidSystemId;
		TransactionId xid;
		int			gidNodeId;
		PreparedGid *entry;

		if (!ParseShardGid(gid, &gidSystemId, &xid, &gidNodeId) ||
			gidSystemId != systemId)
			continue;

		entry = palloc0(sizeof(PreparedGid));
		entry->conn = conn;
		entry->gid = pstrdup(gid);
		entry->xid = xid;
		entry->gidNodeId = gidNodeId;
		entry->recent = (strcmp(PQgetvalue(res, row, 1), "t") == 0);
		result = lappend(result, entry);
	}
	PQclear(res);
	args->result = result;
}


/*
 * ReadDecisionRows returns every shard.dist_transaction row visible to
 * snapshot, as a List of DecisionRow in CurrentMemoryContext.
 */
static List *
ReadDecisionRows(Relation rel, Snapshot snapshot)
{
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	TupleDesc	tupleDesc = RelationGetDescr(rel);
	HeapTuple	tuple;
	List	   *rows = NIL;

	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[2];
		bool		nulls[2];
		DecisionRow *row = palloc0(sizeof(DecisionRow));

		heap_deform_tuple(tuple, tupleDesc, values, nulls);
		row->nodeId = DatumGetInt32(values[0]);
		row->gid = TextDatumGetCString(values[1]);
		row->tid = tuple->t_self;
		rows = lappend(rows, row);
	}
	table_endscan(scan);
	return rows;
}


/*
 * FindDecisionRow returns the row for (nodeId, gid), or NULL.
 */
static DecisionRow *
FindDecisionRow(List *rows, int nodeId, const char *gid)
{
	ListCell   *lc;

	foreach(lc, rows)
	{
		DecisionRow *row = (DecisionRow *) lfirst(lc);

		if (row->nodeId == nodeId && strcmp(row->gid, gid) == 0)
			return row;
	}
	return NULL;
}


/*
 * GidWasListed returns true when gid of node nodeId was found prepared.
 */
static bool
GidWasListed(List *prepared, int nodeId, const char *gid)
{
	ListCell   *lc;

	foreach(lc, prepared)
	{
		PreparedGid *entry = (PreparedGid *) lfirst(lc);

		if (entry->gidNodeId == nodeId && strcmp(entry->gid, gid) == 0)
			return true;
	}
	return false;
}


/*
 * ResolvePrepared runs COMMIT PREPARED (commit) or ROLLBACK PREPARED for
 * prepared on the node where it was listed, and logs it.  Returns false after
 * a warning when that fails (e.g. its own commit callback finished it
 * meanwhile).  Throws only on interrupt.
 */
static bool
ResolvePrepared(PreparedGid *prepared, bool commit)
{
	NodeConnection *conn = prepared->conn;
	const char *tag = commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED";
	char	   *sql = psprintf("%s %s", tag, quote_literal_cstr(prepared->gid));

	if (conn->conn == NULL || conn->busy || conn->xactState != REMOTE_XACT_NONE)
	{
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not resolve prepared transaction %s on node %s:%d",
						prepared->gid, conn->host, conn->port),
				 errdetail("The connection to the node is not available.")));
		return false;
	}

	if (!TrySendRemoteCommand(conn, sql, WARNING) ||
		!FinishRemoteCommand(conn, sql, tag, NodeWaitDeadline(), WARNING))
	{
		if (conn->conn != NULL &&
			(conn->busy || PQstatus(conn->conn) != CONNECTION_OK))
			CloseNodeConnection(conn);
		return false;
	}

	ereport(LOG,
			(errmsg("%s prepared transaction %s on node %s:%d",
					commit ? "committed" : "rolled back",
					prepared->gid, conn->host, conn->port)));
	return true;
}
