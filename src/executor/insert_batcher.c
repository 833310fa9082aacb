/*-------------------------------------------------------------------------
 * insert_batcher.c
 *	  Routes rows to the shards of a distributed table as multi-row INSERT
 *	  statements, one buffer per shard.
 *
 * A buffer that reaches INSERT_BATCH_BYTES is sent at once (in a remote
 * transaction), so memory stays bounded by shard count times batch size
 * for any number of rows.  The rest is sent by FinishInsertBatcher, all
 * nodes at once; a single batch may go in autocommit mode when the caller
 * allows it.  Values travel as text literals produced by the type output
 * functions, with floats printed exactly.
 *
 * INSERT ... ON CONFLICT goes through a statement template instead (built
 * by planner/insert_planner.c): each shard's rows become constants of the
 * template's VALUES entry, and the statement is deparsed for the shard, so
 * ON CONFLICT and RETURNING are written by the deparser.  RETURNING rows
 * then come from the nodes (only the rows inserted or updated there, with
 * their final values) and are kept until the caller stores them, in
 * input order as on one server (ORMs pair returned ids with their objects
 * by position; a node returns a statement's rows in VALUES order): for DO
 * UPDATE without WHERE by position per shard, otherwise by sending runs of
 * consecutive rows of one shard (see InsertBatcher).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "nodes/makefuncs.h"
#include "nodes/params.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "deparse/deparse.h"
#include "executor/insert_batcher.h"
#include "executor/placement_choice.h"
#include "executor/placement_tasks.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"

#define INSERT_BATCH_BYTES		(256 * 1024)

struct InsertBatcher
{
	Oid			relid;
	DistTableEntry *table;
	int			natts;
	bool	   *skip;			/* dropped columns */
	FmgrInfo   *outFuncs;
	char	   *header;			/* " (columns) VALUES " */
	StringInfo *batches;		/* per shard index, or NULL */
	uint64		processed;
	MemoryContext valueContext;

	/*
	 * A shard's batch of one row goes as a parameterized statement, which
	 * the node prepares once (see connection/statement_cache.c): the first
	 * row of each shard's batch is kept as parameters until the batch is
	 * sent, while no batch has been sent yet.  Only when every column has a
	 * built-in type (parameters of other types cannot travel).
	 */
	bool		paramsOk;
	int			nparams;		/* columns sent: one parameter each */
	char	   *paramHeader;	/* " (columns) VALUES ($1, ...)" */
	int		   *rowCounts;		/* per shard index: rows in the batch */
	ParamListInfo *firstRows;	/* per shard index, or NULL */
	MemoryContext firstRowContext;

	/* ON CONFLICT only */
	Query	   *upsert;			/* statement template, or NULL */
	List	  **upsertRows;		/* per shard index: List of List of Const */
	MemoryContext *rowContexts; /* per shard index, holds upsertRows */
	List	   *returned;		/* PGresult * with RETURNING rows */
	TupleDesc	desc;

	/*
	 * ON CONFLICT with RETURNING where rows may be skipped (DO NOTHING, DO
	 * UPDATE ... WHERE): rows are kept in input order as runs of rows of
	 * one shard, one statement each, so that the RETURNING rows come back
	 * in input order (a node returns a statement's rows in VALUES order),
	 * as on one server: ORMs pair them with their objects.
	 */
	bool		orderedReturning;

	/*
	 * DO UPDATE without WHERE returns one row per row sent: then rows go
	 * in per-shard statements as without RETURNING, and the RETURNING rows
	 * are put back in input order by position (rowShards names the shard
	 * of each input row; shardResults keeps each shard's results in send
	 * order).  Otherwise (rows may be skipped) they go as runs.
	 */
	bool		mergeByPosition;
	int		   *rowShards;		/* shard index of each input row */
	int			rowCount;
	int			rowShardsSize;
	List	  **shardResults;	/* per shard index: PGresult *, or NULL */

	List	   *runs;			/* UpsertRun *, in input order */
	int			runRows;		/* rows held in runs */
	bool		runsSent;		/* a statement of runs was sent */
	MemoryContext runContext;	/* holds runs */
};

/* rows of one shard that came one after the other */
typedef struct UpsertRun
{
	int			shardIndex;
	List	   *rows;			/* List of List of Const */
} UpsertRun;

#define UPSERT_BATCH_ROWS		1000

