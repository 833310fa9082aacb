/*-------------------------------------------------------------------------
 * node_stats.c
 *	  Node identity, health and sizes: what the catalog views (shard.nodes,
 *	  shard.tables, shard.shards) show without connecting to a node.
 *
 * The recovery background workers (recovery_worker.c) collect, every
 * shard.size_collection_interval and as soon as a placement has no figure
 * yet, each active node's placement sizes and row estimates into
 * shard.dist_placement_stats and the node's total into
 * shard.dist_node_stats; shard.collect_sizes() does the same on demand.
 * Collections are serialized by a SHARE ROW EXCLUSIVE lock on
 * dist_placement_stats, which readers of the views do not wait for.
 *
 * Health: a node that does not answer is noted in dist_node_stats
 * (unreachable_since) quietly, so that nodes still starting when the
 * coordinator starts are not reported; only a node unreachable for
 * NODE_UNREACHABLE_REPORT_MS is reported, once, with a WARNING, and a LOG
 * when it answers again.  Rows are written only when something changes.
 *
 * Node identity (system identifier, port, postmaster start time) is what
 * tells add_node that two names reach one server; a collection refreshes
 * the start time of a node that restarted.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_stats.h"

/* GUC shard.size_collection_interval, defined in shard.c */
int			SizeCollectionInterval = 60000;

/* one node's measurement, filled by MeasureNode */
typedef struct NodeMeasure
{
	int			nodeId;
	char	   *host;
	int			port;
	int			count;			/* placements on the node */
	int64	   *placementIds;
	char	  **shardNames;		/* quoted, qualified */
	int			measured;		/* placements found on the node */
	Datum	   *measuredIds;
	Datum	   *sizes;
	Datum	   *rowEstimates;
	int64		totalSize;
	NodeIdentity *identity;
} NodeMeasure;

PG_FUNCTION_INFO_V1(shard_collect_sizes);

static void ListNodePlacements(NodeMeasure *measure);
static void MeasureNode(void *arg);
static void RecordNodeSizes(NodeMeasure *measure, bool reached);
static void RefreshNodeIdentity(NodeMeasure *measure);
static void SpiRun(const char *sql, int nargs, Oid *types, Datum *values,
				   const char *nulls, int expected);


/*
 * shard_collect_sizes measures every active node now (CollectSizes) and
 * returns the number of nodes reached.  Revoked from PUBLIC.
 */
Datum
shard_collect_sizes(PG_FUNCTION_ARGS)
{
	(void) ShardSchemaOid();
	PG_RETURN_INT32(CollectSizes());
}


/*
 * TryInSubTransaction runs function(arg) in a subtransaction and returns
 * NULL, or, when it threw, the error (in the caller's memory context) after
 * rolling the subtransaction back.  Memory function allocates in the
 * caller's context stays.  A cancel is rethrown.
 */
ErrorData *
TryInSubTransaction(TryFunction function, void *arg)
{
	MemoryContext oldContext = CurrentMemoryContext;
	ResourceOwner oldOwner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldContext);
	PG_TRY();
	{
		function(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldContext);
		CurrentResourceOwner = oldOwner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldContext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldContext);
		CurrentResourceOwner = oldOwner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}


/*
 * FetchNodeIdentity asks the server behind conn who it is; palloc'd in
 * CurrentMemoryContext.  Throws when the node does not answer.  Every
 * function used is executable by any user; the WAL receiver's status
 * needs pg_read_all_stats (add_node checks it for secondaries).
 */
