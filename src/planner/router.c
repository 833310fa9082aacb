/*-------------------------------------------------------------------------
 * router.c
 *	  Router plans (the whole statement runs on one shard group as one task)
 *	  and multi-shard modifications (one statement per shard).
 *
 * A statement is routable when every distributed table in it is in the
 * top-level range table, all of them are co-located hash tables (reference
 * tables, at any depth, read the copy on the task's node; a reference
 * table is never the target here), every relation in it is distributed,
 * everything in it can be shipped, and each table is pinned to one shard by "distribution column = constant or
 * parameter" among the conjuncts that filter the result (directly, or
 * through equalities between distribution columns).  A parameter pins at
 * run time: the plan then carries one statement per shard index and picks
 * one when it runs, which keeps generic plans of prepared statements on
 * the fast path.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "catalog/pg_opfamily.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "deparse/deparse.h"
#include "planner/planner.h"

/* per range table entry state of the pin analysis */
typedef struct PinEntry
{
	DistTableEntry *table;		/* NULL: not a distributed table */
	int			parent;			/* union-find over equal dist columns */
	Expr	   *pin;			/* Const or Param, or NULL */
} PinEntry;

static void CollectFilterConjuncts(Query *query, Node *jtnode, List **conjuncts);
static void AddConjuncts(Node *qual, List **conjuncts);
static Var *ResolveDistColumn(Query *query, Node *node, PinEntry *pins, int npins);
static int	FindRoot(PinEntry *pins, int i);
static bool IsPinValue(Node *node);
static Node *StripRelabel(Node *node);
static bool ContainsParamWalker(Node *node, void *context);
static bool CanShipConstsAsParams(Query *query);
static void CheckDistColumnNotUpdated(Query *query, DistTableEntry *table);
static bool AllRelationsDistributed(List *allRelids);
static bool DistValueStaysOnShard(Expr *newValue, DistTableEntry *target, int constShard,
								  Expr *paramPin, ParamListInfo boundParams);

/*
 * StripRelabel removes binary-compatible relabelings.
 */
static Node *
StripRelabel(Node *node)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return node;
}

/*
 * IsPinValue returns whether node can pin a shard: a constant or an
 * external parameter.
 */
static bool
IsPinValue(Node *node)
{
	node = StripRelabel(node);
	if (node == NULL)
		return false;
	if (IsA(node, Const))
		return true;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
		return true;
	return false;
}

/*
 * AddConjuncts appends the AND-ed parts of qual to *conjuncts.
 */
static void
AddConjuncts(Node *qual, List **conjuncts)
{
	if (qual == NULL)
		return;
	if (IsA(qual, List))
	{
		ListCell   *lc;

		foreach(lc, (List *) qual)
			AddConjuncts(lfirst(lc), conjuncts);
		return;
	}
	if (is_andclause(qual))
	{
		AddConjuncts((Node *) ((BoolExpr *) qual)->args, conjuncts);
		return;
	}
	*conjuncts = lappend(*conjuncts, qual);
}

/*
 * CollectFilterConjuncts appends the conjuncts that filter the rows of the
 * join tree node jtnode: WHERE, and ON of inner joins on the preserved side
 * of outer joins.
 */
static void
CollectFilterConjuncts(Query *query, Node *jtnode, List **conjuncts)
{
	if (jtnode == NULL)
		return;
	if (IsA(jtnode, FromExpr))
	{
		FromExpr   *f = (FromExpr *) jtnode;
		ListCell   *lc;

		AddConjuncts(f->quals, conjuncts);
		foreach(lc, f->fromlist)
			CollectFilterConjuncts(query, lfirst(lc), conjuncts);
	}
	else if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;

		switch (j->jointype)
		{
			case JOIN_INNER:
				AddConjuncts(j->quals, conjuncts);
				CollectFilterConjuncts(query, j->larg, conjuncts);
				CollectFilterConjuncts(query, j->rarg, conjuncts);
				break;
			case JOIN_LEFT:
				CollectFilterConjuncts(query, j->larg, conjuncts);
				break;
			case JOIN_RIGHT:
				CollectFilterConjuncts(query, j->rarg, conjuncts);
				break;
			default:
				break;
		}
	}
}