static char *UpsertShardName(Oid relid, void *arg);
static char *UpsertSql(InsertBatcher *batcher, int *shardIndex, List *rows,
					   MemoryContext context);
static List *MakeUpsertRow(InsertBatcher *batcher, Datum *values, bool *isnull);
static void AddUpsertRow(InsertBatcher *batcher, int shardIndex, Datum *values, bool *isnull);
static void AddUpsertRunRow(InsertBatcher *batcher, int shardIndex, Datum *values,
							bool *isnull);
static void SendRuns(InsertBatcher *batcher, bool needTransaction);
static List *ResultsInTaskOrder(List *tasks, TaskRunResult *result);
static void KeepShardResults(InsertBatcher *batcher, List *tasks, TaskRunResult *result);
static void StoreReturningRow(TupleTableSlot *slot, PGresult *res, int row, int firstColumn,
							  FmgrInfo *inFuncs, Oid *ioParams, Tuplestorestate *store);
static void StoreReturningByPosition(InsertBatcher *batcher, Tuplestorestate *store,
									 TupleTableSlot *slot, int firstColumn,
									 FmgrInfo *inFuncs, Oid *ioParams);
static void FreeReturned(InsertBatcher *batcher);

static void SendBatches(InsertBatcher *batcher, List *shardIndexes, bool needTransaction);
static void KeepFirstRow(InsertBatcher *batcher, int shardIndex, Datum *values,
						 bool *isnull);


/*
 * KeepFirstRow keeps the first row of a shard's batch as parameters (see
 * InsertBatcher.paramsOk), in firstRowContext.
 */
static void
KeepFirstRow(InsertBatcher *batcher, int shardIndex, Datum *values, bool *isnull)
{
	MemoryContext oldContext = MemoryContextSwitchTo(batcher->firstRowContext);
	ParamListInfo params = makeParamList(batcher->nparams);
	int			count = 0;
	int			i;

	for (i = 0; i < batcher->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(batcher->desc, i);
		ParamExternData *prm;

		if (batcher->skip[i])
			continue;
		prm = &params->params[count++];
		prm->ptype = attr->atttypid;
		prm->isnull = isnull[i];
		prm->pflags = PARAM_FLAG_CONST;
		prm->value = isnull[i] ? (Datum) 0 :
			datumCopy(values[i], attr->attbyval, attr->attlen);
	}
	batcher->firstRows[shardIndex] = params;
	MemoryContextSwitchTo(oldContext);
}

/*
 * StartInsertBatcher prepares routing of rows of relid whose columns are
 * desc (the table's own descriptor, attribute order).  Throws if relid is
 * not a hash-distributed table.
 */
InsertBatcher *
StartInsertBatcher(Oid relid, TupleDesc desc)
{
	InsertBatcher *batcher = palloc0(sizeof(InsertBatcher));
	StringInfoData columns;
	StringInfoData params;
	int			nparams = 0;
	int			i;

	batcher->relid = relid;
	batcher->table = LookupDistTable(relid);
	if (batcher->table == NULL)
		elog(ERROR, "relation %u is not a distributed table", relid);
	batcher->natts = desc->natts;
	batcher->desc = CreateTupleDescCopy(desc);
	batcher->skip = palloc0(sizeof(bool) * Max(1, desc->natts));
	batcher->outFuncs = palloc0(sizeof(FmgrInfo) * Max(1, desc->natts));
	batcher->batches = palloc0(sizeof(StringInfo) * batcher->table->shardCount);
	batcher->valueContext = AllocSetContextCreate(CurrentMemoryContext, "shard insert values",
												  ALLOCSET_DEFAULT_SIZES);

	batcher->rowCounts = palloc0(sizeof(int) * batcher->table->shardCount);
	batcher->firstRows = palloc0(sizeof(ParamListInfo) * batcher->table->shardCount);
	batcher->firstRowContext = AllocSetContextCreate(CurrentMemoryContext,
													 "shard insert first rows",
													 ALLOCSET_SMALL_SIZES);
	batcher->paramsOk = true;

	initStringInfo(&columns);
	initStringInfo(&params);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		Oid			outFunc;
		bool		isVarlena;

		if (attr->attisdropped)
		{
			batcher->skip[i] = true;
			continue;
		}
		getTypeOutputInfo(attr->atttypid, &outFunc, &isVarlena);
		fmgr_info(outFunc, &batcher->outFuncs[i]);
		if (columns.len > 0)
		{
			appendStringInfoString(&columns, ", ");
			appendStringInfoString(&params, ", ");
		}
		appendStringInfoString(&columns, quote_identifier(NameStr(attr->attname)));
		appendStringInfo(&params, "$%d", ++nparams);
		if (attr->atttypid >= FirstGenbkiObjectId)
			batcher->paramsOk = false;
	}
	batcher->header = psprintf(" (%s) VALUES ", columns.data);
	batcher->paramHeader = psprintf(" (%s) VALUES (%s)", columns.data, params.data);
	batcher->nparams = nparams;
	if (nparams == 0)
		batcher->paramsOk = false;
	return batcher;
}

