/*-------------------------------------------------------------------------
 * deparse.c
 *	  Query trees (after parse analysis and rewrite, before planning) to SQL
 *	  text that means the same on a worker.
 *
 * Invariants of the text produced here:
 *  - It is read by a worker session with search_path = pg_catalog and
 *    standard_conforming_strings on.  Functions, operators, types and
 *    collations outside pg_catalog are schema-qualified; relations are named
 *    through DeparseOptions.relationName (or by their qualified own name).
 *  - Every range table entry of the whole statement gets an alias that is
 *    unique across the statement, and every column reference is qualified
 *    with it, so no reference can be captured by an inner scope.  Subquery,
 *    function, VALUES and CTE items carry explicit column alias lists.
 *  - Joins are emitted without aliases and always with ON; references to
 *    join output columns are replaced by the join's alias expressions.
 *  - Implicit casts are left out (the worker derives the same ones from the
 *    same input types), except at the top of a join alias expression, where
 *    nothing would derive them again.  Constants are always typed literals,
 *    so they are never read as ORDER BY / GROUP BY positions.
 *  - Shapes we cannot reproduce exactly raise ERRCODE_FEATURE_NOT_SUPPORTED;
 *    no wrong SQL is ever returned.
 *
 * All memory is palloc'd in the caller's context; the input tree is never
 * modified.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "deparse/deparse.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/float.h"
#include "nodes/nodeFuncs.h"
#include "executor/executor.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/xml.h"

/* Longest alias stem, leaving room for a "_NNNN" suffix under NAMEDATALEN. */
#define MAX_ALIAS_STEM	(NAMEDATALEN - 10)

/* Names given to the range table entries of one query level. */
typedef struct DeparseNamespace
{
	Query	   *query;
	char	  **aliases;		/* by rtindex - 1; NULL for joins */
	List	  **columns;		/* by rtindex - 1; column aliases of
								 * non-relation entries */
} DeparseNamespace;

typedef struct DeparseContext
{
	StringInfo	buf;
	DeparseOptions *options;
	List	   *namespaces;		/* DeparseNamespace *, innermost first */
	List	   *usedAliases;	/* every alias handed out in the statement */
	Index		bareVarno;		/* level-0 Vars of this rtindex print
								 * unqualified (ON CONFLICT inference) */
} DeparseContext;

static void DeparseStatement(Query *query, DeparseContext *ctx);
static void PushNamespace(Query *query, DeparseContext *ctx);
static void PopNamespace(DeparseContext *ctx);
static char *MakeUniqueAlias(const char *stem, List **used);
static char *RelationSqlName(Oid relid, DeparseContext *ctx);
static void DeparseWithClause(Query *query, DeparseContext *ctx);
static void DeparseSelect(Query *query, DeparseContext *ctx);
static void DeparseSimpleSelect(Query *query, DeparseContext *ctx);
static bool IsPlainValuesQuery(Query *query);
static void DeparseSetOperation(Node *node, Query *query, bool nested,
								DeparseContext *ctx);
static void DeparseTargetList(List *targetList, DeparseContext *ctx);
static bool DeparseFromList(List *fromlist, Index skipRtindex,
							DeparseContext *ctx);
static void DeparseFromItem(Node *jtnode, DeparseContext *ctx);
static void DeparseRangeTableEntry(Index rtindex, DeparseContext *ctx);
static void DeparseFunctionScan(RangeTblEntry *rte, DeparseContext *ctx);
static void DeparseValuesLists(List *valuesLists, DeparseContext *ctx);
static void DeparseColumnAliases(List *columns, DeparseContext *ctx);
static void DeparseSortGroupItem(SortGroupClause *sgc, List *targetList,
								 bool usePositions, DeparseContext *ctx);
static void DeparseSortClause(List *sortClause, List *targetList,
							  bool usePositions, DeparseContext *ctx);
static void DeparseGroupBy(Query *query, DeparseContext *ctx);
static void DeparseGroupingSet(GroupingSet *gset, List *targetList,
							   bool topLevel, DeparseContext *ctx);
static void DeparseWindowSpec(Index winref, DeparseContext *ctx);
static void DeparseFrameBound(int frameOptions, bool start, Node *offset,
							  DeparseContext *ctx);
static void DeparseLimit(Query *query, DeparseContext *ctx);
static void DeparseLockingClause(Query *query, DeparseContext *ctx);
static void DeparseInsert(Query *query, DeparseContext *ctx);
static void DeparseOnConflict(Query *query, DeparseContext *ctx);
static void DeparseUpdate(Query *query, DeparseContext *ctx);
static void DeparseDelete(Query *query, DeparseContext *ctx);
static void DeparseAssignments(List *targetList, Oid relid,
							   DeparseContext *ctx);
static Node *DeparseAssignmentTarget(Node *expr, StringInfo target,
									 DeparseContext *ctx);
static void DeparseReturning(Query *query, DeparseContext *ctx);
static void DeparseExpr(Node *node, DeparseContext *ctx);
static void DeparseExprTopLevel(Node *node, DeparseContext *ctx);
static void DeparseExprShowCast(Node *node, DeparseContext *ctx);
static void DeparseExprList(List *exprs, bool topLevel, DeparseContext *ctx);
static void DeparseVar(Var *var, bool topLevel, DeparseContext *ctx);
static void DeparseParam(Param *param, DeparseContext *ctx);
static void DeparseFuncExpr(FuncExpr *func, DeparseContext *ctx);
static void DeparseFuncArgs(List *args, bool variadic, DeparseContext *ctx);
static void DeparseAggref(Aggref *aggref, DeparseContext *ctx);
static void DeparseWindowFunc(WindowFunc *wfunc, DeparseContext *ctx);
static void DeparseOpExpr(Oid opno, List *args, DeparseContext *ctx);
static void DeparseSubLink(SubLink *sublink, DeparseContext *ctx);
static void DeparseCaseExpr(CaseExpr *caseExpr, DeparseContext *ctx);
static void DeparseFieldSelect(FieldSelect *fselect, DeparseContext *ctx);
static void DeparseSubscripts(SubscriptingRef *sbsref, DeparseContext *ctx);
static void DeparseSQLValueFunction(SQLValueFunction *svf,
									DeparseContext *ctx);
static void DeparseXmlExpr(XmlExpr *xexpr, DeparseContext *ctx);
static void DeparseCast(Node *arg, Oid typid, int32 typmod,
						DeparseContext *ctx);
static Node *CoercionArgument(Node *node, bool implicitOnly);
static Node *StripImplicitCoercions(Node *node);
static void AppendFunctionName(StringInfo buf, Oid funcid);
static void AppendOperatorName(StringInfo buf, Oid opno);
static void AppendCollationName(StringInfo buf, Oid collid);
static char *TypeSqlName(Oid typid, int32 typmod);
static int	TargetPosition(List *targetList, TargetEntry *target);
static const char *CompositeFieldName(Node *arg, int fieldnum);
static int	BeginTransmissionModes(void);
static void EndTransmissionModes(int nestLevel);

/* > 0 while output settings for literals are in force (see below) */
static int	TransmissionDepth = 0;

/*
 * DeparseQuery returns the SQL text of a SELECT, INSERT, UPDATE or DELETE
 * query tree in the current memory context.  Throws when some part of the
 * statement cannot be expressed exactly.
 */
char *
DeparseQuery(Query *query, DeparseOptions *options)
{
	StringInfoData buf;

	initStringInfo(&buf);
	DeparseQueryInto(&buf, query, options);
	return buf.data;
}

/*
 * DeparseQueryInto appends the SQL text of query to buf; see DeparseQuery.
 */
void
DeparseQueryInto(StringInfo buf, Query *query, DeparseOptions *options)
{
	DeparseContext ctx;
	DeparseOptions noOptions;
	int			nestLevel;

	if (options == NULL)
	{
		memset(&noOptions, 0, sizeof(noOptions));
		options = &noOptions;
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.buf = buf;
	ctx.options = options;
	ctx.namespaces = NIL;

	/* "excluded" belongs to ON CONFLICT; no other entry may take it */
	ctx.usedAliases = list_make1(pstrdup("excluded"));

	nestLevel = BeginTransmissionModes();
	PG_TRY();
	{
		DeparseStatement(query, &ctx);
	}
	PG_FINALLY();
	{
		EndTransmissionModes(nestLevel);
	}
	PG_END_TRY();
}

/*
 * BeginTransmissionModes makes literals print in a form every server reads
 * back the same, whatever its own settings: ISO dates, postgres intervals,
 * exact floats.  Returns the GUC nest level to pass to
 * EndTransmissionModes, or 0 when an outer call already did this.  On
 * error the transaction abort restores the settings; callers only need
 * EndTransmissionModes on success and in PG_FINALLY.
 */
static int
BeginTransmissionModes(void)
{
	int			nestLevel;

	if (TransmissionDepth++ > 0)
		return 0;
	nestLevel = SetTransmissionModes();
	return nestLevel > 0 ? nestLevel : 0;
}

/*
 * EndTransmissionModes undoes BeginTransmissionModes.
 */
static void
EndTransmissionModes(int nestLevel)
{
	TransmissionDepth--;
	if (nestLevel > 0)
		AtEOXact_GUC(true, nestLevel);
}

/*
 * DeparseStatement appends one (possibly nested) statement with its own
 * namespace pushed for the duration.
 */
static void
DeparseStatement(Query *query, DeparseContext *ctx)
{
	check_stack_depth();

	if (query->utilityStmt != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse a utility statement")));
	if (query->withCheckOptions != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse a statement with WITH CHECK OPTION or row-level security checks"),
				 errhint("Modify the table directly rather than through the view.")));

	PushNamespace(query, ctx);

	switch (query->commandType)
	{
		case CMD_SELECT:
			DeparseSelect(query, ctx);
			break;
		case CMD_INSERT:
			DeparseInsert(query, ctx);
			break;
		case CMD_UPDATE:
			DeparseUpdate(query, ctx);
			break;
		case CMD_DELETE:
			DeparseDelete(query, ctx);
			break;
		case CMD_MERGE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse MERGE"),
					 errhint("Use INSERT ... ON CONFLICT, UPDATE or DELETE instead.")));
			break;
		default:
			elog(ERROR, "unexpected command type %d", (int) query->commandType);
	}

	PopNamespace(ctx);
}

/*
 * PushNamespace gives every non-join entry of the query's range table a
 * statement-wide unique alias, and non-relation entries unique column
 * names, and makes the query the innermost level.
 */
static void
PushNamespace(Query *query, DeparseContext *ctx)
{
	DeparseNamespace *ns = palloc0(sizeof(DeparseNamespace));
	int			rtableLength = list_length(query->rtable);
	ListCell   *lc;

	ns->query = query;
	ns->aliases = palloc0(sizeof(char *) * (rtableLength + 1));
	ns->columns = palloc0(sizeof(List *) * (rtableLength + 1));

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		int			index = foreach_current_index(lc);
		const char *stem;

		if (rte->securityQuals != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a query on a relation with row-level security or a security barrier view")));

		if (rte->rtekind == RTE_JOIN)
			continue;

		if (query->onConflict != NULL &&
			index + 1 == query->onConflict->exclRelIndex)
			ns->aliases[index] = pstrdup("excluded");
		else
		{
			stem = rte->alias != NULL ? rte->alias->aliasname :
				rte->eref->aliasname;
			ns->aliases[index] = MakeUniqueAlias(stem, &ctx->usedAliases);
		}

		if (rte->rtekind != RTE_RELATION)
		{
			List	   *used = NIL;
			List	   *columns = NIL;
			ListCell   *cc;

			foreach(cc, rte->eref->colnames)
			{
				char	   *column = strVal(lfirst(cc));

				columns = lappend(columns,
								  MakeUniqueAlias(column[0] != '\0' ? column : "column",
												  &used));
			}
			ns->columns[index] = columns;
		}
	}

	ctx->namespaces = lcons(ns, ctx->namespaces);
}

/*
 * PopNamespace leaves the innermost query level.
 */
static void
PopNamespace(DeparseContext *ctx)
{
	ctx->namespaces = list_delete_first(ctx->namespaces);
}

/*
 * MakeUniqueAlias returns a name derived from stem that is not in *used and
 * adds it there.  Stems are cleaned of the '*' of parser-made names
 * ("*SELECT*") and clipped so that a suffix still fits in NAMEDATALEN.
 */
