/*-------------------------------------------------------------------------
 * shippable.c
 *	  Whether an expression (or a whole query) means the same on a worker
 *	  as on the coordinator.
 *
 * Workers are plain PostgreSQL servers: only objects that every server has
 * under the same name can be shipped.  Functions, operators and types are
 * "built in" when initdb created them (OID below FirstNormalObjectId: their
 * names are the same on every PostgreSQL 15+ server, and we ship names, not
 * OIDs).  Collations are stricter (below FirstGenbkiObjectId): the ones
 * initdb imports from the operating system's locales differ between hosts.
 *
 * Volatile functions are refused (they would run once per shard, or once
 * per row on a different server) except a few whose meaning is per call
 * anyway.  Sequence functions never ship: sequences live on the
 * coordinator.  Stable functions do ship: the executor evaluates stable,
 * Var-free expressions on the coordinator and keeps worker session settings
 * in sync (see DESIGN.md).  Values of object-name types (regclass, ...)
 * never ship, because OIDs differ between servers.  Expressions that print
 * floats, dates or timestamps as text do not ship either: workers print
 * them in ISO form and exactly (see connection.c), not under the user's
 * DateStyle and extra_float_digits.
 *
 * Nothing here throws for an unshippable tree; callers get a reason string
 * so that a later planning path can still be tried.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "access/transam.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "deparse/deparse.h"
#include "funcapi.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

typedef struct ShippableContext
{
	const char *reason;			/* first reason found, or NULL */
} ShippableContext;

static bool NotShippableWalker(Node *node, ShippableContext *ctx);
static const char *FunctionNotShippableReason(Oid funcid);
static bool TextDependsOnTransport(Oid typid);
static bool PrintsValuesAsText(Oid funcid);
static const char *PrintedArgumentReason(Oid funcid, List *args);
static const char *OperatorNotShippableReason(Oid opno);
static const char *TypeNotShippableReason(Oid typid);
static const char *SortClauseNotShippableReason(List *clauses);

/*
 * NotShippableReason returns NULL when every node of expr (walked into
 * sublinks and subqueries) means the same on a worker, else a short reason
 * for an error message or a debug line.  Does not throw for unshippable
 * trees.
 */
const char *
NotShippableReason(Node *expr)
{
	ShippableContext ctx;

	ctx.reason = NULL;
	(void) NotShippableWalker(expr, &ctx);
	return ctx.reason;
}

/*
 * OutputNotReadableReason returns why the rows of a shipped statement with
 * this target list (or RETURNING list) could not be read back on the
 * coordinator, or NULL.  Values come back as text and go through their
 * type's input function: an anonymous record (alone, or as the element of
 * an array) has no tuple descriptor there, and pseudo-types have no input.
 * Such columns must be formed on the coordinator from their columns.
 */
const char *
OutputNotReadableReason(List *targetList)
{
	ListCell   *lc;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Oid			type = exprType((Node *) tle->expr);

		if (tle->resjunk)
			continue;
		if (type == RECORDOID || type == RECORDARRAYOID)
			return "an output column is an anonymous record";
		if (get_typtype(type) == TYPTYPE_PSEUDO)
			return psprintf("an output column is of pseudo-type %s", format_type_be(type));
	}
	return NULL;
}

/*
 * IsShippableFunction returns whether calls of funcid may be shipped.
 */
bool
IsShippableFunction(Oid funcid)
{
	return FunctionNotShippableReason(funcid) == NULL;
}

/*
 * FunctionNotShippableReason returns why funcid cannot be shipped, or NULL.
 */
static const char *
FunctionNotShippableReason(Oid funcid)
{
	switch (funcid)
	{
		case F_NEXTVAL:
		case F_CURRVAL:
		case F_SETVAL_REGCLASS_INT8:
		case F_SETVAL_REGCLASS_INT8_BOOL:
		case F_LASTVAL:
			return psprintf("sequence function %s runs on the coordinator",
							format_procedure(funcid));
		case F_RANDOM:
		case F_GEN_RANDOM_UUID:
		case F_CLOCK_TIMESTAMP:
		case F_TIMEOFDAY:
			/* volatile, but each call is independent of where it runs */
			return NULL;
		case F_CURRENT_SCHEMA:
		case F_CURRENT_SCHEMAS:
			return psprintf("function %s depends on search_path",
							format_procedure(funcid));
		default:
			break;
	}

	if (funcid >= FirstNormalObjectId)
		return psprintf("function %s is not built in", format_procedure(funcid));
	if (func_volatile(funcid) == PROVOLATILE_VOLATILE)
		return psprintf("function %s is volatile", format_procedure(funcid));
	return NULL;
}