NodeIdentity *
FetchNodeIdentity(NodeConnection *conn)
{
	NodeIdentity *identity = palloc0(sizeof(NodeIdentity));
	PGresult   *res;

	res = ExecuteRemoteCommand(conn,
							   "SELECT (SELECT system_identifier"
							   " FROM pg_catalog.pg_control_system())::text,"
							   " pg_catalog.current_setting('port')::int,"
							   " pg_catalog.pg_postmaster_start_time()::text,"
							   " pg_catalog.pg_is_in_recovery(),"
							   " CASE WHEN pg_catalog.pg_is_in_recovery()"
							   " THEN pg_catalog.pg_last_wal_replay_lsn()"
							   " ELSE pg_catalog.pg_current_wal_lsn() END::text,"
							   " r.status, r.sender_port"
							   " FROM (SELECT 1) AS one"
							   " LEFT JOIN pg_catalog.pg_stat_wal_receiver r ON true",
							   PGRES_TUPLES_OK);
	identity->systemIdentifier = pstrdup(PQgetvalue(res, 0, 0));
	identity->serverPort = atoi(PQgetvalue(res, 0, 1));
	identity->startedAt = pstrdup(PQgetvalue(res, 0, 2));
	identity->inRecovery = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	if (!PQgetisnull(res, 0, 4))
		identity->walLsn = pstrdup(PQgetvalue(res, 0, 4));
	if (!PQgetisnull(res, 0, 5))
		identity->receiverStatus = pstrdup(PQgetvalue(res, 0, 5));
	if (!PQgetisnull(res, 0, 6))
		identity->senderPort = atoi(PQgetvalue(res, 0, 6));
	PQclear(res);
	return identity;
}


/*
 * SpiRun runs sql with arguments through SPI (connected by the caller) and
 * throws unless it returns expected.
 */
static void
SpiRun(const char *sql, int nargs, Oid *types, Datum *values,
	   const char *nulls, int expected)
{
	if (SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0) != expected)
		elog(ERROR, "could not run \"%s\"", sql);
}


/*
 * NoteNodeReachable clears a node's unreachable mark, with a LOG when it
 * had been reported.  Writes only when the node was marked.
 */
void
NoteNodeReachable(int nodeId, const char *host, int port)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(nodeId)};
	bool		isnull;

	SPI_connect();
	SpiRun("SELECT unreachable_reported FROM shard.dist_node_stats"
		   " WHERE node_id = $1 AND unreachable_since IS NOT NULL FOR UPDATE",
		   1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			ereport(LOG,
					(errmsg("node %d (%s:%d) is reachable again", nodeId, host, port)));
		SpiRun("UPDATE shard.dist_node_stats"
			   " SET unreachable_since = NULL, unreachable_reported = false"
			   " WHERE node_id = $1",
			   1, types, values, NULL, SPI_OK_UPDATE);
	}
	SPI_finish();
}


/*
 * NoteNodeUnreachable records that a node did not answer (edata says why).
 * The first failure in a row is only noted (DEBUG1); once the node has been
 * unreachable for NODE_UNREACHABLE_REPORT_MS it is reported with a WARNING,
 * once.
 */
void
NoteNodeUnreachable(int nodeId, const char *host, int port, ErrorData *edata)
{
	Oid			types[2] = {INT4OID, INT4OID};
	Datum		values[2] = {Int32GetDatum(nodeId), Int32GetDatum(NODE_UNREACHABLE_REPORT_MS)};
	bool		marked = false;
	bool		due = false;
	bool		isnull;

	SPI_connect();
	SpiRun("SELECT NOT unreachable_reported,"
		   " unreachable_since <= pg_catalog.now() - $2 * interval '1 ms'"
		   " FROM shard.dist_node_stats"
		   " WHERE node_id = $1 AND unreachable_since IS NOT NULL FOR UPDATE",
		   2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];

		marked = true;
		due = DatumGetBool(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &isnull)) &&
			DatumGetBool(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull));
	}

	if (!marked)
	{
		ereport(DEBUG1,
				(errmsg("node %d (%s:%d) is not reachable", nodeId, host, port),
				 errdetail_internal("%s", edata->message)));
		SpiRun("INSERT INTO shard.dist_node_stats (node_id, unreachable_since)"
			   " VALUES ($1, pg_catalog.now())"
			   " ON CONFLICT (node_id) DO UPDATE SET unreachable_since = pg_catalog.now(),"
			   " unreachable_reported = false",
			   1, types, values, NULL, SPI_OK_INSERT);
	}
	else if (due)
	{
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("node %d (%s:%d) has been unreachable for more than %d seconds",
						nodeId, host, port, NODE_UNREACHABLE_REPORT_MS / 1000),
				 errdetail_internal("%s", edata->message),
				 errhint("A LOG message follows when it answers again; see shard.nodes.")));
		SpiRun("UPDATE shard.dist_node_stats SET unreachable_reported = true WHERE node_id = $1",
			   1, types, values, NULL, SPI_OK_UPDATE);
	}
	SPI_finish();
}