static char *
MakeUniqueAlias(const char *stem, List **used)
{
	StringInfoData clean;
	const char *p;
	char	   *candidate;
	int			suffix = 0;

	initStringInfo(&clean);
	for (p = stem; *p != '\0'; p++)
	{
		if (*p != '*')
			appendStringInfoChar(&clean, *p);
	}
	if (clean.len == 0)
		appendStringInfoString(&clean, "rte");
	if (clean.len > MAX_ALIAS_STEM)
	{
		int			clip = pg_mbcliplen(clean.data, clean.len, MAX_ALIAS_STEM);

		clean.data[clip] = '\0';
		clean.len = clip;
	}

	candidate = clean.data;
	for (;;)
	{
		ListCell   *lc;
		bool		taken = false;

		foreach(lc, *used)
		{
			if (strcmp((char *) lfirst(lc), candidate) == 0)
			{
				taken = true;
				break;
			}
		}
		if (!taken)
			break;
		suffix++;
		candidate = psprintf("%s_%d", clean.data, suffix);
	}

	*used = lappend(*used, candidate);
	return candidate;
}

/*
 * RelationSqlName returns the quoted, qualified name under which relid is
 * shipped.
 */
static char *
RelationSqlName(Oid relid, DeparseContext *ctx)
{
	char	   *name = NULL;
	char	   *relname;
	char	   *nspname;

	if (ctx->options->relationName != NULL)
		name = ctx->options->relationName(relid, ctx->options->relationNameArg);
	if (name != NULL)
		return name;

	relname = get_rel_name(relid);
	if (relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	nspname = get_namespace_name(get_rel_namespace(relid));
	return quote_qualified_identifier(nspname, relname);
}

/*
 * InnermostNamespace returns the namespace of the query being deparsed.
 */
static inline DeparseNamespace *
InnermostNamespace(DeparseContext *ctx)
{
	return (DeparseNamespace *) linitial(ctx->namespaces);
}

/*
 * DeparseWithClause appends "WITH [RECURSIVE] ..." when the query has CTEs.
 */
static void
DeparseWithClause(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	if (query->cteList == NIL)
		return;

	appendStringInfoString(buf, "WITH ");
	if (query->hasRecursive)
		appendStringInfoString(buf, "RECURSIVE ");

	foreach(lc, query->cteList)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);

		if (cte->search_clause != NULL || cte->cycle_clause != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse SEARCH or CYCLE clause of WITH query \"%s\"",
							cte->ctename)));

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoString(buf, quote_identifier(cte->ctename));
		if (cte->aliascolnames != NIL)
		{
			ListCell   *cc;

			appendStringInfoChar(buf, '(');
			foreach(cc, cte->aliascolnames)
			{
				if (foreach_current_index(cc) > 0)
					appendStringInfoString(buf, ", ");
				appendStringInfoString(buf, quote_identifier(strVal(lfirst(cc))));
			}
			appendStringInfoChar(buf, ')');
		}
		appendStringInfoString(buf, " AS ");
		if (cte->ctematerialized == CTEMaterializeAlways)
			appendStringInfoString(buf, "MATERIALIZED ");
		else if (cte->ctematerialized == CTEMaterializeNever)
			appendStringInfoString(buf, "NOT MATERIALIZED ");
		appendStringInfoChar(buf, '(');
		DeparseStatement(castNode(Query, cte->ctequery), ctx);
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoChar(buf, ' ');
}

/*
 * DeparseSelect appends a whole SELECT: WITH, body (or set operation),
 * ORDER BY, LIMIT/OFFSET and locking clauses.
 */
static void
DeparseSelect(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	DeparseWithClause(query, ctx);

	if (query->setOperations != NULL)
		DeparseSetOperation(query->setOperations, query, false, ctx);
	else if (IsPlainValuesQuery(query))
	{
		RangeTblRef *rtr = linitial_node(RangeTblRef, query->jointree->fromlist);

		DeparseValuesLists(rt_fetch(rtr->rtindex, query->rtable)->values_lists,
						   ctx);
	}
	else
		DeparseSimpleSelect(query, ctx);

	if (query->sortClause != NIL)
	{
		appendStringInfoString(buf, " ORDER BY ");
		/* a set operation's ORDER BY can only name output columns */
		DeparseSortClause(query->sortClause, query->targetList, true, ctx);
	}

	DeparseLimit(query, ctx);
	DeparseLockingClause(query, ctx);
}

/*
 * IsPlainValuesQuery returns whether query is what parse analysis makes of
 * a bare VALUES list: all columns of one VALUES entry, in order, and
 * nothing else (ORDER BY and LIMIT are handled by the caller).
 */
static bool
IsPlainValuesQuery(Query *query)
{
	RangeTblRef *rtr;
	RangeTblEntry *rte;
	ListCell   *lc;
	int			attno = 0;

	if (query->jointree == NULL || query->jointree->quals != NULL ||
		list_length(query->jointree->fromlist) != 1 ||
		!IsA(linitial(query->jointree->fromlist), RangeTblRef) ||
		query->distinctClause != NIL || query->groupClause != NIL ||
		query->groupingSets != NIL || query->havingQual != NULL ||
		query->hasAggs || query->hasWindowFuncs || query->hasTargetSRFs)
		return false;
	rtr = linitial_node(RangeTblRef, query->jointree->fromlist);
	rte = rt_fetch(rtr->rtindex, query->rtable);
	if (rte->rtekind != RTE_VALUES)
		return false;

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;

		if (tle->resjunk)
			return false;
		attno++;
		if (!IsA(var, Var) || var->varlevelsup != 0 ||
			var->varno != rtr->rtindex || var->varattno != attno ||
			attno > list_length(rte->eref->colnames) ||
			tle->resname == NULL ||
			strcmp(tle->resname, strVal(list_nth(rte->eref->colnames, attno - 1))) != 0)
			return false;
	}
	return attno == list_length(rte->eref->colnames);
}

/*
 * DeparseSimpleSelect appends SELECT [DISTINCT] list FROM WHERE GROUP BY
 * HAVING of a query without set operations.  Named windows are written
 * inline at each window function, so there is no WINDOW clause.
 */
static void
DeparseSimpleSelect(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	appendStringInfoString(buf, "SELECT ");

	if (query->distinctClause != NIL)
	{
		if (query->hasDistinctOn)
		{
			ListCell   *lc;

			appendStringInfoString(buf, "DISTINCT ON (");
			foreach(lc, query->distinctClause)
			{
				if (foreach_current_index(lc) > 0)
					appendStringInfoString(buf, ", ");
				DeparseSortGroupItem(lfirst_node(SortGroupClause, lc),
									 query->targetList, true, ctx);
			}
			appendStringInfoString(buf, ") ");
		}
		else
			appendStringInfoString(buf, "DISTINCT ");
	}

	DeparseTargetList(query->targetList, ctx);

	if (query->jointree != NULL && query->jointree->fromlist != NIL)
	{
		appendStringInfoString(buf, " FROM ");
		DeparseFromList(query->jointree->fromlist, 0, ctx);
	}

	if (query->jointree != NULL && query->jointree->quals != NULL)
	{
		appendStringInfoString(buf, " WHERE ");
		DeparseExpr(query->jointree->quals, ctx);
	}

	DeparseGroupBy(query, ctx);

	if (query->havingQual != NULL)
	{
		appendStringInfoString(buf, " HAVING ");
		DeparseExpr(query->havingQual, ctx);
	}
}

/*
 * DeparseSetOperation appends a set operation tree; leaves are subqueries
 * of the range table, always parenthesized.
 */
static void
DeparseSetOperation(Node *node, Query *query, bool nested,
					DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	if (IsA(node, RangeTblRef))
	{
		RangeTblEntry *rte = rt_fetch(((RangeTblRef *) node)->rtindex,
									  query->rtable);

		Assert(rte->rtekind == RTE_SUBQUERY);
		appendStringInfoChar(buf, '(');
		DeparseStatement(rte->subquery, ctx);
		appendStringInfoChar(buf, ')');
	}
	else if (IsA(node, SetOperationStmt))
	{
		SetOperationStmt *op = (SetOperationStmt *) node;

		if (nested)
			appendStringInfoChar(buf, '(');
		DeparseSetOperation(op->larg, query, true, ctx);
		switch (op->op)
		{
			case SETOP_UNION:
				appendStringInfoString(buf, " UNION ");
				break;
			case SETOP_INTERSECT:
				appendStringInfoString(buf, " INTERSECT ");
				break;
			case SETOP_EXCEPT:
				appendStringInfoString(buf, " EXCEPT ");
				break;
			default:
				elog(ERROR, "unexpected set operation %d", (int) op->op);
		}
		if (op->all)
			appendStringInfoString(buf, "ALL ");
		DeparseSetOperation(op->rarg, query, true, ctx);
		if (nested)
			appendStringInfoChar(buf, ')');
	}
	else
		elog(ERROR, "unexpected node type %d in set operation",
			 (int) nodeTag(node));
}

/*
 * DeparseTargetList appends the non-junk entries of a SELECT or RETURNING
 * list, each with its output name.
 */
static void
DeparseTargetList(List *targetList, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;
	bool		first = true;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk)
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		DeparseExprTopLevel((Node *) tle->expr, ctx);
		if (tle->resname != NULL)
			appendStringInfo(buf, " AS %s", quote_identifier(tle->resname));
	}
}

/*
 * DeparseFromList appends comma-separated FROM items, leaving out the
 * RangeTblRef of skipRtindex (the target of UPDATE/DELETE).  Returns whether
 * anything was written.
 */
static bool
DeparseFromList(List *fromlist, Index skipRtindex, DeparseContext *ctx)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, fromlist)
	{
		Node	   *item = (Node *) lfirst(lc);

		if (IsA(item, RangeTblRef) &&
			((RangeTblRef *) item)->rtindex == (int) skipRtindex)
			continue;
		if (!first)
			appendStringInfoString(ctx->buf, ", ");
		first = false;
		DeparseFromItem(item, ctx);
	}
	return !first;
}

/*
 * DeparseFromItem appends one jointree node.  Joins get no alias (their
 * columns are resolved through joinaliasvars) and always an ON condition,
 * which parse analysis built for USING and NATURAL too.
 */
static void
DeparseFromItem(Node *jtnode, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	if (IsA(jtnode, RangeTblRef))
		DeparseRangeTableEntry(((RangeTblRef *) jtnode)->rtindex, ctx);
	else if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *join = (JoinExpr *) jtnode;
		bool		cross = false;

		appendStringInfoChar(buf, '(');
		DeparseFromItem(join->larg, ctx);
		switch (join->jointype)
		{
			case JOIN_INNER:
				cross = (join->quals == NULL);
				appendStringInfoString(buf, cross ? " CROSS JOIN " : " JOIN ");
				break;
			case JOIN_LEFT:
				appendStringInfoString(buf, " LEFT JOIN ");
				break;
			case JOIN_FULL:
				appendStringInfoString(buf, " FULL JOIN ");
				break;
			case JOIN_RIGHT:
				appendStringInfoString(buf, " RIGHT JOIN ");
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot deparse join type %d", (int) join->jointype)));
		}
		DeparseFromItem(join->rarg, ctx);
		if (!cross)
		{
			appendStringInfoString(buf, " ON ");
			if (join->quals != NULL)
				DeparseExpr(join->quals, ctx);
			else
				appendStringInfoString(buf, "true");
		}
		appendStringInfoChar(buf, ')');
	}
	else
		elog(ERROR, "unexpected node type %d in FROM", (int) nodeTag(jtnode));
}

/*
 * DeparseRangeTableEntry appends a FROM item for a range table entry of the
 * innermost query, with its unique alias and column aliases.
 */
