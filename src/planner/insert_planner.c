/*-------------------------------------------------------------------------
 * insert_planner.c
 *	  INSERT into a distributed table: the rows to insert (VALUES lists,
 *	  defaults, serial and identity columns, or a SELECT) are computed on the
 *	  coordinator by a plan from PostgreSQL's planner, and a ShardScan on top
 *	  routes each row to its shard by the hash of its distribution column.
 *
 * The child plan returns one column per attribute of the target, in
 * attribute order (NULL for dropped ones), followed by the RETURNING
 * expressions computed from those same values.  So every default and
 * sequence value is evaluated exactly once, on the coordinator, and
 * RETURNING rows come back in the order of the VALUES rows, as on one
 * server.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "planner/planner.h"

static Query *BuildInsertSourceQuery(Query *query, Relation rel);

/*
 * BuildInsertSourceQuery returns a SELECT that computes the rows (and
 * RETURNING values) of INSERT query on relation rel.
 */
static Query *
BuildInsertSourceQuery(Query *query, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Query	   *inner = copyObject(query);
	List	   *columns = NIL;
	AttrNumber	attno;
	ListCell   *lc;
	Query	   *outer;
	RangeTblEntry *subRte;
	RangeTblRef *rtr;
	List	   *outerTlist = NIL;
	List	   *colnames = NIL;

	for (attno = 1; attno <= desc->natts; attno++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, attno - 1);
		Expr	   *expr = NULL;
		char	   *name;

		foreach(lc, query->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (!tle->resjunk && tle->resno == attno)
				expr = copyObject(tle->expr);
		}
		if (attr->attisdropped)
		{
			expr = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
			name = psprintf("dropped_%d", attno);
		}
		else
		{
			if (expr == NULL)
				expr = (Expr *) makeNullConst(attr->atttypid, attr->atttypmod,
											  attr->attcollation);
			name = pstrdup(NameStr(attr->attname));
		}
		columns = lappend(columns, makeTargetEntry(expr, attno, name, false));
		colnames = lappend(colnames, makeString(name));
	}

	inner->commandType = CMD_SELECT;
	inner->resultRelation = 0;
	inner->onConflict = NULL;
	inner->returningList = NIL;
	inner->targetList = columns;
	inner->canSetTag = true;

	if (query->returningList == NIL)
		return inner;

	/* SELECT cols..., returning... FROM (inner) ins */
	outer = makeNode(Query);
	outer->commandType = CMD_SELECT;
	outer->querySource = QSRC_ORIGINAL;
	outer->canSetTag = true;
	subRte = makeNode(RangeTblEntry);
	subRte->rtekind = RTE_SUBQUERY;
	subRte->subquery = inner;
	subRte->alias = NULL;
	subRte->eref = makeAlias("ins", colnames);
	subRte->inFromCl = true;
	outer->rtable = list_make1(subRte);
	rtr = makeNode(RangeTblRef);
	rtr->rtindex = 1;
	outer->jointree = makeFromExpr(list_make1(rtr), NULL);

	foreach(lc, columns)
	{
		TargetEntry *tle = lfirst(lc);
		Node	   *expr = (Node *) tle->expr;

		outerTlist = lappend(outerTlist,
							 makeTargetEntry((Expr *) makeVar(1, tle->resno, exprType(expr),
															  exprTypmod(expr),
															  exprCollation(expr), 0),
											 tle->resno, tle->resname, false));
	}
	foreach(lc, query->returningList)
	{
		TargetEntry *tle = copyObject(lfirst(lc));

		ChangeVarNodes((Node *) tle->expr, query->resultRelation, 1, 0);
		tle->resno = list_length(outerTlist) + 1;
		outerTlist = lappend(outerTlist, tle);
	}
	outer->targetList = outerTlist;
	outer->hasSubLinks = query->hasSubLinks;
	return outer;
}

/*
 * PlanDistributedInsert returns the plan of an INSERT whose target is a
 * distributed table.  Throws for the forms that are not supported.
 */