/*
 * InsertBatcherAddRow routes one row (values in attribute order) to its
 * shard's buffer, sending the buffer when it is full.  Throws on a NULL
 * distribution value and on node errors.
 */
void
InsertBatcherAddRow(InsertBatcher *batcher, Datum *values, bool *isnull)
{
	DistTableEntry *table = batcher->table;
	int			distIndex = table->distAttno - 1;
	int			shardIndex;
	StringInfo	batch;
	MemoryContext oldContext;
	bool		first = true;
	int			nestLevel;
	int			i;

	if (table->method != DIST_METHOD_HASH)
		shardIndex = 0;			/* a reference table's one shard */
	else if (isnull[distIndex])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in distribution column \"%s\" of table \"%s\"",
						get_attname(batcher->relid, table->distAttno, false),
						table->relName),
				 errdetail("Every row of a distributed table needs a value to route it to a shard.")));
	else
		shardIndex = ShardIndexForValue(table, values[distIndex]);

	if (batcher->upsert != NULL)
	{
		AddUpsertRow(batcher, shardIndex, values, isnull);
		return;
	}

	if (batcher->batches[shardIndex] == NULL)
		batcher->batches[shardIndex] = makeStringInfo();
	batch = batcher->batches[shardIndex];
	appendStringInfoString(batch, batch->len > 0 ? ", (" : "(");

	/*
	 * values must be read back as the same values: ISO dates (a zone
	 * abbreviation printed by other styles may name another offset) and
	 * exact floats
	 */
	nestLevel = SetTransmissionModes();
	oldContext = MemoryContextSwitchTo(batcher->valueContext);
	for (i = 0; i < batcher->natts; i++)
	{
		if (batcher->skip[i])
			continue;
		if (!first)
			appendStringInfoString(batch, ", ");
		first = false;
		if (isnull[i])
			appendStringInfoString(batch, "NULL");
		else
			appendStringInfoString(batch,
								   quote_literal_cstr(OutputFunctionCall(&batcher->outFuncs[i],
																		 values[i])));
	}
	MemoryContextSwitchTo(oldContext);
	MemoryContextReset(batcher->valueContext);
	ResetTransmissionModes(nestLevel);
	appendStringInfoChar(batch, ')');

	batcher->rowCounts[shardIndex]++;
	if (batcher->paramsOk && batcher->processed == 0 &&
		batcher->rowCounts[shardIndex] == 1)
		KeepFirstRow(batcher, shardIndex, values, isnull);

	if (batch->len >= INSERT_BATCH_BYTES)
		SendBatches(batcher, list_make1_int(shardIndex), true);
}

/*
 * SendBatches sends the buffers of the given shards as one task each and
 * empties them.
 */
