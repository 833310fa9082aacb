/*-------------------------------------------------------------------------
 * planner.c
 *	  The planner hook: statements that touch no distributed table go to
 *	  PostgreSQL's planner untouched; the others get a router plan (one
 *	  shard group), a multi-shard plan, a routed INSERT, or PostgreSQL's own
 *	  plan over remote scans of the distributed relations.
 *
 * Plans built here are final (no set_plan_references pass): targetlists
 * refer to the ShardScan's custom_scan_tlist through INDEX_VAR, and the
 * custom_scan_tlist refers to a placeholder range table entry named
 * "remote_scan" so that EXPLAIN VERBOSE can name the output columns.
 * Every relation of the statement, at any depth, is in the plan's flat
 * range table, so the executor checks privileges and takes locks on the
 * coordinator exactly as for local tables.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "jit/jit.h"
#include "storage/bufpage.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include <math.h>

#include "deparse/deparse.h"
#include "executor/placement_choice.h"
#include "planner/planner.h"
#include "transaction/remote_xact.h"

static planner_hook_type prev_planner_hook = NULL;
static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

typedef struct FindRelationsContext
{
	List	   *distRels;
	List	   *allRelids;
	int			level;
} FindRelationsContext;

static PlannedStmt *PlanStatement(Query *parse, const char *queryString,
								  int cursorOptions, ParamListInfo boundParams);
static PlannedStmt *ShardPlanner(Query *parse, const char *queryString,
								 int cursorOptions, ParamListInfo boundParams);
static PlannedStmt *StandardPlanner(Query *parse, const char *queryString,
									int cursorOptions, ParamListInfo boundParams);
static void ShardGetRelationInfo(PlannerInfo *root, Oid relationObjectId,
								 bool inhparent, RelOptInfo *rel);
static void ShardSetRelPathlistHook(PlannerInfo *root, RelOptInfo *rel, Index rti,
									RangeTblEntry *rte);
static PlannedStmt *PlanShippedSelect(Query *parse, const char *queryString,
									  int cursorOptions, ParamListInfo boundParams,
									  List *distRels, List *allRelids);
static void CheckReturningReadable(Query *parse);
static bool FindRelationsWalker(Node *node, FindRelationsContext *context);
static bool SecurityBarrierWalker(Node *node, void *context);
static void CheckFallbackSupported(Query *query, List *distRels);
static bool CollectRelationRtes(Node *node, List **rtes);
static bool StableFunctionChecker(Oid funcid, void *context);
static bool NeedsCoordinatorEvaluationWalker(Node *node, void *context);

/*
 * InstallPlannerHooks saves the previous planner and rel-pathlist hooks and
 * installs ours.
 */
void
InstallPlannerHooks(void)
{
	prev_planner_hook = planner_hook;
	planner_hook = ShardPlanner;
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = ShardSetRelPathlistHook;
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = ShardGetRelationInfo;
	RegisterRelationScanMethods();
}

/*
 * StandardPlanner calls the next planner in the chain.
 */
static PlannedStmt *
StandardPlanner(Query *parse, const char *queryString, int cursorOptions,
				ParamListInfo boundParams)
{
	if (prev_planner_hook)
		return prev_planner_hook(parse, queryString, cursorOptions, boundParams);
	return standard_planner(parse, queryString, cursorOptions, boundParams);
}

/*
 * ShardPlanner plans a statement (PlanStatement) with its verdict on
 * standby reads (StandbyUnsafeReason) in PlanningStandbyReason, where every
 * ShardScan made meanwhile takes it; nested planning keeps its own.
 */
