/*-------------------------------------------------------------------------
 * shard_scan.c
 *	  The ShardScan custom scan: runs a plan's tasks on the nodes and
 *	  returns their rows; routes the rows of an INSERT; shows tasks in
 *	  EXPLAIN.
 *
 * Kinds (see shard_scan.h):
 *	- router and multi-shard: SELECTs stream their rows through task
 *	  streams (row by row, as they arrive); modifications run with
 *	  RunTasks, and their RETURNING rows are kept as PGresults.
 *	- relation: a remote scan under PostgreSQL's plan; rows streamed
 *	  through cursors (one statement alone for one shard), converted into
 *	  the relation's row type.  Parameters of its pushed filters are
 *	  evaluated and sent at each (re)scan.  When the plan may read it
 *	  again (EXEC_FLAG_REWIND) and its rows depend on no parameter, the
 *	  rows are kept in a tuplestore (work_mem, then disk) as they arrive
 *	  and a rescan reads them back: the shards are read once.
 *	- insert: rows from the child plan are routed to per-shard INSERT
 *	  batches; RETURNING rows are computed on the coordinator and returned
 *	  once every batch has succeeded.
 *
 * A single-task statement that is the whole top-level statement outside a
 * transaction block runs in autocommit mode on the node: one round trip,
 * no remote BEGIN/COMMIT.  Anything else opens remote transactions that
 * commit with the coordinator's (two-phase when several nodes wrote).
 *
 * Memory: rows are converted in a per-row context reset for each row;
 * PGresults are malloc'd and freed at end of scan, on rescan, and, when a
 * statement fails or is cancelled (PostgreSQL then never ends the scan),
 * by a reset callback of the executor's query context; the transaction's
 * abort cancels what is still running on the nodes.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "deparse/deparse.h"
#include "deparse/shard_deparse.h"
#include "executor/coordinator_eval.h"
#include "executor/foreign_key_checks.h"
#include "executor/insert_batcher.h"
#include "executor/keyed_rows.h"
#include "executor/placement_tasks.h"
#include "executor/placement_choice.h"
#include "executor/row_move.h"
#include "executor/shard_scan.h"
#include "executor/sublink_eval.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/moved_rows.h"
#include "transaction/remote_xact.h"

/* rows fetched per FETCH of a remote scan */
#define STREAM_FETCH_SIZE		1000

/*
 * What one task (or, for streamed kinds, one node's cursor over its tasks)
 * did, summed over the scan's executions: EXPLAIN ANALYZE.
 */
typedef struct ScanTaskStats
{
	bool		perNode;		/* a stream: taskCount tasks in one cursor */
	int			shardIndex;
	int			nodeId;
	int			taskCount;
	uint64		rows;
	double		elapsedMs;
	int			loops;
} ScanTaskStats;

/* rows of a rescanned relation scan kept by key (keyed_rows.c) */
typedef enum KeyedRowsState
{
	KEYED_ROWS_UNTRIED,			/* statement per execution so far */
	KEYED_ROWS_READY,			/* kept: executions look rows up */
	KEYED_ROWS_TOO_MANY			/* beyond work_mem: statement per execution */
} KeyedRowsState;

typedef struct ShardScanState
{
	CustomScanState css;
	ShardPlanInfo *info;
	Query	   *runtimeQuery;	/* statement to evaluate and deparse */
	ExprState  *pruneExpr;
	ExprState  *newDistExpr;
	List	   *remoteParams;	/* relation scans: ExprState of $1..$n */

	/* relation scans rescanned with new outer values (info->keyedSql) */
	ExprState  *keyColumn;
	ExprState  *keyValue;
	ExprState  *keyRecheck;
	KeyedRowsState keyedState;
	KeyedRows  *keyed;
	int			executions;
	List	   *tasks;			/* Task *, built at first execution */
	bool		executed;

	/* rows of router and multi-shard statements */
	TaskRunResult runResult;
	ListCell   *currentResult;
	int			currentRow;

	/* streamed rows of relation scans, pushdown and SELECTs */
	StreamSet  *streams;
	PGresult   *batch;
	MemoryContextCallback cleanup;	/* frees PGresults on error paths */
	MoveCheck  *moveCheck;		/* FOR UPDATE streams: see moved_rows.c */

	/* conversion of text values to the scan tuple */
	int			natts;
	FmgrInfo   *inFuncs;
	Oid		   *typIoParams;
	int32	   *typMods;
	int		   *columnAttnos;	/* result column -> scan attribute (1-based) */
	int			ncolumns;
	MemoryContext rowContext;

	/*
	 * Relation scans a plan reads again with nothing changed (the inner
	 * side of a nested loop, a rescanned subplan): rows kept as they are
	 * read, bounded by work_mem and spilled beyond, and read back at each
	 * rescan instead of reading the shards again.
	 */
	bool		keepRows;
	Tuplestorestate *kept;
	TupleTableSlot *keptSlot;
	bool		keptComplete;	/* every row has been read into kept */

	/* insert: returned rows, read through a slot of their own */
	Tuplestorestate *returning;
	TupleTableSlot *returningSlot;
	/* coordinator-enforced foreign keys of an UPDATE or DELETE */
	ForeignKeyChecks *fkChecks;
	bool		fkChecksDone;

	/* EXPLAIN ANALYZE only: per task rows and time */
	bool		collectStats;
	bool		collectTiming;
	bool		statsTaken;		/* this execution's stats are in taskStats */
	List	   *taskStats;		/* ScanTaskStats * */
} ShardScanState;

static Node *CreateShardScanState(CustomScan *cscan);
static void BeginShardScan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *ExecShardScan(CustomScanState *node);
static void EndShardScan(CustomScanState *node);
static void ReScanShardScan(CustomScanState *node);
static void ExplainShardScan(CustomScanState *node, List *ancestors, ExplainState *es);
static TupleTableSlot *ShardScanNext(ScanState *node);
static TupleTableSlot *NextKeptRow(ShardScanState *state, TupleTableSlot *slot);
static void StartRelationStreams(ShardScanState *state, ParamListInfo params);
static bool LoadKeyedRows(ShardScanState *state);
static TupleTableSlot *NextKeyedScanRow(ShardScanState *state, TupleTableSlot *slot);
static bool ShardScanRecheck(ScanState *node, TupleTableSlot *slot);
static void BuildTasks(ShardScanState *state);
static bool UseAutocommit(ShardScanState *state, int taskCount);
static void SetTaskRunOptions(ShardScanState *state, TaskRunOptions *options);
static bool StreamsTaskRows(ShardScanState *state);
static void ExecuteTasks(ShardScanState *state);
static void StartScan(ShardScanState *state);
static TupleTableSlot *NextStreamedRow(ShardScanState *state, TupleTableSlot *slot);
static void ReleaseScanMemory(void *arg);
static ParamListInfo ConstParamList(List *consts);
static ParamListInfo RemoteParamValues(ShardScanState *state);
static bool UsesCursorStreams(ShardScanState *state);
static char *ShippedConstsText(List *consts);
static bool StoreResultRow(ShardScanState *state, PGresult *res, int row,
						   TupleTableSlot *slot);
