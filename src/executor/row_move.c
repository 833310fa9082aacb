/*-------------------------------------------------------------------------
 * row_move.c
 *	  UPDATEs that assign the distribution column a value of another shard
 *	  move the matched rows there, as PostgreSQL moves rows between the
 *	  partitions of a partitioned table.
 *
 * The new value (Var-free, so one destination shard per execution) is
 * known before anything runs.  The UPDATE itself runs on the destination
 * shard only (rows already there stay); every other shard that may hold
 * matching rows runs the same statement as a DELETE (same FROM/USING and
 * WHERE) that returns, for each deleted row, the UPDATE's RETURNING
 * expressions and then the new row (every non-dropped column: the SET
 * expression, or the old value).  The coordinator inserts those new rows
 * into the destination shard after the UPDATE has run there, so a moved
 * row is never updated twice.  Everything runs in remote transactions
 * that commit with the coordinator's (two-phase when several nodes
 * wrote): a row is never lost or doubled.
 *
 * Memory: the DELETE results are malloc'd PGresults, freed here (also on
 * error); RETURNING rows are copied into new PGresults that join the
 * scan's results and are freed with them.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "deparse/shard_deparse.h"
#include "executor/coordinator_eval.h"
#include "executor/insert_batcher.h"
#include "executor/row_move.h"
#include "metadata/metadata.h"
#include "transaction/moved_rows.h"

static List *NewRowTargetList(Query *update, TupleDesc desc);
static List *BuildMoveTasks(RowMoveRun *run, DistTableEntry *table);
static void InsertMovedRows(RowMoveRun *run, List *results);
static PGresult *LeadingColumns(PGresult *res, int ncolumns);

/*
 * NewRowTargetList returns one TargetEntry per attribute of desc (resno =
 * attno) computing the row an UPDATE makes: the SET expression, the old
 * column, or a NULL for a dropped column.
 */
static List *
NewRowTargetList(Query *update, TupleDesc desc)
{
	List	   *tlist = NIL;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		Expr	   *expr = NULL;
		ListCell   *lc;

		foreach(lc, update->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (!tle->resjunk && tle->resno == attr->attnum)
				expr = copyObject(tle->expr);
		}
		if (attr->attisdropped)
			expr = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
		else if (expr == NULL)
			expr = (Expr *) makeVar(update->resultRelation, attr->attnum, attr->atttypid,
									attr->atttypmod, attr->attcollation, 0);
		tlist = lappend(tlist, makeTargetEntry(expr, attr->attnum,
											   pstrdup(NameStr(attr->attname)), false));
	}
	return tlist;
}

/*
 * MakeRowMoveQuery returns the DELETE that takes the rows an UPDATE
 * matches out of a shard: same range table, FROM/USING and WHERE, and
 * RETURNING the UPDATE's RETURNING expressions computed over the new row,
 * followed by the new row's non-dropped columns (desc is the target's
 * descriptor).  palloc'd in the current context.
 */
Query *
MakeRowMoveQuery(Query *update, TupleDesc desc)
{
	Query	   *move = copyObject(update);
	RangeTblEntry *target = rt_fetch(update->resultRelation, update->rtable);
	List	   *newRow = NewRowTargetList(update, desc);
	List	   *returning;
	AttrNumber	resno = 0;
	ListCell   *lc;

	returning = (List *) ReplaceVarsFromTargetList((Node *) copyObject(update->returningList),
												   update->resultRelation, 0, target, newRow,
												   REPLACEVARS_REPORT_ERROR, 0, NULL);
	move->commandType = CMD_DELETE;
	move->targetList = NIL;
	move->returningList = NIL;
	foreach(lc, returning)
	{
		TargetEntry *tle = lfirst(lc);

		tle->resno = ++resno;
		move->returningList = lappend(move->returningList, tle);
	}
	foreach(lc, newRow)
	{
		TargetEntry *tle = lfirst(lc);

		if (TupleDescAttr(desc, tle->resno - 1)->attisdropped)
			continue;
		tle->resno = ++resno;
		tle->resname = psprintf("new_%d", resno);
		move->returningList = lappend(move->returningList, tle);
	}
	return move;
}

/*
 * BuildMoveTasks returns the DELETE tasks of the shards rows may leave:
 * every shard but the destination, or the one source shard.
 */
static List *
BuildMoveTasks(RowMoveRun *run, DistTableEntry *table)
{
	List	   *tasks = NIL;
	Query	   *move = NULL;
	int			i;

	for (i = 0; i < table->shardCount; i++)
	{
		Task	   *task;

		if (i == run->destShard || (run->sourceShard >= 0 && i != run->sourceShard))
			continue;
		task = palloc0(sizeof(Task));
		task->shardIndex = i;
		task->nodeId = table->shards[i].nodeId;
		if (run->runtimeQuery != NULL)
		{
			if (move == NULL)
			{
				Relation	rel = table_open(run->relid, NoLock);

				move = MakeRowMoveQuery(EvaluateCoordinatorExpressions(run->runtimeQuery,
																	   run->econtext),
										RelationGetDescr(rel));
				table_close(rel, NoLock);
			}
			task->sql = DeparseForShard(move, i, run->params);
		}
		else
			task->sql = strVal(list_nth(run->moveSql, i));
		tasks = lappend(tasks, task);
	}
	return tasks;
}