PlannedStmt *
PlanDistributedInsert(Query *query, const char *queryString, List *distRels,
					  List *allRelids, int cursorOptions, ParamListInfo boundParams)
{
	RangeTblEntry *targetRte = rt_fetch(query->resultRelation, query->rtable);
	DistTableEntry *table = LookupDistTable(targetRte->relid);
	Relation	rel;
	Query	   *source;
	PlannedStmt *sourcePlan;
	ShardPlanInfo *info;
	CustomScan *scan;
	List	   *scanTlist = NIL;
	List	   *planTlist = NIL;
	ListCell   *lc;
	int			natts;
	AttrNumber	attno;
	int			position = 0;

	if (query->onConflict != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("INSERT ... ON CONFLICT into distributed table \"%s\" is not supported yet",
						table->relName)));
	if (table->method != DIST_METHOD_HASH)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("INSERT into reference table \"%s\" is not supported yet",
						table->relName)));

	rel = table_open(targetRte->relid, NoLock);
	source = BuildInsertSourceQuery(query, rel);
	natts = RelationGetDescr(rel)->natts;

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_INSERT;
	info->commandType = CMD_INSERT;
	info->anchorRelid = table->relid;
	info->targetRelid = table->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "routed insert";
	info->distColumnIndex = table->distAttno - 1;
	info->singleRowInsert = (query->jointree->fromlist == NIL);
	for (attno = 1; attno <= natts; attno++)
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);

		if (attr->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("INSERT into distributed table \"%s\" with generated column \"%s\" is not supported",
							table->relName, NameStr(attr->attname))));
		info->insertAttrs = lappend_int(info->insertAttrs, attr->attisdropped ? 0 : attno);
	}
	table_close(rel, NoLock);

	/* rows are sent from this backend: no parallel workers below the routing */
	sourcePlan = standard_planner(source, queryString,
								  cursorOptions & ~CURSOR_OPT_PARALLEL_OK, boundParams);

	/* the scan tuple is the child's output; the node returns RETURNING */
	foreach(lc, sourcePlan->planTree->targetlist)
	{
		TargetEntry *tle = lfirst(lc);
		Node	   *expr = (Node *) tle->expr;
		Var		   *var;

		if (tle->resjunk)
			continue;
		position++;
		var = makeVar(OUTER_VAR, position, exprType(expr), exprTypmod(expr),
					  exprCollation(expr), 0);
		scanTlist = lappend(scanTlist, makeTargetEntry((Expr *) var, position,
													   tle->resname, false));
		if (position > natts)
			planTlist = lappend(planTlist,
								makeTargetEntry((Expr *) makeVar(INDEX_VAR, position,
																 exprType(expr),
																 exprTypmod(expr),
																 exprCollation(expr), 0),
												list_length(planTlist) + 1,
												tle->resname, false));
	}

	scan = MakeShardScan(info);
	scan->custom_plans = list_make1(sourcePlan->planTree);
	scan->custom_scan_tlist = scanTlist;
	scan->scan.plan.targetlist = planTlist;
	scan->scan.scanrelid = 0;
	scan->scan.plan.startup_cost = sourcePlan->planTree->startup_cost;
	scan->scan.plan.total_cost = sourcePlan->planTree->total_cost;
	scan->scan.plan.plan_rows = sourcePlan->planTree->plan_rows;
	scan->scan.plan.plan_width = sourcePlan->planTree->plan_width;
	scan->scan.plan.parallel_safe = false;

	sourcePlan->planTree = (Plan *) scan;
	sourcePlan->commandType = CMD_INSERT;
	sourcePlan->hasReturning = info->hasReturning;
	sourcePlan->canSetTag = query->canSetTag;
	sourcePlan->hasModifyingCTE = query->hasModifyingCTE;
	sourcePlan->parallelModeNeeded = false;
	sourcePlan->queryId = query->queryId;
	sourcePlan->stmt_location = query->stmt_location;
	sourcePlan->stmt_len = query->stmt_len;
	foreach(lc, allRelids)
		sourcePlan->relationOids = list_append_unique_oid(sourcePlan->relationOids,
														  lfirst_oid(lc));
	(void) distRels;
	return sourcePlan;
}