static void ExecuteInsert(ShardScanState *state);
static void MoveRows(ShardScanState *state);
static void ReleaseScanResources(ShardScanState *state);
static void AddScanTaskStats(ShardScanState *state, bool perNode, int shardIndex,
							 int nodeId, int taskCount, uint64 rows, double elapsedMs);
static void TakeScanStats(ShardScanState *state);
static void ExplainTaskStats(ShardScanState *state, DistTableEntry *table, ExplainState *es);

CustomScanMethods ShardScanMethods = {
	.CustomName = "ShardScan",
	.CreateCustomScanState = CreateShardScanState,
};

static CustomExecMethods ShardScanExecMethods = {
	.CustomName = "ShardScan",
	.BeginCustomScan = BeginShardScan,
	.ExecCustomScan = ExecShardScan,
	.EndCustomScan = EndShardScan,
	.ReScanCustomScan = ReScanShardScan,
	.ExplainCustomScan = ExplainShardScan,
};

/*
 * RegisterShardScanMethods makes the scan known for plan copying and
 * reading.
 */
void
RegisterShardScanMethods(void)
{
	RegisterCustomScanMethods(&ShardScanMethods);
}

/*
 * ShardPlanInfoToList flattens info into a list of copyable nodes.
 */
List *
ShardPlanInfoToList(ShardPlanInfo *info)
{
	List	   *list = NIL;

	list = lappend(list, makeInteger(info->kind));
	list = lappend(list, makeInteger(info->commandType));
	list = lappend(list, makeInteger((int) info->anchorRelid));
	list = lappend(list, makeBoolean(info->hasReturning));
	list = lappend(list, list_copy(info->taskShardIndexes));
	list = lappend(list, info->taskSql);
	list = lappend(list, makeBoolean(info->pruneAtRuntime));
	list = lappend(list, makeInteger((int) info->pruneValueType));
	list = lappend(list, makeBoolean(info->checkDistColumnUpdate));
	list = lappend(list, list_copy(info->retrievedAttrs));
	list = lappend(list, info->keyedSql);
	list = lappend(list, makeInteger((int) info->keyHashFunc));
	list = lappend(list, makeInteger((int) info->valueHashFunc));
	list = lappend(list, makeInteger((int) info->keyCollation));
	list = lappend(list, makeInteger(info->keyedAfter));
	list = lappend(list, makeInteger((int) info->targetRelid));
	list = lappend(list, list_copy(info->insertAttrs));
	list = lappend(list, makeInteger(info->distColumnIndex));
	list = lappend(list, makeBoolean(info->singleRowInsert));
	list = lappend(list, makeString(pstrdup(info->strategy)));
	list = lappend(list, info->shippedConsts);
	list = lappend(list, makeBoolean(info->moveRows));
	list = lappend(list, info->moveSql);
	list = lappend(list, makeInteger(info->moveSourceShard));
	list = lappend(list, makeBoolean(info->evalSubLinks));
	list = lappend(list, makeBoolean(info->locksRows));
	list = lappend(list, makeBoolean(info->inCte));
	/* plans are flattened as they are made: the planner hook's verdict */
	list = lappend(list, makeString(pstrdup(PlanningStandbyReason != NULL ?
											PlanningStandbyReason : "")));
	return list;
}

/*
 * ShardPlanInfoFromList rebuilds a ShardPlanInfo (palloc'd) from the first
 * members of a custom_private list.
 */
ShardPlanInfo *
ShardPlanInfoFromList(List *list)
{
	ShardPlanInfo *info = palloc0(sizeof(ShardPlanInfo));
	int			i = 0;

	info->kind = intVal(list_nth(list, i++));
	info->commandType = intVal(list_nth(list, i++));
	info->anchorRelid = (Oid) intVal(list_nth(list, i++));
	info->hasReturning = boolVal(list_nth(list, i++));
	info->taskShardIndexes = list_nth(list, i++);
	info->taskSql = list_nth(list, i++);
	info->pruneAtRuntime = boolVal(list_nth(list, i++));
	info->pruneValueType = (Oid) intVal(list_nth(list, i++));
	info->checkDistColumnUpdate = boolVal(list_nth(list, i++));
	info->retrievedAttrs = list_nth(list, i++);
	info->keyedSql = list_nth(list, i++);
	info->keyHashFunc = (Oid) intVal(list_nth(list, i++));
	info->valueHashFunc = (Oid) intVal(list_nth(list, i++));
	info->keyCollation = (Oid) intVal(list_nth(list, i++));
	info->keyedAfter = intVal(list_nth(list, i++));
	info->targetRelid = (Oid) intVal(list_nth(list, i++));
	info->insertAttrs = list_nth(list, i++);
	info->distColumnIndex = intVal(list_nth(list, i++));
	info->singleRowInsert = boolVal(list_nth(list, i++));
	info->strategy = strVal(list_nth(list, i++));
	info->shippedConsts = list_nth(list, i++);
	info->moveRows = boolVal(list_nth(list, i++));
	info->moveSql = list_nth(list, i++);
	info->moveSourceShard = intVal(list_nth(list, i++));
	info->evalSubLinks = boolVal(list_nth(list, i++));
	info->locksRows = boolVal(list_nth(list, i++));
	info->inCte = boolVal(list_nth(list, i++));
	info->standbyReason = strVal(list_nth(list, i++));
	if (info->standbyReason[0] == '\0')
		info->standbyReason = NULL;
	return info;
}

#define SHARD_PLAN_INFO_LENGTH 28

/*
 * MakeShardScan returns a CustomScan node carrying info; the caller fills
 * targetlists, exprs and children.
 */
CustomScan *
MakeShardScan(ShardPlanInfo *info)
{
	CustomScan *scan = makeNode(CustomScan);

	scan->methods = &ShardScanMethods;
	scan->flags = 0;
	scan->custom_private = ShardPlanInfoToList(info);
	return scan;
}

/*
 * CreateShardScanState allocates the executor state of a ShardScan.
 */
