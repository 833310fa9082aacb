/*-------------------------------------------------------------------------
 * node_health.c
 *	  Health of every node, probed by the background worker every
 *	  shard.health_check_interval, recorded in shard.dist_node_stats, and
 *	  read back (cached per backend) by the routing of reads to standbys.
 *
 * One probe per node and round, on a side connection: FetchNodeIdentity
 * (who the server is, whether it is in recovery, its WAL position and WAL
 * receiver), and on a primary its WAL senders (pg_stat_replication).
 * Primaries are probed before their standbys, so a standby's lag in bytes
 * (the primary's current LSN minus the standby's replay LSN, never below
 * 0) compares a position the standby may already have passed, never one
 * from the future.  Its lag in time is the primary's replay_lag of the WAL
 * sender whose replay position is closest to the standby's (a WAL sender
 * does not say which standby it feeds), 0 when the standby has replayed
 * everything, so an idle cluster does not look lagging.
 *
 * Status: 'down' (did not answer), 'diverged' (a secondary that is no
 * longer in recovery, or of another system: promoted or rebuilt),
 * 'lagging' (a secondary whose WAL receiver is not streaming), 'up'.  The
 * view shard.nodes also shows 'lagging' for an up secondary behind the
 * reader's shard.max_standby_lag.  Rows are upserted every round (the
 * table is never invalidated: no catalog trigger on it).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_health.h"
#include "transaction/node_stats.h"

/* GUC shard.health_check_interval, defined in shard.c */
int			HealthCheckInterval = 1000;

/* one WAL sender of a primary */
typedef struct WalSender
{
	XLogRecPtr	replayLsn;
	double		replayLagMs;
} WalSender;

/* one node's probe */
typedef struct HealthProbe
{
	int			nodeId;
	char	   *host;
	int			port;
	int			primaryId;		/* 0 for primaries */
	char	   *storedSystemId; /* dist_node.system_identifier, or NULL */
	NodeIdentity *identity;		/* NULL until it answered */
	List	   *senders;		/* WalSender *, primaries only */
} HealthProbe;

/* per-backend copy of the last recorded health of each node */
typedef struct HealthCache
{
	TimestampTz readAt;
	int			count;
	NodeHealth *entries;
} HealthCache;

static HealthCache healthCache;
static MemoryContext HealthCacheContext = NULL;

static List *ListProbes(void);
static void ProbeNode(void *arg);
static XLogRecPtr ParseLsn(const char *text);
static void RecordHealth(HealthProbe *probe, HealthProbe *primary);
static void ReadHealthCache(void);


/*
 * ParseLsn returns an LSN from its text form (InvalidXLogRecPtr for NULL).
 */
static XLogRecPtr
ParseLsn(const char *text)
{
	if (text == NULL)
		return InvalidXLogRecPtr;
	return DatumGetLSN(DirectFunctionCall1(pg_lsn_in, CStringGetDatum(text)));
}


/*
 * ListProbes returns a HealthProbe per active node, primaries first, in
 * CurrentMemoryContext.
 */