static PlannedStmt *
ShardPlanner(Query *parse, const char *queryString, int cursorOptions,
			 ParamListInfo boundParams)
{
	const char *savedReason = PlanningStandbyReason;
	PlannedStmt *plan;

	if (parse->commandType != CMD_SELECT)
		PlanningStandbyReason = "the statement writes";
	else if (ShardExtensionLoaded())
		PlanningStandbyReason = StandbyUnsafeReason(parse);
	PG_TRY();
	{
		plan = PlanStatement(parse, queryString, cursorOptions, boundParams);
	}
	PG_FINALLY();
	{
		PlanningStandbyReason = savedReason;
	}
	PG_END_TRY();
	return plan;
}

/*
 * PlanStatement plans statements that touch distributed tables and passes
 * everything else on.  Throws for statements that cannot be run correctly.
 */
static PlannedStmt *
PlanStatement(Query *parse, const char *queryString, int cursorOptions,
			  ParamListInfo boundParams)
{
	List	   *distRels;
	List	   *allRelids = NIL;
	PlannedStmt *plan;
	const char *reason = NULL;

	if (parse->commandType == CMD_UTILITY || !ShardExtensionLoaded())
		return StandardPlanner(parse, queryString, cursorOptions, boundParams);

	distRels = FindDistributedRelations(parse, &allRelids);
	if (distRels == NIL)
		return StandardPlanner(parse, queryString, cursorOptions, boundParams);
	parse = ReplaceDistributedTableOids(parse);
	if (parse->hasModifyingCTE)
	{
		plan = PlanWithModifyingCtes(parse, queryString, cursorOptions, boundParams);
		if (plan != NULL)
			return plan;
	}

	switch (parse->commandType)
	{
		case CMD_SELECT:
			if (SecurityBarrierWalker((Node *) parse, NULL))
			{
				/* only PostgreSQL's planner keeps quals above the barrier */
				CheckFallbackSupported(parse, distRels);
				return StandardPlanner(parse, queryString, cursorOptions, boundParams);
			}
			plan = PlanShippedSelect(parse, queryString, cursorOptions, boundParams,
									 distRels, allRelids);
			if (plan != NULL)
				return plan;
			CheckFallbackSupported(parse, distRels);
			return StandardPlanner(parse, queryString, cursorOptions, boundParams);

		case CMD_INSERT:
			if (!IsDistributedTable(rt_fetch(parse->resultRelation, parse->rtable)->relid))
			{
				/* INSERT into a local table reading distributed ones */
				CheckFallbackSupported(parse, distRels);
				return StandardPlanner(parse, queryString, cursorOptions, boundParams);
			}
			return PlanDistributedInsert(parse, queryString, distRels, allRelids,
										 cursorOptions, boundParams);

		case CMD_UPDATE:
		case CMD_DELETE:
			if (!IsDistributedTable(rt_fetch(parse->resultRelation, parse->rtable)->relid))
			{
				ListCell   *lc;

				/* distributed rows cannot be re-fetched for EvalPlanQual */
				foreach(lc, distRels)
				{
					if (((DistRelationRef *) lfirst(lc))->queryLevel == 0)
						ereport(ERROR,
								(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
								 errmsg("%s on local table \"%s\" cannot join distributed table \"%s\"",
										parse->commandType == CMD_UPDATE ? "UPDATE" : "DELETE",
										get_rel_name(rt_fetch(parse->resultRelation, parse->rtable)->relid),
										get_rel_name(((DistRelationRef *) lfirst(lc))->relid)),
								 errhint("Use a subquery in WHERE (... IN (SELECT ...)) instead of FROM or USING.")));
				}
				return StandardPlanner(parse, queryString, cursorOptions, boundParams);
			}
			CheckReturningReadable(parse);
			if (parse->commandType == CMD_UPDATE)
				DropUnchangedDistColumnAssignment(parse);
			if (AddForeignKeyReturning(parse))
				distRels = FindDistributedRelations(parse, &allRelids);
			plan = PlanReferenceTableStatement(parse, distRels, allRelids, &reason);
			if (plan == NULL)
				plan = PlanRouterStatement(parse, distRels, allRelids, boundParams, &reason);
			if (plan != NULL)
				return plan;
			return PlanMultiShardModify(parse, distRels, allRelids, boundParams);

		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("MERGE is not supported on distributed table \"%s\"",
							get_rel_name(((DistRelationRef *) linitial(distRels))->relid)),
					 errhint("Use INSERT ... ON CONFLICT, UPDATE or DELETE instead.")));
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * PlanShippedSelect returns a plan that ships the SELECT to the nodes
 * (reference tables only, one shard group, or pushed down per shard), or
 * NULL when PostgreSQL's planner must run it over remote scans.  Rows of
 * a shipped statement are read back by their types' input functions, so
 * a statement returning anonymous records stays on the coordinator, which
 * forms them from the columns its remote scans read.
 */