static Node *
CreateShardScanState(CustomScan *cscan)
{
	ShardScanState *state = palloc0(sizeof(ShardScanState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &ShardScanExecMethods;
	state->info = ShardPlanInfoFromList(cscan->custom_private);
	if (list_length(cscan->custom_private) > SHARD_PLAN_INFO_LENGTH)
		state->runtimeQuery = list_nth(cscan->custom_private, SHARD_PLAN_INFO_LENGTH);
	return (Node *) state;
}

/*
 * BeginShardScan prepares expressions, children and value conversion.
 * Sends nothing: tasks run at the first ExecShardScan.
 */
static void
BeginShardScan(CustomScanState *node, EState *estate, int eflags)
{
	ShardScanState *state = (ShardScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	TupleDesc	desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	int			i;

	if (cscan->custom_exprs != NIL)
	{
		state->pruneExpr = ExecInitExpr(linitial(cscan->custom_exprs), &node->ss.ps);
		if (state->info->kind == SHARD_SCAN_RELATION)
		{
			/* relation scans: pruning, key column, key value, recheck, $1..$n */
			state->keyColumn = ExecInitExpr(lsecond(cscan->custom_exprs), &node->ss.ps);
			state->keyValue = ExecInitExpr(lthird(cscan->custom_exprs), &node->ss.ps);
			state->keyRecheck = ExecInitExpr(lfourth(cscan->custom_exprs), &node->ss.ps);
			state->remoteParams = ExecInitExprList(list_copy_tail(cscan->custom_exprs, 4),
												   &node->ss.ps);
		}
		else if (list_length(cscan->custom_exprs) > 1)
			state->newDistExpr = ExecInitExpr(lsecond(cscan->custom_exprs), &node->ss.ps);
	}
	if (cscan->custom_plans != NIL)
		node->custom_ps = list_make1(ExecInitNode(linitial(cscan->custom_plans), estate, eflags));

	state->rowContext = AllocSetContextCreate(estate->es_query_cxt, "ShardScan row",
											  ALLOCSET_DEFAULT_SIZES);
	state->cleanup.func = ReleaseScanMemory;
	state->cleanup.arg = state;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, &state->cleanup);

	/* EXPLAIN ANALYZE (the node's own instrumentation comes after Begin) */
	state->collectStats = ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 &&
						   (estate->es_instrument & (INSTRUMENT_ROWS | INSTRUMENT_TIMER)) != 0);
	state->collectTiming = (state->collectStats &&
							(estate->es_instrument & INSTRUMENT_TIMER) != 0);

	/* input functions of the columns the nodes return */
	state->natts = desc->natts;
	state->inFuncs = palloc0(sizeof(FmgrInfo) * Max(1, desc->natts));
	state->typIoParams = palloc0(sizeof(Oid) * Max(1, desc->natts));
	state->typMods = palloc0(sizeof(int32) * Max(1, desc->natts));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		Oid			inFunc;

		if (attr->attisdropped)
			continue;
		getTypeInputInfo(attr->atttypid, &inFunc, &state->typIoParams[i]);
		fmgr_info(inFunc, &state->inFuncs[i]);
		state->typMods[i] = attr->atttypmod;
	}

	if (state->info->commandType == CMD_UPDATE || state->info->commandType == CMD_DELETE)
		state->fkChecks = StartReturnedKeyChecks(state->info->commandType,
												 cscan->custom_scan_tlist);

	/* rows that depend on no parameter can be kept for rescans */
	state->keepRows = (state->info->kind == SHARD_SCAN_RELATION &&
					   (eflags & EXEC_FLAG_REWIND) != 0 &&
					   state->remoteParams == NIL && !state->info->pruneAtRuntime);

	if (state->info->kind == SHARD_SCAN_RELATION)
	{
		ListCell   *lc;

		state->ncolumns = list_length(state->info->retrievedAttrs);
		state->columnAttnos = palloc0(sizeof(int) * Max(1, state->ncolumns));
		i = 0;
		foreach(lc, state->info->retrievedAttrs)
			state->columnAttnos[i++] = lfirst_int(lc);
	}
	else
	{
		state->ncolumns = desc->natts;
		state->columnAttnos = palloc0(sizeof(int) * Max(1, desc->natts));
		for (i = 0; i < desc->natts; i++)
			state->columnAttnos[i] = i + 1;
	}
}

/*
 * UseAutocommit returns whether this scan's tasks may run without a remote
 * transaction: a single task, and this statement is all the top-level
 * statement the client sent, outside any transaction block.
 */
static bool
UseAutocommit(ShardScanState *state, int taskCount)
{
	EState	   *estate = state->css.ss.ps.state;

	if (taskCount != 1 || IsTransactionBlock() || InRemoteTransaction() ||
		state->info->moveRows || state->info->inCte)
		return false;
	if (state->fkChecks != NULL)
		return false;			/* the coordinator's checks follow in the transaction */
	if (state->info->kind == SHARD_SCAN_RELATION || state->info->kind == SHARD_SCAN_PUSHDOWN)
		return false;
	if (state->info->kind == SHARD_SCAN_INSERT && !state->info->singleRowInsert)
		return false;
	if (ActivePortal == NULL || list_length(ActivePortal->stmts) != 1 ||
		linitial(ActivePortal->stmts) != estate->es_plannedstmt)
		return false;
	return true;
}

/*
 * BuildTasks chooses the shards (pruning on run-time values), deparses
 * the statement where it must be done now, and resolves shards to nodes.
 */
static void
BuildTasks(ShardScanState *state)
{
	ShardPlanInfo *info = state->info;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	EState	   *estate = state->css.ss.ps.state;
	DistTableEntry *table = LookupDistTable(info->anchorRelid);
	List	   *shardIndexes = info->taskShardIndexes;
	Query	   *evaluated = NULL;
	ListCell   *lc;
	int			position = 0;

	if (table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is no longer distributed", get_rel_name(info->anchorRelid)),
				 errhint("Run the statement again.")));

	if (info->pruneAtRuntime)
	{
		bool		isnull;
		Datum		value = ExecEvalExprSwitchContext(state->pruneExpr, econtext, &isnull);

		if (isnull)
			shardIndexes = NIL; /* "= NULL" matches no row */
		else
			shardIndexes = list_make1_int(ShardIndexForTypedValue(table, value,
																  info->pruneValueType));
	}

	if (info->checkDistColumnUpdate && shardIndexes != NIL)
	{
		bool		isnull;
		Datum		value = ExecEvalExprSwitchContext(state->newDistExpr, econtext, &isnull);
		Oid			valueType = exprType((Node *) state->newDistExpr->expr);

		if (isnull ||
			ShardIndexForTypedValue(table, value, valueType) != linitial_int(shardIndexes))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot move a row of table \"%s\" to another shard by updating its distribution column",
							table->relName),
					 errhint("Delete the row and insert it again with the new value.")));
	}

	if (state->runtimeQuery != NULL && shardIndexes != NIL)
		evaluated = EvaluateCoordinatorExpressions(info->evalSubLinks ?
												   EvaluateSubLinks(state->runtimeQuery,
																	estate->es_param_list_info) :
												   state->runtimeQuery,
												   econtext);

	foreach(lc, shardIndexes)
	{
		int			shardIndex = lfirst_int(lc);
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = shardIndex;
		task->nodeId = ChooseTaskNode(table->shards[shardIndex].nodeId,
									  info->standbyReason);
		if (evaluated != NULL)
			task->sql = DeparseForShard(evaluated, shardIndex, estate->es_param_list_info);
		else if (info->pruneAtRuntime)
			task->sql = strVal(list_nth(info->taskSql, shardIndex));
		else
			task->sql = strVal(list_nth(info->taskSql, position));
		state->tasks = lappend(state->tasks, task);
		if (info->commandType != CMD_SELECT)
			state->tasks = AppendReplicaTasks(state->tasks, task, table);
		position++;
	}
}