/*
 * TextDependsOnTransport tells whether the text form of values of typid
 * depends on settings that worker sessions do not share: workers print
 * dates and timestamps in ISO form and floats exactly (so that values read
 * back by the coordinator are exact, see connection.c), while the user's
 * DateStyle and extra_float_digits may say otherwise.  Arrays, ranges,
 * multiranges and domains follow their element or base type; composite and
 * record values are assumed to contain such fields.
 */
static bool
TextDependsOnTransport(Oid typid)
{
	Oid			elemType;

	typid = getBaseType(typid);
	switch (typid)
	{
		case FLOAT4OID:
		case FLOAT8OID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case DATERANGEOID:
		case TSRANGEOID:
		case TSTZRANGEOID:
		case DATEMULTIRANGEOID:
		case TSMULTIRANGEOID:
		case TSTZMULTIRANGEOID:
		case RECORDOID:
			return true;
		default:
			break;
	}
	elemType = get_element_type(typid);
	if (OidIsValid(elemType))
		return TextDependsOnTransport(elemType);
	return get_typtype(typid) == TYPTYPE_COMPOSITE ||
		get_typtype(typid) == TYPTYPE_PSEUDO;
}

/*
 * PrintsValuesAsText tells whether funcid turns its arguments into text
 * with their output functions (concatenation with non-text values, format,
 * JSON builders and the like).
 */
static bool
PrintsValuesAsText(Oid funcid)
{
	switch (funcid)
	{
		case F_TEXTANYCAT:
		case F_ANYTEXTCAT:
		case F_CONCAT:
		case F_CONCAT_WS:
		case F_FORMAT_TEXT_ANY:
		case F_ARRAY_TO_STRING_ANYARRAY_TEXT:
		case F_ARRAY_TO_STRING_ANYARRAY_TEXT_TEXT:
		case F_QUOTE_LITERAL_ANYELEMENT:
		case F_QUOTE_NULLABLE_ANYELEMENT:
		case F_TO_JSON:
		case F_TO_JSONB:
		case F_ROW_TO_JSON_RECORD:
		case F_ROW_TO_JSON_RECORD_BOOL:
		case F_ARRAY_TO_JSON_ANYARRAY:
		case F_ARRAY_TO_JSON_ANYARRAY_BOOL:
		case F_JSON_BUILD_ARRAY_ANY:
		case F_JSON_BUILD_OBJECT_ANY:
		case F_JSONB_BUILD_ARRAY_ANY:
		case F_JSONB_BUILD_OBJECT_ANY:
		case F_JSON_AGG:
		case F_JSONB_AGG:
		case F_JSON_OBJECT_AGG:
		case F_JSONB_OBJECT_AGG:
			return true;
		default:
			return false;
	}
}

/*
 * PrintedArgumentReason returns a reason when funcid prints an argument
 * whose text depends on settings workers do not share (see
 * TextDependsOnTransport), else NULL.  args: expressions or TargetEntries.
 */
static const char *
PrintedArgumentReason(Oid funcid, List *args)
{
	ListCell   *lc;

	if (!PrintsValuesAsText(funcid))
		return NULL;
	foreach(lc, args)
	{
		Node	   *arg = lfirst(lc);

		if (IsA(arg, TargetEntry))
			arg = (Node *) ((TargetEntry *) arg)->expr;
		if (TextDependsOnTransport(exprType(arg)))
			return psprintf("function %s prints %s values, whose text depends on the coordinator's settings",
							format_procedure(funcid), format_type_be(exprType(arg)));
	}
	return NULL;
}

/*
 * OperatorNotShippableReason returns why opno cannot be shipped, or NULL.
 */
static const char *
OperatorNotShippableReason(Oid opno)
{
	if (opno >= FirstNormalObjectId)
		return psprintf("operator %s is not built in", format_operator(opno));
	return FunctionNotShippableReason(get_opcode(opno));
}

/*
 * TypeNotShippableReason returns why values of typid cannot be shipped, or
 * NULL.
 */
