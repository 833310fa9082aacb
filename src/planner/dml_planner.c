/*-------------------------------------------------------------------------
 * dml_planner.c
 *	  UPDATEs that assign the distribution column of their target.
 *
 * "SET dist_col = dist_col" changes nothing and is dropped.  A Var-free,
 * non-volatile new value (what ORMs send: every column, the distribution
 * column with its unchanged value, filtered by id) names one destination
 * shard per execution: the plan runs the UPDATE on that shard (pruned at
 * run time on the new value) and moves matching rows of the other shards
 * there (executor/row_move.c).  A new value computed per row (from
 * columns, sublinks, volatile functions) is refused.
 *
 * UPDATE and DELETE whose uncorrelated WHERE/SET/RETURNING sublinks read
 * what the shards cannot (local tables, distributed tables that are not
 * co-located) run those sublinks on the coordinator first
 * (executor/sublink_eval.c) and ship the rest to every shard.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "deparse/deparse.h"
#include "executor/row_move.h"
#include "executor/sublink_eval.h"
#include "planner/planner.h"

static int	SourceShardOfPin(Query *query, DistTableEntry *table);
static void CheckRowMoveForeignKeys(Query *query, DistTableEntry *table, Relation rel);
static const char *RowMoveUnsupportedReason(Query *query, TargetEntry *distTle,
											TupleDesc desc);
static Node *TableOidMutator(Node *node, List **queries);
static bool ContainsTableOidWalker(Node *node, void *context);
static bool IsRefusedSystemColumn(AttrNumber attno);

/*
 * DistColumnAssignment returns the non-junk SET entry of query (an UPDATE
 * of the hash table table) that assigns its distribution column, or NULL.
 */
TargetEntry *
DistColumnAssignment(Query *query, DistTableEntry *table)
{
	ListCell   *lc;

	if (query->commandType != CMD_UPDATE || table->method != DIST_METHOD_HASH)
		return NULL;
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk && tle->resno == table->distAttno)
			return tle;
	}
	return NULL;
}

/*
 * DropUnchangedDistColumnAssignment removes "SET dist_col = dist_col"
 * from an UPDATE of a distributed table (it changes nothing).
 */
void
DropUnchangedDistColumnAssignment(Query *query)
{
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	DistTableEntry *table = LookupDistTable(target->relid);
	TargetEntry *tle;
	Node	   *expr;

	if (table == NULL || (tle = DistColumnAssignment(query, table)) == NULL)
		return;
	expr = (Node *) tle->expr;
	while (expr != NULL && IsA(expr, RelabelType))
		expr = (Node *) ((RelabelType *) expr)->arg;
	if (expr != NULL && IsA(expr, Var) && ((Var *) expr)->varno == query->resultRelation &&
		((Var *) expr)->varlevelsup == 0 && ((Var *) expr)->varattno == table->distAttno &&
		exprType(expr) == table->distType)
		query->targetList = list_delete_ptr(query->targetList, tle);
}

/*
 * SourceShardOfPin returns the shard index a WHERE conjunct
 * "dist_col = constant" of the target pins its rows to, or -1.
 */
static int
SourceShardOfPin(Query *query, DistTableEntry *table)
{
	List	   *conjuncts = make_ands_implicit((Expr *) query->jointree->quals);
	ListCell   *lc;

	foreach(lc, conjuncts)
	{
		Expr	   *pin = PinnedValueOfClause(lfirst(lc), query->resultRelation, table);

		while (pin != NULL && IsA(pin, RelabelType))
			pin = ((RelabelType *) pin)->arg;
		if (pin != NULL && IsA(pin, Const))
			return ShardIndexForConst(table, (Const *) pin);
	}
	return -1;
}

/*
 * RowMoveUnsupportedReason returns why the rows of an UPDATE that assigns
 * the distribution column (distTle) cannot be moved, or NULL.
 */
static const char *
RowMoveUnsupportedReason(Query *query, TargetEntry *distTle, TupleDesc desc)
{
	ListCell   *lc;

	if (contain_var_clause((Node *) distTle->expr) ||
		checkExprHasSubLink((Node *) distTle->expr) ||
		contain_volatile_functions((Node *) distTle->expr))
		return "The new value is computed per row.";
	if (desc->constr != NULL && desc->constr->has_generated_stored)
		return "The table has generated columns.";
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (checkExprHasSubLink((Node *) tle->expr))
			return "A SET expression has a subquery.";
	}
	return NULL;
}