static void
SendBatches(InsertBatcher *batcher, List *shardIndexes, bool needTransaction)
{
	List	   *tasks = NIL;
	List	   *primaryTasks = NIL;
	ParamListInfo rowParams = NULL;
	ListCell   *lc;
	TaskRunOptions options;
	TaskRunResult result;

	foreach(lc, shardIndexes)
	{
		int			shardIndex = lfirst_int(lc);
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = shardIndex;
		task->nodeId = ChooseTaskNode(batcher->table->shards[shardIndex].nodeId,
									  "the statement writes");
		if (batcher->upsert != NULL)
			task->sql = UpsertSql(batcher, &task->shardIndex,
								  batcher->upsertRows[shardIndex],
								  GetMemoryChunkContext(batcher));
		else if (list_length(shardIndexes) == 1 &&
				 batcher->rowCounts[shardIndex] == 1 &&
				 batcher->firstRows[shardIndex] != NULL &&
				 batcher->table->method == DIST_METHOD_HASH)
		{
			/* one row: a text the node prepares once, with the row's values */
			task->sql = psprintf("INSERT INTO %s%s",
								 ShardRelationName(batcher->table, shardIndex),
								 batcher->paramHeader);
			rowParams = batcher->firstRows[shardIndex];
		}
		else
			task->sql = psprintf("INSERT INTO %s%s%s",
								 ShardRelationName(batcher->table, shardIndex),
								 batcher->header, batcher->batches[shardIndex]->data);
		primaryTasks = lappend(primaryTasks, task);
		tasks = lappend(tasks, task);
		tasks = AppendReplicaTasks(tasks, task, batcher->table);
	}
	memset(&options, 0, sizeof(options));
	options.isWrite = true;
	/* copies of a reference table change together */
	options.needTransaction = needTransaction || list_length(tasks) > 1;
	options.keepResults = (batcher->upsert != NULL && batcher->upsert->returningList != NIL);
	options.params = rowParams;
	RunTasks(tasks, &options, &result);
	batcher->processed += result.rowsProcessed;
	if (options.keepResults && batcher->mergeByPosition)
		KeepShardResults(batcher, primaryTasks, &result);
	else if (options.keepResults)
	{
		MemoryContext oldContext = MemoryContextSwitchTo(GetMemoryChunkContext(batcher));

		batcher->returned = list_concat(batcher->returned, result.results);
		MemoryContextSwitchTo(oldContext);
	}

	foreach(lc, shardIndexes)
	{
		int			shardIndex = lfirst_int(lc);

		if (batcher->upsert != NULL)
		{
			batcher->upsertRows[shardIndex] = NIL;
			MemoryContextReset(batcher->rowContexts[shardIndex]);
		}
		else
			resetStringInfo(batcher->batches[shardIndex]);
		batcher->rowCounts[shardIndex] = 0;
		batcher->firstRows[shardIndex] = NULL;
	}
}

/*
 * UpsertSql returns the upsert template deparsed for the shard *shardIndex
 * with rows as its VALUES, in context.  shardIndex must stay valid while
 * deparsing (the shard name callback reads it).
 */
static char *
UpsertSql(InsertBatcher *batcher, int *shardIndex, List *rows, MemoryContext context)
{
	Query	   *query = copyObject(batcher->upsert);
	DeparseOptions deparseOptions;
	MemoryContext oldContext;
	char	   *sql;

	rt_fetch(2, query->rtable)->values_lists = rows;
	memset(&deparseOptions, 0, sizeof(deparseOptions));
	deparseOptions.relationName = UpsertShardName;
	deparseOptions.relationNameArg = shardIndex;
	oldContext = MemoryContextSwitchTo(context);
	sql = DeparseQuery(query, &deparseOptions);
	MemoryContextSwitchTo(oldContext);
	return sql;
}

/*
 * UpsertShardName maps the target table to the shard of the task being
 * deparsed (arg points to its shard index).
 */
static char *
UpsertShardName(Oid relid, void *arg)
{
	DistTableEntry *table = LookupDistTable(relid);

	if (table == NULL || !table->isDistributed)
		return NULL;
	return ShardRelationName(table, *(int *) arg);
}

/*
 * InsertBatcherSetUpsert makes the batcher ship its rows through
 * upsertTemplate (INSERT ... VALUES ... ON CONFLICT ... RETURNING, with an
 * empty VALUES entry at range table index 2).  Call before adding rows.
 */
void
InsertBatcherSetUpsert(InsertBatcher *batcher, Query *upsertTemplate)
{
	int			count = batcher->table->shardCount;

	batcher->upsert = upsertTemplate;
	batcher->upsertRows = palloc0(sizeof(List *) * count);
	batcher->rowContexts = palloc0(sizeof(MemoryContext) * count);
	batcher->orderedReturning = (upsertTemplate->returningList != NIL);
	if (batcher->orderedReturning &&
		upsertTemplate->onConflict->action == ONCONFLICT_UPDATE &&
		upsertTemplate->onConflict->onConflictWhere == NULL)
	{
		batcher->orderedReturning = false;
		batcher->mergeByPosition = true;
		batcher->shardResults = palloc0(sizeof(List *) * count);
	}
	if (batcher->orderedReturning)
		batcher->runContext = AllocSetContextCreate(GetMemoryChunkContext(batcher),
													"shard upsert runs",
													ALLOCSET_DEFAULT_SIZES);
}