static const char *
TypeNotShippableReason(Oid typid)
{
	if (!OidIsValid(typid))
		return NULL;
	if (typid >= FirstNormalObjectId)
		return psprintf("type %s is not built in", format_type_be(typid));
	if (IsObjectNameType(typid))
		return psprintf("values of type %s are object identifiers that differ between servers",
						format_type_be(typid));
	return NULL;
}

/*
 * IsObjectNameType returns whether typid (or its element type) is one of
 * the reg* types.
 */
bool
IsObjectNameType(Oid typid)
{
	Oid			elemType = get_element_type(typid);

	if (OidIsValid(elemType))
		typid = elemType;
	switch (typid)
	{
		case REGPROCOID:
		case REGPROCEDUREOID:
		case REGOPEROID:
		case REGOPERATOROID:
		case REGCLASSOID:
		case REGCOLLATIONOID:
		case REGTYPEOID:
		case REGROLEOID:
		case REGNAMESPACEOID:
		case REGCONFIGOID:
		case REGDICTIONARYOID:
			return true;
		default:
			return false;
	}
}

/*
 * IsCollationRelabel returns whether node is a RelabelType that changes the
 * collation of its argument: what the planner leaves of an explicit
 * COLLATE clause (eval_const_expressions folds CollateExpr into it).
 */
bool
IsCollationRelabel(Node *node)
{
	RelabelType *relabel;

	if (node == NULL || !IsA(node, RelabelType))
		return false;
	relabel = (RelabelType *) node;
	return OidIsValid(relabel->resultcollid) &&
		relabel->resultcollid != exprCollation((Node *) relabel->arg);
}

/*
 * SortClauseNotShippableReason checks the operators of ORDER BY, GROUP BY,
 * DISTINCT and window clauses, which no expression walker visits.
 */
static const char *
SortClauseNotShippableReason(List *clauses)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		const char *reason;

		if (OidIsValid(sgc->sortop) &&
			(reason = OperatorNotShippableReason(sgc->sortop)) != NULL)
			return reason;
		if (OidIsValid(sgc->eqop) &&
			(reason = OperatorNotShippableReason(sgc->eqop)) != NULL)
			return reason;
	}
	return NULL;
}

/*
 * NotShippableWalker records in ctx the first reason found and returns true
 * to stop the walk.
 */