/*
 * ResolveDistColumn returns the Var if node is (a relabeling of) the
 * distribution column of a distributed table of the top-level range
 * table, following join alias columns; else NULL.
 */
static Var *
ResolveDistColumn(Query *query, Node *node, PinEntry *pins, int npins)
{
	Var		   *var;
	RangeTblEntry *rte;

	node = StripRelabel(node);
	if (node == NULL || !IsA(node, Var))
		return NULL;
	var = (Var *) node;
	if (var->varlevelsup != 0 || var->varno < 1 || var->varno >= npins)
		return NULL;

	rte = rt_fetch(var->varno, query->rtable);
	if (rte->rtekind == RTE_JOIN)
	{
		if (var->varattno <= 0 || var->varattno > list_length(rte->joinaliasvars))
			return NULL;
		return ResolveDistColumn(query, list_nth(rte->joinaliasvars, var->varattno - 1),
								 pins, npins);
	}
	if (pins[var->varno].table == NULL ||
		var->varattno != pins[var->varno].table->distAttno)
		return NULL;
	return var;
}

/*
 * FindRoot returns the representative of i's class of equal distribution
 * columns.
 */
static int
FindRoot(PinEntry *pins, int i)
{
	while (pins[i].parent != i)
		i = pins[i].parent = pins[pins[i].parent].parent;
	return i;
}

/*
 * BoundParamAsConst returns a Const for an external parameter whose value
 * is fixed for this plan (a custom plan of a prepared statement), or NULL.
 */
Expr *
BoundParamAsConst(Param *param, ParamListInfo boundParams)
{
	ParamExternData *prm;
	ParamExternData prmdata;

	if (boundParams == NULL || param->paramid <= 0 || param->paramid > boundParams->numParams)
		return NULL;
	if (boundParams->paramFetch != NULL)
		prm = boundParams->paramFetch(boundParams, param->paramid, false, &prmdata);
	else
		prm = &boundParams->params[param->paramid - 1];
	if (!OidIsValid(prm->ptype) || !(prm->pflags & PARAM_FLAG_CONST) ||
		prm->ptype != param->paramtype)
		return NULL;
	return (Expr *) makeConst(param->paramtype, param->paramtypmod, param->paramcollid,
							  get_typlen(param->paramtype), prm->value, prm->isnull,
							  get_typbyval(param->paramtype));
}

/*
 * ShardIndexForConst returns the shard of table that holds rows whose
 * distribution column equals value (shard 0 for NULL, which matches no
 * row).
 */
int
ShardIndexForConst(DistTableEntry *table, Const *value)
{
	if (value->constisnull)
		return 0;
	return ShardIndexForTypedValue(table, value->constvalue, value->consttype);
}

/*
 * PinnedValueOfClause returns the Const or external Param that clause
 * requires the distribution column of table to equal, when clause is
 * "column = value" (either side) with an equality of the column's hash
 * operator family and the column is a Var at rtindex; else NULL.
 */
Expr *
PinnedValueOfClause(Node *clause, Index rtindex, DistTableEntry *table)
{
	OpExpr	   *op = (OpExpr *) clause;
	Node	   *left;
	Node	   *right;
	Var		   *var;
	Node	   *value;

	if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
		!op_in_opfamily(op->opno, table->hashOpfamily))
		return NULL;
	left = StripRelabel(linitial(op->args));
	right = StripRelabel(lsecond(op->args));
	if (IsA(left, Var))
	{
		var = (Var *) left;
		value = right;
	}
	else if (IsA(right, Var))
	{
		var = (Var *) right;
		value = left;
	}
	else
		return NULL;
	if (var->varlevelsup != 0 || var->varno != rtindex || var->varattno != table->distAttno ||
		!IsPinValue(value))
		return NULL;
	return (Expr *) value;
}

/*
 * AllRelationsDistributed returns whether every relation in relids is a
 * distributed table (local tables cannot be shipped).
 */
static bool
AllRelationsDistributed(List *relids)
{
	ListCell   *lc;

	foreach(lc, relids)
	{
		if (!IsDistributedTable(lfirst_oid(lc)))
			return false;
	}
	return true;
}