/*
 * MakeUpsertRow returns a row as a List of Const (the template's VALUES
 * entry), in the current memory context.
 */
static List *
MakeUpsertRow(InsertBatcher *batcher, Datum *values, bool *isnull)
{
	List	   *row = NIL;
	int			i;

	for (i = 0; i < batcher->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(batcher->desc, i);
		Datum		value = (Datum) 0;

		if (attr->attisdropped)
			continue;
		if (!isnull[i])
			value = datumCopy(values[i], attr->attbyval, attr->attlen);
		row = lappend(row, makeConst(attr->atttypid, attr->atttypmod, attr->attcollation,
									 attr->attlen, value, isnull[i], attr->attbyval));
	}
	return row;
}

/*
 * AddUpsertRow appends a row as constants to its shard's VALUES list and
 * sends the shard's statement when the list is full (with RETURNING: to
 * the runs, see AddUpsertRunRow).
 */
static void
AddUpsertRow(InsertBatcher *batcher, int shardIndex, Datum *values, bool *isnull)
{
	MemoryContext oldContext;

	if (batcher->orderedReturning)
	{
		AddUpsertRunRow(batcher, shardIndex, values, isnull);
		return;
	}
	if (batcher->rowContexts[shardIndex] == NULL)
		batcher->rowContexts[shardIndex] =
			AllocSetContextCreate(GetMemoryChunkContext(batcher), "shard upsert rows",
								  ALLOCSET_DEFAULT_SIZES);
	oldContext = MemoryContextSwitchTo(batcher->rowContexts[shardIndex]);
	batcher->upsertRows[shardIndex] = lappend(batcher->upsertRows[shardIndex],
											  MakeUpsertRow(batcher, values, isnull));
	MemoryContextSwitchTo(oldContext);
	if (batcher->mergeByPosition)
	{
		if (batcher->rowCount == batcher->rowShardsSize)
		{
			batcher->rowShardsSize = Max(1024, batcher->rowShardsSize * 2);
			batcher->rowShards = batcher->rowShards == NULL ?
				MemoryContextAlloc(GetMemoryChunkContext(batcher),
								   sizeof(int) * batcher->rowShardsSize) :
				repalloc_huge(batcher->rowShards, sizeof(int) * batcher->rowShardsSize);
		}
		batcher->rowShards[batcher->rowCount++] = shardIndex;
	}

	if (list_length(batcher->upsertRows[shardIndex]) >= UPSERT_BATCH_ROWS)
		SendBatches(batcher, list_make1_int(shardIndex), true);
}

/*
 * AddUpsertRunRow appends a row to the last run when it is of the same
 * shard, else to a new run; sends the runs when they hold
 * UPSERT_BATCH_ROWS rows.
 */
static void
AddUpsertRunRow(InsertBatcher *batcher, int shardIndex, Datum *values, bool *isnull)
{
	MemoryContext oldContext = MemoryContextSwitchTo(batcher->runContext);
	UpsertRun  *run = batcher->runs != NIL ? llast(batcher->runs) : NULL;

	if (run == NULL || run->shardIndex != shardIndex)
	{
		run = palloc0(sizeof(UpsertRun));
		run->shardIndex = shardIndex;
		batcher->runs = lappend(batcher->runs, run);
	}
	run->rows = lappend(run->rows, MakeUpsertRow(batcher, values, isnull));
	MemoryContextSwitchTo(oldContext);

	if (++batcher->runRows >= UPSERT_BATCH_ROWS)
		SendRuns(batcher, true);
}

/*
 * SendRuns sends each run as a statement of its own, all nodes at once,
 * and keeps the RETURNING results in run order; empties the runs.  The
 * tasks and their SQL live in runContext, reset after the send.
 */