static bool
NotShippableWalker(Node *node, ShippableContext *ctx)
{
	const char *reason = NULL;
	bool		checkType = true;

	if (node == NULL)
		return false;

	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		if ((reason = SortClauseNotShippableReason(query->sortClause)) != NULL ||
			(reason = SortClauseNotShippableReason(query->groupClause)) != NULL ||
			(reason = SortClauseNotShippableReason(query->distinctClause)) != NULL)
		{
			ctx->reason = reason;
			return true;
		}
		foreach(lc, query->windowClause)
		{
			WindowClause *wc = lfirst_node(WindowClause, lc);

			if ((reason = SortClauseNotShippableReason(wc->partitionClause)) != NULL ||
				(reason = SortClauseNotShippableReason(wc->orderClause)) != NULL)
			{
				ctx->reason = reason;
				return true;
			}
		}
		return query_tree_walker(query, NotShippableWalker, (void *) ctx,
								 QTW_EXAMINE_RTES_BEFORE);
	}

	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_TABLEFUNC)
			reason = "XMLTABLE is not supported";
		else if (rte->rtekind == RTE_NAMEDTUPLESTORE)
			reason = "transition tables exist only on the coordinator";
		else if (rte->rtekind == RTE_RELATION && rte->tablesample != NULL &&
				 rte->tablesample->tsmhandler >= FirstNormalObjectId)
			/* handlers are marked volatile, but sampling is per row or page */
			reason = psprintf("table sampling method %s is not built in",
							  format_procedure(rte->tablesample->tsmhandler));
		if (reason != NULL)
		{
			ctx->reason = reason;
			return true;
		}
		return false;
	}

	switch (nodeTag(node))
	{
		case T_Var:
			/* columns exist on the worker by construction */
			checkType = false;
			if (((Var *) node)->varattno == TableOidAttributeNumber)
				reason = "tableoid differs on workers";
			break;
		case T_RelabelType:
			if (IsCollationRelabel(node) &&
				((RelabelType *) node)->resultcollid >= FirstGenbkiObjectId)
				reason = psprintf("collation %s may not exist on workers",
								  get_collation_name(((RelabelType *) node)->resultcollid));
			break;
		case T_CoerceViaIO:
			{
				Oid			argType = exprType((Node *) ((CoerceViaIO *) node)->arg);

				if (TextDependsOnTransport(argType))
					reason = psprintf("the text of %s values depends on the coordinator's settings",
									  format_type_be(argType));
			}
			break;
		case T_Const:
		case T_ArrayCoerceExpr:
		case T_ConvertRowtypeExpr:
		case T_CoerceToDomain:
		case T_CaseExpr:
		case T_ArrayExpr:
		case T_RowExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_FieldStore:
		case T_SubscriptingRef:
		case T_NullIfExpr:
			break;
		case T_FieldSelect:
			{
				/* the field is shipped by name (see CompositeFieldName) */
				Node	   *arg = (Node *) ((FieldSelect *) node)->arg;

				if (!OidIsValid(get_typ_typrelid(getBaseType(exprType(arg)))) &&
					get_expr_result_tupdesc(arg, true) == NULL)
					reason = "a field of an anonymous record is selected";
			}
			break;
		case T_Param:
			if (((Param *) node)->paramkind == PARAM_EXEC)
				reason = "parameters of subplans are not supported";
			break;
		case T_FuncExpr:
			reason = FunctionNotShippableReason(((FuncExpr *) node)->funcid);
			if (reason == NULL)
				reason = PrintedArgumentReason(((FuncExpr *) node)->funcid,
											   ((FuncExpr *) node)->args);
			break;
		case T_OpExpr:
		case T_DistinctExpr:
			reason = OperatorNotShippableReason(((OpExpr *) node)->opno);
			if (reason == NULL)
				reason = PrintedArgumentReason(get_opcode(((OpExpr *) node)->opno),
											   ((OpExpr *) node)->args);
			break;
		case T_ScalarArrayOpExpr:
			reason = OperatorNotShippableReason(((ScalarArrayOpExpr *) node)->opno);
			break;
		case T_RowCompareExpr:
			{
				ListCell   *lc;

				foreach(lc, ((RowCompareExpr *) node)->opnos)
				{
					reason = OperatorNotShippableReason(lfirst_oid(lc));
					if (reason != NULL)
						break;
				}
				checkType = false;
			}
			break;
		case T_Aggref:
			{
				Aggref	   *aggref = (Aggref *) node;

				reason = FunctionNotShippableReason(aggref->aggfnoid);
				if (reason == NULL)
					reason = PrintedArgumentReason(aggref->aggfnoid, aggref->args);
				if (reason == NULL)
					reason = SortClauseNotShippableReason(aggref->aggorder);
				if (reason == NULL)
					reason = SortClauseNotShippableReason(aggref->aggdistinct);
			}
			break;
		case T_WindowFunc:
			reason = FunctionNotShippableReason(((WindowFunc *) node)->winfnoid);
			break;
		case T_CollateExpr:
			if (((CollateExpr *) node)->collOid >= FirstGenbkiObjectId)
				reason = psprintf("collation %s may not exist on workers",
								  get_collation_name(((CollateExpr *) node)->collOid));
			checkType = false;
			break;
		case T_SQLValueFunction:
			if (((SQLValueFunction *) node)->op == SVFOP_CURRENT_SCHEMA)
				reason = "CURRENT_SCHEMA depends on search_path";
			checkType = false;
			break;
		case T_NextValueExpr:
			reason = "values of identity sequences come from the coordinator";
			checkType = false;
			break;
		case T_CurrentOfExpr:
			reason = "WHERE CURRENT OF is not supported";
			checkType = false;
			break;
		case T_SubPlan:
		case T_AlternativeSubPlan:
			/* the planner made it from a SubLink; it runs where it was planned */
			reason = "subplans run on the coordinator";
			checkType = false;
			break;
		case T_PlaceHolderVar:
			reason = "placeholders are computed by the coordinator's plan";
			checkType = false;
			break;
		case T_SubLink:
			checkType = (((SubLink *) node)->subLinkType == EXPR_SUBLINK ||
						 ((SubLink *) node)->subLinkType == ARRAY_SUBLINK);
			break;
		default:
			checkType = false;
			break;
	}

	if (reason == NULL && checkType)
		reason = TypeNotShippableReason(exprType(node));
	if (reason != NULL)
	{
		ctx->reason = reason;
		return true;
	}

	return expression_tree_walker(node, NotShippableWalker, (void *) ctx);
}