/*
 * SizeCollectionDue tells whether the workers should collect sizes now:
 * shard.size_collection_interval has passed since an active node was last
 * tried, or a placement on a node not known to be unreachable has no
 * figure yet (a new table).
 */
bool
SizeCollectionDue(void)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(SizeCollectionInterval)};
	bool		isnull;
	bool		due;

	if (SizeCollectionInterval <= 0)
		return false;
	SPI_connect();
	SpiRun("SELECT EXISTS (SELECT 1 FROM shard.dist_node n"
		   "               LEFT JOIN shard.dist_node_stats st USING (node_id)"
		   "               WHERE n.is_active AND (st.checked_at IS NULL OR"
		   "                     st.checked_at <= pg_catalog.now() - $1 * interval '1 ms'))"
		   " OR EXISTS (SELECT 1 FROM shard.dist_placement p"
		   "            LEFT JOIN shard.dist_placement_stats ps USING (placement_id)"
		   "            LEFT JOIN shard.dist_node_stats st ON st.node_id = p.node_id"
		   "            WHERE ps.placement_id IS NULL AND st.unreachable_since IS NULL)",
		   1, types, values, NULL, SPI_OK_SELECT);
	due = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return due;
}


/*
 * CollectSizes measures the placements of every active node and records
 * them, the node's total and its health; a node that does not answer gets
 * NULL sizes.  Returns the number of nodes reached.  Must run in a
 * transaction; writes the stats tables, so needs their owner's rights.
 */
int
CollectSizes(void)
{
	List	   *nodes = NIL;
	ListCell   *lc;
	int			reached = 0;

	SPI_connect();
	SpiRun("LOCK TABLE shard.dist_placement_stats IN SHARE ROW EXCLUSIVE MODE",
		   0, NULL, NULL, NULL, SPI_OK_UTILITY);
	SPI_finish();

	/* copy the node list: catalog access below may rebuild the cache */
	foreach(lc, ActiveNodeList(false))
	{
		NodeInfo   *info = (NodeInfo *) lfirst(lc);
		NodeMeasure *measure = palloc0(sizeof(NodeMeasure));

		measure->nodeId = info->nodeId;
		measure->host = pstrdup(info->host);
		measure->port = info->port;
		nodes = lappend(nodes, measure);
	}

	foreach(lc, nodes)
	{
		NodeMeasure *measure = (NodeMeasure *) lfirst(lc);
		ErrorData  *edata;

		CHECK_FOR_INTERRUPTS();
		ListNodePlacements(measure);
		edata = TryInSubTransaction(MeasureNode, measure);
		RecordNodeSizes(measure, edata == NULL);
		if (edata == NULL)
		{
			RefreshNodeIdentity(measure);
			NoteNodeReachable(measure->nodeId, measure->host, measure->port);
			reached++;
		}
		else
		{
			NoteNodeUnreachable(measure->nodeId, measure->host, measure->port, edata);
			FreeErrorData(edata);
		}
	}

	/* nodes removed or deactivated since */
	SPI_connect();
	SpiRun("DELETE FROM shard.dist_node_stats st WHERE NOT EXISTS"
		   " (SELECT 1 FROM shard.dist_node n WHERE n.node_id = st.node_id AND n.is_active)",
		   0, NULL, NULL, NULL, SPI_OK_DELETE);
	SPI_finish();
	return reached;
}


/*
 * ListNodePlacements fills measure with the placements on its node and
 * their shard names, in CurrentMemoryContext.
 */
