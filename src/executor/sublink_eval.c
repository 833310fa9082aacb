/*-------------------------------------------------------------------------
 * sublink_eval.c
 *	  UPDATE and DELETE whose WHERE, SET or RETURNING hold uncorrelated
 *	  sublinks over tables the shards cannot read (local tables,
 *	  distributed tables that are not co-located): each such sublink is
 *	  run once on the coordinator when the statement runs (planned by
 *	  PostgreSQL's planner through our hook, so any SELECT works) and
 *	  replaced by its value before the statement is deparsed for the
 *	  shards, as PostgreSQL runs an uncorrelated sublink once as an
 *	  initplan:
 *	 - EXISTS (...)				-> true / false
 *	 - (SELECT x ...)			-> x, NULL without rows, error with several
 *	 - ARRAY(SELECT x ...)		-> the array
 *	 - a op ANY/ALL (SELECT x)	-> a op ANY/ALL ('{...}'), which has the
 *								   same NULL semantics (IN, NOT IN too)
 * Row comparisons ((a, b) IN (SELECT ...)) and correlated sublinks are not
 * evaluable here.  The sublink runs under the statement's snapshot.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tstoreReceiver.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "executor/sublink_eval.h"

static Param *SubLinkParamArgument(SubLink *sublink, Node **lhs, Node **rhs);
static bool NonEvaluableSubLinkWalker(Node *node, void *context);
static Node *PlaceholderMutator(Node *node, void *context);
static Node *EvaluateMutator(Node *node, ParamListInfo params);
static Tuplestorestate *RunSubquery(Query *subselect, ParamListInfo params, TupleDesc *desc);
static Node *SubLinkValue(SubLink *sublink, ParamListInfo params);
static Const *ColumnArray(Tuplestorestate *store, TupleDesc desc, Oid elemType);

/*
 * SubLinkParamArgument returns, for an ANY/ALL sublink "lhs op (SELECT x)",
 * the Param standing for x (its right argument, maybe relabeled) and sets
 * *lhs and *rhs (the right argument as written); NULL for other shapes.
 */
static Param *
SubLinkParamArgument(SubLink *sublink, Node **lhs, Node **rhs)
{
	OpExpr	   *op = (OpExpr *) sublink->testexpr;
	Node	   *right;

	if (op == NULL || !IsA(op, OpExpr) || list_length(op->args) != 2)
		return NULL;
	right = lsecond(op->args);
	*lhs = linitial(op->args);
	*rhs = right;
	while (IsA(right, RelabelType))
		right = (Node *) ((RelabelType *) right)->arg;
	if (!IsA(right, Param) || ((Param *) right)->paramkind != PARAM_SUBLINK)
		return NULL;
	return (Param *) right;
}

/*
 * SubLinkEvaluableHere returns whether sublink (of the statement's own
 * level) can be replaced by its value: uncorrelated, and of a shape above.
 */
bool
SubLinkEvaluableHere(SubLink *sublink)
{
	Node	   *lhs;
	Node	   *rhs;

	if (contain_vars_of_level(sublink->subselect, 1))
		return false;
	switch (sublink->subLinkType)
	{
		case EXISTS_SUBLINK:
		case EXPR_SUBLINK:
		case ARRAY_SUBLINK:
			return true;
		case ANY_SUBLINK:
		case ALL_SUBLINK:
			return SubLinkParamArgument(sublink, &lhs, &rhs) != NULL &&
				!checkExprHasSubLink(lhs);
		default:
			return false;
	}
}

/*
 * NonEvaluableSubLinkWalker returns true at a sublink of the statement's
 * level that cannot be evaluated here (it does not look inside sublinks).
 */
static bool
NonEvaluableSubLinkWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
		return !SubLinkEvaluableHere((SubLink *) node);
	if (IsA(node, Query))
		return false;
	return expression_tree_walker(node, NonEvaluableSubLinkWalker, context);
}

/*
 * AllSubLinksEvaluableHere returns whether every sublink in the WHERE,
 * SET and RETURNING of query (not in its FROM) can be evaluated here.
 */
bool
AllSubLinksEvaluableHere(Query *query)
{
	return !NonEvaluableSubLinkWalker(query->jointree->quals, NULL) &&
		!NonEvaluableSubLinkWalker((Node *) query->targetList, NULL) &&
		!NonEvaluableSubLinkWalker((Node *) query->returningList, NULL);
}

/*
 * PlaceholderMutator replaces sublinks by NULL constants of their type.
 */
static Node *
PlaceholderMutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, SubLink))
		return (Node *) makeNullConst(exprType(node), exprTypmod(node), exprCollation(node));
	return expression_tree_mutator(node, PlaceholderMutator, context);
}

/*
 * ReplaceSubLinksByPlaceholders returns a copy of query whose WHERE, SET
 * and RETURNING sublinks are NULL constants: what the shards will run,
 * for the planner's checks.
 */
Query *
ReplaceSubLinksByPlaceholders(Query *query)
{
	Query	   *copy = copyObject(query);

	copy->jointree->quals = PlaceholderMutator(copy->jointree->quals, NULL);
	copy->targetList = (List *) PlaceholderMutator((Node *) copy->targetList, NULL);
	copy->returningList = (List *) PlaceholderMutator((Node *) copy->returningList, NULL);
	copy->hasSubLinks = checkExprHasSubLink((Node *) copy);
	return copy;
}

/*
 * RunSubquery runs subselect to completion and returns its rows in a
 * tuplestore (current context), with their descriptor in *desc.
 */