/*
 * ConstParamList returns the parameter list (palloc'd) that gives $1..$n
 * of a statement whose constants were shipped as parameters their values.
 */
static ParamListInfo
ConstParamList(List *consts)
{
	ParamListInfo params = makeParamList(list_length(consts));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, consts)
	{
		Const	   *con = lfirst_node(Const, lc);
		ParamExternData *prm = &params->params[i++];

		prm->ptype = con->consttype;
		prm->value = con->constvalue;
		prm->isnull = con->constisnull;
		prm->pflags = PARAM_FLAG_CONST;
	}
	return params;
}

/*
 * RemoteParamValues returns the values of a relation scan's shipped
 * parameters $1..$n for this (re)scan, or NULL when it has none; palloc'd
 * in the per-tuple context, which lives until the statements are sent.
 */
static ParamListInfo
RemoteParamValues(ShardScanState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	ParamListInfo params;
	MemoryContext oldContext;
	ListCell   *lc;
	int			i = 0;

	if (state->remoteParams == NIL)
		return NULL;
	oldContext = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	params = makeParamList(list_length(state->remoteParams));
	foreach(lc, state->remoteParams)
	{
		ExprState  *expr = lfirst(lc);
		ParamExternData *prm = &params->params[i++];

		prm->value = ExecEvalExpr(expr, econtext, &prm->isnull);
		prm->ptype = exprType((Node *) expr->expr);
		prm->pflags = PARAM_FLAG_CONST;
	}
	MemoryContextSwitchTo(oldContext);
	return params;
}

/*
 * ShippedConstsText returns "$1 = 'v1', $2 = 'v2'" for EXPLAIN; palloc'd.
 */
static char *
ShippedConstsText(List *consts)
{
	StringInfoData buf;
	ListCell   *lc;
	int			i = 0;

	initStringInfo(&buf);
	foreach(lc, consts)
	{
		Const	   *con = lfirst_node(Const, lc);

		appendStringInfo(&buf, "%s$%d = ", i > 0 ? ", " : "", i + 1);
		DeparseConstValue(&buf, con->consttype, con->consttypmod,
						  con->constvalue, con->constisnull);
		i++;
	}
	return buf.data;
}

/*
 * SetTaskRunOptions fills options for running the scan's router or
 * multi-shard tasks.
 */
static void
SetTaskRunOptions(ShardScanState *state, TaskRunOptions *options)
{
	EState	   *estate = state->css.ss.ps.state;
	bool		params;

	memset(options, 0, sizeof(TaskRunOptions));
	options->isWrite = (state->info->commandType != CMD_SELECT);
	options->locksRows = state->info->locksRows;
	options->needTransaction = !UseAutocommit(state, list_length(state->tasks));
	options->keepResults = (state->info->commandType == CMD_SELECT || state->info->hasReturning);
	options->collectStats = state->collectStats;
	options->collectTiming = state->collectTiming;

	/* deparsed-now statements have their parameters inlined */
	params = (state->runtimeQuery == NULL && estate->es_param_list_info != NULL);
	options->params = params ? estate->es_param_list_info : NULL;
	if (state->info->shippedConsts != NIL)
		options->params = ConstParamList(state->info->shippedConsts);
}

/*
 * StreamsTaskRows returns whether the scan's router or multi-shard tasks
 * stream their rows: SELECTs without a data-modifying WITH (those write,
 * and run with RunTasks like the other modifications).
 */
static bool
StreamsTaskRows(ShardScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;

	return (state->info->commandType == CMD_SELECT &&
			!estate->es_plannedstmt->hasModifyingCTE);
}

/*
 * ExecuteTasks runs router and multi-shard tasks: SELECTs start streaming
 * their rows, modifications run to their end and keep RETURNING rows.
 */
static void
ExecuteTasks(ShardScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	TaskRunOptions options;
	MoveCheck  *check;

	SetTaskRunOptions(state, &options);
	if (StreamsTaskRows(state))
	{
		/* a locking SELECT checks for moved rows once its rows are read */
		if (state->info->locksRows)
			state->moveCheck = StartMoveCheck(state->info->anchorRelid,
											  TaskShardIndexes(state->tasks));
		state->streams = StartTaskStreams(state->tasks, &options);
		return;
	}
	check = ((options.isWrite || options.locksRows) ?
			 StartMoveCheck(state->info->anchorRelid, TaskShardIndexes(state->tasks)) : NULL);
	RunTasks(state->tasks, &options, &state->runResult);
	FinishMoveCheck(check, state->info->commandType == CMD_DELETE ? "deleted" :
					state->info->commandType == CMD_UPDATE ? "updated" : "locked");
	if (state->info->commandType != CMD_SELECT && !state->info->inCte)
		estate->es_processed += state->runResult.rowsProcessed;
	state->currentResult = list_head(state->runResult.results);
	state->currentRow = 0;
}

/*
 * MoveRows moves the rows an UPDATE of the distribution column matches on
 * other shards into the shard of the new value (executor/row_move.c),
 * after the UPDATE ran there, and counts them as updated.
 */
