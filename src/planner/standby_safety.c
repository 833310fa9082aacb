/*-------------------------------------------------------------------------
 * standby_safety.c
 *	  Whether a statement may run on a standby: judged from its Query tree
 *	  by the planner hook, kept in every ShardScan of the plan
 *	  (PlanningStandbyReason), applied by executor/placement_choice.c.
 *
 * Only a SELECT that can neither write nor lock qualifies: no FOR
 * UPDATE/SHARE at any level, no data-modifying WITH, no volatile function
 * (nextval and setval among them) other than those listed in
 * shard.standby_safe_functions.  Sublinks, CTEs and subqueries are judged
 * too.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "executor/placement_choice.h"
#include "planner/planner.h"

/* walker state: the first reason found */
typedef struct SafetyContext
{
	const char *reason;
	List	   *safeNames;		/* char *, from shard.standby_safe_functions */
} SafetyContext;

static bool SafetyWalker(Node *node, SafetyContext *context);
static bool UnsafeFunction(Oid funcId, void *arg);
static bool ListedSafe(Oid funcId, List *safeNames);


/*
 * ListedSafe tells whether shard.standby_safe_functions names funcId, as
 * name or schema.name.
 */
static bool
ListedSafe(Oid funcId, List *safeNames)
{
	char	   *name;
	char	   *qualified;
	ListCell   *lc;

	if (safeNames == NIL)
		return false;
	name = get_func_name(funcId);
	if (name == NULL)
		return false;
	qualified = psprintf("%s.%s", get_namespace_name(get_func_namespace(funcId)), name);
	foreach(lc, safeNames)
	{
		const char *item = lfirst(lc);

		if (strcmp(item, name) == 0 || strcmp(item, qualified) == 0)
			return true;
	}
	return false;
}


/*
 * UnsafeFunction (a check_functions_in_node callback) notes and reports a
 * volatile function not declared safe.
 */
static bool
UnsafeFunction(Oid funcId, void *arg)
{
	SafetyContext *context = (SafetyContext *) arg;

	if (func_volatile(funcId) != PROVOLATILE_VOLATILE ||
		ListedSafe(funcId, context->safeNames))
		return false;
	if (funcId == F_NEXTVAL || funcId == F_SETVAL_REGCLASS_INT8 ||
		funcId == F_SETVAL_REGCLASS_INT8_BOOL)
		context->reason = "the statement changes a sequence";
	else
		context->reason = psprintf("the statement calls volatile function %s",
								   quote_identifier(get_func_name(funcId)));
	return true;
}


/*
 * SafetyWalker stops at the first part of a statement that may write or
 * lock, with context->reason set.
 */
static bool
SafetyWalker(Node *node, SafetyContext *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;

		if (query->commandType != CMD_SELECT)
			context->reason = "the statement writes";
		else if (query->hasModifyingCTE)
			context->reason = "the statement has a data-modifying WITH";
		else if (query->rowMarks != NIL)
			context->reason = "the statement locks rows (FOR UPDATE/SHARE)";
		if (context->reason != NULL)
			return true;
		return query_tree_walker(query, SafetyWalker, context, 0);
	}
	if (check_functions_in_node(node, UnsafeFunction, context))
		return true;
	return expression_tree_walker(node, SafetyWalker, context);
}


/*
 * StandbyUnsafeReason returns why the statement parse cannot run on a
 * standby (a string that lives as long as the memory context), or NULL
 * when it can neither write nor lock.
 */
const char *
StandbyUnsafeReason(Query *parse)
{
	SafetyContext context;
	char	   *names = pstrdup(StandbySafeFunctions);

	context.reason = NULL;
	context.safeNames = NIL;
	if (!SplitIdentifierString(names, ',', &context.safeNames))
		context.safeNames = NIL;
	(void) SafetyWalker((Node *) parse, &context);
	return context.reason;
}