static PlannedStmt *
PlanShippedSelect(Query *parse, const char *queryString, int cursorOptions,
				  ParamListInfo boundParams, List *distRels, List *allRelids)
{
	PlannedStmt *plan;
	const char *reason = OutputNotReadableReason(parse->targetList);

	if (reason != NULL)
		return NULL;
	plan = PlanReferenceTableStatement(parse, distRels, allRelids, &reason);
	if (plan == NULL)
		plan = PlanRouterStatement(parse, distRels, allRelids, boundParams, &reason);
	if (plan != NULL)
	{
		if (cursorOptions & CURSOR_OPT_SCROLL)
			plan->planTree = materialize_finished_plan(plan->planTree);
		return plan;
	}
	return PlanPushdownSelect(parse, queryString, cursorOptions, boundParams,
							  allRelids, &reason);
}

/*
 * CheckReturningReadable throws when the RETURNING list of a statement
 * that runs on the nodes holds values the coordinator cannot read back.
 */
static void
CheckReturningReadable(Query *parse)
{
	const char *reason = OutputNotReadableReason(parse->returningList);

	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("RETURNING of distributed table \"%s\" cannot return this value",
						get_rel_name(rt_fetch(parse->resultRelation, parse->rtable)->relid)),
				 errdetail("In the RETURNING list, %s: the nodes cannot send it back.", reason),
				 errhint("Return the columns, or cast the row to a named composite type.")));
}

/*
 * ShardSetRelPathlistHook gives every relation that reads the rows of a
 * distributed table a remote scan path, then calls the previous hook.
 * That includes the members of append relations (UNION ALL branches
 * pulled up into an append rel, inheritance children): PostgreSQL plans
 * each member as a relation of its own.  A relation marked inh is an
 * append rel whose paths combine its members' (the parent's own rows are
 * one of the members), so it keeps them.  A relation proven empty keeps
 * its dummy path.
 */
static void
ShardSetRelPathlistHook(PlannerInfo *root, RelOptInfo *rel, Index rti,
						RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	/* PostgreSQL calls the hook for relations it proved empty, too */
	if (IS_DUMMY_REL(rel) || DebugFailAt == DEBUG_FAIL_SKIP_REMOTE_SCAN)
		return;
	if (rte->rtekind == RTE_RELATION && !rte->inh &&
		ShardExtensionLoaded() && IsDistributedTable(rte->relid))
		ShardSetRelPathlist(root, rel, rti, rte);
	else if (rte->rtekind == RTE_FUNCTION)
		PushdownSetRelPathlist(root, rel, rti, rte);
}

/*
 * SecurityBarrierWalker returns whether the query has, at any depth, a
 * security_barrier view or a relation with row-level security quals.
 * Shipped SQL cannot keep such a barrier (a worker would flatten the
 * subquery and may run a leaky qual of the outer query on rows the view
 * hides), so these SELECTs are planned by PostgreSQL over remote scans:
 * it pushes only leakproof quals below the barrier, and each remote scan
 * ships quals of one query level.
 */