static void
MoveRows(ShardScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	DistTableEntry *table = LookupDistTable(state->info->anchorRelid);
	RowMoveRun	run;
	uint64		moved;

	memset(&run, 0, sizeof(run));
	run.relid = state->info->anchorRelid;
	run.destShard = (state->tasks != NIL) ? ((Task *) linitial(state->tasks))->shardIndex : -1;
	run.sourceShard = state->info->moveSourceShard;
	run.moveSql = state->info->moveSql;
	run.runtimeQuery = state->runtimeQuery;
	run.econtext = state->css.ss.ps.ps_ExprContext;
	run.params = estate->es_param_list_info;
	run.nReturning = state->info->hasReturning ? state->ncolumns : 0;
	run.runResult = &state->runResult;
	if (table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is no longer distributed",
						get_rel_name(state->info->anchorRelid)),
				 errhint("Run the statement again.")));
	moved = ExecuteRowMoves(&run);
	if (!state->info->inCte)
		estate->es_processed += moved;
	state->currentResult = list_head(state->runResult.results);
	state->currentRow = 0;
}

/*
 * StoreResultRow converts row of res into slot (a virtual tuple whose
 * values live in the per-row context).  Returns false if row is past the
 * end of res.
 */
static bool
StoreResultRow(ShardScanState *state, PGresult *res, int row, TupleTableSlot *slot)
{
	MemoryContext oldContext;
	int			ncolumns = PQnfields(res);
	int			i;

	if (row >= PQntuples(res))
		return false;
	if (ncolumns != state->ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("node returned %d columns where %d were expected",
						ncolumns, state->ncolumns)));

	ExecClearTuple(slot);
	MemoryContextReset(state->rowContext);
	oldContext = MemoryContextSwitchTo(state->rowContext);
	for (i = 0; i < state->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (i = 0; i < ncolumns; i++)
	{
		int			attIndex = state->columnAttnos[i] - 1;

		if (PQgetisnull(res, row, i))
			continue;
		slot->tts_values[attIndex] = InputFunctionCall(&state->inFuncs[attIndex],
													   PQgetvalue(res, row, i),
													   state->typIoParams[attIndex],
													   state->typMods[attIndex]);
		slot->tts_isnull[attIndex] = false;
	}
	MemoryContextSwitchTo(oldContext);
	ExecStoreVirtualTuple(slot);
	return true;
}

/*
 * UsesCursorStreams returns whether the scan reads its tasks through one
 * cursor per node: pushdown scans, and relation scans of several shards.
 */
static bool
UsesCursorStreams(ShardScanState *state)
{
	return state->info->kind == SHARD_SCAN_PUSHDOWN ||
		(state->info->kind == SHARD_SCAN_RELATION && list_length(state->tasks) > 1);
}

/*
 * StartRelationStreams starts reading a relation scan's tasks with the
 * values of its parameters (or NULL).  Call in the query context.
 */
static void
StartRelationStreams(ShardScanState *state, ParamListInfo params)
{
	if (!UsesCursorStreams(state))
	{
		/*
		 * One shard (pruned, often once per outer row): the statement
		 * alone, one round trip instead of DECLARE, FETCH and CLOSE.  The
		 * parameters are sent at once, so their per-tuple memory suffices.
		 */
		TaskRunOptions options;

		SetTaskRunOptions(state, &options);
		options.params = params;
		state->streams = StartTaskStreams(state->tasks, &options);
	}
	else
		state->streams = StartStreams(state->tasks, params, STREAM_FETCH_SIZE,
									  state->info->locksRows, state->collectStats,
									  state->collectTiming);
}

/*
 * LoadKeyedRows reads every shard once with the statements of keyedSql
 * and keeps the rows by key column: once the scan has run keyedAfter
 * times, about when its round trips have cost as much as reading the
 * table.  Returns false, keeping nothing, when
 * they do not fit in work_mem (the scan then sends a statement per
 * execution, as before).  Throws node errors.
 */
static bool
LoadKeyedRows(ShardScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	DistTableEntry *table = LookupDistTable(state->info->anchorRelid);
	MemoryContext oldContext = MemoryContextSwitchTo(estate->es_query_cxt);
	ListCell   *lc;
	bool		fits = true;

	state->keyed = CreateKeyedRows(estate->es_query_cxt, state->info->keyHashFunc,
								   state->info->valueHashFunc, state->info->keyCollation,
								   (Size) work_mem * 1024L);
	foreach(lc, state->info->keyedSql)
	{
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = foreach_current_index(lc);
		task->nodeId = table->shards[task->shardIndex].nodeId;
		task->sql = strVal(lfirst(lc));
		state->tasks = lappend(state->tasks, task);
	}
	state->executed = true;
	state->statsTaken = false;
	StartRelationStreams(state, NULL);
	MemoryContextSwitchTo(oldContext);

	while (fits)
	{
		bool		isnull;
		Datum		key;

		/* TupIsNull evaluates its argument twice */
		NextStreamedRow(state, slot);
		if (TupIsNull(slot))
			break;

		econtext->ecxt_scantuple = slot;
		key = ExecEvalExprSwitchContext(state->keyColumn, econtext, &isnull);
		fits = AddKeyedRow(state->keyed, slot, key, isnull);

	}
	ReleaseScanResources(state);
	state->executed = false;
	if (!fits)
	{
		FreeKeyedRows(state->keyed);
		state->keyed = NULL;
	}
	state->keyedState = fits ? KEYED_ROWS_READY : KEYED_ROWS_TOO_MANY;
	return fits;
}

/*
 * NextKeyedScanRow returns the next kept row whose key matches this
 * execution's value and that passes the rechecked filters; an empty slot
 * at the end.
 */
static TupleTableSlot *
NextKeyedScanRow(ShardScanState *state, TupleTableSlot *slot)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	MinimalTuple tuple;

	if (state->keptSlot == NULL)
		state->keptSlot = MakeSingleTupleTableSlot(slot->tts_tupleDescriptor,
												   &TTSOpsMinimalTuple);
	if (!state->executed)
	{
		bool		isnull;
		Datum		value = ExecEvalExprSwitchContext(state->keyValue, econtext, &isnull);

		FindKeyedRows(state->keyed, value, isnull);
		state->executed = true;
		state->executions++;
	}
	while ((tuple = NextKeyedRow(state->keyed)) != NULL)
	{
		bool		isnull;
		Datum		pass;

		ExecStoreMinimalTuple(tuple, state->keptSlot, false);
		ExecCopySlot(slot, state->keptSlot);
		econtext->ecxt_scantuple = slot;
		pass = ExecEvalExprSwitchContext(state->keyRecheck, econtext, &isnull);
		if (!isnull && DatumGetBool(pass))
			return slot;
	}
	return ExecClearTuple(slot);
}

/*
 * StartScan runs the scan's tasks, or starts streaming their rows, at its
 * first row.
 */
