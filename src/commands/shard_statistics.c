/*-------------------------------------------------------------------------
 * shard_statistics.c
 *	  Statistics of a distributed table's shards brought to its shell.
 *
 * ANALYZE of a distributed table analyzes the coordinator's empty shell
 * (reltuples 0, no pg_statistic rows) and then every shard on its node.
 * PullShardStatistics then reads each shard's pg_class and pg_stats (one
 * placement per shard: a reference table's copies are replicas) and writes
 * the shell's statistics, so that the coordinator's planners see the data:
 *
 *	- reltuples, relpages: sums over the shards, written in place with
 *	  vac_update_relstats as ANALYZE does (not transactional);
 *	- one pg_statistic row per column the shards have statistics for:
 *	  stanullfrac weighted by the shards' rows, stawidth weighted by their
 *	  non-null rows, stadistinct as explained at ShellDistinct; no MCV or
 *	  histogram (stakindN 0), so the planner uses its defaults for
 *	  selectivities.  Written transactionally in the caller's transaction.
 *
 * Invariants: runs after the shards' ANALYZE in the same statement, as the
 * same user, in a coordinator transaction; the shell is locked
 * ShareUpdateExclusiveLock (as ANALYZE locks it) from before the shards are
 * read until the transaction ends; nothing is written unless the current
 * user owns the table or the database (ANALYZE's own check, which has
 * already warned).  The distributed table's cache entry is copied before
 * any remote I/O, since processing invalidations may rebuild it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/multixact.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "commands/vacuum.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "commands/shard_statistics.h"
#include "connection/connection.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

/* what the shards reported for one column of the shell */
typedef struct ColumnStats
{
	int			shardsReporting;
	double		rows;			/* rows of the shards that reported */
	double		nullRows;
	double		widthSum;		/* avg_width times non-null rows */
	double		distinctSum;	/* sum of the shards' distinct counts */
	double		distinctMax;	/* largest distinct count of one shard */
} ColumnStats;

static void ReadShardStatistics(int nodeId, const char *shardName, double *tuples,
								double *pages, Relation rel, ColumnStats *columns);
static void AddColumnStatistics(PGresult *res, int row, double shardTuples,
								Relation rel, ColumnStats *columns);
static double ShellDistinct(ColumnStats *column, bool disjoint, double tuples,
							int shardCount);
static void WriteColumnStatistics(Relation statRel, Oid relid, AttrNumber attnum,
								  float4 nullFrac, int32 width, float4 distinct);

/*
 * PullShardStatistics: see shard_statistics.h.  Throws on remote failure
 * (the shards' statistics are kept; ANALYZE again to retry).
 */
void
PullShardStatistics(Oid relid)
{
	HeapTuple	classTuple;
	Oid			owner;
	Relation	rel;
	DistTableEntry *table;
	int			shardCount;
	bool		hashTable;
	AttrNumber	distAttno;
	char	  **shardNames;
	int		   *nodeIds;
	ColumnStats *columns;
	double		tuples = 0;
	double		pages = 0;
	Relation	statRel;
	int			natts;
	int			i;

	/* rights before the lock, as ANALYZE itself (checked again after it) */
	classTuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(classTuple))
		return;
	owner = ((Form_pg_class) GETSTRUCT(classTuple))->relowner;
	ReleaseSysCache(classTuple);
	if (!has_privs_of_role(GetUserId(), owner) &&
		!pg_database_ownercheck(MyDatabaseId, GetUserId()))
		return;
	rel = try_relation_open(relid, ShareUpdateExclusiveLock);
	if (rel == NULL)
		return;
	if (!pg_class_ownercheck(relid, GetUserId()) &&
		!pg_database_ownercheck(MyDatabaseId, GetUserId()))
	{
		relation_close(rel, NoLock);
		return;
	}
	table = LookupDistTable(relid);
	if (table == NULL || !table->isDistributed)
	{
		relation_close(rel, NoLock);
		return;
	}
	shardCount = table->shardCount;
	hashTable = table->method == DIST_METHOD_HASH;
	distAttno = table->distAttno;
	shardNames = palloc(sizeof(char *) * shardCount);
	nodeIds = palloc(sizeof(int) * shardCount);
	for (i = 0; i < shardCount; i++)
	{
		shardNames[i] = ShardRelationName(table, i);
		nodeIds[i] = table->shards[i].nodeId;
	}

	natts = RelationGetDescr(rel)->natts;
	columns = palloc0(sizeof(ColumnStats) * (natts + 1));
	for (i = 0; i < shardCount; i++)
	{
		CHECK_FOR_INTERRUPTS();
		ReadShardStatistics(nodeIds[i], shardNames[i], &tuples, &pages, rel, columns);
	}

	vac_update_relstats(rel, (BlockNumber) Min(pages, (double) MaxBlockNumber), tuples,
						0, rel->rd_rel->relhasindex, InvalidTransactionId,
						InvalidMultiXactId, NULL, NULL, true);

	statRel = table_open(StatisticRelationId, RowExclusiveLock);
	for (i = 1; i <= natts; i++)
	{
		ColumnStats *column = &columns[i];
		double		nonNullRows;

		if (column->shardsReporting == 0 || column->rows <= 0)
			continue;
		nonNullRows = column->rows - column->nullRows;
		WriteColumnStatistics(statRel, relid, i,
							  (float4) (column->nullRows / column->rows),
							  nonNullRows > 0 ? (int32) rint(column->widthSum / nonNullRows) : 0,
							  (float4) ShellDistinct(column, hashTable && i == distAttno,
													 tuples, shardCount));
	}
	table_close(statRel, RowExclusiveLock);

	CommandCounterIncrement();
	CacheInvalidateRelcacheByRelid(relid);
	relation_close(rel, NoLock);
}