static bool
SecurityBarrierWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		foreach(lc, query->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->security_barrier || rte->securityQuals != NIL)
				return true;
		}
		return query_tree_walker(query, SecurityBarrierWalker, context, 0);
	}
	return expression_tree_walker(node, SecurityBarrierWalker, context);
}

/*
 * ShardGetRelationInfo gives a distributed table the size its shell's
 * statistics describe (pg_class reltuples and relpages: the rows on the
 * shards, as moved there or as the last ANALYZE found them), since the
 * shell keeps no storage and PostgreSQL would estimate from its zero
 * pages.  Without statistics (reltuples < 0) PostgreSQL's estimate stays;
 * the empty shell's own (0 rows in 0 pages) count as none.
 * Calls the previous hook first.
 */
static void
ShardGetRelationInfo(PlannerInfo *root, Oid relationObjectId, bool inhparent,
					 RelOptInfo *rel)
{
	HeapTuple	classTuple;
	Form_pg_class classForm;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	if (inhparent || !ShardExtensionLoaded() || !IsDistributedTable(relationObjectId))
		return;
	classTuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relationObjectId));
	if (!HeapTupleIsValid(classTuple))
		return;
	classForm = (Form_pg_class) GETSTRUCT(classTuple);
	if (classForm->reltuples > 0 || (classForm->reltuples == 0 && classForm->relpages > 0))
	{
		rel->tuples = classForm->reltuples;
		rel->pages = (BlockNumber) Max(classForm->relpages, 0);
	}
	else if (classForm->reltuples == 0)
	{
		/*
		 * An empty shell's own statistics (autovacuum of its empty storage
		 * writes 0 rows, 0 pages) say nothing about the shards: estimate as
		 * PostgreSQL does for a table never vacuumed (10 pages), so that a
		 * plan is not built for tables of one row (nested loops re-reading
		 * remote scans).
		 */
		int32		width = get_relation_data_width(relationObjectId, NULL) +
			MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData);

		rel->pages = 10;
		rel->tuples = floor(10.0 * (BLCKSZ - SizeOfPageHeaderData) / Max(width, 1));
	}
	ReleaseSysCache(classTuple);
}

/*
 * FindDistributedRelations returns a DistRelationRef for every reference
 * to a distributed table anywhere in the query (subqueries, CTEs and
 * sublinks included), and sets *allRelids to every relation referenced.
 */
List *
FindDistributedRelations(Query *query, List **allRelids)
{
	FindRelationsContext context;

	context.distRels = NIL;
	context.allRelids = NIL;
	context.level = -1;
	FindRelationsWalker((Node *) query, &context);
	*allRelids = context.allRelids;
	return context.distRels;
}

/*
 * FindRelationsWalker is the walker of FindDistributedRelations.
 */
static bool
FindRelationsWalker(Node *node, FindRelationsContext *context)
{
	if (node == NULL)
		return false;

	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;
		Index		rtindex = 0;
		bool		result;

		context->level++;
		foreach(lc, query->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			rtindex++;
			if (rte->rtekind != RTE_RELATION)
				continue;
			context->allRelids = list_append_unique_oid(context->allRelids, rte->relid);
			if (IsDistributedTable(rte->relid))
			{
				DistRelationRef *ref = palloc0(sizeof(DistRelationRef));

				/* the shard paths read the table's own rows only */
				if (rte->inh && has_subclass(rte->relid) &&
					find_inheritance_children(rte->relid, NoLock) != NIL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("distributed table \"%s\" has inheritance children, which are not supported",
									get_rel_name(rte->relid)),
							 errhint("Read the table's own rows with ONLY, or detach the children with ALTER TABLE ... NO INHERIT.")));

				ref->relid = rte->relid;
				ref->rtindex = (context->level == 0) ? rtindex : 0;
				ref->queryLevel = context->level;
				context->distRels = lappend(context->distRels, ref);
			}
		}
		result = query_tree_walker(query, FindRelationsWalker, context, 0);
		context->level--;
		return result;
	}

	return expression_tree_walker(node, FindRelationsWalker, context);
}