/*
 * CheckRowMoveForeignKeys throws FEATURE_NOT_SUPPORTED when moving the
 * rows of table would bypass a foreign key the coordinator enforces
 * (planner/foreign_key_planner.c).
 */
static void
CheckRowMoveForeignKeys(Query *query, DistTableEntry *table, Relation rel)
{
	Oid			constraintOid = RowMoveForeignKey(query, rel);

	if (!OidIsValid(constraintOid))
		return;
	table_close(rel, NoLock);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot update distribution column \"%s\" of table \"%s\": the coordinator enforces foreign key \"%s\" on it",
					get_attname(table->relid, table->distAttno, false),
					table->relName, get_constraint_name(constraintOid)),
			 errdetail("Moving rows to another shard would bypass the foreign key checks."),
			 errhint("Delete the rows and insert them again with the new value.")));
}

/*
 * PlanDistColumnUpdate returns the plan of an UPDATE of every matching row
 * of table that assigns its distribution column a Var-free value: the
 * UPDATE on the value's shard and the move of the matching rows of the
 * other shards.  Throws FEATURE_NOT_SUPPORTED when the rows cannot be
 * moved.  The caller checked shippability, joins and local tables.
 */
PlannedStmt *
PlanDistColumnUpdate(Query *query, DistTableEntry *table, List *allRelids)
{
	TargetEntry *distTle = DistColumnAssignment(query, table);
	ShardPlanInfo *info = palloc0(sizeof(ShardPlanInfo));
	bool		deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) query);
	Relation	rel = table_open(table->relid, NoLock);
	const char *reason = RowMoveUnsupportedReason(query, distTle, RelationGetDescr(rel));
	Query	   *move = NULL;
	int			i;

	if (reason != NULL)
	{
		table_close(rel, NoLock);
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot update distribution column \"%s\" of table \"%s\"",
						get_attname(table->relid, table->distAttno, false),
						table->relName),
				 errdetail("%s", reason),
				 errhint("Set the distribution column to a constant or a parameter, or delete the rows and insert them again.")));
	}
	CheckRowMoveForeignKeys(query, table, rel);
	if (!deparseAtRuntime)
		move = MakeRowMoveQuery(query, RelationGetDescr(rel));
	table_close(rel, NoLock);

	info->kind = SHARD_SCAN_MULTI;
	info->commandType = CMD_UPDATE;
	info->anchorRelid = table->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "multi-shard, moving rows";
	info->pruneAtRuntime = true;
	info->pruneValueType = exprType((Node *) distTle->expr);
	info->moveRows = true;
	info->moveSourceShard = SourceShardOfPin(query, table);
	for (i = 0; i < table->shardCount; i++)
	{
		info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
		if (deparseAtRuntime)
			continue;
		info->taskSql = lappend(info->taskSql, makeString(DeparseForShard(query, i, NULL)));
		info->moveSql = lappend(info->moveSql, makeString(DeparseForShard(move, i, NULL)));
	}
	return FinishTaskPlan(query, allRelids, info,
						  list_make1(copyObject(distTle->expr)), deparseAtRuntime);
}

/*
 * PlanModifyEvaluatingSubLinks returns a multi-shard plan for an UPDATE or
 * DELETE of table whose WHERE/SET/RETURNING sublinks are evaluated on the
 * coordinator when it runs, or NULL when the statement without them still
 * cannot run in the shards (or a sublink cannot be evaluated here).
 */
PlannedStmt *
PlanModifyEvaluatingSubLinks(Query *query, DistTableEntry *table, List *allRelids)
{
	Query	   *shipped;
	List	   *shippedRelids = NIL;
	List	   *shippedDistRels;
	ShardPlanInfo *info;
	ListCell   *lc;
	int			i;

	if (!query->hasSubLinks || !AllSubLinksEvaluableHere(query) ||
		DistColumnAssignment(query, table) != NULL)
		return NULL;
	shipped = ReplaceSubLinksByPlaceholders(query);
	shippedDistRels = FindDistributedRelations(shipped, &shippedRelids);
	foreach(lc, shippedRelids)
		if (!IsDistributedTable(lfirst_oid(lc)))
			return NULL;
	if (list_length(shippedDistRels) > 1 &&
		(table->method != DIST_METHOD_HASH || !ModifyJoinsColocated(shipped, table)))
		return NULL;
	if (NotShippableReason((Node *) shipped) != NULL)
		return NULL;

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_MULTI;
	info->commandType = query->commandType;
	info->anchorRelid = table->relid;
	info->hasReturning = (query->returningList != NIL);
	info->strategy = "multi-shard, subqueries on the coordinator";
	info->evalSubLinks = true;
	for (i = 0; i < table->shardCount; i++)
		info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
	return FinishTaskPlan(query, allRelids, info,
						  list_make1(makeNullConst(INT4OID, -1, InvalidOid)), true);
}