static void
SendRuns(InsertBatcher *batcher, bool needTransaction)
{
	List	   *tasks = NIL;
	List	   *runTasks = NIL;
	ListCell   *lc;
	TaskRunOptions options;
	TaskRunResult result;
	MemoryContext oldContext = MemoryContextSwitchTo(batcher->runContext);

	foreach(lc, batcher->runs)
	{
		UpsertRun  *run = lfirst(lc);
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = run->shardIndex;
		task->nodeId = batcher->table->shards[run->shardIndex].nodeId;
		task->sql = UpsertSql(batcher, &task->shardIndex, run->rows, batcher->runContext);
		runTasks = lappend(runTasks, task);
		tasks = lappend(tasks, task);
		tasks = AppendReplicaTasks(tasks, task, batcher->table);
	}
	memset(&options, 0, sizeof(options));
	options.isWrite = true;
	options.needTransaction = needTransaction || list_length(tasks) > 1;
	options.keepResults = true;
	RunTasks(tasks, &options, &result);
	batcher->processed += result.rowsProcessed;
	batcher->runsSent = true;

	MemoryContextSwitchTo(GetMemoryChunkContext(batcher));
	batcher->returned = list_concat(batcher->returned, ResultsInTaskOrder(runTasks, &result));
	MemoryContextSwitchTo(oldContext);

	batcher->runs = NIL;
	batcher->runRows = 0;
	MemoryContextReset(batcher->runContext);
}

/*
 * ResultsInTaskOrder returns the results RunTasks kept, one per task,
 * ordered as tasks: a node's results come in the order of its tasks.
 * Results no task claims (none expected) go last.
 */
static List *
ResultsInTaskOrder(List *tasks, TaskRunResult *result)
{
	int			count = list_length(result->results);
	bool	   *taken = palloc0(sizeof(bool) * Max(count, 1));
	List	   *ordered = NIL;
	ListCell   *lc;
	int			i;

	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);

		for (i = 0; i < count; i++)
		{
			if (taken[i] || list_nth_int(result->resultNodeIds, i) != task->nodeId)
				continue;
			taken[i] = true;
			ordered = lappend(ordered, list_nth(result->results, i));
			break;
		}
	}
	for (i = 0; i < count; i++)
		if (!taken[i])
			ordered = lappend(ordered, list_nth(result->results, i));
	return ordered;
}

/*
 * KeepShardResults files the results of tasks (one per task, the primary
 * placements' tasks in send order) under their shard, in the batcher's
 * context.
 */
static void
KeepShardResults(InsertBatcher *batcher, List *tasks, TaskRunResult *result)
{
	MemoryContext oldContext = MemoryContextSwitchTo(GetMemoryChunkContext(batcher));
	List	   *ordered = ResultsInTaskOrder(tasks, result);
	ListCell   *tc;
	ListCell   *rc;

	forboth(tc, tasks, rc, ordered)
	{
		int			shardIndex = ((Task *) lfirst(tc))->shardIndex;

		batcher->shardResults[shardIndex] = lappend(batcher->shardResults[shardIndex],
													lfirst(rc));
	}
	/* none expected: kept to be freed */
	for_each_from(rc, ordered, list_length(tasks))
		batcher->returned = lappend(batcher->returned, lfirst(rc));
	MemoryContextSwitchTo(oldContext);
}

/*
 * StoreReturningRow puts row of res into store, as a tuple of slot's
 * descriptor whose columns from firstColumn on are res's columns.
 */
static void
StoreReturningRow(TupleTableSlot *slot, PGresult *res, int row, int firstColumn,
				  FmgrInfo *inFuncs, Oid *ioParams, Tuplestorestate *store)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	int			i;

	if (PQnfields(res) != desc->natts - firstColumn)
		elog(ERROR, "RETURNING of ON CONFLICT returned %d columns, expected %d",
			 PQnfields(res), desc->natts - firstColumn);
	ExecClearTuple(slot);
	for (i = 0; i < desc->natts; i++)
	{
		bool		null = (i < firstColumn || PQgetisnull(res, row, i - firstColumn));

		slot->tts_isnull[i] = null;
		slot->tts_values[i] =
			null ? (Datum) 0 :
			InputFunctionCall(&inFuncs[i], PQgetvalue(res, row, i - firstColumn),
							  ioParams[i], TupleDescAttr(desc, i)->atttypmod);
	}
	ExecStoreVirtualTuple(slot);
	tuplestore_puttupleslot(store, slot);
}

/*
 * StoreReturningByPosition stores the RETURNING rows of a DO UPDATE
 * without WHERE in input order: input row k of a shard returned the k-th
 * row of that shard's results.  Throws when a shard returned fewer rows
 * than it was sent.
 */