static void
DeparseRangeTableEntry(Index rtindex, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns = InnermostNamespace(ctx);
	RangeTblEntry *rte = rt_fetch(rtindex, ns->query->rtable);
	const char *alias = ns->aliases[rtindex - 1];
	List	   *columns = ns->columns[rtindex - 1];

	if (rte->lateral)
		appendStringInfoString(buf, "LATERAL ");

	switch (rte->rtekind)
	{
		case RTE_RELATION:
			if (!rte->inh)
				appendStringInfoString(buf, "ONLY ");
			appendStringInfo(buf, "%s %s", RelationSqlName(rte->relid, ctx),
							 quote_identifier(alias));
			if (rte->tablesample != NULL)
			{
				TableSampleClause *tsc = rte->tablesample;

				appendStringInfoString(buf, " TABLESAMPLE ");
				AppendFunctionName(buf, tsc->tsmhandler);
				appendStringInfoChar(buf, '(');
				DeparseExprList(tsc->args, false, ctx);
				appendStringInfoChar(buf, ')');
				if (tsc->repeatable != NULL)
				{
					appendStringInfoString(buf, " REPEATABLE (");
					DeparseExpr((Node *) tsc->repeatable, ctx);
					appendStringInfoChar(buf, ')');
				}
			}
			return;

		case RTE_SUBQUERY:
			appendStringInfoChar(buf, '(');
			DeparseStatement(rte->subquery, ctx);
			appendStringInfoChar(buf, ')');
			break;

		case RTE_FUNCTION:
			DeparseFunctionScan(rte, ctx);
			break;

		case RTE_VALUES:
			appendStringInfoChar(buf, '(');
			DeparseValuesLists(rte->values_lists, ctx);
			appendStringInfoChar(buf, ')');
			break;

		case RTE_CTE:
			appendStringInfoString(buf, quote_identifier(rte->ctename));
			break;

		case RTE_TABLEFUNC:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse XMLTABLE")));
			break;

		case RTE_NAMEDTUPLESTORE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a reference to transition table \"%s\"",
							rte->enrname)));
			break;

		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse range table entry of kind %d",
							(int) rte->rtekind)));
	}

	appendStringInfo(buf, " AS %s", quote_identifier(alias));
	DeparseColumnAliases(columns, ctx);
}

/*
 * DeparseFunctionScan appends a function FROM item.  A single function
 * without a column definition list is written plainly; anything else uses
 * ROWS FROM, where each function can carry its own definition list.
 */
static void
DeparseFunctionScan(RangeTblEntry *rte, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	bool		rowsFrom = false;
	ListCell   *lc;

	if (list_length(rte->functions) != 1 ||
		linitial_node(RangeTblFunction, rte->functions)->funccolnames != NIL)
		rowsFrom = true;

	if (rowsFrom)
		appendStringInfoString(buf, "ROWS FROM(");

	foreach(lc, rte->functions)
	{
		RangeTblFunction *rtfunc = lfirst_node(RangeTblFunction, lc);
		Node	   *funcexpr = rtfunc->funcexpr;

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");

		/* only function-call syntax is allowed here */
		if (!((IsA(funcexpr, FuncExpr) &&
			   ((FuncExpr *) funcexpr)->funcformat != COERCE_IMPLICIT_CAST) ||
			  IsA(funcexpr, SQLValueFunction) ||
			  IsA(funcexpr, CoalesceExpr) ||
			  IsA(funcexpr, MinMaxExpr) ||
			  IsA(funcexpr, NullIfExpr)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a function in FROM that is an expression of node type %d",
							(int) nodeTag(funcexpr))));
		DeparseExpr(funcexpr, ctx);

		if (rtfunc->funccolnames != NIL)
		{
			ListCell   *nc;
			ListCell   *tc;
			ListCell   *mc;

			appendStringInfoString(buf, " AS (");
			forthree(nc, rtfunc->funccolnames, tc, rtfunc->funccoltypes,
					 mc, rtfunc->funccoltypmods)
			{
				if (foreach_current_index(nc) > 0)
					appendStringInfoString(buf, ", ");
				appendStringInfo(buf, "%s %s",
								 quote_identifier(strVal(lfirst(nc))),
								 TypeSqlName(lfirst_oid(tc), lfirst_int(mc)));
			}
			appendStringInfoChar(buf, ')');
		}
	}

	if (rowsFrom)
		appendStringInfoChar(buf, ')');
	if (rte->funcordinality)
		appendStringInfoString(buf, " WITH ORDINALITY");
}

/*
 * DeparseValuesLists appends "VALUES (...), (...)".
 */
static void
DeparseValuesLists(List *valuesLists, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	appendStringInfoString(buf, "VALUES ");
	foreach(lc, valuesLists)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoChar(buf, '(');
		DeparseExprList((List *) lfirst(lc), true, ctx);
		appendStringInfoChar(buf, ')');
	}
}

/*
 * DeparseColumnAliases appends "(a, b, ...)" unless there are no columns.
 */
static void
DeparseColumnAliases(List *columns, DeparseContext *ctx)
{
	ListCell   *lc;

	if (columns == NIL)
		return;
	appendStringInfoChar(ctx->buf, '(');
	foreach(lc, columns)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(ctx->buf, ", ");
		appendStringInfoString(ctx->buf, quote_identifier((char *) lfirst(lc)));
	}
	appendStringInfoChar(ctx->buf, ')');
}

/*
 * TargetPosition returns the 1-based output position of a non-junk entry.
 */
static int
TargetPosition(List *targetList, TargetEntry *target)
{
	ListCell   *lc;
	int			position = 0;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk)
			continue;
		position++;
		if (tle == target)
			return position;
	}
	elog(ERROR, "target entry is not in the target list");
	return 0;					/* keep compiler quiet */
}

/*
 * DeparseSortGroupItem appends the expression of a sort/group item.  With
 * usePositions, output columns are named by position, which cannot be
 * mistaken for anything else; resjunk entries are written as expressions.
 */
static void
DeparseSortGroupItem(SortGroupClause *sgc, List *targetList,
					 bool usePositions, DeparseContext *ctx)
{
	TargetEntry *tle = get_sortgroupclause_tle(sgc, targetList);

	if (usePositions && !tle->resjunk)
		appendStringInfo(ctx->buf, "%d", TargetPosition(targetList, tle));
	else
		DeparseExprTopLevel((Node *) tle->expr, ctx);
}

/*
 * DeparseSortClause appends sort items with direction, USING operator and
 * NULLS ordering where they differ from the defaults.
 */
static void
DeparseSortClause(List *sortClause, List *targetList, bool usePositions,
				  DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	foreach(lc, sortClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, targetList);
		TypeCacheEntry *typentry;

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		DeparseSortGroupItem(sgc, targetList, usePositions, ctx);

		typentry = lookup_type_cache(exprType((Node *) tle->expr),
									 TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
		if (sgc->sortop == typentry->lt_opr)
		{
			if (sgc->nulls_first)
				appendStringInfoString(buf, " NULLS FIRST");
		}
		else if (sgc->sortop == typentry->gt_opr)
		{
			appendStringInfoString(buf, " DESC");
			if (!sgc->nulls_first)
				appendStringInfoString(buf, " NULLS LAST");
		}
		else
		{
			appendStringInfoString(buf, " USING ");
			AppendOperatorName(buf, sgc->sortop);
			appendStringInfoString(buf, sgc->nulls_first ? " NULLS FIRST" :
								   " NULLS LAST");
		}
	}
}

/*
 * DeparseGroupBy appends GROUP BY, including grouping sets.
 */
static void
DeparseGroupBy(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	if (query->groupClause == NIL && query->groupingSets == NIL)
		return;

	appendStringInfoString(buf, " GROUP BY ");
	if (query->groupDistinct)
		appendStringInfoString(buf, "DISTINCT ");

	if (query->groupingSets == NIL)
	{
		foreach(lc, query->groupClause)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(buf, ", ");
			DeparseSortGroupItem(lfirst_node(SortGroupClause, lc),
								 query->targetList, true, ctx);
		}
		return;
	}

	foreach(lc, query->groupingSets)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		DeparseGroupingSet(lfirst_node(GroupingSet, lc), query->targetList,
						   true, ctx);
	}
}

/*
 * DeparseGroupingSet appends one grouping set.  A simple set at top level
 * is a plain list of items; nested, it is parenthesized.
 */
static void
DeparseGroupingSet(GroupingSet *gset, List *targetList, bool topLevel,
				   DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	switch (gset->kind)
	{
		case GROUPING_SET_EMPTY:
			appendStringInfoString(buf, "()");
			return;
		case GROUPING_SET_SIMPLE:
			if (!topLevel || list_length(gset->content) != 1)
				appendStringInfoChar(buf, '(');
			foreach(lc, gset->content)
			{
				TargetEntry *tle = get_sortgroupref_tle(lfirst_int(lc),
														targetList);

				if (foreach_current_index(lc) > 0)
					appendStringInfoString(buf, ", ");
				if (!tle->resjunk)
					appendStringInfo(buf, "%d", TargetPosition(targetList, tle));
				else
					DeparseExprTopLevel((Node *) tle->expr, ctx);
			}
			if (!topLevel || list_length(gset->content) != 1)
				appendStringInfoChar(buf, ')');
			return;
		case GROUPING_SET_ROLLUP:
			appendStringInfoString(buf, "ROLLUP(");
			break;
		case GROUPING_SET_CUBE:
			appendStringInfoString(buf, "CUBE(");
			break;
		case GROUPING_SET_SETS:
			appendStringInfoString(buf, "GROUPING SETS(");
			break;
	}
	foreach(lc, gset->content)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		DeparseGroupingSet(lfirst_node(GroupingSet, lc), targetList, false, ctx);
	}
	appendStringInfoChar(buf, ')');
}

/*
 * DeparseWindowSpec appends the complete, parenthesized specification of a
 * window of the innermost query.  Identical specifications are merged into
 * one window again by the worker's parser.
 */
static void
DeparseWindowSpec(Index winref, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	Query	   *query = InnermostNamespace(ctx)->query;
	WindowClause *wc = NULL;
	ListCell   *lc;
	bool		needSpace = false;

	foreach(lc, query->windowClause)
	{
		WindowClause *candidate = lfirst_node(WindowClause, lc);

		if (candidate->winref == winref)
		{
			wc = candidate;
			break;
		}
	}
	if (wc == NULL)
		elog(ERROR, "could not find window clause for winref %u", winref);

	appendStringInfoChar(buf, '(');
	if (wc->partitionClause != NIL)
	{
		appendStringInfoString(buf, "PARTITION BY ");
		foreach(lc, wc->partitionClause)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(buf, ", ");
			DeparseSortGroupItem(lfirst_node(SortGroupClause, lc),
								 query->targetList, false, ctx);
		}
		needSpace = true;
	}
	if (wc->orderClause != NIL)
	{
		if (needSpace)
			appendStringInfoChar(buf, ' ');
		appendStringInfoString(buf, "ORDER BY ");
		DeparseSortClause(wc->orderClause, query->targetList, false, ctx);
		needSpace = true;
	}
	if (wc->frameOptions & FRAMEOPTION_NONDEFAULT)
	{
		int			fo = wc->frameOptions;

		if (needSpace)
			appendStringInfoChar(buf, ' ');
		if (fo & FRAMEOPTION_RANGE)
			appendStringInfoString(buf, "RANGE ");
		else if (fo & FRAMEOPTION_ROWS)
			appendStringInfoString(buf, "ROWS ");
		else if (fo & FRAMEOPTION_GROUPS)
			appendStringInfoString(buf, "GROUPS ");
		else
			elog(ERROR, "unexpected frame options %x", fo);

		if (fo & FRAMEOPTION_BETWEEN)
		{
			appendStringInfoString(buf, "BETWEEN ");
			DeparseFrameBound(fo, true, wc->startOffset, ctx);
			appendStringInfoString(buf, " AND ");
			DeparseFrameBound(fo, false, wc->endOffset, ctx);
		}
		else
			DeparseFrameBound(fo, true, wc->startOffset, ctx);

		if (fo & FRAMEOPTION_EXCLUDE_CURRENT_ROW)
			appendStringInfoString(buf, " EXCLUDE CURRENT ROW");
		else if (fo & FRAMEOPTION_EXCLUDE_GROUP)
			appendStringInfoString(buf, " EXCLUDE GROUP");
		else if (fo & FRAMEOPTION_EXCLUDE_TIES)
			appendStringInfoString(buf, " EXCLUDE TIES");
	}
	appendStringInfoChar(buf, ')');
}

/*
 * DeparseFrameBound appends the start or end bound of a window frame.
 */
static void
DeparseFrameBound(int fo, bool start, Node *offset, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	int			unboundedPreceding = start ? FRAMEOPTION_START_UNBOUNDED_PRECEDING :
		FRAMEOPTION_END_UNBOUNDED_PRECEDING;
	int			unboundedFollowing = start ? FRAMEOPTION_START_UNBOUNDED_FOLLOWING :
		FRAMEOPTION_END_UNBOUNDED_FOLLOWING;
	int			currentRow = start ? FRAMEOPTION_START_CURRENT_ROW :
		FRAMEOPTION_END_CURRENT_ROW;
	int			offsetPreceding = start ? FRAMEOPTION_START_OFFSET_PRECEDING :
		FRAMEOPTION_END_OFFSET_PRECEDING;
	int			offsetFollowing = start ? FRAMEOPTION_START_OFFSET_FOLLOWING :
		FRAMEOPTION_END_OFFSET_FOLLOWING;

	if (fo & unboundedPreceding)
		appendStringInfoString(buf, "UNBOUNDED PRECEDING");
	else if (fo & unboundedFollowing)
		appendStringInfoString(buf, "UNBOUNDED FOLLOWING");
	else if (fo & currentRow)
		appendStringInfoString(buf, "CURRENT ROW");
	else if (fo & (offsetPreceding | offsetFollowing))
	{
		DeparseExpr(offset, ctx);
		appendStringInfoString(buf, (fo & offsetPreceding) ? " PRECEDING" :
							   " FOLLOWING");
	}
	else
		elog(ERROR, "unexpected frame options %x", fo);
}