static void
StartScan(ShardScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	MemoryContext oldContext;

	state->executed = true;
	state->statsTaken = false;
	if (state->info->kind == SHARD_SCAN_INSERT)
	{
		ExecuteInsert(state);
		return;
	}
	BuildTasks(state);
	state->executions++;
	/* streams live as long as the query: ReleaseScanMemory reads them */
	oldContext = MemoryContextSwitchTo(estate->es_query_cxt);
	if (state->tasks != NIL &&
		(state->info->kind == SHARD_SCAN_RELATION ||
		 state->info->kind == SHARD_SCAN_PUSHDOWN))
	{
		/* a locking SELECT checks for moved rows once its rows are read */
		if (state->info->locksRows)
			state->moveCheck = StartMoveCheck(state->info->anchorRelid,
											  TaskShardIndexes(state->tasks));
		if (state->info->kind == SHARD_SCAN_RELATION)
			StartRelationStreams(state, RemoteParamValues(state));
		else
			state->streams = StartStreams(state->tasks, estate->es_param_list_info,
										  STREAM_FETCH_SIZE, state->info->locksRows,
										  state->collectStats, state->collectTiming);
	}
	else if (state->tasks != NIL)
		ExecuteTasks(state);
	/* a row-moving UPDATE whose new value's shard matched nothing still moves */
	if (state->info->moveRows)
		MoveRows(state);
	MemoryContextSwitchTo(oldContext);
}

/*
 * NextStreamedRow stores the next streamed row in slot; an empty slot at
 * the end.
 */
static TupleTableSlot *
NextStreamedRow(ShardScanState *state, TupleTableSlot *slot)
{
	for (;;)
	{
		if (state->batch != NULL &&
			StoreResultRow(state, state->batch, state->currentRow, slot))
		{
			state->currentRow++;
			return slot;
		}
		if (state->batch != NULL)
		{
			PQclear(state->batch);
			state->batch = NULL;
		}
		if (state->streams == NULL)
			return ExecClearTuple(slot);
		state->batch = NextStreamBatch(state->streams);
		state->currentRow = 0;
		if (state->batch == NULL)
		{
			FinishMoveCheck(state->moveCheck, "locked");
			state->moveCheck = NULL;
			return ExecClearTuple(slot);
		}
	}
}

/*
 * NextKeptRow returns the next row of a scan that keeps its rows: from
 * kept while it has unread rows, then from the streams (appending each
 * row to kept), so a rescan before the end reads on where the first read
 * stopped.  The shards are read once.
 */
static TupleTableSlot *
NextKeptRow(ShardScanState *state, TupleTableSlot *slot)
{
	EState	   *estate = state->css.ss.ps.state;

	if (state->kept == NULL)
	{
		MemoryContext oldContext = MemoryContextSwitchTo(estate->es_query_cxt);

		state->kept = tuplestore_begin_heap(false, false, work_mem);
		state->keptSlot = MakeSingleTupleTableSlot(slot->tts_tupleDescriptor,
												   &TTSOpsMinimalTuple);
		MemoryContextSwitchTo(oldContext);
	}
	if (!tuplestore_ateof(state->kept) &&
		tuplestore_gettupleslot(state->kept, true, false, state->keptSlot))
		return ExecCopySlot(slot, state->keptSlot);
	if (state->keptComplete)
		return ExecClearTuple(slot);

	if (!state->executed)
		StartScan(state);
	NextStreamedRow(state, slot);
	if (TupIsNull(slot))
	{
		state->keptComplete = true;
		return slot;
	}
	tuplestore_puttupleslot(state->kept, slot);
	return slot;
}

/*
 * ShardScanNext returns the next row of the scan, running the tasks on
 * first call; an empty slot at the end.
 */
static TupleTableSlot *
ShardScanNext(ScanState *node)
{
	ShardScanState *state = (ShardScanState *) node;
	TupleTableSlot *slot = node->ss_ScanTupleSlot;

	if (state->keepRows)
		return NextKeptRow(state, slot);
	if (state->info->keyedSql != NIL && !state->executed &&
		state->keyedState == KEYED_ROWS_UNTRIED &&
		state->executions >= state->info->keyedAfter)
		LoadKeyedRows(state);
	if (state->keyedState == KEYED_ROWS_READY)
		return NextKeyedScanRow(state, slot);
	if (!state->executed)
		StartScan(state);

	if (state->info->kind == SHARD_SCAN_INSERT)
	{
		if (state->returning != NULL &&
			tuplestore_gettupleslot(state->returning, true, false, state->returningSlot))
			return ExecCopySlot(slot, state->returningSlot);
		return ExecClearTuple(slot);
	}
	if (state->streams != NULL || state->info->kind == SHARD_SCAN_RELATION ||
		state->info->kind == SHARD_SCAN_PUSHDOWN)
		return NextStreamedRow(state, slot);

	while (state->currentResult != NULL)
	{
		PGresult   *res = lfirst(state->currentResult);

		if (StoreResultRow(state, res, state->currentRow, slot))
		{
			state->currentRow++;
			if (state->fkChecks != NULL && !state->fkChecksDone)
			{
				slot_getallattrs(slot);
				ForeignKeyChecksAddRow(state->fkChecks, slot->tts_values,
									   slot->tts_isnull);
			}
			return slot;
		}
		state->currentResult = lnext(state->runResult.results, state->currentResult);
		state->currentRow = 0;
	}
	if (state->fkChecks != NULL && !state->fkChecksDone)
	{
		state->fkChecksDone = true;
		FinishForeignKeyChecks(state->fkChecks);
	}
	return ExecClearTuple(slot);
}

/*
 * ShardScanRecheck accepts every row: rows are never re-fetched.
 */
static bool
ShardScanRecheck(ScanState *node, TupleTableSlot *slot)
{
	return true;
}

/*
 * ExecShardScan returns the next output row, with local quals and
 * projection applied by ExecScan.
 */
static TupleTableSlot *
ExecShardScan(CustomScanState *node)
{
	return ExecScan(&node->ss, ShardScanNext, ShardScanRecheck);
}

/*
 * ReleaseScanResources frees results and streams of the scan.
 */
static void
ReleaseScanResources(ShardScanState *state)
{
	TakeScanStats(state);
	if (state->batch != NULL)
	{
		PQclear(state->batch);
		state->batch = NULL;
	}
	if (state->streams != NULL)
	{
		CloseStreams(state->streams);
		state->streams = NULL;
	}
	FreeTaskResults(&state->runResult);
	state->currentResult = NULL;
	state->tasks = NIL;
}

/*
 * ReleaseScanMemory frees the PGresults the scan still holds, without
 * network I/O: a reset callback of the query context, which outlives the
 * scan when a statement fails or is cancelled (no EndShardScan then; the
 * transaction's abort cancels the commands in flight).  Never throws.
 */