/*
 * CheckDistColumnNotUpdated throws if an UPDATE assigns the distribution
 * column of its target (for statements that run on many shards).
 */
static void
CheckDistColumnNotUpdated(Query *query, DistTableEntry *table)
{
	ListCell   *lc;

	if (query->commandType != CMD_UPDATE)
		return;
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk && tle->resno == table->distAttno)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update distribution column \"%s\" of table \"%s\"",
							get_attname(table->relid, table->distAttno, false),
							table->relName),
					 errdetail("Changing the distribution column would move the row to another shard."),
					 errhint("Delete the row and insert it again with the new value.")));
	}
}

/*
 * DistValueStaysOnShard returns whether the new distribution value of a
 * router UPDATE provably routes to the shard the statement is pinned to:
 * a constant of the pinned shard, or the very parameter that pins it.
 */
static bool
DistValueStaysOnShard(Expr *newValue, DistTableEntry *target, int constShard,
					  Expr *paramPin, ParamListInfo boundParams)
{
	Node	   *value = StripRelabel((Node *) newValue);

	if (IsA(value, Param) && ((Param *) value)->paramkind == PARAM_EXTERN)
	{
		Expr	   *bound = BoundParamAsConst((Param *) value, boundParams);

		if (paramPin != NULL && equal(value, StripRelabel((Node *) paramPin)))
			return true;
		if (bound != NULL)
			value = (Node *) bound;
	}
	if (IsA(value, Const) && constShard >= 0 && paramPin == NULL)
		return !((Const *) value)->constisnull &&
			ShardIndexForConst(target, (Const *) value) == constShard;
	return false;
}

/*
 * PlanRouterStatement returns a router plan for query, or NULL (with
 * *reason set) when it is not routable.  Throws only for statements that
 * cannot run at all.
 */