/*
 * DeparseLimit appends OFFSET and LIMIT or FETCH FIRST ... WITH TIES.
 */
static void
DeparseLimit(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	if (query->limitOffset != NULL)
	{
		appendStringInfoString(buf, " OFFSET ");
		DeparseExpr(query->limitOffset, ctx);
		if (query->limitOption == LIMIT_OPTION_WITH_TIES)
			appendStringInfoString(buf, " ROWS");
	}
	if (query->limitCount != NULL)
	{
		if (query->limitOption == LIMIT_OPTION_WITH_TIES)
		{
			appendStringInfoString(buf, " FETCH FIRST (");
			DeparseExpr(query->limitCount, ctx);
			appendStringInfoString(buf, ") ROWS WITH TIES");
		}
		else
		{
			appendStringInfoString(buf, " LIMIT ");
			DeparseExpr(query->limitCount, ctx);
		}
	}
}

/*
 * DeparseLockingClause appends FOR UPDATE/SHARE clauses written at this
 * level (marks pushed down from an outer level are the outer's business).
 */
static void
DeparseLockingClause(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns = InnermostNamespace(ctx);
	ListCell   *lc;

	foreach(lc, query->rowMarks)
	{
		RowMarkClause *rc = lfirst_node(RowMarkClause, lc);

		if (rc->pushedDown)
			continue;
		switch (rc->strength)
		{
			case LCS_FORKEYSHARE:
				appendStringInfoString(buf, " FOR KEY SHARE");
				break;
			case LCS_FORSHARE:
				appendStringInfoString(buf, " FOR SHARE");
				break;
			case LCS_FORNOKEYUPDATE:
				appendStringInfoString(buf, " FOR NO KEY UPDATE");
				break;
			case LCS_FORUPDATE:
				appendStringInfoString(buf, " FOR UPDATE");
				break;
			default:
				elog(ERROR, "unexpected lock strength %d", (int) rc->strength);
		}
		if (ns->aliases[rc->rti - 1] == NULL)
			elog(ERROR, "row mark on an entry without alias");
		appendStringInfo(buf, " OF %s", quote_identifier(ns->aliases[rc->rti - 1]));
		if (rc->waitPolicy == LockWaitSkip)
			appendStringInfoString(buf, " SKIP LOCKED");
		else if (rc->waitPolicy == LockWaitError)
			appendStringInfoString(buf, " NOWAIT");
	}
}

/*
 * DeparseInsert appends an INSERT.  When the target list is exactly a
 * permutation of the columns of the VALUES or SELECT source, the source is
 * written directly with the column list in source order; otherwise (e.g.
 * defaults added by the rewriter) the values are selected from the source
 * as a FROM item.
 */
static void
DeparseInsert(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns = InnermostNamespace(ctx);
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	List	   *fromlist = query->jointree ? query->jointree->fromlist : NIL;
	RangeTblEntry *source = NULL;
	Index		sourceIndex = 0;
	List	   *targets = NIL;	/* char *: column with indirection */
	List	   *values = NIL;	/* Node *: value of each target */
	ListCell   *lc;
	int			sourceColumns = 0;
	int		   *sourceOrder = NULL;
	bool		direct = false;

	DeparseWithClause(query, ctx);
	appendStringInfo(buf, "INSERT INTO %s AS %s",
					 RelationSqlName(target->relid, ctx),
					 quote_identifier(ns->aliases[query->resultRelation - 1]));

	if (list_length(fromlist) > 1)
		elog(ERROR, "unexpected FROM list in INSERT");
	if (fromlist != NIL)
	{
		sourceIndex = castNode(RangeTblRef, linitial(fromlist))->rtindex;
		source = rt_fetch(sourceIndex, query->rtable);
		sourceColumns = list_length(source->eref->colnames);
		sourceOrder = palloc0(sizeof(int) * (sourceColumns + 1));
	}

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		StringInfoData column;
		Node	   *value;

		if (tle->resjunk)
			continue;
		initStringInfo(&column);
		appendStringInfoString(&column,
							   quote_identifier(get_attname(target->relid,
															tle->resno, false)));
		value = DeparseAssignmentTarget((Node *) tle->expr, &column, ctx);
		targets = lappend(targets, column.data);
		values = lappend(values, value);
	}

	if (source != NULL && list_length(values) == sourceColumns)
	{
		direct = true;
		foreach(lc, values)
		{
			Node	   *value = (Node *) lfirst(lc);
			Var		   *var;

			if (!IsA(value, Var))
			{
				direct = false;
				break;
			}
			var = (Var *) value;
			if (var->varlevelsup != 0 || var->varno != (int) sourceIndex ||
				var->varattno < 1 || var->varattno > sourceColumns ||
				sourceOrder[var->varattno] != 0)
			{
				direct = false;
				break;
			}
			sourceOrder[var->varattno] = foreach_current_index(lc) + 1;
		}
	}

	if (targets == NIL && source == NULL)
		appendStringInfoString(buf, " DEFAULT VALUES");
	else
	{
		appendStringInfoString(buf, " (");
		if (direct)
		{
			int			i;

			for (i = 1; i <= sourceColumns; i++)
			{
				if (i > 1)
					appendStringInfoString(buf, ", ");
				appendStringInfoString(buf, (char *) list_nth(targets,
															  sourceOrder[i] - 1));
			}
		}
		else
		{
			foreach(lc, targets)
			{
				if (foreach_current_index(lc) > 0)
					appendStringInfoString(buf, ", ");
				appendStringInfoString(buf, (char *) lfirst(lc));
			}
		}
		appendStringInfoChar(buf, ')');

		if (query->override == OVERRIDING_USER_VALUE)
			appendStringInfoString(buf, " OVERRIDING USER VALUE");
		else if (query->override == OVERRIDING_SYSTEM_VALUE)
			appendStringInfoString(buf, " OVERRIDING SYSTEM VALUE");

		if (source == NULL)
		{
			appendStringInfoString(buf, " VALUES (");
			DeparseExprList(values, true, ctx);
			appendStringInfoChar(buf, ')');
		}
		else if (direct && source->rtekind == RTE_VALUES)
		{
			appendStringInfoChar(buf, ' ');
			DeparseValuesLists(source->values_lists, ctx);
		}
		else if (direct && source->rtekind == RTE_SUBQUERY)
		{
			appendStringInfoChar(buf, ' ');
			DeparseStatement(source->subquery, ctx);
		}
		else
		{
			appendStringInfoString(buf, " SELECT ");
			DeparseExprList(values, true, ctx);
			appendStringInfoString(buf, " FROM ");
			DeparseRangeTableEntry(sourceIndex, ctx);
		}
	}

	if (query->onConflict != NULL)
		DeparseOnConflict(query, ctx);
	DeparseReturning(query, ctx);
}

/*
 * DeparseOnConflict appends ON CONFLICT.  A named constraint is written as
 * its column list, since constraint names differ between a table and its
 * shards.
 */
static void
DeparseOnConflict(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	OnConflictExpr *oc = query->onConflict;
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	ListCell   *lc;

	appendStringInfoString(buf, " ON CONFLICT");

	if (OidIsValid(oc->constraint))
	{
		HeapTuple	tuple = SearchSysCache1(CONSTROID,
											ObjectIdGetDatum(oc->constraint));
		Form_pg_constraint con;
		Datum		conkey;
		bool		isnull;
		ArrayType  *keys;
		int16	   *attnums;
		int			nkeys;
		int			i;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for constraint %u", oc->constraint);
		con = (Form_pg_constraint) GETSTRUCT(tuple);
		if (con->contype != CONSTRAINT_PRIMARY && con->contype != CONSTRAINT_UNIQUE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse ON CONFLICT ON CONSTRAINT \"%s\"",
							NameStr(con->conname)),
					 errdetail("Only primary key and unique constraints can be shipped."),
					 errhint("Name the conflict columns instead of the constraint.")));
		conkey = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conkey,
								 &isnull);
		if (isnull)
			elog(ERROR, "null conkey for constraint %u", oc->constraint);
		keys = DatumGetArrayTypeP(conkey);
		nkeys = ARR_DIMS(keys)[0];
		attnums = (int16 *) ARR_DATA_PTR(keys);
		appendStringInfoString(buf, " (");
		for (i = 0; i < nkeys; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, ", ");
			appendStringInfoString(buf,
								   quote_identifier(get_attname(target->relid,
																attnums[i], false)));
		}
		appendStringInfoChar(buf, ')');
		ReleaseSysCache(tuple);
	}
	else if (oc->arbiterElems != NIL)
	{
		Index		savedBare = ctx->bareVarno;

		ctx->bareVarno = query->resultRelation;
		appendStringInfoString(buf, " (");
		foreach(lc, oc->arbiterElems)
		{
			InferenceElem *elem = lfirst_node(InferenceElem, lc);

			if (foreach_current_index(lc) > 0)
				appendStringInfoString(buf, ", ");
			if (IsA(elem->expr, Var))
				DeparseExpr(elem->expr, ctx);
			else
			{
				appendStringInfoChar(buf, '(');
				DeparseExpr(elem->expr, ctx);
				appendStringInfoChar(buf, ')');
			}
			if (OidIsValid(elem->infercollid))
			{
				appendStringInfoString(buf, " COLLATE ");
				AppendCollationName(buf, elem->infercollid);
			}
			if (OidIsValid(elem->inferopclass))
			{
				HeapTuple	tuple = SearchSysCache1(CLAOID,
													ObjectIdGetDatum(elem->inferopclass));
				Form_pg_opclass opc;

				if (!HeapTupleIsValid(tuple))
					elog(ERROR, "cache lookup failed for opclass %u",
						 elem->inferopclass);
				opc = (Form_pg_opclass) GETSTRUCT(tuple);
				if (opc->opcnamespace == PG_CATALOG_NAMESPACE)
					appendStringInfo(buf, " %s",
									 quote_identifier(NameStr(opc->opcname)));
				else
					appendStringInfo(buf, " %s",
									 quote_qualified_identifier(get_namespace_name(opc->opcnamespace),
																NameStr(opc->opcname)));
				ReleaseSysCache(tuple);
			}
		}
		appendStringInfoChar(buf, ')');
		if (oc->arbiterWhere != NULL)
		{
			appendStringInfoString(buf, " WHERE ");
			DeparseExpr(oc->arbiterWhere, ctx);
		}
		ctx->bareVarno = savedBare;
	}

	if (oc->action == ONCONFLICT_NOTHING)
		appendStringInfoString(buf, " DO NOTHING");
	else
	{
		appendStringInfoString(buf, " DO UPDATE SET ");
		DeparseAssignments(oc->onConflictSet, target->relid, ctx);
		if (oc->onConflictWhere != NULL)
		{
			appendStringInfoString(buf, " WHERE ");
			DeparseExpr(oc->onConflictWhere, ctx);
		}
	}
}

/*
 * DeparseUpdate appends an UPDATE.
 */
static void
DeparseUpdate(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns = InnermostNamespace(ctx);
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);

	DeparseWithClause(query, ctx);
	appendStringInfo(buf, "UPDATE %s%s AS %s SET ",
					 target->inh ? "" : "ONLY ",
					 RelationSqlName(target->relid, ctx),
					 quote_identifier(ns->aliases[query->resultRelation - 1]));
	DeparseAssignments(query->targetList, target->relid, ctx);

	if (query->jointree != NULL)
	{
		if (list_length(query->jointree->fromlist) > 1 ||
			(list_length(query->jointree->fromlist) == 1 &&
			 !(IsA(linitial(query->jointree->fromlist), RangeTblRef) &&
			   ((RangeTblRef *) linitial(query->jointree->fromlist))->rtindex ==
			   query->resultRelation)))
		{
			appendStringInfoString(buf, " FROM ");
			DeparseFromList(query->jointree->fromlist, query->resultRelation, ctx);
		}
		if (query->jointree->quals != NULL)
		{
			appendStringInfoString(buf, " WHERE ");
			DeparseExpr(query->jointree->quals, ctx);
		}
	}
	DeparseReturning(query, ctx);
}