static void
ReleaseScanMemory(void *arg)
{
	ShardScanState *state = (ShardScanState *) arg;

	if (state->batch != NULL)
	{
		PQclear(state->batch);
		state->batch = NULL;
	}
	ForgetStreams(state->streams);
	state->streams = NULL;
	FreeTaskResults(&state->runResult);
	state->currentResult = NULL;
}

/*
 * EndShardScan frees what the scan holds and ends its child.
 */
static void
EndShardScan(CustomScanState *node)
{
	ShardScanState *state = (ShardScanState *) node;

	ReleaseScanResources(state);
	if (state->returning != NULL)
		tuplestore_end(state->returning);
	if (state->kept != NULL)
		tuplestore_end(state->kept);
	if (state->keptSlot != NULL)
		ExecDropSingleTupleTableSlot(state->keptSlot);
	FreeKeyedRows(state->keyed);
	state->keyed = NULL;
	if (node->custom_ps != NIL)
		ExecEndNode(linitial(node->custom_ps));
}

/*
 * ReScanShardScan starts the scan over.  Reads run again (parameters of
 * the enclosing plan may have changed); modifications and inserts are
 * never rescanned and rewind their returned rows.
 */
static void
ReScanShardScan(CustomScanState *node)
{
	ShardScanState *state = (ShardScanState *) node;

	if (state->info->kind == SHARD_SCAN_INSERT)
	{
		if (state->returning != NULL)
			tuplestore_rescan(state->returning);
		return;
	}
	if (state->info->commandType != CMD_SELECT)
	{
		state->currentResult = list_head(state->runResult.results);
		state->currentRow = 0;
		return;
	}
	if (state->kept != NULL)
	{
		/* the rows do not change: read them back, and on if unfinished */
		tuplestore_rescan(state->kept);
		ExecScanReScan(&node->ss);
		return;
	}
	ReleaseScanResources(state);
	state->executed = false;
	ExecScanReScan(&node->ss);
}

/*
 * ExplainShardScan shows the strategy, the tasks and the SQL of one.
 */
static void
ExplainShardScan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShardScanState *state = (ShardScanState *) node;
	ShardPlanInfo *info = state->info;
	DistTableEntry *table = LookupDistTable(info->anchorRelid);
	int			taskCount = list_length(info->taskShardIndexes);
	char	   *sql = NULL;
	int			shardIndex = -1;

	ExplainPropertyText("Strategy", info->strategy, es);
	if (info->kind == SHARD_SCAN_INSERT)
	{
		ExplainPropertyText("Target", get_rel_name(info->targetRelid), es);
		return;
	}

	if (info->pruneAtRuntime)
	{
		ExplainPropertyText("Shard Pruning", "at run time", es);
		taskCount = 1;
	}
	if (info->keyedSql != NIL)
		ExplainPropertyText("Rescans", "rows read once, looked up by key", es);
	ExplainPropertyInteger("Task Count", NULL, taskCount, es);
	if (ReadFrom != READ_FROM_PRIMARY)
	{
		const char *blocker = StandbyReadBlocker(info->standbyReason);

		ExplainPropertyText("Standby Read", blocker == NULL ? "allowed" :
							psprintf("no, %s", blocker), es);
	}

	if (state->tasks != NIL)
	{
		Task	   *task = linitial(state->tasks);

		sql = task->sql;
		shardIndex = task->shardIndex;
	}
	else if (info->taskSql != NIL)
	{
		sql = strVal(linitial(info->taskSql));
		shardIndex = linitial_int(info->taskShardIndexes);
	}
	else if (state->runtimeQuery != NULL && info->taskShardIndexes != NIL)
	{
		shardIndex = linitial_int(info->taskShardIndexes);
		sql = DeparseForShard(state->runtimeQuery, shardIndex, NULL);
	}

	if (sql != NULL && table != NULL && shardIndex >= 0 && shardIndex < table->shardCount)
	{
		NodeInfo   *nodeInfo = LookupNode(table->shards[shardIndex].nodeId, true);

		if (taskCount > 1)
			ExplainPropertyText("Tasks Shown", "One of many", es);
		if (nodeInfo != NULL)
			ExplainPropertyText("Node", psprintf("%s:%d", nodeInfo->host, nodeInfo->port), es);
		ExplainPropertyText("Remote SQL", sql, es);
		if (state->info->shippedConsts != NIL)
			ExplainPropertyText("Remote Parameters",
								ShippedConstsText(state->info->shippedConsts), es);
	}
	if (es->analyze)
		ExplainTaskStats(state, table, es);
}

/*
 * AddScanTaskStats adds what one task or node stream did to the scan's
 * totals, merging with an earlier execution of the same shard or node.
 */
static void
AddScanTaskStats(ShardScanState *state, bool perNode, int shardIndex, int nodeId,
				 int taskCount, uint64 rows, double elapsedMs)
{
	MemoryContext oldContext = MemoryContextSwitchTo(state->css.ss.ps.state->es_query_cxt);
	ScanTaskStats *stats = NULL;
	ListCell   *lc;

	foreach(lc, state->taskStats)
	{
		ScanTaskStats *candidate = lfirst(lc);

		if (candidate->perNode == perNode &&
			(perNode ? candidate->nodeId == nodeId : candidate->shardIndex == shardIndex))
		{
			stats = candidate;
			break;
		}
	}
	if (stats == NULL)
	{
		stats = palloc0(sizeof(ScanTaskStats));
		stats->perNode = perNode;
		stats->shardIndex = shardIndex;
		stats->nodeId = nodeId;
		state->taskStats = lappend(state->taskStats, stats);
	}
	stats->taskCount = Max(stats->taskCount, taskCount);
	stats->rows += rows;
	stats->elapsedMs += elapsedMs;
	stats->loops++;
	MemoryContextSwitchTo(oldContext);
}

/*
 * TakeScanStats adds the current execution's task statistics to the
 * scan's totals, once per execution; nothing unless EXPLAIN ANALYZE.
 */
static void
TakeScanStats(ShardScanState *state)
{
	ListCell   *lc;

	if (!state->collectStats || !state->executed || state->statsTaken)
		return;
	state->statsTaken = true;
	if (UsesCursorStreams(state))
	{
		foreach(lc, StreamSetStats(state->streams))
		{
			StreamStats *stream = lfirst(lc);

			AddScanTaskStats(state, true, -1, stream->nodeId, stream->taskCount,
							 stream->rows, stream->elapsedMs);
		}
		return;
	}
	foreach(lc, state->tasks)
	{
		Task	   *task = lfirst(lc);

		if (task->finished)
			AddScanTaskStats(state, false, task->shardIndex, task->nodeId, 1,
							 task->rows, task->elapsedMs);
	}
}