PlannedStmt *
PlanRouterStatement(Query *query, List *distRels, List *allRelids,
					ParamListInfo boundParams, const char **reason)
{
	int			npins = list_length(query->rtable) + 1;
	PinEntry   *pins;
	List	   *conjuncts = NIL;
	ListCell   *lc;
	int			colocationId = -1;
	DistTableEntry *anchor = NULL;
	Expr	   *paramPin = NULL;
	int			constShard = -1;
	int			i;
	int			root = -1;
	ShardPlanInfo *info;
	List	   *customExprs = NIL;
	const char *notShippable;
	bool		deparseAtRuntime;
	Expr	   *newDistValue = NULL;

	foreach(lc, distRels)
	{
		DistRelationRef *ref = lfirst(lc);
		DistTableEntry *table = LookupDistTable(ref->relid);

		/* a reference table has a copy beside every shard */
		if (table->method != DIST_METHOD_HASH)
		{
			if (query->commandType != CMD_SELECT && ref->rtindex == query->resultRelation &&
				ref->queryLevel == 0)
			{
				*reason = "a write to a reference table reads hash-distributed tables";
				return NULL;
			}
			continue;
		}
		if (ref->queryLevel != 0)
		{
			*reason = "a distributed table is used in a subquery";
			return NULL;
		}
		if (colocationId >= 0 && table->colocationId != colocationId)
		{
			*reason = "the distributed tables are not co-located";
			return NULL;
		}
		colocationId = table->colocationId;
	}
	if (!AllRelationsDistributed(allRelids))
	{
		*reason = "the statement uses a local table";
		return NULL;
	}
	if (query->hasModifyingCTE && query->commandType == CMD_SELECT)
	{
		*reason = "the statement has a data-modifying WITH";
		return NULL;
	}
	notShippable = NotShippableReason((Node *) query);
	if (notShippable != NULL)
	{
		*reason = notShippable;
		return NULL;
	}

	/* pin analysis over the top-level range table */
	pins = palloc0(sizeof(PinEntry) * npins);
	for (i = 0; i < npins; i++)
		pins[i].parent = i;
	foreach(lc, distRels)
	{
		DistRelationRef *ref = lfirst(lc);
		DistTableEntry *table = LookupDistTable(ref->relid);

		if (table->method != DIST_METHOD_HASH)
			continue;
		pins[ref->rtindex].table = table;
		if (anchor == NULL)
			anchor = table;
	}
	if (anchor == NULL)
	{
		*reason = "no hash-distributed table";
		return NULL;
	}

	CollectFilterConjuncts(query, (Node *) query->jointree, &conjuncts);
	foreach(lc, conjuncts)
	{
		OpExpr	   *op = lfirst(lc);
		Var		   *leftVar;
		Var		   *rightVar;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
			!op_in_opfamily(op->opno, anchor->hashOpfamily))
			continue;
		leftVar = ResolveDistColumn(query, linitial(op->args), pins, npins);
		rightVar = ResolveDistColumn(query, lsecond(op->args), pins, npins);
		if (leftVar != NULL && rightVar != NULL)
		{
			int			a = FindRoot(pins, leftVar->varno);
			int			b = FindRoot(pins, rightVar->varno);

			pins[a].parent = b;
		}
		else if (leftVar != NULL && IsPinValue(lsecond(op->args)))
		{
			if (pins[leftVar->varno].pin == NULL ||
				!IsA(pins[leftVar->varno].pin, Const))
				pins[leftVar->varno].pin = (Expr *) StripRelabel(lsecond(op->args));
		}
		else if (rightVar != NULL && IsPinValue(linitial(op->args)))
		{
			if (pins[rightVar->varno].pin == NULL ||
				!IsA(pins[rightVar->varno].pin, Const))
				pins[rightVar->varno].pin = (Expr *) StripRelabel(linitial(op->args));
		}
	}

	/* move pins to the class roots, preferring constants */
	for (i = 1; i < npins; i++)
	{
		int			r;

		if (pins[i].table == NULL || pins[i].pin == NULL)
			continue;
		r = FindRoot(pins, i);
		if (r != i && (pins[r].pin == NULL || !IsA(pins[r].pin, Const)))
			pins[r].pin = pins[i].pin;
	}

	/*
	 * Every class needs a pin.  With one class, its pin decides; with more,
	 * each must be a constant and all must land on the same shard index.
	 */
	for (i = 1; i < npins; i++)
	{
		int			r;
		Expr	   *pin;

		if (pins[i].table == NULL)
			continue;
		r = FindRoot(pins, i);
		pin = pins[r].pin;
		if (pin == NULL)
		{
			*reason = "the distribution column is not filtered by an equality";
			return NULL;
		}
		if (IsA(pin, Param))
		{
			Expr	   *bound = BoundParamAsConst((Param *) pin, boundParams);

			if (bound != NULL)
				pin = pins[r].pin = bound;
		}
		if (IsA(pin, Const))
		{
			int			shard = ShardIndexForConst(pins[i].table, (Const *) pin);

			if (constShard >= 0 && shard != constShard && !((Const *) pin)->constisnull)
			{
				*reason = "the filters select different shards";
				return NULL;
			}
			if (constShard < 0 || !((Const *) pin)->constisnull)
				constShard = shard;
		}
		else
		{
			if (root >= 0 && root != r)
			{
				*reason = "more than one parameter selects shards";
				return NULL;
			}
			root = r;
			paramPin = pin;
		}
	}
	if (constShard >= 0 && paramPin != NULL)
		paramPin = NULL;		/* the constant decides; unequal values match nothing */

	/* UPDATE of the distribution column: allowed if the row stays on its shard */
	if (query->commandType == CMD_UPDATE)
	{
		DistTableEntry *target = pins[query->resultRelation].table;

		foreach(lc, query->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (tle->resjunk || tle->resno != target->distAttno)
				continue;
			if (contain_var_clause((Node *) tle->expr) ||
				contain_subplans((Node *) tle->expr) ||
				contain_volatile_functions((Node *) tle->expr) ||
				checkExprHasSubLink((Node *) tle->expr))
				CheckDistColumnNotUpdated(query, target);
			newDistValue = copyObject(tle->expr);
		}
	}
	if (newDistValue != NULL &&
		!DistValueStaysOnShard(newDistValue, pins[query->resultRelation].table,
							   constShard, paramPin, boundParams))
	{
		*reason = "the UPDATE may move rows to another shard";
		return NULL;
	}

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_ROUTER;
	info->commandType = query->commandType;
	info->anchorRelid = anchor->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "router";
	deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) query);

	if (paramPin != NULL)
	{
		info->pruneAtRuntime = true;
		info->pruneValueType = exprType((Node *) paramPin);
		customExprs = lappend(customExprs, copyObject(paramPin));
		for (i = 0; i < anchor->shardCount; i++)
		{
			info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
			if (!deparseAtRuntime)
				info->taskSql = lappend(info->taskSql,
										makeString(DeparseForShard(query, i, NULL)));
		}
	}
	else
	{
		customExprs = lappend(customExprs, makeNullConst(INT4OID, -1, InvalidOid));
		info->taskShardIndexes = list_make1_int(constShard);
		if (!deparseAtRuntime && CanShipConstsAsParams(query))
			info->taskSql = list_make1(makeString(DeparseForShardWithConsts(query, constShard,
																	 &info->shippedConsts)));
		else if (!deparseAtRuntime)
			info->taskSql = list_make1(makeString(DeparseForShard(query, constShard, NULL)));
	}

	if (newDistValue != NULL)
	{
		info->checkDistColumnUpdate = true;
		info->pruneValueType = info->pruneAtRuntime ? info->pruneValueType : InvalidOid;
		customExprs = lappend(customExprs, newDistValue);
	}

	return FinishTaskPlan(query, allRelids, info, customExprs, deparseAtRuntime);
}