/*
 * DeparseDelete appends a DELETE.
 */
static void
DeparseDelete(Query *query, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns = InnermostNamespace(ctx);
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);

	DeparseWithClause(query, ctx);
	appendStringInfo(buf, "DELETE FROM %s%s AS %s",
					 target->inh ? "" : "ONLY ",
					 RelationSqlName(target->relid, ctx),
					 quote_identifier(ns->aliases[query->resultRelation - 1]));

	if (query->jointree != NULL)
	{
		StringInfoData using;
		StringInfo	saved = ctx->buf;

		initStringInfo(&using);
		ctx->buf = &using;
		if (DeparseFromList(query->jointree->fromlist, query->resultRelation, ctx))
			appendStringInfo(buf, " USING %s", using.data);
		ctx->buf = saved;

		if (query->jointree->quals != NULL)
		{
			appendStringInfoString(buf, " WHERE ");
			DeparseExpr(query->jointree->quals, ctx);
		}
	}
	DeparseReturning(query, ctx);
}

/*
 * DeparseAssignments appends "col = value, ..." for UPDATE and ON CONFLICT
 * DO UPDATE.  Columns assigned from one multiple-column subquery
 * (SET (a, b) = (SELECT ...)) are written together again.
 */
static void
DeparseAssignments(List *targetList, Oid relid, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	int			count = list_length(targetList);
	char	  **targets = palloc0(sizeof(char *) * (count + 1));
	Node	  **values = palloc0(sizeof(Node *) * (count + 1));
	bool	   *done = palloc0(sizeof(bool) * (count + 1));
	ListCell   *lc;
	bool		first = true;
	int			i;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		StringInfoData column;

		if (tle->resjunk)
			continue;
		initStringInfo(&column);
		appendStringInfoString(&column,
							   quote_identifier(get_attname(relid, tle->resno, false)));
		values[foreach_current_index(lc)] =
			DeparseAssignmentTarget((Node *) tle->expr, &column, ctx);
		targets[foreach_current_index(lc)] = column.data;
	}

	for (i = 0; i < count; i++)
	{
		Node	   *value = values[i];

		if (value == NULL || done[i])
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;

		if (IsA(value, Param) && ((Param *) value)->paramkind == PARAM_MULTIEXPR)
		{
			int			subLinkId = ((Param *) value)->paramid >> 16;
			SubLink    *sublink = NULL;
			int			ncolumns;
			char	  **byColumn;
			int			j;

			foreach(lc, targetList)
			{
				TargetEntry *tle = lfirst_node(TargetEntry, lc);

				if (tle->resjunk && IsA(tle->expr, SubLink) &&
					((SubLink *) tle->expr)->subLinkType == MULTIEXPR_SUBLINK &&
					((SubLink *) tle->expr)->subLinkId == subLinkId)
					sublink = (SubLink *) tle->expr;
			}
			if (sublink == NULL)
				elog(ERROR, "could not find MULTIEXPR sublink %d", subLinkId);

			ncolumns = ExecCleanTargetListLength(castNode(Query, sublink->subselect)->targetList);
			byColumn = palloc0(sizeof(char *) * (ncolumns + 1));
			for (j = i; j < count; j++)
			{
				Param	   *param = (Param *) values[j];
				int			colno;

				if (param == NULL || !IsA(param, Param) ||
					param->paramkind != PARAM_MULTIEXPR ||
					(param->paramid >> 16) != subLinkId)
					continue;
				colno = param->paramid & 0xFFFF;
				if (colno < 1 || colno > ncolumns || byColumn[colno - 1] != NULL)
					elog(ERROR, "unexpected MULTIEXPR parameter %d", param->paramid);
				byColumn[colno - 1] = targets[j];
				done[j] = true;
			}
			appendStringInfoChar(buf, '(');
			for (j = 0; j < ncolumns; j++)
			{
				if (byColumn[j] == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot deparse a multiple-column assignment that uses only some subquery columns")));
				if (j > 0)
					appendStringInfoString(buf, ", ");
				appendStringInfoString(buf, byColumn[j]);
			}
			appendStringInfoString(buf, ") = (");
			DeparseStatement(castNode(Query, sublink->subselect), ctx);
			appendStringInfoChar(buf, ')');
			continue;
		}

		appendStringInfo(buf, "%s = ", targets[i]);
		DeparseExprTopLevel(value, ctx);
		done[i] = true;
	}
}

/*
 * DeparseAssignmentTarget appends to target the subscripts and field names
 * through which an INSERT/UPDATE target entry assigns its column
 * ("col[1]", "col.field") and returns the assigned value, without the
 * implicit coercions the worker adds again.  Several assignments merged
 * into one column (SET a[1] = x, a[2] = y) are reported unsupported.
 */
