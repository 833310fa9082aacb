/*-------------------------------------------------------------------------
 * coordinator_eval.c
 *	  Replaces, in a copy of a statement about to be shipped, every
 *	  maximal subexpression that references no column and calls stable
 *	  functions (now(), current_setting(), CURRENT_USER, ...) by its value
 *	  computed here, so that a statement means on the worker what it meant
 *	  on the coordinator: one now() for the whole statement, the
 *	  coordinator's user and settings.
 *
 * Volatile subexpressions are left alone (they are per row, or not
 * shippable at all); so are subexpressions with sublinks, aggregates,
 * window functions, or placeholders that only make sense in context.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"

#include "executor/coordinator_eval.h"

typedef struct EvalContext
{
	ExprContext *econtext;
} EvalContext;

static Node *EvaluateMutator(Node *node, EvalContext *context);
static bool IsEvaluableHere(Node *node);
static bool BlocksEvaluationWalker(Node *node, void *context);
static bool MutableFunctionChecker(Oid funcid, void *context);
static bool VolatileFunctionChecker(Oid funcid, void *context);
static bool HasMutableWalker(Node *node, void *context);

/*
 * BlocksEvaluationWalker returns true for nodes that cannot be evaluated
 * out of their context or must not be evaluated once.
 */
static bool
BlocksEvaluationWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_Var:
		case T_Aggref:
		case T_WindowFunc:
		case T_GroupingFunc:
		case T_SubLink:
		case T_SubPlan:
		case T_CaseTestExpr:
		case T_CoerceToDomainValue:
		case T_SetToDefault:
		case T_CurrentOfExpr:
		case T_NextValueExpr:
		case T_PlaceHolderVar:
		case T_Query:
			return true;
		case T_Param:
			if (((Param *) node)->paramkind != PARAM_EXTERN)
				return true;
			break;
		default:
			break;
	}
	if (check_functions_in_node(node, VolatileFunctionChecker, NULL))
		return true;
	return expression_tree_walker(node, BlocksEvaluationWalker, context);
}

/*
 * VolatileFunctionChecker flags volatile functions.
 */
static bool
VolatileFunctionChecker(Oid funcid, void *context)
{
	return func_volatile(funcid) == PROVOLATILE_VOLATILE;
}

/*
 * MutableFunctionChecker flags stable functions.
 */
static bool
MutableFunctionChecker(Oid funcid, void *context)
{
	return func_volatile(funcid) == PROVOLATILE_STABLE;
}

/*
 * HasMutableWalker returns whether node calls a stable function or an SQL
 * value function.
 */
static bool
HasMutableWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, SQLValueFunction))
		return true;
	if (check_functions_in_node(node, MutableFunctionChecker, context))
		return true;
	return expression_tree_walker(node, HasMutableWalker, context);
}

/*
 * IsEvaluableHere returns whether node is worth and safe to replace by its
 * value: it calls something stable and depends on nothing row-specific.
 */
static bool
IsEvaluableHere(Node *node)
{
	if (node == NULL || IsA(node, Const) || IsA(node, Param) || IsA(node, List) ||
		IsA(node, TargetEntry))
		return false;
	if (!HasMutableWalker(node, NULL))
		return false;
	return !BlocksEvaluationWalker(node, NULL);
}

/*
 * EvaluateMutator replaces evaluable subexpressions by constants.
 */
static Node *
EvaluateMutator(Node *node, EvalContext *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, EvaluateMutator, context, 0);
	if (IsEvaluableHere(node))
	{
		Expr	   *expr = (Expr *) node;
		ExprState  *state;
		Datum		value;
		bool		isnull;
		Oid			typid = exprType(node);
		int16		typlen;
		bool		typbyval;

		fix_opfuncids(node);
		state = ExecInitExpr(expr, NULL);
		value = ExecEvalExprSwitchContext(state, context->econtext, &isnull);
		get_typlenbyval(typid, &typlen, &typbyval);
		if (!isnull)
			value = datumCopy(value, typbyval, typlen);
		return (Node *) makeConst(typid, exprTypmod(node), exprCollation(node),
								  typlen, value, isnull, typbyval);
	}
	return expression_tree_mutator(node, EvaluateMutator, context);
}

/*
 * EvaluateCoordinatorExpressions returns a copy of query in which the
 * coordinator-evaluable subexpressions are constants; palloc'd in the
 * current context.  Throws what the evaluated functions throw.
 */
Query *
EvaluateCoordinatorExpressions(Query *query, ExprContext *econtext)
{
	EvalContext context;

	context.econtext = econtext;
	return (Query *) query_tree_mutator(query, EvaluateMutator, &context, 0);
}