/*
 * ContainsParamWalker returns true at the first Param.
 */
static bool
ContainsParamWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, ContainsParamWalker, context);
}

/*
 * CanShipConstsAsParams tells whether a routed statement's constants may
 * travel as parameters (see DeparseOptions.shippedConsts): a statement of
 * the point-query kind, which a client sends again and again with other
 * values (simple protocol, or literals in the text), so that the worker
 * prepares its text once.  Grouping, aggregates, windows, DISTINCT, set
 * operations, sublinks and CTEs keep literals: there, equal expressions
 * must stay equal, and planning sees the values.
 */
static bool
CanShipConstsAsParams(Query *query)
{
	ListCell   *lc;

	if (query->commandType != CMD_SELECT && query->commandType != CMD_UPDATE &&
		query->commandType != CMD_DELETE)
		return false;
	if (query->hasAggs || query->groupClause != NIL || query->groupingSets != NIL ||
		query->havingQual != NULL || query->windowClause != NIL ||
		query->distinctClause != NIL || query->setOperations != NULL ||
		query->hasSubLinks || query->cteList != NIL || query->hasTargetSRFs ||
		query->hasRecursive || query->hasModifyingCTE)
		return false;
	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind != RTE_RELATION && rte->rtekind != RTE_JOIN)
			return false;
	}
	return !query_tree_walker(query, ContainsParamWalker, NULL, 0);
}

/*
 * FinishTaskPlan builds the ShardScan and PlannedStmt of a router or
 * multi-shard plan.  With deparseAtRuntime, the query itself is kept in
 * the plan, to be evaluated and deparsed when the plan runs.
 */
PlannedStmt *
FinishTaskPlan(Query *query, List *allRelids, ShardPlanInfo *info,
			   List *customExprs, bool deparseAtRuntime)
{
	CustomScan *scan;
	List	   *outputList;

	/* before MakeShardScan, which copies info into the plan */
	info->locksRows = (query->rowMarks != NIL);
	scan = MakeShardScan(info);
	fix_opfuncids((Node *) customExprs);
	scan->custom_exprs = customExprs;
	if (deparseAtRuntime)
	{
		Query	   *copy = copyObject(query);

		scan->custom_private = lappend(scan->custom_private, copy);
	}

	outputList = (query->commandType == CMD_SELECT) ? query->targetList : query->returningList;
	return MakeShardPlannedStmt(query, scan, outputList, allRelids);
}

/*
 * PlanPinnedSelect returns a router plan for a SELECT that the pushdown
 * analysis proved runs whole in the shard group that pin (a Const or an
 * external Param of the distribution column's value) selects: one task,
 * or with a parameter one statement per shard index pruned at run time.
 */
