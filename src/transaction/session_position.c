/*-------------------------------------------------------------------------
 * session_position.c
 *	  Read-your-writes on standbys (shard.read_consistency = session): per
 *	  session and per primary node, a WAL position at or after the
 *	  session's last commit there, and whether a standby has replayed it.
 *
 * A session that may have written on a primary marks it (NoteSessionWrite:
 * every task of a statement that may write, and, at pre-commit, every
 * connection that wrote in the transaction).  The first read of that
 * primary's shards that could go to a standby afterwards takes the
 * primary's pg_current_wal_insert_lsn() on the session's side connection:
 * statements run one after another, so that commit is complete and its
 * record lies before the insert position (the write position would not
 * do: with synchronous_commit = off the record may still be in memory).
 * That costs one round trip on the first standby read after each write,
 * not on every read; pipelining the position with the COMMIT itself would
 * save it and is left for later.
 *
 * A standby serves the read once its replay LSN is at or past the
 * position: the last probe's figure when it already is, else asked on the
 * standby's side connection until it is or shard.standby_wait has passed
 * (the read then goes to the primary).  A session's position also rises
 * to the replay LSN a standby it reads from was seen at, so its reads
 * never go back in time across standbys.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_health.h"
#include "transaction/node_stats.h"
#include "transaction/session_position.h"

/* GUCs, defined in shard.c */
int			ReadConsistency = READ_CONSISTENCY_SESSION;
int			StandbyWait = 20;

/* how often a standby is asked again while a read waits for it, in ms */
#define STANDBY_POLL_MS		2

/* the session's position on one primary */
typedef struct SessionPosition
{
	int			primaryId;
	XLogRecPtr	position;		/* at or after its last known commit */
	bool		wrote;			/* may have committed since position */
} SessionPosition;

/* one question to a node on its side connection */
typedef struct LsnQuestion
{
	NodeInfo   *node;
	const char *sql;
	XLogRecPtr	answer;
} LsnQuestion;

static List *positions = NIL;	/* SessionPosition *, in TopMemoryContext */
static bool callbackRegistered = false;

static SessionPosition *FindPosition(int primaryId);
static void SessionPositionXactCallback(XactEvent event, void *arg);
static void AskLsn(void *arg);
static bool TryAskLsn(int nodeId, const char *sql, XLogRecPtr *answer);


/*
 * FindPosition returns the session's entry for a primary, made on first
 * use.
 */
static SessionPosition *
FindPosition(int primaryId)
{
	SessionPosition *entry;
	MemoryContext oldContext;
	ListCell   *lc;

	foreach(lc, positions)
	{
		entry = lfirst(lc);
		if (entry->primaryId == primaryId)
			return entry;
	}
	oldContext = MemoryContextSwitchTo(TopMemoryContext);
	entry = palloc0(sizeof(SessionPosition));
	entry->primaryId = primaryId;
	positions = lappend(positions, entry);
	MemoryContextSwitchTo(oldContext);
	return entry;
}


/*
 * SessionPositionXactCallback marks, just before the coordinator commits,
 * every node the transaction wrote on.
 */
static void
SessionPositionXactCallback(XactEvent event, void *arg)
{
	List	   *conns;
	ListCell   *lc;

	if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT)
		return;
	conns = ActiveConnectionList();
	foreach(lc, conns)
	{
		NodeConnection *conn = lfirst(lc);

		if (conn->wroteInXact)
			NoteSessionWrite(conn->key.nodeId);
	}
	list_free(conns);
}


/*
 * NoteSessionWrite records that the session may commit (or has committed)
 * a write on a primary: its next standby read there takes a new position.
 */
void
NoteSessionWrite(int primaryId)
{
	if (!callbackRegistered)
	{
		RegisterXactCallback(SessionPositionXactCallback, NULL);
		callbackRegistered = true;
	}
	FindPosition(primaryId)->wrote = true;
}


/*
 * AskLsn (a TryFunction) runs an LsnQuestion on its node's side
 * connection.
 */
static void
AskLsn(void *arg)
{
	LsnQuestion *question = (LsnQuestion *) arg;
	NodeConnection *conn = GetNodeSideConnection(question->node->nodeId,
												 question->node->host,
												 question->node->port);
	PGresult   *res = ExecuteRemoteCommand(conn, question->sql, PGRES_TUPLES_OK);

	question->answer = InvalidXLogRecPtr;
	if (!PQgetisnull(res, 0, 0))
		question->answer = DatumGetLSN(DirectFunctionCall1(pg_lsn_in,
														   CStringGetDatum(PQgetvalue(res, 0, 0))));
	PQclear(res);
}


/*
 * TryAskLsn asks a node for an LSN (sql returns one pg_lsn); false when
 * the node did not answer (the error is dropped: the caller then uses the
 * primary).
 */
static bool
TryAskLsn(int nodeId, const char *sql, XLogRecPtr *answer)
{
	LsnQuestion question;
	ErrorData  *edata;

	question.node = LookupNode(nodeId, true);
	if (question.node == NULL)
		return false;
	question.sql = sql;
	edata = TryInSubTransaction(AskLsn, &question);
	if (edata != NULL)
	{
		FreeErrorData(edata);
		return false;
	}
	*answer = question.answer;
	return true;
}


/*
 * SessionPositionForRead returns the position a standby of primaryId must
 * have replayed before it serves this session (InvalidXLogRecPtr: none,
 * or shard.read_consistency is eventual); false when it could not be
 * taken (the read then stays on the primary).
 */
bool
SessionPositionForRead(int primaryId, XLogRecPtr *position)
{
	SessionPosition *entry;
	XLogRecPtr	insertLsn;

	*position = InvalidXLogRecPtr;
	if (ReadConsistency == READ_CONSISTENCY_EVENTUAL)
		return true;
	entry = FindPosition(primaryId);
	if (entry->wrote)
	{
		if (!TryAskLsn(primaryId, "SELECT pg_catalog.pg_current_wal_insert_lsn()", &insertLsn))
			return false;
		entry->position = Max(entry->position, insertLsn);
		entry->wrote = false;
	}
	*position = entry->position;
	return true;
}


/*
 * StandbyHasReplayed tells whether standby nodeId (of primaryId) has
 * replayed position: from the last probe, else asked until deadline.
 * Raises the session's position on primaryId to the replay LSN seen.
 */
bool
StandbyHasReplayed(int nodeId, int primaryId, XLogRecPtr position, TimestampTz deadline)
{
	NodeHealth *health = LookupNodeHealth(nodeId);
	XLogRecPtr	replayed = health != NULL ? health->replayLsn : InvalidXLogRecPtr;

	if (ReadConsistency == READ_CONSISTENCY_EVENTUAL)
		return true;
	while (replayed < position)
	{
		if (!TryAskLsn(nodeId, "SELECT pg_catalog.pg_last_wal_replay_lsn()", &replayed))
			return false;
		if (replayed >= position)
			break;
		if (GetCurrentTimestamp() >= deadline)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 STANDBY_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	FindPosition(primaryId)->position = Max(FindPosition(primaryId)->position, replayed);
	return true;
}