/*
 * IsRefusedSystemColumn returns whether attno is ctid, cmin or cmax.
 */
static bool
IsRefusedSystemColumn(AttrNumber attno)
{
	return attno == SelfItemPointerAttributeNumber || attno == MinCommandIdAttributeNumber ||
		attno == MaxCommandIdAttributeNumber;
}

/*
 * TableOidMutator replaces tableoid of hash-distributed tables (see
 * ReplaceDistributedTableOids); context is the query level depth.
 */
static Node *
TableOidMutator(Node *node, List **queries)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var) && IsRefusedSystemColumn(((Var *) node)->varattno) &&
		((Var *) node)->varlevelsup < list_length(*queries))
	{
		Var		   *var = (Var *) node;
		RangeTblEntry *rte = rt_fetch(var->varno,
									  ((Query *) list_nth(*queries, var->varlevelsup))->rtable);

		if (rte->rtekind == RTE_RELATION && IsDistributedTable(rte->relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("system column \"%s\" is not available for distributed table \"%s\"",
							get_attname(rte->relid, var->varattno, false),
							get_rel_name(rte->relid)),
					 errdetail("A shard row's ctid, cmin and cmax do not identify it on the coordinator."),
					 errhint("Use the primary key, or xmin as a row version.")));
	}
	if (IsA(node, Var) && ((Var *) node)->varattno == TableOidAttributeNumber &&
		((Var *) node)->varlevelsup < list_length(*queries))
	{
		Var		   *var = (Var *) node;
		Query	   *owner = list_nth(*queries, var->varlevelsup);
		RangeTblEntry *rte = rt_fetch(var->varno, owner->rtable);
		DistTableEntry *table = (rte->rtekind == RTE_RELATION) ? LookupDistTable(rte->relid) : NULL;

		if (table != NULL && table->method == DIST_METHOD_HASH && !has_subclass(rte->relid))
		{
			Var		   *dist = makeVar(var->varno, table->distAttno, table->distType, -1,
									   table->distCollation, var->varlevelsup);
			NullTest   *test = makeNode(NullTest);
			CaseExpr   *caseExpr = makeNode(CaseExpr);
			CaseWhen   *when = makeNode(CaseWhen);

			test->arg = (Expr *) dist;
			test->nulltesttype = IS_NOT_NULL;
			test->argisrow = false;
			test->location = -1;
			when->expr = (Expr *) test;
			when->result = (Expr *) makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
											  ObjectIdGetDatum(rte->relid), false, true);
			when->location = -1;
			caseExpr->casetype = OIDOID;
			caseExpr->casecollid = InvalidOid;
			caseExpr->args = list_make1(when);
			caseExpr->defresult = (Expr *) makeNullConst(OIDOID, -1, InvalidOid);
			caseExpr->location = -1;
			return (Node *) caseExpr;
		}
	}
	if (IsA(node, Query))
	{
		Query	   *result;

		*queries = lcons(node, *queries);
		result = query_tree_mutator((Query *) node, TableOidMutator, queries, 0);
		*queries = list_delete_first(*queries);
		return (Node *) result;
	}
	return expression_tree_mutator(node, TableOidMutator, queries);
}

/*
 * ReplaceDistributedTableOids throws for ctid, cmin and cmax of
 * distributed tables and returns query with every tableoid of a
 * hash-distributed table (at any level) replaced by "CASE WHEN dist_col IS
 * NOT NULL THEN <the coordinator table's OID> END": a shard row's tableoid
 * is the shard's, and a distribution value is never NULL, so the CASE is
 * NULL exactly for rows an outer join NULL-extended.
 */
Query *
ReplaceDistributedTableOids(Query *query)
{
	List	   *queries = NIL;

	if (!query_tree_walker(query, ContainsTableOidWalker, NULL, 0))
		return query;
	return (Query *) TableOidMutator((Node *) query, &queries);
}

/*
 * ContainsTableOidWalker returns true at the first tableoid column.
 */
static bool
ContainsTableOidWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return ((Var *) node)->varattno == TableOidAttributeNumber ||
			IsRefusedSystemColumn(((Var *) node)->varattno);
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, ContainsTableOidWalker, context, 0);
	return expression_tree_walker(node, ContainsTableOidWalker, context);
}