static Node *
DeparseAssignmentTarget(Node *expr, StringInfo target, DeparseContext *ctx)
{
	StringInfo	saved = ctx->buf;

	expr = StripImplicitCoercions(expr);
	ctx->buf = target;
	for (;;)
	{
		Node	   *base;

		if (IsA(expr, FieldStore))
		{
			FieldStore *fstore = (FieldStore *) expr;

			if (list_length(fstore->fieldnums) != 1)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot deparse several assignments to fields of one column")));
			appendStringInfo(target, ".%s",
							 quote_identifier(CompositeFieldName((Node *) fstore->arg,
																 linitial_int(fstore->fieldnums))));
			base = (Node *) fstore->arg;
			expr = (Node *) linitial(fstore->newvals);
		}
		else if (IsA(expr, SubscriptingRef) &&
				 ((SubscriptingRef *) expr)->refassgnexpr != NULL)
		{
			SubscriptingRef *sbsref = (SubscriptingRef *) expr;

			DeparseSubscripts(sbsref, ctx);
			base = (Node *) sbsref->refexpr;
			expr = (Node *) sbsref->refassgnexpr;
		}
		else
			break;

		/* the old value must be the column itself, not an earlier assignment */
		base = StripImplicitCoercions(base);
		if (IsA(base, FieldStore) ||
			(IsA(base, SubscriptingRef) &&
			 ((SubscriptingRef *) base)->refassgnexpr != NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse several assignments to parts of one column")));
		expr = StripImplicitCoercions(expr);
	}
	ctx->buf = saved;
	return expr;
}

/*
 * DeparseReturning appends RETURNING when the statement has one.
 */
static void
DeparseReturning(Query *query, DeparseContext *ctx)
{
	if (query->returningList == NIL)
		return;
	appendStringInfoString(ctx->buf, " RETURNING ");
	DeparseTargetList(query->returningList, ctx);
}

/*
 * DeparseExprList appends comma-separated expressions; topLevel marks
 * positions where "alias.*" would be expanded into columns.
 */
static void
DeparseExprList(List *exprs, bool topLevel, DeparseContext *ctx)
{
	ListCell   *lc;

	foreach(lc, exprs)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(ctx->buf, ", ");
		if (topLevel)
			DeparseExprTopLevel((Node *) lfirst(lc), ctx);
		else
			DeparseExpr((Node *) lfirst(lc), ctx);
	}
}

/*
 * DeparseExprTopLevel appends an expression at a position where the
 * parser expands "alias.*" (select and VALUES lists, ROW arguments): a
 * whole-row reference there is given a cast that keeps it one value.
 */
static void
DeparseExprTopLevel(Node *node, DeparseContext *ctx)
{
	Node	   *stripped = StripImplicitCoercions(node);

	if (stripped != NULL && IsA(stripped, Var))
		DeparseVar((Var *) stripped, true, ctx);
	else
		DeparseExpr(node, ctx);
}

/*
 * DeparseExprShowCast appends an expression, writing an implicit cast at
 * its top as an explicit one (used where nothing derives it again).
 */
static void
DeparseExprShowCast(Node *node, DeparseContext *ctx)
{
	Node	   *arg = CoercionArgument(node, true);

	if (arg != NULL)
		DeparseCast(arg, exprType(node), exprTypmod(node), ctx);
	else if (IsA(node, Var))
		DeparseVar((Var *) node, false, ctx);
	else
		DeparseExpr(node, ctx);
}

/*
 * DeparseCast appends "CAST(arg AS type)".
 */
static void
DeparseCast(Node *arg, Oid typid, int32 typmod, DeparseContext *ctx)
{
	appendStringInfoString(ctx->buf, "CAST(");
	DeparseExpr(arg, ctx);
	appendStringInfo(ctx->buf, " AS %s)", TypeSqlName(typid, typmod));
}

/*
 * CoercionArgument returns the argument of a cast node (only of implicit
 * ones if implicitOnly), or NULL if node is not such a cast.
 */
static Node *
CoercionArgument(Node *node, bool implicitOnly)
{
	CoercionForm format;
	Node	   *arg;

	if (node == NULL)
		return NULL;
	switch (nodeTag(node))
	{
		case T_FuncExpr:
			format = ((FuncExpr *) node)->funcformat;
			if (format != COERCE_IMPLICIT_CAST && format != COERCE_EXPLICIT_CAST)
				return NULL;
			arg = (Node *) linitial(((FuncExpr *) node)->args);
			break;
		case T_RelabelType:
			format = ((RelabelType *) node)->relabelformat;
			arg = (Node *) ((RelabelType *) node)->arg;
			break;
		case T_CoerceViaIO:
			format = ((CoerceViaIO *) node)->coerceformat;
			arg = (Node *) ((CoerceViaIO *) node)->arg;
			break;
		case T_ArrayCoerceExpr:
			format = ((ArrayCoerceExpr *) node)->coerceformat;
			arg = (Node *) ((ArrayCoerceExpr *) node)->arg;
			break;
		case T_ConvertRowtypeExpr:
			format = ((ConvertRowtypeExpr *) node)->convertformat;
			arg = (Node *) ((ConvertRowtypeExpr *) node)->arg;
			break;
		case T_CoerceToDomain:
			format = ((CoerceToDomain *) node)->coercionformat;
			arg = (Node *) ((CoerceToDomain *) node)->arg;
			break;
		default:
			return NULL;
	}
	if (implicitOnly && format != COERCE_IMPLICIT_CAST)
		return NULL;
	return arg;
}

/*
 * StripImplicitCoercions returns node below any implicit casts at its top.
 */
static Node *
StripImplicitCoercions(Node *node)
{
	Node	   *arg;

	while ((arg = CoercionArgument(node, true)) != NULL)
		node = arg;
	return node;
}

/*
 * DeparseVar appends a column reference qualified by the unique alias of
 * its range table entry.  References to join columns are replaced by the
 * join's alias expression; whole-row references at top level get a cast
 * so that they are not expanded.
 */
static void
DeparseVar(Var *var, bool topLevel, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	DeparseNamespace *ns;
	RangeTblEntry *rte;
	const char *alias;

	if (var->varlevelsup >= list_length(ctx->namespaces))
		elog(ERROR, "Var refers to a query level that does not exist");
	ns = (DeparseNamespace *) list_nth(ctx->namespaces, var->varlevelsup);
	if (var->varno < 1 || var->varno > list_length(ns->query->rtable))
		elog(ERROR, "Var refers to range table entry %d that does not exist",
			 var->varno);
	rte = rt_fetch(var->varno, ns->query->rtable);

	if (rte->rtekind == RTE_JOIN)
	{
		if (var->varattno == InvalidAttrNumber)
		{
			ListCell   *lc;

			appendStringInfoString(buf, "ROW(");
			foreach(lc, rte->joinaliasvars)
			{
				Node	   *aliasvar = copyObject((Node *) lfirst(lc));

				if (aliasvar == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot deparse a whole-row reference to a join with dropped columns")));
				if (foreach_current_index(lc) > 0)
					appendStringInfoString(buf, ", ");
				if (var->varlevelsup > 0)
					IncrementVarSublevelsUp(aliasvar, var->varlevelsup, 0);
				DeparseExprShowCast(aliasvar, ctx);
			}
			appendStringInfoChar(buf, ')');
		}
		else
		{
			Node	   *aliasvar;

			if (var->varattno < 1 || var->varattno > list_length(rte->joinaliasvars))
				elog(ERROR, "invalid join column %d", var->varattno);
			aliasvar = (Node *) list_nth(rte->joinaliasvars, var->varattno - 1);
			if (aliasvar == NULL)
				elog(ERROR, "reference to dropped join column");
			aliasvar = copyObject(aliasvar);
			if (var->varlevelsup > 0)
				IncrementVarSublevelsUp(aliasvar, var->varlevelsup, 0);
			DeparseExprShowCast(aliasvar, ctx);
		}
		return;
	}

	alias = ns->aliases[var->varno - 1];
	if (var->varattno == InvalidAttrNumber)
	{
		appendStringInfo(buf, "%s.*", quote_identifier(alias));
		if (topLevel)
		{
			if (rte->rtekind == RTE_RELATION &&
				var->vartype == get_rel_type_id(rte->relid))
				appendStringInfo(buf, "::%s", RelationSqlName(rte->relid, ctx));
			else
				appendStringInfo(buf, "::%s", TypeSqlName(var->vartype, -1));
		}
		return;
	}

	if (var->varlevelsup == 0 && ctx->bareVarno == (Index) var->varno)
		alias = NULL;
	else
		appendStringInfo(buf, "%s.", quote_identifier(alias));

	if (rte->rtekind == RTE_RELATION)
		appendStringInfoString(buf,
							   quote_identifier(get_attname(rte->relid,
															var->varattno, false)));
	else
	{
		List	   *columns = ns->columns[var->varno - 1];

		if (var->varattno < 1 || var->varattno > list_length(columns))
			elog(ERROR, "invalid column %d of range table entry \"%s\"",
				 var->varattno, rte->eref->aliasname);
		appendStringInfoString(buf,
							   quote_identifier((char *) list_nth(columns,
																  var->varattno - 1)));
	}
}

/*
 * DeparseParam appends an external parameter: its value as a typed literal
 * when the options carry one, else "$n" with its type.
 */
static void
DeparseParam(Param *param, DeparseContext *ctx)
{
	ParamListInfo params = ctx->options->params;

	if (param->paramkind != PARAM_EXTERN)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse an internal parameter of a subplan")));

	if (params != NULL && param->paramid > 0)
	{
		ParamExternData workspace;
		ParamExternData *prm = NULL;

		if (params->paramFetch != NULL)
			prm = params->paramFetch(params, param->paramid, false, &workspace);
		else if (param->paramid <= params->numParams)
			prm = &params->params[param->paramid - 1];

		if (prm != NULL && OidIsValid(prm->ptype))
		{
			if (prm->ptype == param->paramtype)
				DeparseConstValue(ctx->buf, param->paramtype, param->paramtypmod,
								  prm->value, prm->isnull);
			else
			{
				appendStringInfoString(ctx->buf, "CAST(");
				DeparseConstValue(ctx->buf, prm->ptype, -1, prm->value,
								  prm->isnull);
				appendStringInfo(ctx->buf, " AS %s)",
								 TypeSqlName(param->paramtype, param->paramtypmod));
			}
			return;
		}
	}

	appendStringInfo(ctx->buf, "$%d::%s", param->paramid,
					 TypeSqlName(param->paramtype, param->paramtypmod));
}

/*
 * DeparseExpr appends an expression.  Operators and boolean expressions
 * are fully parenthesized, so precedence never matters.
 */
static void
DeparseExpr(Node *node, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	check_stack_depth();

	if (node == NULL)
		elog(ERROR, "unexpected NULL expression");

	switch (nodeTag(node))
	{
		case T_Var:
			DeparseVar((Var *) node, false, ctx);
			break;

		case T_Const:
			{
				Const	   *con = (Const *) node;
				List	  **shipped = ctx->options->shippedConsts;

				if (shipped != NULL && !con->constisnull &&
					con->consttype < FirstGenbkiObjectId &&
					con->consttype != UNKNOWNOID &&
					con->consttype != RECORDOID &&
					!IsObjectNameType(con->consttype))
				{
					/* a copy: the node may be a temporary of the deparser */
					*shipped = lappend(*shipped, copyObject(con));
					appendStringInfo(buf, "$%d::%s", list_length(*shipped),
									 TypeSqlName(con->consttype, con->consttypmod));
				}
				else
					DeparseConstValue(buf, con->consttype, con->consttypmod,
									  con->constvalue, con->constisnull);
			}
			break;

		case T_Param:
			DeparseParam((Param *) node, ctx);
			break;

		case T_Aggref:
			DeparseAggref((Aggref *) node, ctx);
			break;

		case T_GroupingFunc:
			appendStringInfoString(buf, "GROUPING(");
			DeparseExprList(((GroupingFunc *) node)->args, false, ctx);
			appendStringInfoChar(buf, ')');
			break;

		case T_WindowFunc:
			DeparseWindowFunc((WindowFunc *) node, ctx);
			break;

		case T_SubscriptingRef:
			{
				SubscriptingRef *sbsref = (SubscriptingRef *) node;

				if (sbsref->refassgnexpr != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot deparse a subscripted assignment outside INSERT or UPDATE targets")));
				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) sbsref->refexpr, ctx);
				appendStringInfoChar(buf, ')');
				DeparseSubscripts(sbsref, ctx);
			}
			break;

		case T_FuncExpr:
			DeparseFuncExpr((FuncExpr *) node, ctx);
			break;

		case T_NamedArgExpr:
			{
				NamedArgExpr *na = (NamedArgExpr *) node;

				appendStringInfo(buf, "%s => ", quote_identifier(na->name));
				DeparseExpr((Node *) na->arg, ctx);
			}
			break;

		case T_OpExpr:
			DeparseOpExpr(((OpExpr *) node)->opno, ((OpExpr *) node)->args, ctx);
			break;

		case T_DistinctExpr:
			{
				DistinctExpr *de = (DistinctExpr *) node;

				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) linitial(de->args), ctx);
				appendStringInfoString(buf, " IS DISTINCT FROM ");
				DeparseExpr((Node *) lsecond(de->args), ctx);
				appendStringInfoChar(buf, ')');
			}
			break;

		case T_NullIfExpr:
			appendStringInfoString(buf, "NULLIF(");
			DeparseExprList(((NullIfExpr *) node)->args, false, ctx);
			appendStringInfoChar(buf, ')');
			break;

		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) node;

				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) linitial(saop->args), ctx);
				appendStringInfoChar(buf, ' ');
				AppendOperatorName(buf, saop->opno);
				appendStringInfoString(buf, saop->useOr ? " ANY (" : " ALL (");
				DeparseExpr((Node *) lsecond(saop->args), ctx);
				appendStringInfoString(buf, "))");
			}
			break;

		case T_BoolExpr:
			{
				BoolExpr   *be = (BoolExpr *) node;
				ListCell   *lc;

				appendStringInfoChar(buf, '(');
				if (be->boolop == NOT_EXPR)
				{
					appendStringInfoString(buf, "NOT ");
					DeparseExpr((Node *) linitial(be->args), ctx);
				}
				else
				{
					foreach(lc, be->args)
					{
						if (foreach_current_index(lc) > 0)
							appendStringInfoString(buf, be->boolop == AND_EXPR ?
												   " AND " : " OR ");
						DeparseExpr((Node *) lfirst(lc), ctx);
					}
				}
				appendStringInfoChar(buf, ')');
			}
			break;

		case T_SubLink:
			DeparseSubLink((SubLink *) node, ctx);
			break;

		case T_FieldSelect:
			DeparseFieldSelect((FieldSelect *) node, ctx);
			break;

		case T_RelabelType:
		case T_CoerceViaIO:
		case T_ArrayCoerceExpr:
		case T_ConvertRowtypeExpr:
		case T_CoerceToDomain:
			if (IsCollationRelabel(node))
			{
				/*
				 * The planner turns COLLATE into a RelabelType: write the
				 * COLLATE back, or the worker compares with the column's.
				 */
				RelabelType *relabel = (RelabelType *) node;

				appendStringInfoChar(buf, '(');
				if (relabel->relabelformat == COERCE_IMPLICIT_CAST)
					DeparseExpr((Node *) relabel->arg, ctx);
				else
					DeparseCast((Node *) relabel->arg, relabel->resulttype,
								relabel->resulttypmod, ctx);
				appendStringInfoString(buf, " COLLATE ");
				AppendCollationName(buf, relabel->resultcollid);
				appendStringInfoChar(buf, ')');
			}
			else
			{
				Node	   *arg = CoercionArgument(node, false);

				if (CoercionArgument(node, true) != NULL)
					DeparseExpr(arg, ctx);
				else
					DeparseCast(arg, exprType(node), exprTypmod(node), ctx);
			}
			break;

		case T_CollateExpr:
			{
				CollateExpr *ce = (CollateExpr *) node;

				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) ce->arg, ctx);
				appendStringInfoString(buf, " COLLATE ");
				AppendCollationName(buf, ce->collOid);
				appendStringInfoChar(buf, ')');
			}
			break;

		case T_CaseExpr:
			DeparseCaseExpr((CaseExpr *) node, ctx);
			break;

		case T_ArrayExpr:
			{
				ArrayExpr  *ae = (ArrayExpr *) node;

				appendStringInfoString(buf, "ARRAY[");
				DeparseExprList(ae->elements, false, ctx);
				appendStringInfoChar(buf, ']');
				if (ae->elements == NIL)
					appendStringInfo(buf, "::%s", TypeSqlName(ae->array_typeid, -1));
			}
			break;

		case T_RowExpr:
			{
				RowExpr    *re = (RowExpr *) node;
				bool		cast = (re->row_format == COERCE_EXPLICIT_CAST &&
									re->row_typeid != RECORDOID);

				if (cast)
					appendStringInfoString(buf, "CAST(");
				appendStringInfoString(buf, "ROW(");
				DeparseExprList(re->args, true, ctx);
				appendStringInfoChar(buf, ')');
				if (cast)
					appendStringInfo(buf, " AS %s)", TypeSqlName(re->row_typeid, -1));
			}
			break;

		case T_RowCompareExpr:
			{
				RowCompareExpr *rc = (RowCompareExpr *) node;

				appendStringInfoString(buf, "(ROW(");
				DeparseExprList(rc->largs, true, ctx);
				appendStringInfoString(buf, ") ");
				AppendOperatorName(buf, linitial_oid(rc->opnos));
				appendStringInfoString(buf, " ROW(");
				DeparseExprList(rc->rargs, true, ctx);
				appendStringInfoString(buf, "))");
			}
			break;

		case T_CoalesceExpr:
			appendStringInfoString(buf, "COALESCE(");
			DeparseExprList(((CoalesceExpr *) node)->args, false, ctx);
			appendStringInfoChar(buf, ')');
			break;

		case T_MinMaxExpr:
			{
				MinMaxExpr *mm = (MinMaxExpr *) node;

				appendStringInfoString(buf, mm->op == IS_GREATEST ? "GREATEST(" :
									   "LEAST(");
				DeparseExprList(mm->args, false, ctx);
				appendStringInfoChar(buf, ')');
			}
			break;

		case T_SQLValueFunction:
			DeparseSQLValueFunction((SQLValueFunction *) node, ctx);
			break;

		case T_XmlExpr:
			DeparseXmlExpr((XmlExpr *) node, ctx);
			break;

		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;

				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) nt->arg, ctx);
				appendStringInfoString(buf, nt->nulltesttype == IS_NULL ?
									   " IS NULL)" : " IS NOT NULL)");
			}
			break;

		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) node;

				appendStringInfoChar(buf, '(');
				DeparseExpr((Node *) bt->arg, ctx);
				switch (bt->booltesttype)
				{
					case IS_TRUE:
						appendStringInfoString(buf, " IS TRUE)");
						break;
					case IS_NOT_TRUE:
						appendStringInfoString(buf, " IS NOT TRUE)");
						break;
					case IS_FALSE:
						appendStringInfoString(buf, " IS FALSE)");
						break;
					case IS_NOT_FALSE:
						appendStringInfoString(buf, " IS NOT FALSE)");
						break;
					case IS_UNKNOWN:
						appendStringInfoString(buf, " IS UNKNOWN)");
						break;
					case IS_NOT_UNKNOWN:
						appendStringInfoString(buf, " IS NOT UNKNOWN)");
						break;
				}
			}
			break;

		case T_SetToDefault:
			appendStringInfoString(buf, "DEFAULT");
			break;

		case T_NextValueExpr:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a value of identity sequence \"%s\"",
							get_rel_name(((NextValueExpr *) node)->seqid)),
					 errdetail("Sequences live on the coordinator.")));
			break;

		case T_CurrentOfExpr:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse WHERE CURRENT OF"),
					 errhint("Use a WHERE condition on the key columns instead.")));
			break;

		case T_CaseTestExpr:
		case T_CoerceToDomainValue:
		case T_FieldStore:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse expression node of type %d in this position",
							(int) nodeTag(node))));
			break;

		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse expression node of type %d",
							(int) nodeTag(node))));
	}
}