/*
 * CheckFallbackSupported throws for SELECTs that remote scans under
 * PostgreSQL's planner cannot run correctly.
 */
static void
CheckFallbackSupported(Query *query, List *distRels)
{
	ListCell   *lc;

	/* the standard plan would modify the empty shell table */
	if (query->hasModifyingCTE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("data-modifying WITH is not supported in statements on distributed table \"%s\"",
						get_rel_name(((DistRelationRef *) linitial(distRels))->relid)),
				 errhint("Run the modification as a statement of its own.")));

	foreach(lc, query->rowMarks)
	{
		RowMarkClause *rc = lfirst(lc);
		RangeTblEntry *rte = rt_fetch(rc->rti, query->rtable);

		if (rte->rtekind == RTE_RELATION && IsDistributedTable(rte->relid) &&
			rc->waitPolicy == LockWaitError &&
			(query->limitCount != NULL || query->limitOffset != NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("SELECT ... FOR UPDATE/SHARE NOWAIT with LIMIT is not supported over the shards of distributed table \"%s\"",
							get_rel_name(rte->relid)),
					 errdetail("Each shard would lock up to LIMIT rows and could fail on rows the result does not hold."),
					 errhint("Use SKIP LOCKED or no wait policy, or filter on the distribution column with an equality, e.g. WHERE id = 42.")));
		if (rte->rtekind == RTE_RELATION && IsDistributedTable(rte->relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("SELECT ... FOR UPDATE/SHARE cannot lock rows of distributed table \"%s\" in this query",
							get_rel_name(rte->relid)),
					 errdetail("Rows are locked in the shards only when the query runs there: hash-distributed tables joined on their distribution columns, without local tables."),
					 errhint("Lock only the hash-distributed tables with FOR UPDATE OF, or filter on the distribution column with an equality, e.g. WHERE id = 42.")));
	}
}

/*
 * CollectRelationRtes appends every RTE_RELATION entry of nested queries
 * (not the top-level range table) to *rtes.
 */
static bool
CollectRelationRtes(Node *node, List **rtes)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		foreach(lc, query->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_RELATION)
				*rtes = lappend(*rtes, copyObject(rte));
		}
		return query_tree_walker(query, CollectRelationRtes, rtes, 0);
	}
	return expression_tree_walker(node, CollectRelationRtes, rtes);
}

/*
 * CollectNestedRelationRtes returns copies of the RTE_RELATION entries of
 * every query nested in query (not its own range table).
 */
List *
CollectNestedRelationRtes(Query *query)
{
	List	   *rtes = NIL;

	query_tree_walker(query, CollectRelationRtes, &rtes, 0);
	return rtes;
}

/*
 * MakeShardPlannedStmt wraps a ShardScan into a final PlannedStmt for
 * query.  outputList holds the TargetEntries the statement returns (the
 * non-junk target list of a SELECT, the RETURNING list of a modification,
 * or NIL).  The range table is the query's plus every relation of nested
 * queries (for privilege checks and locks) plus the "remote_scan"
 * placeholder.
 */