/*
 * ExplainTaskStats shows, for EXPLAIN ANALYZE, the rows and time of each
 * task that ran; like PostgreSQL's own, per execution (averages over the
 * loops in which the task ran).  Streamed kinds read all the tasks of a
 * node through one cursor, whose rows arrive mixed, so they are shown per
 * node stream.
 */
static void
ExplainTaskStats(ShardScanState *state, DistTableEntry *table, ExplainState *es)
{
	ListCell   *lc;

	TakeScanStats(state);
	if (state->taskStats == NIL)
	{
		ExplainPropertyInteger("Tasks Executed", NULL, 0, es);
		return;
	}
	ExplainOpenGroup("Task Statistics", "Task Statistics", false, es);
	foreach(lc, state->taskStats)
	{
		ScanTaskStats *stats = lfirst(lc);
		NodeInfo   *nodeInfo = LookupNode(stats->nodeId, true);
		char	   *nodeName = nodeInfo ? psprintf("%s:%d", nodeInfo->host, nodeInfo->port) :
			psprintf("node %d", stats->nodeId);
		int64		shardId = -1;
		double		rows = (double) stats->rows / stats->loops;
		double		elapsedMs = stats->elapsedMs / stats->loops;

		if (!stats->perNode && table != NULL && stats->shardIndex >= 0 &&
			stats->shardIndex < table->shardCount)
			shardId = table->shards[stats->shardIndex].shardId;

		if (es->format == EXPLAIN_FORMAT_TEXT)
		{
			if (es->str->len == 0 || es->str->data[es->str->len - 1] == '\n')
				appendStringInfoSpaces(es->str, es->indent * 2);
			if (stats->perNode)
				appendStringInfo(es->str, "Node Stream: %s, %d task%s in one cursor",
								 nodeName, stats->taskCount, stats->taskCount == 1 ? "" : "s");
			else
				appendStringInfo(es->str, "Task: shard " INT64_FORMAT " on %s", shardId, nodeName);
			appendStringInfo(es->str, " (actual rows=%.0f", rows);
			if (state->collectTiming)
				appendStringInfo(es->str, " time=%.3f ms", elapsedMs);
			if (stats->loops > 1)
				appendStringInfo(es->str, " loops=%d", stats->loops);
			appendStringInfoString(es->str, ")\n");
			continue;
		}
		ExplainOpenGroup("Task", NULL, true, es);
		if (stats->perNode)
			ExplainPropertyInteger("Tasks In Cursor", NULL, stats->taskCount, es);
		else
			ExplainPropertyInteger("Shard Id", NULL, shardId, es);
		ExplainPropertyText("Node", nodeName, es);
		ExplainPropertyFloat("Actual Rows", NULL, rows, 0, es);
		if (state->collectTiming)
			ExplainPropertyFloat("Actual Total Time", "ms", elapsedMs, 3, es);
		ExplainPropertyInteger("Actual Loops", NULL, stats->loops, es);
		ExplainCloseGroup("Task", NULL, true, es);
	}
	ExplainCloseGroup("Task Statistics", "Task Statistics", false, es);
}

/*
 * ExecuteInsert routes every row of the child plan to its shard and keeps
 * the RETURNING rows for output.  Throws on NULL distribution values and
 * node errors.
 */
static void
ExecuteInsert(ShardScanState *state)
{
	ShardPlanInfo *info = state->info;
	EState	   *estate = state->css.ss.ps.state;
	PlanState  *child = linitial(state->css.custom_ps);
	Relation	rel;
	InsertBatcher *batcher;
	ForeignKeyChecks *fkChecks;

	if (!IsDistributedTable(info->targetRelid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is no longer distributed", get_rel_name(info->targetRelid)),
				 errhint("Run the statement again.")));

	rel = RelationIdGetRelation(info->targetRelid);
	batcher = StartInsertBatcher(info->targetRelid, RelationGetDescr(rel));
	RelationClose(rel);
	/* ON CONFLICT: the rows the nodes return carry the keys to check */
	if (info->taskSql != NIL)
		fkChecks = StartReturnedKeyChecks(CMD_INSERT,
										  ((CustomScan *) state->css.ss.ps.plan)->custom_scan_tlist);
	else
		fkChecks = StartForeignKeyChecks(info->targetRelid);
	/*
	 * ON CONFLICT: the statement template is the only task SQL; now() and
	 * other stable values are the coordinator's, the same on every copy
	 */
	if (info->taskSql != NIL)
		InsertBatcherSetUpsert(batcher,
							   EvaluateCoordinatorExpressions(stringToNode(strVal(linitial(info->taskSql))),
															  state->css.ss.ps.ps_ExprContext));

	if (info->hasReturning)
	{
		state->returning = tuplestore_begin_heap(false, false, work_mem);
		state->returningSlot =
			ExecAllocTableSlot(&estate->es_tupleTable,
							   state->css.ss.ss_ScanTupleSlot->tts_tupleDescriptor,
							   &TTSOpsMinimalTuple);
	}

	for (;;)
	{
		TupleTableSlot *slot = ExecProcNode(child);

		if (TupIsNull(slot))
			break;
		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		InsertBatcherAddRow(batcher, slot->tts_values, slot->tts_isnull);
		if (fkChecks != NULL && info->taskSql == NIL)
			ForeignKeyChecksAddRow(fkChecks, slot->tts_values, slot->tts_isnull);
		if (state->returning != NULL && info->taskSql == NIL)
			tuplestore_puttupleslot(state->returning, slot);
	}
	/* foreign key checks run in the transaction that inserted */
	estate->es_processed += FinishInsertBatcher(batcher,
												fkChecks == NULL && UseAutocommit(state, 1));
	if (state->returning != NULL && info->taskSql != NIL)
		InsertBatcherStoreReturning(batcher, state->returning, state->css.ss.ss_ScanTupleSlot,
									list_length(info->insertAttrs));
	if (fkChecks != NULL && info->taskSql != NIL)
	{
		TupleTableSlot *slot = state->returningSlot;

		while (tuplestore_gettupleslot(state->returning, true, false, slot))
		{
			slot_getallattrs(slot);
			ForeignKeyChecksAddRow(fkChecks, slot->tts_values, slot->tts_isnull);
		}
		tuplestore_rescan(state->returning);
	}
	if (fkChecks != NULL)
		FinishForeignKeyChecks(fkChecks);
}