/*
 * DeparseSubscripts appends "[i]" or "[lower:upper]" for each subscript.
 */
static void
DeparseSubscripts(SubscriptingRef *sbsref, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *upper;
	ListCell   *lower = list_head(sbsref->reflowerindexpr);

	foreach(upper, sbsref->refupperindexpr)
	{
		appendStringInfoChar(buf, '[');
		if (lower != NULL)
		{
			if (lfirst(lower) != NULL)
				DeparseExpr((Node *) lfirst(lower), ctx);
			appendStringInfoChar(buf, ':');
			lower = lnext(sbsref->reflowerindexpr, lower);
		}
		if (lfirst(upper) != NULL)
			DeparseExpr((Node *) lfirst(upper), ctx);
		appendStringInfoChar(buf, ']');
	}
}

/*
 * DeparseFuncExpr appends a function call, or a cast written as CAST (or
 * left out when implicit).
 */
static void
DeparseFuncExpr(FuncExpr *func, DeparseContext *ctx)
{
	Node	   *arg = CoercionArgument((Node *) func, false);

	if (arg != NULL)
	{
		if (func->funcformat == COERCE_IMPLICIT_CAST)
			DeparseExpr(arg, ctx);
		else
			DeparseCast(arg, func->funcresulttype, exprTypmod((Node *) func), ctx);
		return;
	}

	AppendFunctionName(ctx->buf, func->funcid);
	appendStringInfoChar(ctx->buf, '(');
	DeparseFuncArgs(func->args, func->funcvariadic, ctx);
	appendStringInfoChar(ctx->buf, ')');
}

/*
 * DeparseFuncArgs appends function arguments, the last one marked
 * VARIADIC if the call passed an array to a variadic parameter.
 */
static void
DeparseFuncArgs(List *args, bool variadic, DeparseContext *ctx)
{
	ListCell   *lc;

	foreach(lc, args)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(ctx->buf, ", ");
		if (variadic && lnext(args, lc) == NULL)
			appendStringInfoString(ctx->buf, "VARIADIC ");
		DeparseExpr((Node *) lfirst(lc), ctx);
	}
}

/*
 * DeparseAggref appends an aggregate call with DISTINCT, ORDER BY, WITHIN
 * GROUP and FILTER as in the original.
 */
static void
DeparseAggref(Aggref *aggref, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	AppendFunctionName(buf, aggref->aggfnoid);
	appendStringInfoChar(buf, '(');

	if (AGGKIND_IS_ORDERED_SET(aggref->aggkind))
	{
		DeparseFuncArgs(aggref->aggdirectargs, false, ctx);
		appendStringInfoString(buf, ") WITHIN GROUP (ORDER BY ");
		DeparseSortClause(aggref->aggorder, aggref->args, false, ctx);
		appendStringInfoChar(buf, ')');
	}
	else if (aggref->aggstar)
		appendStringInfoString(buf, "*)");
	else
	{
		List	   *args = NIL;
		ListCell   *lc;

		if (aggref->aggdistinct != NIL)
			appendStringInfoString(buf, "DISTINCT ");
		foreach(lc, aggref->args)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (!tle->resjunk)
				args = lappend(args, tle->expr);
		}
		DeparseFuncArgs(args, aggref->aggvariadic, ctx);
		if (aggref->aggorder != NIL)
		{
			appendStringInfoString(buf, " ORDER BY ");
			DeparseSortClause(aggref->aggorder, aggref->args, false, ctx);
		}
		appendStringInfoChar(buf, ')');
	}

	if (aggref->aggfilter != NULL)
	{
		appendStringInfoString(buf, " FILTER (WHERE ");
		DeparseExpr((Node *) aggref->aggfilter, ctx);
		appendStringInfoChar(buf, ')');
	}
}

/*
 * DeparseWindowFunc appends a window function call with its full window.
 */
static void
DeparseWindowFunc(WindowFunc *wfunc, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	AppendFunctionName(buf, wfunc->winfnoid);
	appendStringInfoChar(buf, '(');
	if (wfunc->winstar)
		appendStringInfoChar(buf, '*');
	else
		DeparseFuncArgs(wfunc->args, false, ctx);
	appendStringInfoChar(buf, ')');
	if (wfunc->aggfilter != NULL)
	{
		appendStringInfoString(buf, " FILTER (WHERE ");
		DeparseExpr((Node *) wfunc->aggfilter, ctx);
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoString(buf, " OVER ");
	DeparseWindowSpec(wfunc->winref, ctx);
}

/*
 * DeparseOpExpr appends a parenthesized binary or prefix operator call.
 */
static void
DeparseOpExpr(Oid opno, List *args, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	appendStringInfoChar(buf, '(');
	if (list_length(args) == 2)
	{
		DeparseExpr((Node *) linitial(args), ctx);
		appendStringInfoChar(buf, ' ');
		AppendOperatorName(buf, opno);
		appendStringInfoChar(buf, ' ');
		DeparseExpr((Node *) lsecond(args), ctx);
	}
	else if (list_length(args) == 1)
	{
		AppendOperatorName(buf, opno);
		appendStringInfoChar(buf, ' ');
		DeparseExpr((Node *) linitial(args), ctx);
	}
	else
		elog(ERROR, "operator with %d arguments", list_length(args));
	appendStringInfoChar(buf, ')');
}

/*
 * DeparseSubLink appends EXISTS, scalar, ARRAY, ANY/ALL and row comparison
 * subqueries.  For ANY/ALL/ROWCOMPARE the left-hand expressions and the
 * operator are recovered from the comparison that parse analysis built.
 */
static void
DeparseSubLink(SubLink *sublink, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	Query	   *subquery = castNode(Query, sublink->subselect);
	List	   *lefthand = NIL;
	Oid			opno = InvalidOid;

	switch (sublink->subLinkType)
	{
		case EXISTS_SUBLINK:
			appendStringInfoString(buf, "EXISTS (");
			DeparseStatement(subquery, ctx);
			appendStringInfoChar(buf, ')');
			return;
		case EXPR_SUBLINK:
			appendStringInfoChar(buf, '(');
			DeparseStatement(subquery, ctx);
			appendStringInfoChar(buf, ')');
			return;
		case ARRAY_SUBLINK:
			appendStringInfoString(buf, "ARRAY(");
			DeparseStatement(subquery, ctx);
			appendStringInfoChar(buf, ')');
			return;
		case ANY_SUBLINK:
		case ALL_SUBLINK:
		case ROWCOMPARE_SUBLINK:
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a subquery of kind %d here",
							(int) sublink->subLinkType)));
	}

	if (IsA(sublink->testexpr, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) sublink->testexpr;

		opno = op->opno;
		lefthand = list_make1(linitial(op->args));
	}
	else if (IsA(sublink->testexpr, BoolExpr))
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) sublink->testexpr)->args)
		{
			OpExpr	   *op = lfirst_node(OpExpr, lc);

			opno = op->opno;
			lefthand = lappend(lefthand, linitial(op->args));
		}
	}
	else if (IsA(sublink->testexpr, RowCompareExpr))
	{
		RowCompareExpr *rc = (RowCompareExpr *) sublink->testexpr;

		opno = linitial_oid(rc->opnos);
		lefthand = rc->largs;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse a subquery comparison of node type %d",
						(int) nodeTag(sublink->testexpr))));

	appendStringInfoChar(buf, '(');
	if (list_length(lefthand) == 1 && sublink->subLinkType != ROWCOMPARE_SUBLINK)
	{
		Node	   *left = StripImplicitCoercions((Node *) linitial(lefthand));

		if (IsA(left, RowExpr))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse a row value compared with a single-column subquery")));
		DeparseExpr((Node *) linitial(lefthand), ctx);
	}
	else
	{
		appendStringInfoString(buf, "ROW(");
		DeparseExprList(lefthand, true, ctx);
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoChar(buf, ' ');
	AppendOperatorName(buf, opno);
	if (sublink->subLinkType == ANY_SUBLINK)
		appendStringInfoString(buf, " ANY");
	else if (sublink->subLinkType == ALL_SUBLINK)
		appendStringInfoString(buf, " ALL");
	appendStringInfoString(buf, " (");
	DeparseStatement(subquery, ctx);
	appendStringInfoString(buf, "))");
}

/*
 * DeparseCaseExpr appends a searched or simple CASE.  In a simple CASE
 * each WHEN is "CaseTestExpr = value"; only the value is written.
 */
static void
DeparseCaseExpr(CaseExpr *caseExpr, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	appendStringInfoString(buf, "CASE");
	if (caseExpr->arg != NULL)
	{
		appendStringInfoChar(buf, ' ');
		DeparseExpr((Node *) caseExpr->arg, ctx);
	}
	foreach(lc, caseExpr->args)
	{
		CaseWhen   *when = lfirst_node(CaseWhen, lc);
		Node	   *cond = (Node *) when->expr;

		appendStringInfoString(buf, " WHEN ");
		if (caseExpr->arg != NULL)
		{
			OpExpr	   *op = (OpExpr *) cond;

			if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
				!IsA(StripImplicitCoercions((Node *) linitial(op->args)),
					 CaseTestExpr))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot deparse an unusual simple CASE expression")));
			DeparseExpr((Node *) lsecond(op->args), ctx);
		}
		else
			DeparseExpr(cond, ctx);
		appendStringInfoString(buf, " THEN ");
		DeparseExpr((Node *) when->result, ctx);
	}
	if (caseExpr->defresult != NULL)
	{
		appendStringInfoString(buf, " ELSE ");
		DeparseExpr((Node *) caseExpr->defresult, ctx);
	}
	appendStringInfoString(buf, " END");
}

/*
 * CompositeFieldName returns the name of field fieldnum of the composite
 * value arg; throws if the row type cannot be determined.
 */