static void
ListNodePlacements(NodeMeasure *measure)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(measure->nodeId)};
	MemoryContext callerContext = CurrentMemoryContext;
	uint64		i;

	SPI_connect();
	SpiRun("SELECT p.placement_id, s.shard_id, ns.nspname::text, cl.relname::text"
		   " FROM shard.dist_placement p"
		   " JOIN shard.dist_shard s USING (shard_id)"
		   " JOIN pg_catalog.pg_class cl ON cl.oid = s.relid"
		   " JOIN pg_catalog.pg_namespace ns ON ns.oid = cl.relnamespace"
		   " WHERE p.node_id = $1 ORDER BY p.placement_id",
		   1, types, values, NULL, SPI_OK_SELECT);
	measure->count = (int) SPI_processed;
	measure->placementIds = MemoryContextAlloc(callerContext, sizeof(int64) * (SPI_processed + 1));
	measure->shardNames = MemoryContextAlloc(callerContext, sizeof(char *) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext oldContext;

		measure->placementIds[i] = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		oldContext = MemoryContextSwitchTo(callerContext);
		measure->shardNames[i] = ShardNameForId(SPI_getvalue(tuple, desc, 3),
												SPI_getvalue(tuple, desc, 4),
												DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull)));
		MemoryContextSwitchTo(oldContext);
	}
	SPI_finish();
}


/*
 * MeasureNode (a TryFunction) asks the node of a NodeMeasure who it is and
 * the size and row estimate of each of its placements, on a side
 * connection (never inside a remote transaction).  A shard missing on the
 * node, or locked by DDL, is left out (no figure: the next round tries
 * again).  Throws when the node does not answer.
 */
static void
MeasureNode(void *arg)
{
	NodeMeasure *measure = (NodeMeasure *) arg;
	NodeConnection *conn = GetNodeSideConnection(measure->nodeId, measure->host, measure->port);
	StringInfoData sql;
	PGresult   *res;
	int			i;

	measure->identity = FetchNodeIdentity(conn);
	measure->measuredIds = palloc(sizeof(Datum) * (measure->count + 1));
	measure->sizes = palloc(sizeof(Datum) * (measure->count + 1));
	measure->rowEstimates = palloc(sizeof(Datum) * (measure->count + 1));
	if (measure->count == 0)
	{
		CloseNodeConnection(conn);
		return;
	}

	/* reltuples is -1 until the shard is vacuumed or analyzed */
	initStringInfo(&sql);
	appendStringInfoString(&sql,
						   "SELECT v.id, pg_catalog.pg_total_relation_size(c.oid),"
						   " CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint"
						   " ELSE pg_catalog.pg_stat_get_live_tuples(c.oid) END"
						   " FROM (VALUES ");
	for (i = 0; i < measure->count; i++)
		appendStringInfo(&sql, "%s(" INT64_FORMAT "::bigint, %s)", i > 0 ? ", " : "",
						 measure->placementIds[i], quote_literal_cstr(measure->shardNames[i]));
	/* a shard locked (or awaited) by DDL is skipped: never wait behind it */
	appendStringInfoString(&sql, ") AS v(id, name)"
						   " JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(v.name)"
						   " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l"
						   " WHERE l.locktype = 'relation' AND l.relation = c.oid"
						   " AND l.mode = 'AccessExclusiveLock'"
						   " AND l.database = (SELECT oid FROM pg_catalog.pg_database"
						   " WHERE datname = pg_catalog.current_database()))");
	res = ExecuteRemoteCommand(conn, sql.data, PGRES_TUPLES_OK);
	for (i = 0; i < PQntuples(res); i++)
	{
		int			n = measure->measured;
		int64		size;

		/* NULL: dropped meanwhile */
		if (PQgetisnull(res, i, 1))
			continue;
		size = strtoi64(PQgetvalue(res, i, 1), NULL, 10);
		measure->measuredIds[n] = Int64GetDatum(strtoi64(PQgetvalue(res, i, 0), NULL, 10));
		measure->sizes[n] = Int64GetDatum(size);
		measure->rowEstimates[n] = Int64GetDatum(PQgetisnull(res, i, 2) ? 0 :
												 strtoi64(PQgetvalue(res, i, 2), NULL, 10));
		measure->totalSize += size;
		measure->measured++;
	}
	PQclear(res);

	/* collections are rare: no idle connection is kept for them */
	CloseNodeConnection(conn);
}