static void
StoreReturningByPosition(InsertBatcher *batcher, Tuplestorestate *store,
						 TupleTableSlot *slot, int firstColumn,
						 FmgrInfo *inFuncs, Oid *ioParams)
{
	int			shardCount = batcher->table->shardCount;
	ListCell  **current = palloc0(sizeof(ListCell *) * shardCount);
	int		   *nextRow = palloc0(sizeof(int) * shardCount);
	bool	   *started = palloc0(sizeof(bool) * shardCount);
	int			r;

	for (r = 0; r < batcher->rowCount; r++)
	{
		int			shard = batcher->rowShards[r];
		List	   *results = batcher->shardResults[shard];

		if (!started[shard])
		{
			current[shard] = list_head(results);
			started[shard] = true;
		}
		while (current[shard] != NULL &&
			   nextRow[shard] >= PQntuples((PGresult *) lfirst(current[shard])))
		{
			current[shard] = lnext(results, current[shard]);
			nextRow[shard] = 0;
		}
		if (current[shard] == NULL)
			elog(ERROR, "shard " INT64_FORMAT " returned fewer RETURNING rows than it was sent",
				 batcher->table->shards[shard].shardId);
		StoreReturningRow(slot, lfirst(current[shard]), nextRow[shard]++, firstColumn,
						  inFuncs, ioParams, store);
	}
}

/*
 * FreeReturned frees every RETURNING result the batcher keeps.
 */
static void
FreeReturned(InsertBatcher *batcher)
{
	ListCell   *lc;
	int			i;

	foreach(lc, batcher->returned)
		PQclear((PGresult *) lfirst(lc));
	batcher->returned = NIL;
	if (batcher->shardResults == NULL)
		return;
	for (i = 0; i < batcher->table->shardCount; i++)
	{
		foreach(lc, batcher->shardResults[i])
			PQclear((PGresult *) lfirst(lc));
		batcher->shardResults[i] = NIL;
	}
}

/*
 * InsertBatcherStoreReturning puts the RETURNING rows the nodes sent into
 * store, in input order, as tuples of slot's descriptor whose columns from
 * firstColumn (0-based) on are the RETURNING values; the others are NULL.
 * Frees the results.
 */
void
InsertBatcherStoreReturning(InsertBatcher *batcher, Tuplestorestate *store,
							TupleTableSlot *slot, int firstColumn)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	FmgrInfo   *inFuncs = palloc0(sizeof(FmgrInfo) * desc->natts);
	Oid		   *ioParams = palloc0(sizeof(Oid) * desc->natts);
	ListCell   *lc;
	int			i;

	for (i = firstColumn; i < desc->natts; i++)
	{
		Oid			inFunc;

		getTypeInputInfo(TupleDescAttr(desc, i)->atttypid, &inFunc, &ioParams[i]);
		fmgr_info(inFunc, &inFuncs[i]);
	}
	PG_TRY();
	{
		if (batcher->mergeByPosition)
			StoreReturningByPosition(batcher, store, slot, firstColumn, inFuncs, ioParams);
		else
		{
			foreach(lc, batcher->returned)
			{
				PGresult   *res = lfirst(lc);
				int			row;

				for (row = 0; row < PQntuples(res); row++)
					StoreReturningRow(slot, res, row, firstColumn, inFuncs, ioParams, store);
			}
		}
	}
	PG_FINALLY();
	{
		FreeReturned(batcher);
	}
	PG_END_TRY();
}

/*
 * FinishInsertBatcher sends what is buffered, all nodes at once, and
 * returns the number of rows inserted.  With allowAutocommit, a lone
 * batch runs without a remote transaction.
 */
uint64
FinishInsertBatcher(InsertBatcher *batcher, bool allowAutocommit)
{
	List	   *pending = NIL;
	int			i;

	if (batcher->orderedReturning)
	{
		if (batcher->runs != NIL)
			SendRuns(batcher, !(allowAutocommit && list_length(batcher->runs) == 1 &&
								!batcher->runsSent));
		return batcher->processed;
	}
	for (i = 0; i < batcher->table->shardCount; i++)
	{
		if (batcher->upsert != NULL ? batcher->upsertRows[i] != NIL :
			(batcher->batches[i] != NULL && batcher->batches[i]->len > 0))
			pending = lappend_int(pending, i);
	}
	if (pending != NIL)
		SendBatches(batcher, pending,
					!(allowAutocommit && list_length(pending) == 1 && batcher->processed == 0));
	return batcher->processed;
}