PlannedStmt *
PlanPinnedSelect(Query *query, List *allRelids, DistTableEntry *anchor, Expr *pin)
{
	ShardPlanInfo *info = palloc0(sizeof(ShardPlanInfo));
	bool		deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) query);
	List	   *customExprs;
	int			i;

	info->kind = SHARD_SCAN_ROUTER;
	info->commandType = CMD_SELECT;
	info->anchorRelid = anchor->relid;
	info->hasReturning = false;
	info->strategy = "router";
	if (IsA(pin, Const))
	{
		int			shardIndex = ShardIndexForConst(anchor, (Const *) pin);

		customExprs = list_make1(makeNullConst(INT4OID, -1, InvalidOid));
		info->taskShardIndexes = list_make1_int(shardIndex);
		if (!deparseAtRuntime)
			info->taskSql = list_make1(makeString(DeparseForShard(query, shardIndex, NULL)));
	}
	else
	{
		info->pruneAtRuntime = true;
		info->pruneValueType = exprType((Node *) pin);
		customExprs = list_make1(copyObject(pin));
		for (i = 0; i < anchor->shardCount; i++)
		{
			info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
			if (!deparseAtRuntime)
				info->taskSql = lappend(info->taskSql,
										makeString(DeparseForShard(query, i, NULL)));
		}
	}
	return FinishTaskPlan(query, allRelids, info, customExprs, deparseAtRuntime);
}

/*
 * PlanMultiShardModify returns a plan that runs an UPDATE or DELETE on
 * every shard of its target.  Throws when the statement cannot be shipped.
 */
PlannedStmt *
PlanMultiShardModify(Query *query, List *distRels, List *allRelids,
					 ParamListInfo boundParams)
{
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	DistTableEntry *table = LookupDistTable(target->relid);
	const char *command = (query->commandType == CMD_UPDATE) ? "UPDATE" : "DELETE";
	const char *notShippable;
	ShardPlanInfo *info;
	bool		deparseAtRuntime;
	int			i;
	ListCell   *lc;
	bool		readsLocal = false;

	/* sublinks over what the shards cannot read: run them here first */
	foreach(lc, allRelids)
		if (!IsDistributedTable(lfirst_oid(lc)))
			readsLocal = true;
	if (readsLocal || (list_length(distRels) > 1 &&
					   (table->method != DIST_METHOD_HASH || !ModifyJoinsColocated(query, table))))
	{
		PlannedStmt *plan = PlanModifyEvaluatingSubLinks(query, table, allRelids);

		if (plan != NULL)
			return plan;
	}

	/* UPDATE ... FROM / DELETE ... USING: co-located joins only */
	if (list_length(distRels) > 1 &&
		(table->method != DIST_METHOD_HASH || !ModifyJoinsColocated(query, table)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on distributed table \"%s\" that reads other distributed tables must select one shard",
						command, table->relName),
				 errdetail("Other distributed tables can be read only when they are co-located with \"%s\" and joined to it on its distribution column.",
						   table->relName),
				 errhint("Filter every distributed table on its distribution column with an equality to the same value.")));
	if (readsLocal)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on distributed table \"%s\" cannot read local tables",
						command, table->relName),
				 errhint("Distribute the other tables too, or select the values first.")));

	notShippable = NotShippableReason((Node *) query);
	if (notShippable != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on distributed table \"%s\" cannot be run on the shards",
						command, table->relName),
				 errdetail("%s", notShippable),
				 errhint("Compute the value in a separate query and pass it as a constant.")));
	if (DistColumnAssignment(query, table) != NULL)
		return PlanDistColumnUpdate(query, table, allRelids);
	CheckDistColumnNotUpdated(query, table);

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_MULTI;
	info->commandType = query->commandType;
	info->anchorRelid = table->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "multi-shard";
	deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) query);
	for (i = 0; i < table->shardCount; i++)
	{
		info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
		if (!deparseAtRuntime)
			info->taskSql = lappend(info->taskSql, makeString(DeparseForShard(query, i, NULL)));
	}

	return FinishTaskPlan(query, allRelids, info,
						  list_make1(makeNullConst(INT4OID, -1, InvalidOid)),
						  deparseAtRuntime);
}