static Tuplestorestate *
RunSubquery(Query *subselect, ParamListInfo params, TupleDesc *desc)
{
	PlannedStmt *plan = pg_plan_query(copyObject(subselect), NULL, 0, params);
	Tuplestorestate *store = tuplestore_begin_heap(false, false, work_mem);
	DestReceiver *dest = CreateDestReceiver(DestTuplestore);
	QueryDesc  *queryDesc;

	SetTuplestoreDestReceiverParams(dest, store, CurrentMemoryContext, false, NULL, NULL);
	queryDesc = CreateQueryDesc(plan, "", GetActiveSnapshot(), InvalidSnapshot, dest,
								params, NULL, 0);
	ExecutorStart(queryDesc, 0);
	*desc = CreateTupleDescCopy(queryDesc->tupDesc);
	ExecutorRun(queryDesc, ForwardScanDirection, 0, true);
	ExecutorFinish(queryDesc);
	ExecutorEnd(queryDesc);
	FreeQueryDesc(queryDesc);
	dest->rDestroy(dest);
	return store;
}

/*
 * ColumnArray returns an array Const of the first column of every row of
 * store, as elements of elemType (binary compatible with the column).
 */
static Const *
ColumnArray(Tuplestorestate *store, TupleDesc desc, Oid elemType)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	ArrayBuildState *build = initArrayResult(elemType, CurrentMemoryContext, false);
	Oid			arrayType = get_array_type(elemType);
	Datum		array;

	if (!OidIsValid(arrayType))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot evaluate a subquery over values of type %s on the coordinator",
						format_type_be(elemType))));
	tuplestore_rescan(store);
	while (tuplestore_gettupleslot(store, true, false, slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(slot, 1, &isnull);

		accumArrayResult(build, value, isnull, elemType, CurrentMemoryContext);
	}
	ExecDropSingleTupleTableSlot(slot);
	array = makeArrayResult(build, CurrentMemoryContext);
	return makeConst(arrayType, -1, InvalidOid, -1, array, false, false);
}

/*
 * SubLinkValue returns the expression that replaces sublink once its
 * subquery ran.  Throws like PostgreSQL for a scalar subquery returning
 * several rows.
 */
static Node *
SubLinkValue(SubLink *sublink, ParamListInfo params)
{
	TupleDesc	desc;
	Tuplestorestate *store = RunSubquery((Query *) sublink->subselect, params, &desc);
	int64		rows = tuplestore_tuple_count(store);
	Node	   *lhs;
	Node	   *rhs;
	OpExpr	   *op;
	ScalarArrayOpExpr *saop;

	switch (sublink->subLinkType)
	{
		case EXISTS_SUBLINK:
			return (Node *) makeBoolConst(rows > 0, false);
		case ARRAY_SUBLINK:
			return (Node *) ColumnArray(store, desc,
										get_element_type(exprType((Node *) sublink)));
		case EXPR_SUBLINK:
			{
				TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
				Oid			typid = exprType((Node *) sublink);
				int16		typlen;
				bool		typbyval;
				bool		isnull = true;
				Datum		value = (Datum) 0;

				if (rows > 1)
					ereport(ERROR,
							(errcode(ERRCODE_CARDINALITY_VIOLATION),
							 errmsg("more than one row returned by a subquery used as an expression")));
				get_typlenbyval(typid, &typlen, &typbyval);
				if (rows == 1 && tuplestore_gettupleslot(store, true, false, slot))
				{
					value = slot_getattr(slot, 1, &isnull);
					if (!isnull)
						value = datumCopy(value, typbyval, typlen);
				}
				ExecDropSingleTupleTableSlot(slot);
				return (Node *) makeConst(typid, exprTypmod((Node *) sublink),
										  exprCollation((Node *) sublink), typlen, value,
										  isnull, typbyval);
			}
		default:
			(void) SubLinkParamArgument(sublink, &lhs, &rhs);
			op = (OpExpr *) sublink->testexpr;
			saop = makeNode(ScalarArrayOpExpr);
			saop->opno = op->opno;
			saop->opfuncid = op->opfuncid;
			saop->useOr = (sublink->subLinkType == ANY_SUBLINK);
			saop->inputcollid = op->inputcollid;
			saop->args = list_make2(EvaluateMutator(lhs, params),
									ColumnArray(store, desc, exprType(rhs)));
			saop->location = -1;
			return (Node *) saop;
	}
}

/*
 * EvaluateMutator replaces the sublinks of the statement's level by their
 * values.
 */
static Node *
EvaluateMutator(Node *node, ParamListInfo params)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, SubLink))
		return SubLinkValue((SubLink *) node, params);
	return expression_tree_mutator(node, EvaluateMutator, params);
}

/*
 * EvaluateSubLinks returns a copy of query (an UPDATE or DELETE whose
 * sublinks passed AllSubLinksEvaluableHere) with its WHERE, SET and
 * RETURNING sublinks replaced by their values; palloc'd in the current
 * context.  Runs each subquery; throws what they throw.
 */
Query *
EvaluateSubLinks(Query *query, ParamListInfo params)
{
	Query	   *copy = copyObject(query);

	copy->jointree->quals = EvaluateMutator(copy->jointree->quals, params);
	copy->targetList = (List *) EvaluateMutator((Node *) copy->targetList, params);
	copy->returningList = (List *) EvaluateMutator((Node *) copy->returningList, params);
	copy->hasSubLinks = checkExprHasSubLink((Node *) copy);
	return copy;
}