PlannedStmt *
MakeShardPlannedStmt(Query *query, CustomScan *scan, List *outputList, List *allRelids)
{
	PlannedStmt *result = makeNode(PlannedStmt);
	List	   *rtable = copyObject(query->rtable);
	List	   *nestedRtes = NIL;
	List	   *scanTlist = NIL;
	List	   *planTlist = NIL;
	List	   *colnames = NIL;
	RangeTblEntry *placeholder;
	Index		placeholderIndex;
	ListCell   *lc;
	AttrNumber	resno = 0;
	bool		hasOutput = false;

	query_tree_walker(query, CollectRelationRtes, &nestedRtes, 0);
	rtable = list_concat(rtable, nestedRtes);

	foreach(lc, outputList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk)
			continue;
		hasOutput |= !IsForeignKeyReturning(tle);
		colnames = lappend(colnames, makeString(tle->resname ? pstrdup(tle->resname) : pstrdup("?column?")));
	}

	placeholder = makeNode(RangeTblEntry);
	placeholder->rtekind = RTE_FUNCTION;
	placeholder->functions = NIL;
	placeholder->alias = NULL;
	placeholder->eref = makeAlias("remote_scan", colnames);
	placeholder->inFromCl = true;
	placeholder->inh = false;
	rtable = lappend(rtable, placeholder);
	placeholderIndex = list_length(rtable);

	foreach(lc, outputList)
	{
		TargetEntry *tle = lfirst(lc);
		Node	   *expr = (Node *) tle->expr;
		Var		   *scanVar;
		Var		   *planVar;

		if (tle->resjunk)
			continue;
		resno++;
		scanVar = makeVar(placeholderIndex, resno, exprType(expr), exprTypmod(expr),
						  exprCollation(expr), 0);
		scanTlist = lappend(scanTlist, makeTargetEntry((Expr *) scanVar, resno,
													   tle->resname, false));
		if (IsForeignKeyReturning(tle))
			continue;			/* scan tuple only, after the output columns */
		planVar = makeVar(INDEX_VAR, resno, exprType(expr), exprTypmod(expr),
						  exprCollation(expr), 0);
		planTlist = lappend(planTlist, makeTargetEntry((Expr *) planVar, resno,
													   tle->resname, false));
	}

	scan->custom_scan_tlist = scanTlist;
	scan->scan.plan.targetlist = planTlist;
	scan->scan.scanrelid = 0;
	scan->scan.plan.plan_rows = 1;
	scan->scan.plan.plan_width = 32;
	scan->scan.plan.parallel_safe = false;

	result->commandType = query->commandType;
	result->queryId = query->queryId;
	result->hasReturning = (query->returningList != NIL && hasOutput);
	result->hasModifyingCTE = query->hasModifyingCTE;
	result->canSetTag = query->canSetTag;
	result->transientPlan = false;
	result->dependsOnRole = false;
	result->parallelModeNeeded = false;
	result->jitFlags = PGJIT_NONE;
	result->planTree = (Plan *) scan;
	result->rtable = rtable;
	result->resultRelations = NIL;
	result->appendRelations = NIL;
	result->subplans = NIL;
	result->rewindPlanIDs = NULL;
	result->rowMarks = NIL;
	result->relationOids = list_copy(allRelids);
	result->invalItems = NIL;
	result->paramExecTypes = NIL;
	result->utilityStmt = NULL;
	result->stmt_location = query->stmt_location;
	result->stmt_len = query->stmt_len;
	return result;
}

/*
 * StableFunctionChecker flags functions whose result may differ between the
 * coordinator and a worker for the same arguments (stable ones: now(),
 * current_setting(), ...).
 */
static bool
StableFunctionChecker(Oid funcid, void *context)
{
	return func_volatile(funcid) == PROVOLATILE_STABLE;
}

/*
 * NeedsCoordinatorEvaluationWalker is the walker of
 * NeedsCoordinatorEvaluation.
 */
static bool
NeedsCoordinatorEvaluationWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, SQLValueFunction) || IsA(node, NextValueExpr))
		return true;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, NeedsCoordinatorEvaluationWalker,
								 context, 0);
	if (check_functions_in_node(node, StableFunctionChecker, context))
		return true;
	return expression_tree_walker(node, NeedsCoordinatorEvaluationWalker, context);
}

/*
 * NeedsCoordinatorEvaluation returns whether node (an expression or a
 * Query) calls stable functions or SQL value functions, whose Var-free
 * calls must be evaluated on the coordinator when the statement runs.
 */
bool
NeedsCoordinatorEvaluation(Node *node)
{
	return NeedsCoordinatorEvaluationWalker(node, NULL);
}
