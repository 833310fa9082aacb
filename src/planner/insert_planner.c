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

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "deparse/deparse.h"
#include "metadata/foreign_keys.h"
#include "planner/planner.h"

static Query *BuildInsertSourceQuery(Query *query, Relation rel);
static void CheckOnConflict(Query *query, DistTableEntry *table);
static Query *BuildUpsertTemplate(Query *query, Relation rel);
static PlannedStmt *PlanColocatedInsertSelect(Query *query, DistTableEntry *table,
											  List *allRelids);

/*
 * PlanColocatedInsertSelect returns a plan that runs INSERT ... SELECT
 * inside the shards, one statement per shard index, or NULL when rows may
 * have to move between shards: the SELECT must decompose per shard group
 * of the target's co-location group and give the target's distribution
 * column straight from a column that carries the distribution value.
 * Defaults that use sequences are not shippable, so such INSERTs stay on
 * the coordinator and get unique values there.
 */
static PlannedStmt *
PlanColocatedInsertSelect(Query *query, DistTableEntry *table, List *allRelids)
{
	RangeTblEntry *source;
	RangeTblRef *rtr;
	TargetEntry *distTle = NULL;
	List	   *distOutput = NIL;
	int			colocationId = -1;
	const char *reason = NULL;
	ShardPlanInfo *info;
	CustomScan *scan;
	Var		   *var;
	ListCell   *lc;
	int			i;

	if (list_length(query->jointree->fromlist) != 1 || query->cteList != NIL ||
		query->jointree->quals != NULL)
		return NULL;
	/* the coordinator checks the rows of keys the shards cannot check */
	{
		Relation	rel = table_open(table->relid, NoLock);
		bool		coordinatorKeys = (CoordinatorForeignKeys(rel, true) != NIL);

		table_close(rel, NoLock);
		if (coordinatorKeys)
			return NULL;
	}
	rtr = linitial(query->jointree->fromlist);
	if (!IsA(rtr, RangeTblRef))
		return NULL;
	source = rt_fetch(rtr->rtindex, query->rtable);
	if (source->rtekind != RTE_SUBQUERY)
		return NULL;

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk && tle->resno == table->distAttno)
			distTle = tle;
	}
	if (distTle == NULL || !IsA(distTle->expr, Var))
		return NULL;
	var = (Var *) distTle->expr;
	if (var->varno != rtr->rtindex || var->varlevelsup != 0 ||
		var->vartype != table->distType)
		return NULL;

	if (NotShippableReason((Node *) query) != NULL ||
		NeedsCoordinatorEvaluation((Node *) query) ||
		OutputNotReadableReason(query->returningList) != NULL)
		return NULL;
	if (!SubqueryDecomposes(source->subquery, &colocationId, &distOutput, &reason) ||
		colocationId != table->colocationId ||
		!list_member_int(distOutput, var->varattno))
		return NULL;
	foreach(lc, allRelids)
	{
		DistTableEntry *other = LookupDistTable(lfirst_oid(lc));

		if (other == NULL || other->method != DIST_METHOD_HASH ||
			other->colocationId != table->colocationId)
			return NULL;
	}

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_MULTI;
	info->commandType = CMD_INSERT;
	info->anchorRelid = table->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "insert select in the shards";
	for (i = 0; i < table->shardCount; i++)
	{
		info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
		info->taskSql = lappend(info->taskSql, makeString(DeparseForShard(query, i, NULL)));
	}
	scan = MakeShardScan(info);
	scan->custom_exprs = list_make1(makeNullConst(INT4OID, -1, InvalidOid));
	return MakeShardPlannedStmt(query, scan, query->returningList, allRelids);
}

/* a varno no query uses, for renumbering in two steps */
#define UPSERT_TEMP_VARNO	100000

/*
 * CheckOnConflict throws unless the ON CONFLICT clause of query can run on
 * each shard alone: its arbiter includes the distribution column, DO UPDATE
 * leaves that column alone, and every expression can be shipped.  On a
 * reference table any arbiter works, but nothing may be volatile: every
 * copy must come out the same.
 */
static void
CheckOnConflict(Query *query, DistTableEntry *table)
{
	OnConflictExpr *oc = query->onConflict;
	bool		hasDistColumn = false;
	const char *reason;
	ListCell   *lc;

	if (table->method != DIST_METHOD_HASH)
	{
		/* one copy per node, each with every row: any arbiter works */
		CheckReferenceWriteDeterministic((Node *) oc, table, "INSERT ... ON CONFLICT");
		hasDistColumn = true;
	}
	else if (OidIsValid(oc->constraint))
	{
		HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(oc->constraint));
		Datum		conkey;
		bool		isnull;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for constraint %u", oc->constraint);
		conkey = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conkey, &isnull);
		if (!isnull)
		{
			ArrayType  *keys = DatumGetArrayTypeP(conkey);
			int16	   *attnums = (int16 *) ARR_DATA_PTR(keys);
			int			i;

			for (i = 0; i < ARR_DIMS(keys)[0]; i++)
				if (attnums[i] == table->distAttno)
					hasDistColumn = true;
		}
		ReleaseSysCache(tuple);
	}
	else if (oc->arbiterElems != NIL)
	{
		foreach(lc, oc->arbiterElems)
		{
			InferenceElem *elem = lfirst_node(InferenceElem, lc);

			if (IsA(elem->expr, Var) &&
				((Var *) elem->expr)->varattno == table->distAttno)
				hasDistColumn = true;
		}
	}
	else
		hasDistColumn = (oc->action == ONCONFLICT_NOTHING);

	if (!hasDistColumn)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON CONFLICT on distributed table \"%s\" needs a conflict target that includes distribution column \"%s\"",
						table->relName, get_attname(table->relid, table->distAttno, false)),
				 errdetail("Each shard can only check conflicts among its own rows."),
				 errhint("Name a unique index or constraint that contains the distribution column.")));

	foreach(lc, oc->onConflictSet)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (!tle->resjunk && table->method == DIST_METHOD_HASH &&
			tle->resno == table->distAttno)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("ON CONFLICT DO UPDATE cannot change distribution column \"%s\" of table \"%s\"",
							get_attname(table->relid, table->distAttno, false), table->relName),
					 errhint("Leave the distribution column out of DO UPDATE SET.")));
	}

	CheckOnConflictForeignKeys(query);
	reason = NotShippableReason((Node *) oc);
	if (reason == NULL)
		reason = NotShippableReason((Node *) query->returningList);
	if (reason == NULL)
		reason = OutputNotReadableReason(query->returningList);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("INSERT ... ON CONFLICT on distributed table \"%s\" cannot be run on the shards",
						table->relName),
				 errdetail("%s", reason),
				 errhint("Compute the value in a separate query and pass it as a constant.")));
}