static const char *
CompositeFieldName(Node *arg, int fieldnum)
{
	Oid			typid = getBaseType(exprType(arg));
	Oid			typrelid = get_typ_typrelid(typid);
	TupleDesc	tupdesc;

	if (OidIsValid(typrelid))
		return get_attname(typrelid, fieldnum, false);

	tupdesc = get_expr_result_tupdesc(arg, true);
	if (tupdesc == NULL || fieldnum < 1 || fieldnum > tupdesc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse a field of a record whose type is not known")));
	return pstrdup(NameStr(TupleDescAttr(tupdesc, fieldnum - 1)->attname));
}

/*
 * DeparseFieldSelect appends "(arg).field".
 */
static void
DeparseFieldSelect(FieldSelect *fselect, DeparseContext *ctx)
{
	const char *field = CompositeFieldName((Node *) fselect->arg,
										   fselect->fieldnum);

	appendStringInfoChar(ctx->buf, '(');
	DeparseExpr((Node *) fselect->arg, ctx);
	appendStringInfo(ctx->buf, ").%s", quote_identifier(field));
}

/*
 * DeparseSQLValueFunction appends CURRENT_DATE and friends.
 */
static void
DeparseSQLValueFunction(SQLValueFunction *svf, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;

	switch (svf->op)
	{
		case SVFOP_CURRENT_DATE:
			appendStringInfoString(buf, "CURRENT_DATE");
			break;
		case SVFOP_CURRENT_TIME:
			appendStringInfoString(buf, "CURRENT_TIME");
			break;
		case SVFOP_CURRENT_TIME_N:
			appendStringInfo(buf, "CURRENT_TIME(%d)", svf->typmod);
			break;
		case SVFOP_CURRENT_TIMESTAMP:
			appendStringInfoString(buf, "CURRENT_TIMESTAMP");
			break;
		case SVFOP_CURRENT_TIMESTAMP_N:
			appendStringInfo(buf, "CURRENT_TIMESTAMP(%d)", svf->typmod);
			break;
		case SVFOP_LOCALTIME:
			appendStringInfoString(buf, "LOCALTIME");
			break;
		case SVFOP_LOCALTIME_N:
			appendStringInfo(buf, "LOCALTIME(%d)", svf->typmod);
			break;
		case SVFOP_LOCALTIMESTAMP:
			appendStringInfoString(buf, "LOCALTIMESTAMP");
			break;
		case SVFOP_LOCALTIMESTAMP_N:
			appendStringInfo(buf, "LOCALTIMESTAMP(%d)", svf->typmod);
			break;
		case SVFOP_CURRENT_ROLE:
			appendStringInfoString(buf, "CURRENT_ROLE");
			break;
		case SVFOP_CURRENT_USER:
			appendStringInfoString(buf, "CURRENT_USER");
			break;
		case SVFOP_USER:
			appendStringInfoString(buf, "USER");
			break;
		case SVFOP_SESSION_USER:
			appendStringInfoString(buf, "SESSION_USER");
			break;
		case SVFOP_CURRENT_CATALOG:
			appendStringInfoString(buf, "CURRENT_CATALOG");
			break;
		case SVFOP_CURRENT_SCHEMA:
			appendStringInfoString(buf, "CURRENT_SCHEMA");
			break;
	}
}

/*
 * DeparseXmlExpr appends the SQL/XML functions.  Element and attribute
 * names are stored escaped for XML; names that contain escapes are
 * reported unsupported rather than escaped twice.
 */
static void
DeparseXmlExpr(XmlExpr *xexpr, DeparseContext *ctx)
{
	StringInfo	buf = ctx->buf;
	ListCell   *lc;

	if (xexpr->name != NULL && strstr(xexpr->name, "_x") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse XML name \"%s\"", xexpr->name)));
	foreach(lc, xexpr->arg_names)
	{
		if (strstr(strVal(lfirst(lc)), "_x") != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot deparse XML name \"%s\"", strVal(lfirst(lc)))));
	}

	switch (xexpr->op)
	{
		case IS_XMLCONCAT:
			appendStringInfoString(buf, "XMLCONCAT(");
			DeparseExprList(xexpr->args, false, ctx);
			appendStringInfoChar(buf, ')');
			return;
		case IS_XMLELEMENT:
			appendStringInfo(buf, "XMLELEMENT(NAME %s", quote_identifier(xexpr->name));
			if (xexpr->named_args != NIL)
			{
				ListCell   *nc;

				appendStringInfoString(buf, ", XMLATTRIBUTES(");
				forboth(lc, xexpr->named_args, nc, xexpr->arg_names)
				{
					if (foreach_current_index(lc) > 0)
						appendStringInfoString(buf, ", ");
					DeparseExpr((Node *) lfirst(lc), ctx);
					appendStringInfo(buf, " AS %s",
									 quote_identifier(strVal(lfirst(nc))));
				}
				appendStringInfoChar(buf, ')');
			}
			foreach(lc, xexpr->args)
			{
				appendStringInfoString(buf, ", ");
				DeparseExpr((Node *) lfirst(lc), ctx);
			}
			appendStringInfoChar(buf, ')');
			return;
		case IS_XMLFOREST:
			{
				ListCell   *nc;

				appendStringInfoString(buf, "XMLFOREST(");
				forboth(lc, xexpr->named_args, nc, xexpr->arg_names)
				{
					if (foreach_current_index(lc) > 0)
						appendStringInfoString(buf, ", ");
					DeparseExpr((Node *) lfirst(lc), ctx);
					appendStringInfo(buf, " AS %s",
									 quote_identifier(strVal(lfirst(nc))));
				}
				appendStringInfoChar(buf, ')');
			}
			return;
		case IS_XMLPARSE:
			{
				/* args: the string and a boolean Const for PRESERVE WHITESPACE */
				Const	   *preserve = (Const *) lsecond(xexpr->args);

				appendStringInfoString(buf, xexpr->xmloption == XMLOPTION_DOCUMENT ?
									   "XMLPARSE(DOCUMENT " : "XMLPARSE(CONTENT ");
				DeparseExpr((Node *) linitial(xexpr->args), ctx);
				if (IsA(preserve, Const) && !preserve->constisnull &&
					DatumGetBool(preserve->constvalue))
					appendStringInfoString(buf, " PRESERVE WHITESPACE");
				appendStringInfoChar(buf, ')');
			}
			return;
		case IS_XMLPI:
			appendStringInfo(buf, "XMLPI(NAME %s", quote_identifier(xexpr->name));
			if (xexpr->args != NIL)
			{
				appendStringInfoString(buf, ", ");
				DeparseExpr((Node *) linitial(xexpr->args), ctx);
			}
			appendStringInfoChar(buf, ')');
			return;
		case IS_XMLROOT:
			{
				Const	   *standalone = (Const *) lthird(xexpr->args);
				Node	   *version = (Node *) lsecond(xexpr->args);

				appendStringInfoString(buf, "XMLROOT(");
				DeparseExpr((Node *) linitial(xexpr->args), ctx);
				appendStringInfoString(buf, ", VERSION ");
				if (IsA(version, Const) && ((Const *) version)->constisnull)
					appendStringInfoString(buf, "NO VALUE");
				else
					DeparseExpr(version, ctx);
				if (!IsA(standalone, Const))
					elog(ERROR, "unexpected XMLROOT standalone argument");
				if (!standalone->constisnull)
				{
					switch (DatumGetInt32(standalone->constvalue))
					{
						case XML_STANDALONE_YES:
							appendStringInfoString(buf, ", STANDALONE YES");
							break;
						case XML_STANDALONE_NO:
							appendStringInfoString(buf, ", STANDALONE NO");
							break;
						case XML_STANDALONE_NO_VALUE:
							appendStringInfoString(buf, ", STANDALONE NO VALUE");
							break;
						default:
							break;
					}
				}
				appendStringInfoChar(buf, ')');
			}
			return;
		case IS_XMLSERIALIZE:
			appendStringInfoString(buf, xexpr->xmloption == XMLOPTION_DOCUMENT ?
								   "XMLSERIALIZE(DOCUMENT " : "XMLSERIALIZE(CONTENT ");
			DeparseExpr((Node *) linitial(xexpr->args), ctx);
			appendStringInfo(buf, " AS %s)", TypeSqlName(xexpr->type, xexpr->typmod));
			return;
		case IS_DOCUMENT:
			appendStringInfoChar(buf, '(');
			DeparseExpr((Node *) linitial(xexpr->args), ctx);
			appendStringInfoString(buf, " IS DOCUMENT)");
			return;
	}
	elog(ERROR, "unexpected XML operation %d", (int) xexpr->op);
}

/*
 * AppendFunctionName appends a function's name, qualified unless it is in
 * pg_catalog, and always quoted where needed (so that functions of SQL
 * syntax such as "position" are called as plain functions).
 */
static void
AppendFunctionName(StringInfo buf, Oid funcid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc proc;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	if (proc->pronamespace == PG_CATALOG_NAMESPACE)
		appendStringInfoString(buf, quote_identifier(NameStr(proc->proname)));
	else
		appendStringInfoString(buf,
							   quote_qualified_identifier(get_namespace_name(proc->pronamespace),
														  NameStr(proc->proname)));
	ReleaseSysCache(tuple);
}

/*
 * AppendOperatorName appends an operator: bare if in pg_catalog, else as
 * OPERATOR(schema.op).
 */
static void
AppendOperatorName(StringInfo buf, Oid opno)
{
	HeapTuple	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Form_pg_operator oper;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	oper = (Form_pg_operator) GETSTRUCT(tuple);
	if (oper->oprnamespace == PG_CATALOG_NAMESPACE)
		appendStringInfoString(buf, NameStr(oper->oprname));
	else
		appendStringInfo(buf, "OPERATOR(%s.%s)",
						 quote_identifier(get_namespace_name(oper->oprnamespace)),
						 NameStr(oper->oprname));
	ReleaseSysCache(tuple);
}

/*
 * AppendCollationName appends a collation name, qualified unless it is in
 * pg_catalog.
 */
static void
AppendCollationName(StringInfo buf, Oid collid)
{
	HeapTuple	tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	Form_pg_collation coll;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	coll = (Form_pg_collation) GETSTRUCT(tuple);
	if (coll->collnamespace == PG_CATALOG_NAMESPACE)
		appendStringInfoString(buf, quote_identifier(NameStr(coll->collname)));
	else
		appendStringInfoString(buf,
							   quote_qualified_identifier(get_namespace_name(coll->collnamespace),
														  NameStr(coll->collname)));
	ReleaseSysCache(tuple);
}

/*
 * TypeSqlName returns a type name with typmod, qualified when the type (or
 * the element type of an array) is outside pg_catalog.
 */
static char *
TypeSqlName(Oid typid, int32 typmod)
{
	Oid			elemType = get_element_type(typid);
	Oid			checkType = OidIsValid(elemType) ? elemType : typid;
	HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(checkType));
	bits16		flags = FORMAT_TYPE_TYPEMOD_GIVEN;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", checkType);
	if (((Form_pg_type) GETSTRUCT(tuple))->typnamespace != PG_CATALOG_NAMESPACE)
		flags |= FORMAT_TYPE_FORCE_QUALIFY;
	ReleaseSysCache(tuple);
	return format_type_extended(typid, typmod, flags);
}

/*
 * TransmissionValueText returns the text of a non-null value in a form a
 * worker session reads back as the same value (palloc'd): printed in
 * transmission modes (a timestamptz printed with DateStyle SQL carries a
 * zone abbreviation, which is ambiguous), and object names (regclass etc.)
 * under search_path = pg_catalog, as the worker will read them.
 */
char *
TransmissionValueText(Oid typid, Datum value)
{
	Oid			outputFunc;
	bool		isVarlena;
	int			nestLevel;
	char	   *text;

	getTypeOutputInfo(typid, &outputFunc, &isVarlena);
	nestLevel = BeginTransmissionModes();
	PG_TRY();
	{
		if (IsObjectNameType(typid))
		{
			int			pathLevel = NewGUCNestLevel();

			(void) set_config_option("search_path", "pg_catalog", PGC_USERSET,
									 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
									 false);
			text = OidOutputFunctionCall(outputFunc, value);
			AtEOXact_GUC(true, pathLevel);
		}
		else
			text = OidOutputFunctionCall(outputFunc, value);
	}
	PG_FINALLY();
	{
		EndTransmissionModes(nestLevel);
	}
	PG_END_TRY();
	return text;
}

/*
 * SetTransmissionModes makes values print as TransmissionValueText prints
 * them (ISO dates, postgres intervals, exact floats) until
 * ResetTransmissionModes; for code that prints many values with output
 * functions it already holds.  Returns the GUC nest level to pass to
 * ResetTransmissionModes, or -1 when the settings already print so.  On
 * error the transaction abort restores the settings.
 */
int
SetTransmissionModes(void)
{
	int			nestLevel;

	if (DateStyle == USE_ISO_DATES && IntervalStyle == INTSTYLE_POSTGRES &&
		extra_float_digits >= 1)
		return -1;
	nestLevel = NewGUCNestLevel();
	if (DateStyle != USE_ISO_DATES)
		(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	if (IntervalStyle != INTSTYLE_POSTGRES)
		(void) set_config_option("intervalstyle", "postgres", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (extra_float_digits < 1)
		(void) set_config_option("extra_float_digits", "1", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nestLevel;
}

/*
 * ResetTransmissionModes undoes SetTransmissionModes.
 */
void
ResetTransmissionModes(int nestLevel)
{
	if (nestLevel >= 0)
		AtEOXact_GUC(true, nestLevel);
}

/*
 * TransmissionModesNeeded tells whether a value of typid printed under the
 * current settings might be read back differently by a worker session
 * (then TransmissionValueText is needed; else the plain output function
 * will do, which is cheaper).
 */
bool
TransmissionModesNeeded(Oid typid)
{
	return DateStyle != USE_ISO_DATES || IntervalStyle != INTSTYLE_POSTGRES ||
		extra_float_digits < 1 || IsObjectNameType(typid);
}

/*
 * DeparseConstValue appends a value as a quoted literal with a cast to its
 * type ('...'::type), or NULL::type.  Object-name types (regclass etc.) are
 * printed under search_path = pg_catalog, as the worker will read them.
 * Throws for anonymous record values, which have no input syntax.
 */
void
DeparseConstValue(StringInfo buf, Oid typid, int32 typmod, Datum value,
				  bool isnull)
{
	char	   *typeName;
	char	   *text;
	const char *p;

	if (typid == RECORDOID || typid == RECORDARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot deparse a constant of an anonymous record type")));

	typeName = TypeSqlName(typid, typmod);
	if (isnull)
	{
		appendStringInfo(buf, "NULL::%s", typeName);
		return;
	}

	text = TransmissionValueText(typid, value);

	/* standard_conforming_strings is on: only quotes need doubling */
	appendStringInfoChar(buf, '\'');
	for (p = text; *p != '\0'; p++)
	{
		if (*p == '\'')
			appendStringInfoChar(buf, '\'');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfo(buf, "'::%s", typeName);
}
