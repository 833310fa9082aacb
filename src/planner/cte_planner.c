/*-------------------------------------------------------------------------
 * cte_planner.c
 *	  Data-modifying CTEs whose statement is an UPDATE or DELETE of a
 *	  distributed table, e.g.
 *		WITH moved AS (DELETE FROM a WHERE ... RETURNING *)
 *		INSERT INTO b SELECT * FROM moved;
 *
 * The CTE's statement is planned on its own (router, multi-shard, moving
 * rows, ...), and its one reference becomes the placeholder
 * "shard.remote_scan(id)" whose path is a ShardScan of that statement
 * (planner/pushdown.c's registry): the statement runs, all of it, when
 * the scan is first read, and its RETURNING rows are the scan's rows.
 * Its changes do not count in the command tag (inCte).
 *
 * Only shapes where that is the same as PostgreSQL's "runs once, to
 * completion, with the statement's snapshot" are accepted: each modifying
 * CTE is referenced exactly once, at a level that reads it whole (the
 * only FROM item, no LIMIT/OFFSET, every WHERE conjunct reads a column),
 * the rest of the statement does not read the table the CTE modifies,
 * and the main statement is a SELECT or INSERT.  Anything else keeps the
 * "data-modifying WITH is not supported" error.  The CTE's relations are
 * added to the final plan's range table, so the executor checks its
 * privileges and takes its locks.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "planner/planner.h"

/* one modifying CTE being replaced */
typedef struct HoistedCte
{
	CommonTableExpr *cte;
	Oid			targetRelid;
	int			scanId;			/* RegisterPendingScan id, 0 before */
	int			references;		/* replaced references */
	List	   *columnTypes;	/* of the RETURNING list */
	List	   *columnTypmods;
	List	   *columnCollations;
} HoistedCte;

typedef struct ReplaceContext
{
	List	   *hoisted;		/* HoistedCte * */
	int			depth;			/* query level below the WITH */
	Oid			placeholderOid;
} ReplaceContext;

static HoistedCte *HoistableCte(CommonTableExpr *cte);
static bool ReplaceCteReferences(Query *query, ReplaceContext *context);
static bool ReplaceWalker(Node *node, ReplaceContext *context);
static bool LevelReadsWhole(Query *query, Index rtindex);
static bool PlanHoistedCte(HoistedCte *hoisted, const char *queryString,
						   ParamListInfo boundParams, Oid placeholderOid);

/*
 * HoistableCte returns a HoistedCte for a data-modifying CTE that is an
 * UPDATE or DELETE of a distributed table with RETURNING, referenced once
 * and reading no other CTE; NULL otherwise.
 */
static HoistedCte *
HoistableCte(CommonTableExpr *cte)
{
	Query	   *cq = (Query *) cte->ctequery;
	HoistedCte *hoisted;
	ListCell   *lc;
	Oid			relid;

	if (cq->commandType != CMD_UPDATE && cq->commandType != CMD_DELETE)
		return NULL;
	relid = rt_fetch(cq->resultRelation, cq->rtable)->relid;
	if (!IsDistributedTable(relid) || cte->cterefcount != 1 || cq->returningList == NIL ||
		cq->cteList != NIL || cq->hasModifyingCTE)
		return NULL;
	foreach(lc, cq->rtable)
		if (((RangeTblEntry *) lfirst(lc))->rtekind == RTE_CTE)
			return NULL;

	hoisted = palloc0(sizeof(HoistedCte));
	hoisted->cte = cte;
	hoisted->targetRelid = relid;
	foreach(lc, cq->returningList)
	{
		TargetEntry *tle = lfirst(lc);

		hoisted->columnTypes = lappend_oid(hoisted->columnTypes, exprType((Node *) tle->expr));
		hoisted->columnTypmods = lappend_int(hoisted->columnTypmods,
											 exprTypmod((Node *) tle->expr));
		hoisted->columnCollations = lappend_oid(hoisted->columnCollations,
												exprCollation((Node *) tle->expr));
	}
	return hoisted;
}

/*
 * LevelReadsWhole returns whether query reads every row of its FROM item
 * rtindex: the only FROM item, no LIMIT/OFFSET, set operation or grouping
 * sets, and each WHERE conjunct reads a column (a constant one could make
 * the planner skip the scan).
 */