/*
 * ReadShardStatistics adds to *tuples, *pages and columns what one shard
 * reports in its node's pg_class and pg_stats (columns matched by name to
 * the shell rel's attribute numbers).  Throws on remote failure.
 */
static void
ReadShardStatistics(int nodeId, const char *shardName, double *tuples, double *pages,
					Relation rel, ColumnStats *columns)
{
	NodeConnection *conn = ConnectionForNode(nodeId);
	char	   *sql;
	PGresult   *res;
	double		shardTuples = 0;
	int			row;

	sql = psprintf("SELECT c.reltuples, c.relpages, s.attname, s.null_frac, "
				   "s.avg_width, s.n_distinct "
				   "FROM pg_catalog.pg_class c "
				   "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
				   "LEFT JOIN pg_catalog.pg_stats s ON s.schemaname OPERATOR(pg_catalog.=) n.nspname "
				   "AND s.tablename OPERATOR(pg_catalog.=) c.relname AND NOT s.inherited "
				   "WHERE c.oid OPERATOR(pg_catalog.=) %s::pg_catalog.regclass",
				   quote_literal_cstr(shardName));
	RunRemotePrefix(conn, false);
	res = ExecuteRemoteCommand(conn, sql, PGRES_TUPLES_OK);
	if (res == NULL || PQntuples(res) == 0)
	{
		if (res != NULL)
			PQclear(res);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("shard \"%s\" of table \"%s\" was not found on its node",
						shardName, RelationGetRelationName(rel))));
	}

	shardTuples = Max(strtod(PQgetvalue(res, 0, 0), NULL), 0.0);
	*tuples += shardTuples;
	*pages += Max(strtod(PQgetvalue(res, 0, 1), NULL), 0.0);
	PG_TRY();
	{
		for (row = 0; row < PQntuples(res); row++)
			AddColumnStatistics(res, row, shardTuples, rel, columns);
	}
	PG_FINALLY();
	{
		PQclear(res);
	}
	PG_END_TRY();
}

/*
 * AddColumnStatistics adds row of a shard's statistics (see
 * ReadShardStatistics) to the column of rel it names, if rel has it.
 */
static void
AddColumnStatistics(PGresult *res, int row, double shardTuples, Relation rel,
					ColumnStats *columns)
{
	AttrNumber	attnum;
	ColumnStats *column;
	double		nullFrac;
	double		distinct;

	if (PQgetisnull(res, row, 2) || PQgetisnull(res, row, 3) ||
		PQgetisnull(res, row, 4) || PQgetisnull(res, row, 5))
		return;
	attnum = get_attnum(RelationGetRelid(rel), PQgetvalue(res, row, 2));
	if (attnum <= 0 || attnum > RelationGetDescr(rel)->natts)
		return;
	column = &columns[attnum];
	nullFrac = strtod(PQgetvalue(res, row, 3), NULL);
	distinct = strtod(PQgetvalue(res, row, 5), NULL);
	if (distinct < 0)
		distinct = -distinct * shardTuples;
	column->shardsReporting++;
	column->rows += shardTuples;
	column->nullRows += nullFrac * shardTuples;
	column->widthSum += strtod(PQgetvalue(res, row, 4), NULL) * (1.0 - nullFrac) * shardTuples;
	column->distinctSum += distinct;
	column->distinctMax = Max(column->distinctMax, distinct);
}