/*
 * BuildUpsertTemplate returns INSERT INTO rel (columns) VALUES <none yet>
 * ON CONFLICT ... RETURNING ..., with the rtable [target, VALUES,
 * excluded], for the executor to fill with each shard's rows as constants
 * and deparse (executor/insert_batcher.c).
 */
static Query *
BuildUpsertTemplate(Query *query, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Query	   *result = makeNode(Query);
	OnConflictExpr *oc = copyObject(query->onConflict);
	List	   *returning = copyObject(query->returningList);
	RangeTblEntry *target = copyObject(rt_fetch(query->resultRelation, query->rtable));
	RangeTblEntry *values = makeNode(RangeTblEntry);
	RangeTblEntry *excluded = NULL;
	RangeTblRef *rtr = makeNode(RangeTblRef);
	List	   *colnames = NIL;
	AttrNumber	attno;
	int			position = 0;

	values->rtekind = RTE_VALUES;
	values->inFromCl = true;
	for (attno = 1; attno <= desc->natts; attno++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, attno - 1);

		if (attr->attisdropped)
			continue;
		position++;
		values->coltypes = lappend_oid(values->coltypes, attr->atttypid);
		values->coltypmods = lappend_int(values->coltypmods, attr->atttypmod);
		values->colcollations = lappend_oid(values->colcollations, attr->attcollation);
		colnames = lappend(colnames, makeString(pstrdup(NameStr(attr->attname))));
		result->targetList = lappend(result->targetList,
									 makeTargetEntry((Expr *) makeVar(2, position, attr->atttypid,
																	  attr->atttypmod,
																	  attr->attcollation, 0),
													 attno, pstrdup(NameStr(attr->attname)),
													 false));
	}
	values->eref = makeAlias("v", colnames);

	/* target becomes 1, excluded 3 */
	if (oc->exclRelIndex > 0)
	{
		excluded = copyObject(rt_fetch(oc->exclRelIndex, query->rtable));
		ChangeVarNodes((Node *) oc, oc->exclRelIndex, UPSERT_TEMP_VARNO, 0);
	}
	ChangeVarNodes((Node *) oc, query->resultRelation, 1, 0);
	ChangeVarNodes((Node *) returning, query->resultRelation, 1, 0);
	if (excluded != NULL)
	{
		ChangeVarNodes((Node *) oc, UPSERT_TEMP_VARNO, 3, 0);
		oc->exclRelIndex = 3;
	}

	result->commandType = CMD_INSERT;
	result->querySource = QSRC_ORIGINAL;
	result->canSetTag = true;
	result->resultRelation = 1;
	result->rtable = list_make2(target, values);
	if (excluded != NULL)
		result->rtable = lappend(result->rtable, excluded);
	rtr->rtindex = 2;
	result->jointree = makeFromExpr(list_make1(rtr), NULL);
	result->onConflict = oc;
	result->returningList = returning;
	result->hasSubLinks = query->hasSubLinks;
	result->override = query->override;
	return result;
}

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
	bool		outputReturning;

	if (query->onConflict != NULL)
		CheckOnConflict(query, table);

	/* rows for a reference table go through the coordinator to every copy */
	sourcePlan = table->method == DIST_METHOD_HASH ?
		PlanColocatedInsertSelect(query, table, allRelids) : NULL;
	if (sourcePlan != NULL)
		return sourcePlan;

	rel = table_open(targetRte->relid, NoLock);
	outputReturning = (query->returningList != NIL);
	natts = RelationGetDescr(rel)->natts;

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_INSERT;
	info->commandType = CMD_INSERT;
	info->anchorRelid = table->relid;
	info->targetRelid = table->relid;
	/* ON CONFLICT: the keys of the rows the nodes return are checked */
	if (query->onConflict != NULL)
		(void) AddUpsertForeignKeyReturning(query);
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "routed insert";
	source = BuildInsertSourceQuery(query, rel);
	info->distColumnIndex = table->distAttno - 1;
	info->singleRowInsert = (query->jointree->fromlist == NIL);
	/* ON CONFLICT: the statement template travels as the only task SQL */
	if (query->onConflict != NULL)
		info->taskSql = list_make1(makeString(nodeToString(BuildUpsertTemplate(query, rel))));
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
		if (position > natts && !IsForeignKeyReturning(tle))
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
	sourcePlan->hasReturning = outputReturning;
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