/*
 * RecordNodeSizes replaces the node's placement figures by those measured
 * (none when not reached) and records its total (NULL when not reached)
 * and the time of the attempt.  Also drops figures of placements that no
 * longer exist.
 */
static void
RecordNodeSizes(NodeMeasure *measure, bool reached)
{
	Oid			nodeType[1] = {INT4OID};
	Datum		nodeValue[1] = {Int32GetDatum(measure->nodeId)};
	Oid			types[3] = {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID};
	Datum		values[3];
	Oid			totalTypes[2] = {INT4OID, INT8OID};
	Datum		totalValues[2] = {Int32GetDatum(measure->nodeId), Int64GetDatum(measure->totalSize)};
	char		totalNulls[2] = {' ', reached ? ' ' : 'n'};

	SPI_connect();
	SpiRun("DELETE FROM shard.dist_placement_stats ps WHERE NOT EXISTS"
		   " (SELECT 1 FROM shard.dist_placement p"
		   "  WHERE p.placement_id = ps.placement_id AND p.node_id <> $1)",
		   1, nodeType, nodeValue, NULL, SPI_OK_DELETE);
	if (reached && measure->measured > 0)
	{
		values[0] = PointerGetDatum(construct_array(measure->measuredIds, measure->measured,
													INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[1] = PointerGetDatum(construct_array(measure->sizes, measure->measured,
													INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[2] = PointerGetDatum(construct_array(measure->rowEstimates, measure->measured,
													INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		SpiRun("INSERT INTO shard.dist_placement_stats"
			   " SELECT u.id, u.size, u.estimate, pg_catalog.now()"
			   " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2),"
			   " pg_catalog.unnest($3)) AS u(id, size, estimate)"
			   " WHERE EXISTS (SELECT 1 FROM shard.dist_placement p WHERE p.placement_id = u.id)",
			   3, types, values, NULL, SPI_OK_INSERT);
	}
	SpiRun("INSERT INTO shard.dist_node_stats (node_id, size_bytes, collected_at, checked_at)"
		   " VALUES ($1, $2, CASE WHEN $2 IS NOT NULL THEN pg_catalog.now() END, pg_catalog.now())"
		   " ON CONFLICT (node_id) DO UPDATE SET size_bytes = EXCLUDED.size_bytes,"
		   " collected_at = EXCLUDED.collected_at, checked_at = EXCLUDED.checked_at",
		   2, totalTypes, totalValues, totalNulls, SPI_OK_INSERT);
	SPI_finish();
}


/*
 * RefreshNodeIdentity records the identity of a measured node when the
 * catalog has none, or a new start time when the same server restarted.
 * Writes (and so invalidates the node caches) only when it changed.
 */
static void
RefreshNodeIdentity(NodeMeasure *measure)
{
	NodeIdentity *identity = measure->identity;
	Oid			types[4] = {INT4OID, TEXTOID, INT4OID, TEXTOID};
	Datum		values[4];
	const char *match = " WHERE node_id = $1 AND (system_identifier IS NULL OR"
		" (system_identifier = $2::bigint AND server_port = $3 AND"
		"  server_started_at IS DISTINCT FROM $4::timestamptz))";

	values[0] = Int32GetDatum(measure->nodeId);
	values[1] = CStringGetTextDatum(identity->systemIdentifier);
	values[2] = Int32GetDatum(identity->serverPort);
	values[3] = CStringGetTextDatum(identity->startedAt);
	SPI_connect();
	SpiRun(psprintf("SELECT 1 FROM shard.dist_node%s", match), 4, types, values, NULL,
		   SPI_OK_SELECT);
	if (SPI_processed > 0)
		SpiRun(psprintf("UPDATE shard.dist_node SET system_identifier = $2::bigint,"
						" server_port = $3, server_started_at = $4::timestamptz%s", match),
			   4, types, values, NULL, SPI_OK_UPDATE);
	SPI_finish();
}