static List *
ListProbes(void)
{
	MemoryContext callerContext = CurrentMemoryContext;
	List	   *primaries = NIL;
	List	   *secondaries = NIL;
	uint64		i;

	SPI_connect();
	if (SPI_execute("SELECT node_id, host, port, coalesce(primary_id, 0),"
					" system_identifier::text FROM shard.dist_node"
					" WHERE is_active ORDER BY node_id", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_node");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *host = SPI_getvalue(tuple, desc, 2);
		char	   *systemId = SPI_getvalue(tuple, desc, 5);
		MemoryContext oldContext = MemoryContextSwitchTo(callerContext);
		HealthProbe *probe = palloc0(sizeof(HealthProbe));
		bool		isnull;

		probe->nodeId = DatumGetInt32(SPI_getbinval(tuple, desc, 1, &isnull));
		probe->port = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
		probe->primaryId = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
		probe->host = pstrdup(host);
		probe->storedSystemId = systemId != NULL ? pstrdup(systemId) : NULL;
		if (probe->primaryId == 0)
			primaries = lappend(primaries, probe);
		else
			secondaries = lappend(secondaries, probe);
		MemoryContextSwitchTo(oldContext);
	}
	SPI_finish();
	return list_concat(primaries, secondaries);
}


/*
 * ProbeNode (a TryFunction) asks the node of a HealthProbe how it is, on a
 * side connection, and on a primary the replay position and lag of each
 * WAL sender.  Throws when the node does not answer.
 */
static void
ProbeNode(void *arg)
{
	HealthProbe *probe = (HealthProbe *) arg;
	NodeConnection *conn = GetNodeSideConnection(probe->nodeId, probe->host, probe->port);
	PGresult   *res;
	int			i;

	probe->identity = FetchNodeIdentity(conn);
	if (probe->primaryId == 0 && !probe->identity->inRecovery)
	{
		res = ExecuteRemoteCommand(conn,
								   "SELECT replay_lsn::text,"
								   " coalesce(extract(epoch FROM replay_lag) * 1000, 0)::float8"
								   " FROM pg_catalog.pg_stat_replication"
								   " WHERE replay_lsn IS NOT NULL",
								   PGRES_TUPLES_OK);
		for (i = 0; i < PQntuples(res); i++)
		{
			WalSender  *sender = palloc0(sizeof(WalSender));

			sender->replayLsn = ParseLsn(PQgetvalue(res, i, 0));
			sender->replayLagMs = strtod(PQgetvalue(res, i, 1), NULL);
			probe->senders = lappend(probe->senders, sender);
		}
		PQclear(res);
	}
	CloseNodeConnection(conn);
}


/*
 * ProbeNodeHealth probes every active node and records its health (see
 * the file comment).  Must run in a transaction; writes dist_node_stats.
 */
void
ProbeNodeHealth(void)
{
	List	   *probes = ListProbes();
	ListCell   *lc;

	foreach(lc, probes)
	{
		HealthProbe *probe = lfirst(lc);
		ErrorData  *edata;

		CHECK_FOR_INTERRUPTS();
		edata = TryInSubTransaction(ProbeNode, probe);
		if (edata != NULL)
		{
			probe->identity = NULL;
			FreeErrorData(edata);
		}
	}
	foreach(lc, probes)
	{
		HealthProbe *probe = lfirst(lc);
		HealthProbe *primary = NULL;
		ListCell   *pc;

		foreach(pc, probes)
		{
			HealthProbe *candidate = lfirst(pc);

			if (probe->primaryId != 0 && candidate->nodeId == probe->primaryId)
				primary = candidate;
		}
		RecordHealth(probe, primary);
	}
}


/*
 * StandbyLagMs returns the replay lag of the WAL sender of primary closest
 * to replayLsn, or 0 when there is none.
 */
static double
StandbyLagMs(HealthProbe *primary, XLogRecPtr replayLsn)
{
	ListCell   *lc;
	double		lagMs = 0;
	uint64		bestDistance = PG_UINT64_MAX;

	foreach(lc, primary->senders)
	{
		WalSender  *sender = lfirst(lc);
		uint64		distance = sender->replayLsn > replayLsn ?
			sender->replayLsn - replayLsn : replayLsn - sender->replayLsn;

		if (distance < bestDistance)
		{
			bestDistance = distance;
			lagMs = sender->replayLagMs;
		}
	}
	return lagMs;
}


/*
 * RecordHealth upserts a node's health into dist_node_stats; primary is
 * the probe of a secondary's primary (NULL for primaries).
 */
static void
RecordHealth(HealthProbe *probe, HealthProbe *primary)
{
	NodeIdentity *identity = probe->identity;
	const char *status = "up";
	Oid			types[6] = {INT4OID, TEXTOID, BOOLOID, TEXTOID, INT8OID, FLOAT8OID};
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int64		lagBytes = 0;
	double		lagMs = 0;

	if (identity == NULL)
		status = "down";
	else if (probe->primaryId != 0 &&
			 (!identity->inRecovery ||
			  (probe->storedSystemId != NULL &&
			   strcmp(probe->storedSystemId, identity->systemIdentifier) != 0)))
		status = "diverged";
	else if (probe->primaryId != 0 &&
			 (identity->receiverStatus == NULL ||
			  strcmp(identity->receiverStatus, "streaming") != 0))
		status = "lagging";

	if (identity != NULL && probe->primaryId != 0 && primary != NULL &&
		primary->identity != NULL && identity->walLsn != NULL)
	{
		XLogRecPtr	primaryLsn = ParseLsn(primary->identity->walLsn);
		XLogRecPtr	replayLsn = ParseLsn(identity->walLsn);

		lagBytes = primaryLsn > replayLsn ? (int64) (primaryLsn - replayLsn) : 0;
		lagMs = lagBytes > 0 ? StandbyLagMs(primary, replayLsn) : 0;
	}

	values[0] = Int32GetDatum(probe->nodeId);
	values[1] = CStringGetTextDatum(status);
	values[2] = BoolGetDatum(identity != NULL && identity->inRecovery);
	values[3] = identity != NULL && identity->walLsn != NULL ?
		CStringGetTextDatum(identity->walLsn) : (Datum) 0;
	values[4] = Int64GetDatum(lagBytes);
	values[5] = Float8GetDatum(lagMs);
	if (identity == NULL)
		nulls[2] = 'n';
	if (values[3] == (Datum) 0)
		nulls[3] = 'n';
	if (identity == NULL || probe->primaryId == 0 || primary == NULL ||
		primary->identity == NULL || identity->walLsn == NULL)
		nulls[4] = nulls[5] = 'n';

	SPI_connect();
	if (SPI_execute_with_args("INSERT INTO shard.dist_node_stats (node_id, status, in_recovery,"
							  " wal_lsn, lag_bytes, lag_time, health_checked_at)"
							  " VALUES ($1, $2, $3, $4::pg_lsn, $5, $6 * interval '1 ms',"
							  " pg_catalog.clock_timestamp())"
							  " ON CONFLICT (node_id) DO UPDATE SET status = EXCLUDED.status,"
							  " in_recovery = EXCLUDED.in_recovery, wal_lsn = EXCLUDED.wal_lsn,"
							  " lag_bytes = EXCLUDED.lag_bytes, lag_time = EXCLUDED.lag_time,"
							  " health_checked_at = EXCLUDED.health_checked_at",
							  6, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the health of node %d", probe->nodeId);
	SPI_finish();
}


/*
 * ReadHealthCache replaces the backend's copy of the recorded health of
 * every node.  Reads dist_node_stats through SPI.
 */
static void
ReadHealthCache(void)
{
	uint64		i;
	NodeHealth *entries;

	if (HealthCacheContext == NULL)
		HealthCacheContext = AllocSetContextCreate(TopMemoryContext, "shard node health",
												   ALLOCSET_SMALL_SIZES);
	SPI_connect();
	if (SPI_execute("SELECT node_id, status, coalesce(wal_lsn::text, '0/0'),"
					" coalesce(extract(epoch FROM lag_time) * 1000, 0)::float8,"
					" coalesce(lag_bytes, 0), health_checked_at"
					" FROM shard.dist_node_stats WHERE health_checked_at IS NOT NULL",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_node_stats");
	entries = MemoryContextAllocZero(HealthCacheContext,
									 sizeof(NodeHealth) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *status = SPI_getvalue(tuple, desc, 2);

		entries[i].nodeId = DatumGetInt32(SPI_getbinval(tuple, desc, 1, &isnull));
		entries[i].isUp = status != NULL && strcmp(status, "up") == 0;
		entries[i].replayLsn = ParseLsn(SPI_getvalue(tuple, desc, 3));
		entries[i].lagMs = DatumGetFloat8(SPI_getbinval(tuple, desc, 4, &isnull));
		entries[i].lagBytes = DatumGetInt64(SPI_getbinval(tuple, desc, 5, &isnull));
		entries[i].checkedAt = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 6, &isnull));
	}
	if (healthCache.entries != NULL)
		pfree(healthCache.entries);
	healthCache.entries = entries;
	healthCache.count = (int) SPI_processed;
	healthCache.readAt = GetCurrentTimestamp();
	SPI_finish();
}


/*
 * LookupNodeHealth returns the last recorded health of a node (a copy in
 * CurrentMemoryContext), or NULL when none was recorded.  The backend
 * re-reads the records when they are older than
 * shard.health_check_interval (or 1s when probing is off).
 */
NodeHealth *
LookupNodeHealth(int nodeId)
{
	int			i;
	long		maxAgeMs = HealthCheckInterval > 0 ? HealthCheckInterval : 1000;

	if (healthCache.entries == NULL ||
		TimestampDifferenceExceeds(healthCache.readAt, GetCurrentTimestamp(), maxAgeMs))
		ReadHealthCache();
	for (i = 0; i < healthCache.count; i++)
	{
		if (healthCache.entries[i].nodeId == nodeId)
		{
			NodeHealth *copy = palloc(sizeof(NodeHealth));

			*copy = healthCache.entries[i];
			return copy;
		}
	}
	return NULL;
}