/*
 * LeadingColumns returns a malloc'd copy of res with its first ncolumns
 * columns only.
 */
static PGresult *
LeadingColumns(PGresult *res, int ncolumns)
{
	PGresult   *copy = PQcopyResult(res, PG_COPYRES_EVENTS | PG_COPYRES_NOTICEHOOKS);
	PGresAttDesc *attrs = palloc0(sizeof(PGresAttDesc) * Max(1, ncolumns));
	int			ntuples = PQntuples(res);
	int			row;
	int			col;

	if (copy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	for (col = 0; col < ncolumns; col++)
	{
		attrs[col].name = PQfname(res, col);
		attrs[col].tableid = PQftable(res, col);
		attrs[col].columnid = PQftablecol(res, col);
		attrs[col].format = PQfformat(res, col);
		attrs[col].typid = PQftype(res, col);
		attrs[col].typlen = PQfsize(res, col);
		attrs[col].atttypmod = PQfmod(res, col);
	}
	if (!PQsetResultAttrs(copy, ncolumns, attrs))
	{
		PQclear(copy);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	for (row = 0; row < ntuples; row++)
		for (col = 0; col < ncolumns; col++)
		{
			bool		isnull = PQgetisnull(res, row, col);

			if (!PQsetvalue(copy, row, col, isnull ? NULL : PQgetvalue(res, row, col),
							isnull ? -1 : PQgetlength(res, row, col)))
			{
				PQclear(copy);
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			}
		}
	return copy;
}

/*
 * InsertMovedRows routes the new rows of the DELETE results into the
 * destination shard and appends their RETURNING columns to the run's
 * results.  Throws on node errors (and on a NULL new distribution value
 * of a row that exists).
 */
static void
InsertMovedRows(RowMoveRun *run, List *results)
{
	Relation	rel = table_open(run->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	InsertBatcher *batcher = StartInsertBatcher(run->relid, desc);
	Datum	   *values = palloc0(sizeof(Datum) * Max(1, desc->natts));
	bool	   *isnull = palloc0(sizeof(bool) * Max(1, desc->natts));
	MemoryContext rowContext = AllocSetContextCreate(CurrentMemoryContext, "shard moved row",
													 ALLOCSET_DEFAULT_SIZES);
	ListCell   *lc;

	foreach(lc, results)
	{
		PGresult   *res = lfirst(lc);
		int			row;

		for (row = 0; row < PQntuples(res); row++)
		{
			MemoryContext oldContext = MemoryContextSwitchTo(rowContext);
			int			column = run->nReturning;
			int			i;

			for (i = 0; i < desc->natts; i++)
			{
				Form_pg_attribute attr = TupleDescAttr(desc, i);
				Oid			inFunc;
				Oid			ioParam;

				isnull[i] = true;
				values[i] = (Datum) 0;
				if (attr->attisdropped)
					continue;
				if (!PQgetisnull(res, row, column))
				{
					getTypeInputInfo(attr->atttypid, &inFunc, &ioParam);
					values[i] = OidInputFunctionCall(inFunc, PQgetvalue(res, row, column),
													 ioParam, attr->atttypmod);
					isnull[i] = false;
				}
				column++;
			}
			MemoryContextSwitchTo(oldContext);
			InsertBatcherAddRow(batcher, values, isnull);
			MemoryContextReset(rowContext);
		}
		if (run->nReturning > 0 && PQntuples(res) > 0)
			run->runResult->results = lappend(run->runResult->results,
											  LeadingColumns(res, run->nReturning));
	}
	(void) FinishInsertBatcher(batcher, false);
	MemoryContextDelete(rowContext);
	table_close(rel, NoLock);
}

/*
 * TaskShardIndexes returns the shard indexes of tasks (a new list).
 */
List *
TaskShardIndexes(List *tasks)
{
	List	   *indexes = NIL;
	ListCell   *lc;

	foreach(lc, tasks)
		indexes = list_append_unique_int(indexes, ((Task *) lfirst(lc))->shardIndex);
	return indexes;
}

/*
 * ExecuteRowMoves deletes the rows the UPDATE matches from the shards
 * other than the destination and inserts their new versions there.
 * Returns how many rows moved.  Throws on node errors.
 */
uint64
ExecuteRowMoves(RowMoveRun *run)
{
	DistTableEntry *table = LookupDistTable(run->relid);
	List	   *tasks = BuildMoveTasks(run, table);
	TaskRunOptions options;
	TaskRunResult result;
	uint64		moved;
	MoveCheck  *check;
	ListCell   *lc;

	if (tasks == NIL)
		return 0;
	memset(&options, 0, sizeof(options));
	memset(&result, 0, sizeof(result));
	options.needTransaction = true;
	options.isWrite = true;
	options.keepResults = true;
	options.params = (run->runtimeQuery == NULL) ? run->params : NULL;
	options.collectStats = true;	/* rows per task: the shards rows left */
	check = StartMoveCheck(run->relid, TaskShardIndexes(tasks));
	RunTasks(tasks, &options, &result);
	moved = result.rowsProcessed;
	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);

		if (task->rows > 0)
			NoteRowsMovedFrom(run->relid, task->shardIndex);
	}
	FinishMoveCheck(check, "updated");

	PG_TRY();
	{
		InsertMovedRows(run, result.results);
	}
	PG_FINALLY();
	{
		FreeTaskResults(&result);
	}
	PG_END_TRY();
	return moved;
}
