/*-------------------------------------------------------------------------
 * shell_guard.c
 *	  Refuses to run a plan that would scan the coordinator's shell of a
 *	  distributed or reference table.
 *
 * The shell is empty: its rows live in the shards.  The planner gives
 * every relation that reads a distributed table a remote scan (see
 * planner/relation_scan.c); a plain scan node over a shell can only come
 * from a planner shape that slipped past it, and it would silently return
 * no rows.  This check, run when each plan starts, turns that into an
 * error.  It looks at the initialized plan state (every scan node that
 * will run, subplans and init plans included, after run-time pruning at
 * startup), so it sees plans of every origin: ours, other planner hooks,
 * cached plans, SPI.  EXPLAIN without ANALYZE is let through so that such
 * a plan can be shown.  Internal work on shells (DDL, ANALYZE, moving
 * rows at distribution) uses no executor scan and is not affected.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "executor/shell_guard.h"
#include "metadata/metadata.h"

static ExecutorStart_hook_type prev_ExecutorStart_hook = NULL;

static void ShardExecutorStart(QueryDesc *queryDesc, int eflags);
static bool ShellScanWalker(PlanState *planstate, void *context);

/*
 * InstallShellScanGuard saves the previous ExecutorStart hook and
 * installs ours.
 */
void
InstallShellScanGuard(void)
{
	prev_ExecutorStart_hook = ExecutorStart_hook;
	ExecutorStart_hook = ShardExecutorStart;
}

/*
 * ShardExecutorStart starts the executor, then throws if the plan scans a
 * shell (before any row was read).
 */
static void
ShardExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (prev_ExecutorStart_hook)
		prev_ExecutorStart_hook(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && queryDesc->planstate != NULL &&
		ShardExtensionLoaded())
		ShellScanWalker(queryDesc->planstate, NULL);
}

/*
 * ShellScanWalker throws FEATURE_NOT_SUPPORTED at the first heap scan of
 * a distributed or reference table's shell in the plan state tree.
 */
static bool
ShellScanWalker(PlanState *planstate, void *context)
{
	if (planstate == NULL)
		return false;

	switch (nodeTag(planstate))
	{
		case T_SeqScanState:
		case T_SampleScanState:
		case T_IndexScanState:
		case T_IndexOnlyScanState:
		case T_BitmapHeapScanState:
		case T_TidScanState:
		case T_TidRangeScanState:
			{
				Relation	rel = ((ScanState *) planstate)->ss_currentRelation;

				if (rel != NULL && IsDistributedTable(RelationGetRelid(rel)))
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("plan would read the coordinator's empty shell of distributed table \"%s\"",
									RelationGetRelationName(rel)),
							 errdetail("The rows of the table live in its shards; this query shape is not planned to read them."),
							 errhint("Rewrite the query, e.g. move the table into a subquery, and report the query shape.")));
				break;
			}
		default:
			break;
	}
	return planstate_tree_walker(planstate, ShellScanWalker, context);
}