static bool
LevelReadsWhole(Query *query, Index rtindex)
{
	List	   *conjuncts = make_ands_implicit((Expr *) query->jointree->quals);
	ListCell   *lc;

	if (list_length(query->jointree->fromlist) != 1 ||
		!IsA(linitial(query->jointree->fromlist), RangeTblRef) ||
		((RangeTblRef *) linitial(query->jointree->fromlist))->rtindex != (int) rtindex ||
		query->limitCount != NULL || query->limitOffset != NULL ||
		query->setOperations != NULL || query->groupingSets != NIL ||
		query->havingQual != NULL)
		return false;
	foreach(lc, conjuncts)
		if (!contain_var_clause(lfirst(lc)))
			return false;
	return true;
}

/*
 * ReplaceCteReferences turns query's references to hoisted CTEs (at the
 * level below the WITH given by context->depth) into placeholders.
 * Returns false (leaving the query unusable) when a reference is not read
 * whole.
 */
static bool
ReplaceCteReferences(Query *query, ReplaceContext *context)
{
	ListCell   *lc;
	Index		rtindex = 0;

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);
		ListCell   *hc;

		rtindex++;
		if (rte->rtekind != RTE_CTE || (int) rte->ctelevelsup != context->depth)
			continue;
		foreach(hc, context->hoisted)
		{
			HoistedCte *hoisted = lfirst(hc);
			RangeTblFunction *rtfunc;

			if (strcmp(hoisted->cte->ctename, rte->ctename) != 0)
				continue;
			if (!LevelReadsWhole(query, rtindex))
				return false;
			rtfunc = makeNode(RangeTblFunction);
			rtfunc->funcexpr = (Node *) makeFuncExpr(context->placeholderOid, RECORDOID,
													 list_make1(makeConst(INT4OID, -1, InvalidOid, 4,
																		  Int32GetDatum(hoisted->scanId),
																		  false, true)),
													 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
			((FuncExpr *) rtfunc->funcexpr)->funcretset = true;
			rtfunc->funccolcount = list_length(hoisted->columnTypes);
			rtfunc->funccolnames = copyObject(rte->eref->colnames);
			rtfunc->funccoltypes = list_copy(hoisted->columnTypes);
			rtfunc->funccoltypmods = list_copy(hoisted->columnTypmods);
			rtfunc->funccolcollations = list_copy(hoisted->columnCollations);
			rte->rtekind = RTE_FUNCTION;
			rte->functions = list_make1(rtfunc);
			rte->funcordinality = false;
			rte->ctename = NULL;
			rte->ctelevelsup = 0;
			rte->self_reference = false;
			rte->coltypes = NIL;
			rte->coltypmods = NIL;
			rte->colcollations = NIL;
			hoisted->references++;
		}
	}
	context->depth++;
	if (query_tree_walker(query, ReplaceWalker, context, 0))
		return false;
	context->depth--;
	return true;
}

/*
 * ReplaceWalker descends into the queries below a level; true stops.
 */
static bool
ReplaceWalker(Node *node, ReplaceContext *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return !ReplaceCteReferences((Query *) node, context);
	return expression_tree_walker(node, ReplaceWalker, context);
}

/*
 * PlanHoistedCte plans the CTE's statement and registers its ShardScan
 * under a placeholder id.  Returns false when the plan is not a ShardScan
 * of tasks (the statement needs the coordinator) or has foreign key
 * checks (executor/foreign_key_checks.c), which only a top-level scan
 * runs.
 */