/*
 * ShellDistinct returns the stadistinct to store for a column of the shell
 * (positive: a count; negative: minus a fraction of the rows, as ANALYZE
 * stores it when the count seems to grow with the table).
 *
 * What it means here: the pushdown planner (PartialAggregateReducesRows)
 * reads it as G, the table's number of distinct keys, and predicts that a
 * shard of N/S rows holds G * (1 - exp(-(N/S) / G)) of them, i.e. the
 * number of groups partial aggregation returns per shard.  So we store
 * the G for which that prediction equals the mean distinct count the
 * shards measured: the prediction is then the measured per-shard
 * reduction, and the choice between partial aggregation and the
 * coordinator-side path is made on real numbers.  G is kept between the
 * largest shard's count and the sum over the shards (the table cannot hold
 * fewer values than one shard, nor more than all shards together); the
 * sum is the answer itself when the shards' values are disjoint
 * (disjoint: a hash table's distribution column), and also what the
 * solution tends to when every shard's rows are nearly all distinct.
 * The result is a table-wide count only as far as the rows look like
 * random draws: values spread more evenly (each exactly twice, say) give a
 * larger G than the true count, deliberately, since the per-shard
 * reduction is what the choice depends on.  For a single shard (reference
 * table) it is the shard's own count.
 */
static double
ShellDistinct(ColumnStats *column, bool disjoint, double tuples, int shardCount)
{
	double		perShardRows = tuples / shardCount;
	double		perShardDistinct = column->distinctSum / shardCount;
	double		distinct;

	if (disjoint || shardCount == 1 || perShardDistinct <= 0)
		distinct = column->distinctSum;
	else
	{
		double		low = perShardDistinct;
		double		high = column->distinctSum;
		int			i;

		/* G * (1 - exp(-n / G)) grows with G: bisect */
		if (high * (1.0 - exp(-perShardRows / high)) <= perShardDistinct)
			distinct = high;
		else
		{
			for (i = 0; i < 60; i++)
			{
				double		mid = (low + high) / 2;

				if (mid * (1.0 - exp(-perShardRows / mid)) < perShardDistinct)
					low = mid;
				else
					high = mid;
			}
			distinct = high;
		}
		distinct = Max(distinct, column->distinctMax);
	}
	distinct = rint(distinct);
	if (tuples > 0 && distinct > 0.1 * tuples)
		return -Min(distinct / tuples, 1.0);
	return distinct;
}

/*
 * WriteColumnStatistics inserts or replaces the shell's pg_statistic row
 * (non-inherited) for attnum, with no MCV list or histogram.
 */
static void
WriteColumnStatistics(Relation statRel, Oid relid, AttrNumber attnum, float4 nullFrac,
					  int32 width, float4 distinct)
{
	Datum		values[Natts_pg_statistic];
	bool		nulls[Natts_pg_statistic];
	bool		replaces[Natts_pg_statistic];
	HeapTuple	oldTuple;
	HeapTuple	newTuple;
	int			k;

	memset(values, 0, sizeof(values));
	memset(nulls, false, sizeof(nulls));
	memset(replaces, true, sizeof(replaces));
	values[Anum_pg_statistic_starelid - 1] = ObjectIdGetDatum(relid);
	values[Anum_pg_statistic_staattnum - 1] = Int16GetDatum(attnum);
	values[Anum_pg_statistic_stainherit - 1] = BoolGetDatum(false);
	values[Anum_pg_statistic_stanullfrac - 1] = Float4GetDatum(nullFrac);
	values[Anum_pg_statistic_stawidth - 1] = Int32GetDatum(width);
	values[Anum_pg_statistic_stadistinct - 1] = Float4GetDatum(distinct);
	for (k = 0; k < STATISTIC_NUM_SLOTS; k++)
	{
		values[Anum_pg_statistic_stakind1 - 1 + k] = Int16GetDatum(0);
		values[Anum_pg_statistic_staop1 - 1 + k] = ObjectIdGetDatum(InvalidOid);
		values[Anum_pg_statistic_stacoll1 - 1 + k] = ObjectIdGetDatum(InvalidOid);
		nulls[Anum_pg_statistic_stanumbers1 - 1 + k] = true;
		nulls[Anum_pg_statistic_stavalues1 - 1 + k] = true;
	}

	oldTuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
							   Int16GetDatum(attnum), BoolGetDatum(false));
	if (HeapTupleIsValid(oldTuple))
	{
		newTuple = heap_modify_tuple(oldTuple, RelationGetDescr(statRel), values, nulls,
									 replaces);
		ReleaseSysCache(oldTuple);
		CatalogTupleUpdate(statRel, &newTuple->t_self, newTuple);
	}
	else
	{
		newTuple = heap_form_tuple(RelationGetDescr(statRel), values, nulls);
		CatalogTupleInsert(statRel, newTuple);
	}
	heap_freetuple(newTuple);
}