static bool
PlanHoistedCte(HoistedCte *hoisted, const char *queryString, ParamListInfo boundParams,
			   Oid placeholderOid)
{
	PlannedStmt *plan = planner(copyObject((Query *) hoisted->cte->ctequery), queryString,
								0, boundParams);
	CustomScan *scan = (CustomScan *) plan->planTree;
	ShardPlanInfo *info;
	Query	   *runtimeQuery = NULL;
	List	   *colnames = NIL;
	ListCell   *lc;

	if (!IsA(scan, CustomScan) || scan->methods != &ShardScanMethods || scan->custom_plans != NIL)
		return false;
	info = ShardPlanInfoFromList(scan->custom_private);
	if (info->kind != SHARD_SCAN_ROUTER && info->kind != SHARD_SCAN_MULTI)
		return false;
	/* the placeholder's scan has no hidden foreign key columns to check */
	foreach(lc, scan->custom_scan_tlist)
		if (IsForeignKeyReturning(lfirst_node(TargetEntry, lc)))
			return false;
	info->inCte = true;
	/* a statement deparsed at run time follows the plan description */
	if (list_length(scan->custom_private) > list_length(ShardPlanInfoToList(info)))
		runtimeQuery = list_nth(scan->custom_private, list_length(ShardPlanInfoToList(info)));
	foreach(lc, ((Query *) hoisted->cte->ctequery)->returningList)
	{
		TargetEntry *tle = lfirst(lc);

		colnames = lappend(colnames, makeString(pstrdup(tle->resname ? tle->resname : "?column?")));
	}
	hoisted->scanId = RegisterPendingScan(info, runtimeQuery, scan->custom_exprs, colnames,
										  placeholderOid);
	return true;
}

/*
 * PlanWithModifyingCtes returns the plan of a statement whose modifying
 * CTEs update or delete distributed tables, or NULL when its shape is not
 * one described in the file comment.
 */
PlannedStmt *
PlanWithModifyingCtes(Query *parse, const char *queryString, int cursorOptions,
					  ParamListInfo boundParams)
{
	Query	   *main = copyObject(parse);
	ReplaceContext context;
	List	   *keptCtes = NIL;
	List	   *cteRtes = NIL;
	List	   *relids = NIL;
	PlannedStmt *plan = NULL;
	Oid			argType = INT4OID;
	ListCell   *lc;

	memset(&context, 0, sizeof(context));
	if (main->commandType != CMD_SELECT && main->commandType != CMD_INSERT)
		return NULL;
	context.placeholderOid = LookupFuncName(list_make2(makeString("shard"),
													   makeString("remote_scan")),
											1, &argType, true);
	if (!OidIsValid(context.placeholderOid))
		return NULL;
	foreach(lc, main->cteList)
	{
		CommonTableExpr *cte = lfirst(lc);
		HoistedCte *hoisted;

		if (((Query *) cte->ctequery)->commandType == CMD_SELECT)
		{
			keptCtes = lappend(keptCtes, cte);
			continue;
		}
		hoisted = HoistableCte(cte);
		if (hoisted == NULL)
			return NULL;
		context.hoisted = lappend(context.hoisted, hoisted);
	}

	PG_TRY();
	{
		bool		ok = true;

		foreach(lc, context.hoisted)
		{
			HoistedCte *hoisted = lfirst(lc);

			ok = ok && PlanHoistedCte(hoisted, queryString, boundParams,
									  context.placeholderOid);
			cteRtes = list_concat(cteRtes,
								  copyObject(((Query *) hoisted->cte->ctequery)->rtable));
			cteRtes = list_concat(cteRtes,
								  CollectNestedRelationRtes((Query *) hoisted->cte->ctequery));
		}
		main->cteList = keptCtes;
		main->hasModifyingCTE = false;
		ok = ok && ReplaceCteReferences(main, &context);
		foreach(lc, context.hoisted)
		{
			HoistedCte *hoisted = lfirst(lc);

			/* exactly one reference, and the rest does not read its table */
			ok = ok && hoisted->references == 1;
		}
		if (ok)
		{
			(void) FindDistributedRelations(main, &relids);
			foreach(lc, context.hoisted)
				ok = ok && !list_member_oid(relids, ((HoistedCte *) lfirst(lc))->targetRelid);
		}
		if (ok)
			plan = planner(main, queryString, cursorOptions, boundParams);
	}
	PG_FINALLY();
	{
		foreach(lc, context.hoisted)
			if (((HoistedCte *) lfirst(lc))->scanId != 0)
				UnregisterPendingScan(((HoistedCte *) lfirst(lc))->scanId);
	}
	PG_END_TRY();

	if (plan == NULL)
		return NULL;
	/* the CTEs' relations: privileges, locks, invalidation */
	foreach(lc, cteRtes)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind != RTE_RELATION)
			continue;
		rte->inFromCl = false;
		plan->rtable = lappend(plan->rtable, rte);
		plan->relationOids = lappend_oid(plan->relationOids, rte->relid);
	}
	plan->hasModifyingCTE = false;
	return plan;
}
