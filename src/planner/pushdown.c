/*-------------------------------------------------------------------------
 * pushdown.c
 *	  Multi-shard SELECTs that run inside the shards: whole-query pushdown
 *	  per shard group, and partial aggregation with a coordinator combine.
 *
 * A SELECT is pushed down when every distributed table in it is a hash
 * table of one co-location group, joined at each query level by equality
 * of distribution columns (so every output row comes from rows of one
 * shard group), reference tables and Var-free items never on the
 * preserved side of an outer join,
 * sublinks over distributed tables only "dist_col IN (SELECT dist_col
 * ...)" conjuncts, and subqueries and CTEs per shard decomposable
 * (grouped, windowed or DISTINCT on the distribution column, no LIMIT).
 * Nothing volatile, no FOR UPDATE, no local tables, no set operations.
 *
 * The statement is split into a worker Query, deparsed once per shard
 * index (co-located shard names substituted), and a coordinator Query
 * that reads the workers' rows from a placeholder range table entry: an
 * RTE_FUNCTION calling shard.remote_scan(id).  PostgreSQL's planner plans
 * the coordinator Query (merge sort, LIMIT, DISTINCT, combine aggregates,
 * HAVING); our set_rel_pathlist hook gives the placeholder its only path,
 * a ShardScan of kind SHARD_SCAN_PUSHDOWN whose tasks are the worker SQL.
 * The id finds the tasks in pendingPushdowns, a stack that lives only
 * while the coordinator Query is planned.
 *
 * Whole-query pushdown: the worker Query is the statement itself; ORDER BY
 * and LIMIT + OFFSET go to each task as a top-N and are applied again on
 * the coordinator; a DISTINCT that does not include the distribution
 * column is applied on both sides.
 *
 * Partial aggregation: the worker groups by the GROUP BY expressions and
 * returns partial aggregates; the coordinator groups again and combines:
 * count -> shard.count_combine, sum -> sum or shard.sum_combine, min, max,
 * bool_and/or, every, bit_and/or/xor -> themselves, avg -> exact
 * numeric_div (or float8div, interval_div) of combined sums and counts as
 * PostgreSQL's final functions compute it, float variance/stddev ->
 * PostgreSQL's own float8_combine of (N, Sx, Sxx) states, numeric and
 * integer variance/stddev -> shard.numeric_variance_final of the combined
 * count, sum and sum of squares (exact).  Any other
 * aggregate (DISTINCT or ORDER BY inside an aggregate,
 * ordered sets, ...) keeps the statement on the coordinator-side path.
 *
 * Pinned statements: when a "dist_col = const/$n" filter (or a pinned
 * subquery or CTE the level is joined to) proves every row of the top
 * level comes from one shard group, the whole statement runs there as one
 * router task (see LevelPin); subqueries pinned to that same group may
 * then have any shape.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_aggregate.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include <math.h>

#include "deparse/deparse.h"
#include "planner/planner.h"

/* pg_operator: int8 + int8 */
#define INT8_PLUS_OPERATOR 684

/*
 * Partial aggregation is skipped when the shards would still return more
 * than this fraction of the table's rows: each shard barely reduces them,
 * and aggregating twice costs more than aggregating once.
 */
#define PARTIAL_AGGREGATE_MAX_ROW_FRACTION 0.5

/* a pushdown waiting for its placeholder to be planned */
typedef struct PendingPushdown
{
	int			id;
	Oid			placeholderOid;
	ShardPlanInfo *info;
	Query	   *runtimeQuery;	/* worker Query to deparse at run time, or NULL */
	List	   *columnNames;	/* String */
	double		rows;
	List	   *customExprs;	/* the scan's custom_exprs (CTE statements) */
} PendingPushdown;

/*
 * The shard group a query level's rows all come from, when a filter
 * "dist_col = value" (or a member that is itself pinned) proves there is
 * one.  A pinned level computes its whole result inside that shard group,
 * so it may LIMIT, aggregate, window or DISTINCT across distribution
 * values, and read pinned subqueries of any shape; doing so makes the pin
 * required: the statement then must run only in that shard group.
 */
typedef struct LevelPin
{
	Expr	   *value;			/* Const or external Param, or NULL */
	bool		required;		/* correct only when run in value's group */
} LevelPin;

/* CTEs of one query level while it is analyzed */
typedef struct CteScope
{
	Query	   *query;
	List	   *names;			/* String, analyzed CTEs */
	List	   *distColumns;	/* List of Integer per CTE; NIL: replicated */
	List	   *pins;			/* LevelPin * per CTE */
} CteScope;

/* state of the co-location analysis of a whole statement */
typedef struct GroupContext
{
	int			colocationId;	/* -1 until the first hash table */
	DistTableEntry *anchor;		/* first hash table */
	List	   *scopes;			/* CteScope, innermost first */
	ParamListInfo boundParams;	/* custom plans: parameters as pins */
	const char *reason;
} GroupContext;

/* per query level */
typedef struct LevelState
{
	Query	   *query;
	int			size;			/* range table length + 1 */
	int		   *parent;			/* union-find over members */
	bool	   *member;			/* carries the distribution value */
	bool	   *nullable;		/* on the nullable side of an outer join */
	List	  **distColumns;	/* per rtindex: attnos with the value */
	bool		hasReplicated;
	bool		hasOuterJoin;
	List	   *conjuncts;		/* WHERE and ON conjuncts */
	List	   *allowedSubLinks;	/* SubLink conjuncts checked as IN */
	LevelPin   *memberPins;		/* per rtindex: pins of subqueries and CTEs */
	bool		hasPinnedOnly;	/* FROM items pinned without a dist column */
	LevelPin	pin;			/* the level's own */
	GroupContext *ctx;
} LevelState;

/* what the top level looks like */
typedef struct TopShape
{
	bool		groupedByDist;
	bool		distinctHasDist;
} TopShape;

/* building a partial aggregation */
typedef struct PartialContext
{
	List	   *groupExprs;		/* Expr of each GROUP BY item */
	List	   *workerTlist;	/* TargetEntry of the worker Query */
	const char *reason;
} PartialContext;

/* GUC shard.enable_pushdown */
bool		EnablePushdown = true;

static List *pendingPushdowns = NIL;
static int	nextPushdownId = 1;

static bool ContainsDistTableWalker(Node *node, void *context);
static bool ContainsDistTable(Node *node);
static bool SystemColumnWalker(Node *node, void *context);
static Node *ExplicitInt8(Node *node);
static bool AnalyzeLevel(Query *query, GroupContext *ctx, bool isTop,
						 List **distOutput, TopShape *shape, LevelPin *pinOut);
static void CollectFilterQuals(Node *jtnode, List **conjuncts);
static Expr *PinValue(Node *node, GroupContext *ctx);
static bool PinsAgree(Expr *a, Expr *b, GroupContext *ctx);
static bool PinnedToOuterRow(LevelState *level, LevelPin *subPin);
static void FindLevelPin(LevelState *level, GroupContext *ctx, List *rtindexes, int root);
static bool UsePin(LevelState *level, LevelPin *memberPin);
static bool CollectJoinTree(Node *jtnode, LevelState *level, List **rtindexes,
							bool nullable);
static void AddLevelConjuncts(Node *qual, List **conjuncts);
static int	FindLevelRoot(LevelState *level, int i);
static bool ReplicatedLeafPreserved(Node *jtnode, LevelState *level, bool preserved);
static int	ResolveMember(LevelState *level, Node *expr);
static int	ResolveNonNullMember(LevelState *level, Node *expr);
static bool CheckSubLinksWalker(Node *node, void *context);
static bool ExprListHasDistColumn(LevelState *level, List *exprs);
static List *SortGroupExprs(List *clauses, List *tlist);
static Query *MakeCoordinatorQuery(Query *original, List *workerTlist, int id,
								   Oid placeholderOid);
static PlannedStmt *PlanWithPlaceholder(Query *original, Query *worker, Query *coordinator,
										const char *strategy, const char *queryString,
										int cursorOptions, ParamListInfo boundParams,
										Oid placeholderOid, int id, double rows);
static Node *CombineMutator(Node *node, PartialContext *ctx);
static Expr *CombineAggref(Aggref *aggref, PartialContext *ctx);
static Var *AddWorkerColumn(PartialContext *ctx, Expr *expr);
static Aggref *MakeAggref(Oid aggfnoid, Oid resultType, Oid resultCollation, Expr *arg,
						  Expr *filter);
static Oid	LookupShardAggregate(const char *name, Oid argType);
static bool PartialAggregateReducesRows(Query *parse, DistTableEntry *anchor,
										const char **reason);
static Plan *PlanPushdownPath(PlannerInfo *root, RelOptInfo *rel,
							  struct CustomPath *best_path, List *tlist,
							  List *clauses, List *custom_plans);

static CustomPathMethods PushdownPathMethods = {
	.CustomName = "ShardScan",
	.PlanCustomPath = PlanPushdownPath,
};

PG_FUNCTION_INFO_V1(shard_remote_scan);

/*
 * shard_remote_scan is the placeholder function of pushed-down plans; its
 * range table entry is always replaced by a ShardScan, so a call means it
 * was used outside a plan of ours.
 */
Datum
shard_remote_scan(PG_FUNCTION_ARGS)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("shard.remote_scan() can only be used by plans of distributed queries")));
	PG_RETURN_NULL();
}

/*
 * ContainsDistTableWalker is the walker of ContainsDistTable.
 */
static bool
ContainsDistTableWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		foreach(lc, query->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			/* reference tables are whole in every shard group */
			if (rte->rtekind == RTE_RELATION && IsDistributedTable(rte->relid) &&
				LookupDistTable(rte->relid)->method == DIST_METHOD_HASH)
				return true;
		}
		return query_tree_walker(query, ContainsDistTableWalker, context, 0);
	}
	return expression_tree_walker(node, ContainsDistTableWalker, context);
}

/*
 * ContainsDistTable returns whether node (a Query or expression) reads a
 * hash-distributed table at any depth.
 */
static bool
ContainsDistTable(Node *node)
{
	return ContainsDistTableWalker(node, NULL);
}

/*
 * SystemColumnWalker returns whether node uses a system column (ctid,
 * cmin, ...), whose values on shards differ from the coordinator's, or a
 * whole-row reference, whose type would be each shard's row type.  xmin
 * and xmax are the shard row's own (what an ORM's concurrency token
 * needs) and pass.
 */
static bool
SystemColumnWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) && ((Var *) node)->varattno <= 0 &&
		((Var *) node)->varattno != MinTransactionIdAttributeNumber &&
		((Var *) node)->varattno != MaxTransactionIdAttributeNumber)
		return true;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, SystemColumnWalker, context, 0);
	return expression_tree_walker(node, SystemColumnWalker, context);
}

/*
 * ExplicitInt8 returns a copy of an int8 expression whose implicit cast
 * at the top is written out, so the worker adds in int8 as we do.
 */
static Node *
ExplicitInt8(Node *node)
{
	node = copyObject(node);
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcformat == COERCE_IMPLICIT_CAST)
		((FuncExpr *) node)->funcformat = COERCE_EXPLICIT_CAST;
	return node;
}

/*
 * AddLevelConjuncts appends the AND-ed parts of qual.
 */
static void
AddLevelConjuncts(Node *qual, List **conjuncts)
{
	if (qual == NULL)
		return;
	if (IsA(qual, List))
	{
		ListCell   *lc;

		foreach(lc, (List *) qual)
			AddLevelConjuncts(lfirst(lc), conjuncts);
		return;
	}
	if (is_andclause(qual))
	{
		AddLevelConjuncts((Node *) ((BoolExpr *) qual)->args, conjuncts);
		return;
	}
	*conjuncts = lappend(*conjuncts, qual);
}

/*
 * CollectJoinTree lists the range table indexes of the join tree's
 * leaves and gathers the conjuncts of every join condition.  An outer
 * join's condition decides which rows pair up, so its distribution column
 * equalities co-locate its sides as an inner join's do.  Leaves under
 * the nullable side of an outer join are marked: NULLs made up there come
 * from every shard.
 */
static bool
CollectJoinTree(Node *jtnode, LevelState *level, List **rtindexes, bool nullable)
{
	if (jtnode == NULL)
		return true;
	if (IsA(jtnode, RangeTblRef))
	{
		int			rtindex = ((RangeTblRef *) jtnode)->rtindex;

		*rtindexes = lappend_int(*rtindexes, rtindex);
		level->nullable[rtindex] = nullable;
		return true;
	}
	if (IsA(jtnode, FromExpr))
	{
		FromExpr   *f = (FromExpr *) jtnode;
		ListCell   *lc;

		AddLevelConjuncts(f->quals, &level->conjuncts);
		foreach(lc, f->fromlist)
		{
			if (!CollectJoinTree(lfirst(lc), level, rtindexes, nullable))
				return false;
		}
		return true;
	}
	if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;

		if (j->jointype != JOIN_INNER)
			level->hasOuterJoin = true;
		AddLevelConjuncts(j->quals, &level->conjuncts);
		return CollectJoinTree(j->larg, level, rtindexes,
							   nullable || j->jointype == JOIN_RIGHT || j->jointype == JOIN_FULL) &&
			CollectJoinTree(j->rarg, level, rtindexes,
							nullable || j->jointype == JOIN_LEFT || j->jointype == JOIN_FULL);
	}
	return false;
}

/*
 * ReplicatedLeafPreserved returns whether a FROM item of level that is
 * the same in every shard group (reference table, function, subquery
 * without hash tables) is on the preserved side of an outer join under
 * jtnode: its unmatched rows would come once per shard group.  On the
 * nullable side it only extends rows of one shard group.
 */
static bool
ReplicatedLeafPreserved(Node *jtnode, LevelState *level, bool preserved)
{
	if (IsA(jtnode, RangeTblRef))
	{
		int			rtindex = ((RangeTblRef *) jtnode)->rtindex;

		return preserved && !level->member[rtindex] &&
			level->memberPins[rtindex].value == NULL;
	}
	if (IsA(jtnode, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) jtnode)->fromlist)
		{
			if (ReplicatedLeafPreserved(lfirst(lc), level, preserved))
				return true;
		}
		return false;
	}
	if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;

		if (j->jointype != JOIN_INNER && j->jointype != JOIN_LEFT &&
			j->jointype != JOIN_RIGHT && j->jointype != JOIN_FULL)
			return true;
		return ReplicatedLeafPreserved(j->larg, level, preserved ||
									   j->jointype == JOIN_LEFT || j->jointype == JOIN_FULL) ||
			ReplicatedLeafPreserved(j->rarg, level, preserved ||
									j->jointype == JOIN_RIGHT || j->jointype == JOIN_FULL);
	}
	return true;
}

/*
 * FindLevelRoot returns the representative of i's class.
 */
static int
FindLevelRoot(LevelState *level, int i)
{
	while (level->parent[i] != i)
		i = level->parent[i] = level->parent[level->parent[i]];
	return i;
}

/*
 * ResolveMember returns the range table index of the member whose
 * distribution value expr is (a Var of this level, through relabelings
 * and join alias columns), or 0.
 */
static int
ResolveMember(LevelState *level, Node *expr)
{
	Var		   *var;
	RangeTblEntry *rte;

	while (expr != NULL && IsA(expr, RelabelType))
		expr = (Node *) ((RelabelType *) expr)->arg;
	if (expr == NULL || !IsA(expr, Var))
		return 0;
	var = (Var *) expr;
	if (var->varlevelsup != 0 || var->varno < 1 || var->varno >= level->size)
		return 0;
	rte = rt_fetch(var->varno, level->query->rtable);
	if (rte->rtekind == RTE_JOIN)
	{
		if (var->varattno <= 0 || var->varattno > list_length(rte->joinaliasvars))
			return 0;
		return ResolveMember(level, list_nth(rte->joinaliasvars, var->varattno - 1));
	}
	if (!level->member[var->varno] ||
		!list_member_int(level->distColumns[var->varno], var->varattno))
		return 0;
	return var->varno;
}

/*
 * ResolveNonNullMember is ResolveMember for members that are never
 * NULL-extended, whose value therefore names one shard group.
 */
static int
ResolveNonNullMember(LevelState *level, Node *expr)
{
	int			rtindex = ResolveMember(level, expr);

	return (rtindex > 0 && !level->nullable[rtindex]) ? rtindex : 0;
}

/*
 * ExprListHasDistColumn returns whether one of exprs is the distribution
 * value of the level's class (never NULL-extended).
 */
static bool
ExprListHasDistColumn(LevelState *level, List *exprs)
{
	ListCell   *lc;

	foreach(lc, exprs)
	{
		if (ResolveNonNullMember(level, lfirst(lc)) > 0)
			return true;
	}
	return false;
}

/*
 * SortGroupExprs returns the target expressions a list of SortGroupClauses
 * refers to.
 */
static List *
SortGroupExprs(List *clauses, List *tlist)
{
	List	   *exprs = NIL;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);

		exprs = lappend(exprs, get_sortgroupclause_expr(sgc, tlist));
	}
	return exprs;
}

/*
 * CollectFilterQuals appends the conjuncts that filter the rows of the
 * join tree node jtnode: WHERE, and ON of inner joins, not under the
 * nullable side of an outer join.
 */
static void
CollectFilterQuals(Node *jtnode, List **conjuncts)
{
	if (jtnode == NULL)
		return;
	if (IsA(jtnode, FromExpr))
	{
		FromExpr   *f = (FromExpr *) jtnode;
		ListCell   *lc;

		AddLevelConjuncts(f->quals, conjuncts);
		foreach(lc, f->fromlist)
			CollectFilterQuals(lfirst(lc), conjuncts);
	}
	else if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;

		if (j->jointype == JOIN_INNER)
		{
			AddLevelConjuncts(j->quals, conjuncts);
			CollectFilterQuals(j->larg, conjuncts);
			CollectFilterQuals(j->rarg, conjuncts);
		}
		else if (j->jointype == JOIN_LEFT)
			CollectFilterQuals(j->larg, conjuncts);
		else if (j->jointype == JOIN_RIGHT)
			CollectFilterQuals(j->rarg, conjuncts);
	}
}

/*
 * PinValue returns the value node pins a distribution column to: a Const,
 * an external Param (as a Const when a custom plan binds it), a column of
 * the query level just outside (a correlated subquery: each outer row's
 * value selects one shard group), or NULL.
 */
static Expr *
PinValue(Node *node, GroupContext *ctx)
{
	while (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL)
		return NULL;
	if (IsA(node, Const))
		return (Expr *) node;
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 1)
		return (Expr *) node;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
	{
		Expr	   *bound = BoundParamAsConst((Param *) node, ctx->boundParams);

		return bound ? bound : (Expr *) node;
	}
	return NULL;
}

/*
 * PinsAgree returns whether two pins surely select the same shard group:
 * constants of the same shard index, or the same parameter.
 */
static bool
PinsAgree(Expr *a, Expr *b, GroupContext *ctx)
{
	if (a == NULL || b == NULL || ctx->anchor == NULL)
		return false;
	if (IsA(a, Const) && IsA(b, Const))
		return ShardIndexForConst(ctx->anchor, (Const *) a) ==
			ShardIndexForConst(ctx->anchor, (Const *) b);
	if (IsA(a, Param) && IsA(b, Param))
		return ((Param *) a)->paramid == ((Param *) b)->paramid;
	if (IsA(a, Var) && IsA(b, Var))
		return equal(a, b);
	return false;
}

/*
 * PinnedToOuterRow returns whether a sublink's subquery, pinned as subPin,
 * reads only the shard group of the outer row it is evaluated for: it is
 * pinned to a distribution column of level (the sublink's level), so in
 * a shard group every row it reads lives in that group.  Such a sublink
 * may have any shape (aggregates, LIMIT, EXISTS, scalar).
 */
static bool
PinnedToOuterRow(LevelState *level, LevelPin *subPin)
{
	Var		   *outer;

	if (subPin->value == NULL || !IsA(subPin->value, Var) ||
		((Var *) subPin->value)->varlevelsup != 1)
		return false;
	outer = copyObject((Var *) subPin->value);
	outer->varlevelsup = 0;
	return ResolveMember(level, (Node *) outer) > 0;
}

/*
 * FindLevelPin sets level->pin.value when every row of the level comes
 * from one shard group: a filter conjunct "member's distribution value =
 * pin", or a member that is never NULL-extended and is itself pinned
 * (with members in a class, only a class member pins it).  Conflicting
 * pins leave the level unpinned.
 */
static void
FindLevelPin(LevelState *level, GroupContext *ctx, List *rtindexes, int root)
{
	List	   *filters = NIL;
	List	   *candidates = NIL;
	ListCell   *lc;

	level->pin.value = NULL;
	if (ctx->anchor == NULL)
		return;
	CollectFilterQuals((Node *) level->query->jointree, &filters);
	foreach(lc, filters)
	{
		OpExpr	   *op = lfirst(lc);
		Expr	   *value = NULL;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
			!op_in_opfamily(op->opno, ctx->anchor->hashOpfamily))
			continue;
		if (ResolveMember(level, linitial(op->args)) > 0)
			value = PinValue(lsecond(op->args), ctx);
		else if (ResolveMember(level, lsecond(op->args)) > 0)
			value = PinValue(linitial(op->args), ctx);
		if (value != NULL)
			candidates = lappend(candidates, value);
	}
	foreach(lc, rtindexes)
	{
		int			rtindex = lfirst_int(lc);

		if (level->memberPins[rtindex].value != NULL && !level->nullable[rtindex] &&
			(root == 0 || level->member[rtindex]))
			candidates = lappend(candidates, level->memberPins[rtindex].value);
	}
	foreach(lc, candidates)
	{
		if (level->pin.value == NULL)
			level->pin.value = lfirst(lc);
		else if (!PinsAgree(level->pin.value, lfirst(lc), ctx))
		{
			level->pin.value = NULL;
			return;
		}
	}
}

/*
 * UsePin returns whether a part of the level that is correct only inside
 * one shard group (memberPin) can be used: the level is pinned to the
 * same group, which then becomes required of the level too.
 */
static bool
UsePin(LevelState *level, LevelPin *memberPin)
{
	if (level->pin.value == NULL || memberPin->value == NULL ||
		!PinsAgree(level->pin.value, memberPin->value, level->ctx))
		return false;
	level->pin.required = true;
	return true;
}

/* context of CheckSubLinksWalker */
typedef struct SubLinkCheck
{
	LevelState *level;
	GroupContext *ctx;
	bool		ok;
} SubLinkCheck;

/*
 * CheckSubLinksWalker accepts sublinks that read no distributed table,
 * "dist_col IN (SELECT dist_col ...)" conjuncts whose subquery decomposes
 * per shard (for a row of shard group s, matching values can only be in
 * s), and in a pinned level any sublink whose subquery is pinned to the
 * same shard group (it is whole there).  Anything else over distributed
 * tables clears ok.
 */
static bool
CheckSubLinksWalker(Node *node, void *context)
{
	SubLinkCheck *check = (SubLinkCheck *) context;

	if (node == NULL || !check->ok)
		return false;
	if (IsA(node, SubLink))
	{
		SubLink    *sublink = (SubLink *) node;
		Query	   *subquery = (Query *) sublink->subselect;
		OpExpr	   *op = (OpExpr *) sublink->testexpr;
		List	   *distOutput = NIL;
		Param	   *param = NULL;
		LevelPin	subPin;

		if (!ContainsDistTable((Node *) subquery))
			return expression_tree_walker(sublink->testexpr, CheckSubLinksWalker, context);

		if (list_member_ptr(check->level->allowedSubLinks, sublink) &&
			sublink->subLinkType == ANY_SUBLINK && op != NULL && IsA(op, OpExpr) &&
			list_length(op->args) == 2 && check->ctx->anchor != NULL &&
			op_in_opfamily(op->opno, check->ctx->anchor->hashOpfamily) &&
			ResolveMember(check->level, linitial(op->args)) != 0)
		{
			param = (Param *) lsecond(op->args);
			while (param != NULL && IsA(param, RelabelType))
				param = (Param *) ((RelabelType *) param)->arg;
		}
		if (param != NULL && IsA(param, Param) && param->paramkind == PARAM_SUBLINK &&
			AnalyzeLevel(subquery, check->ctx, false, &distOutput, NULL, &subPin) &&
			list_member_int(distOutput, param->paramid) &&
			(!subPin.required || UsePin(check->level, &subPin)))
			return false;

		/* correlated on the distribution column: whole in the row's group */
		if (AnalyzeLevel(subquery, check->ctx, false, &distOutput, NULL, &subPin) &&
			PinnedToOuterRow(check->level, &subPin))
			return expression_tree_walker(sublink->testexpr, CheckSubLinksWalker, context);

		/* in a pinned level, a subquery pinned to the same shard group */
		if (check->level->pin.value != NULL &&
			AnalyzeLevel(subquery, check->ctx, false, &distOutput, NULL, &subPin) &&
			subPin.value != NULL && UsePin(check->level, &subPin))
			return false;

		check->ctx->reason = "a subquery over distributed tables is neither an IN on the distribution column nor pinned to the shard group of its query";
		check->ok = false;
		return false;
	}
	if (IsA(node, Query))
		return false;			/* range table subqueries are analyzed apart */
	return expression_tree_walker(node, CheckSubLinksWalker, context);
}

/*
 * SubqueryDecomposes returns whether query (a SELECT used as a subquery)
 * is the union of its per-shard-group results; then *colocationId is its
 * co-location group (-1 if it reads no hash table) and *distOutput the
 * output columns (Integer resnos) that carry the distribution value.
 * Sets *reason when it returns false.  Used by INSERT ... SELECT.
 */
bool
SubqueryDecomposes(Query *query, int *colocationId, List **distOutput,
				   const char **reason)
{
	GroupContext ctx;
	LevelPin	pin;

	memset(&ctx, 0, sizeof(ctx));
	ctx.colocationId = -1;
	if (!AnalyzeLevel(query, &ctx, false, distOutput, NULL, &pin))
	{
		*reason = ctx.reason;
		return false;
	}
	if (pin.required)
	{
		*reason = "the query is correct only inside one shard group";
		return false;
	}
	*colocationId = ctx.colocationId;
	return true;
}

/*
 * AnalyzeLevel returns whether query decomposes per shard group.  For a
 * subquery (isTop false) that means its result is the union of its
 * per-shard results; *distOutput gets the output columns that carry the
 * distribution value.  For the top level, the GROUP BY, DISTINCT, LIMIT
 * and aggregates are judged by the caller from *shape.  Sets ctx->reason
 * when it returns false.
 */
static bool
AnalyzeLevel(Query *query, GroupContext *ctx, bool isTop, List **distOutput,
			 TopShape *shape, LevelPin *pinOut)
{
	LevelState	level;
	CteScope   *scope;
	List	   *rtindexes = NIL;
	ListCell   *lc;
	int			root = 0;
	bool		ok = true;
	SubLinkCheck check;

	*distOutput = NIL;
	memset(pinOut, 0, sizeof(LevelPin));
	if (query->commandType != CMD_SELECT || query->setOperations != NULL ||
		query->groupingSets != NIL || (query->rowMarks != NIL && !isTop) ||
		query->hasRecursive || query->hasModifyingCTE)
	{
		ctx->reason = "the query has set operations, grouping sets, FOR UPDATE or a recursive or modifying WITH";
		return false;
	}

	/* CTEs first: later ones and the query itself may read them */
	scope = palloc0(sizeof(CteScope));
	scope->query = query;
	ctx->scopes = lcons(scope, ctx->scopes);
	foreach(lc, query->cteList)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);
		List	   *cteDist = NIL;
		LevelPin   *ctePin = palloc0(sizeof(LevelPin));

		if (cte->cterecursive || !IsA(cte->ctequery, Query))
		{
			ctx->reason = "the query has a recursive WITH";
			ok = false;
			break;
		}
		if (ContainsDistTable(cte->ctequery))
		{
			if (!AnalyzeLevel((Query *) cte->ctequery, ctx, false, &cteDist, NULL, ctePin))
			{
				ok = false;
				break;
			}
			if (cteDist == NIL && ctePin->value == NULL)
			{
				ctx->reason = "a WITH query does not return the distribution column";
				ok = false;
				break;
			}
		}
		scope->names = lappend(scope->names, makeString(cte->ctename));
		scope->distColumns = lappend(scope->distColumns, cteDist);
		scope->pins = lappend(scope->pins, ctePin);
	}
	if (!ok)
	{
		ctx->scopes = list_delete_first(ctx->scopes);
		return false;
	}

	level.query = query;
	level.size = list_length(query->rtable) + 1;
	level.parent = palloc0(sizeof(int) * level.size);
	level.member = palloc0(sizeof(bool) * level.size);
	level.nullable = palloc0(sizeof(bool) * level.size);
	level.distColumns = palloc0(sizeof(List *) * level.size);
	level.hasReplicated = false;
	level.hasOuterJoin = false;
	level.conjuncts = NIL;
	level.allowedSubLinks = NIL;
	level.memberPins = palloc0(sizeof(LevelPin) * level.size);
	level.hasPinnedOnly = false;
	memset(&level.pin, 0, sizeof(LevelPin));
	level.ctx = ctx;
	for (int i = 0; i < level.size; i++)
		level.parent[i] = i;

	if (!CollectJoinTree((Node *) query->jointree, &level, &rtindexes, false))
	{
		ctx->reason = "unexpected join tree";
		ok = false;
	}

	/* members: the leaves that carry the distribution value */
	foreach(lc, rtindexes)
	{
		int			rtindex = lfirst_int(lc);
		RangeTblEntry *rte = rt_fetch(rtindex, query->rtable);

		if (!ok)
			break;
		switch (rte->rtekind)
		{
			case RTE_RELATION:
				{
					DistTableEntry *table = LookupDistTable(rte->relid);

					if (table == NULL)
					{
						ctx->reason = "the query uses a local table";
						ok = false;
					}
					else if (table->method != DIST_METHOD_HASH)
						level.hasReplicated = true;
					else if (ctx->colocationId >= 0 && ctx->colocationId != table->colocationId)
					{
						ctx->reason = "the distributed tables are not co-located";
						ok = false;
					}
					else
					{
						if (ctx->anchor == NULL)
						{
							ctx->anchor = table;
							ctx->colocationId = table->colocationId;
						}
						level.member[rtindex] = true;
						level.distColumns[rtindex] = list_make1_int(table->distAttno);
					}
					break;
				}
			case RTE_SUBQUERY:
				if (!ContainsDistTable((Node *) rte->subquery))
					level.hasReplicated = true;
				else if (rte->lateral)
				{
					ctx->reason = "a LATERAL subquery reads distributed tables";
					ok = false;
				}
				else if (!AnalyzeLevel(rte->subquery, ctx, false,
									   &level.distColumns[rtindex], NULL,
									   &level.memberPins[rtindex]))
					ok = false;
				else if (level.distColumns[rtindex] != NIL)
					level.member[rtindex] = true;
				else if (level.memberPins[rtindex].value != NULL)
					level.hasPinnedOnly = true;
				else
				{
					ctx->reason = "a subquery does not return the distribution column";
					ok = false;
				}
				break;
			case RTE_CTE:
				{
					CteScope   *cteScope;
					ListCell   *nc;
					List	   *cteDist = NIL;
					LevelPin   *ctePin = NULL;
					bool		found = false;

					if (rte->self_reference || rte->ctelevelsup >= list_length(ctx->scopes))
					{
						ctx->reason = "unexpected WITH reference";
						ok = false;
						break;
					}
					cteScope = list_nth(ctx->scopes, rte->ctelevelsup);
					foreach(nc, cteScope->names)
					{
						if (strcmp(strVal(lfirst(nc)), rte->ctename) == 0)
						{
							cteDist = list_nth(cteScope->distColumns, foreach_current_index(nc));
							ctePin = list_nth(cteScope->pins, foreach_current_index(nc));
							found = true;
						}
					}
					if (!found)
					{
						ctx->reason = "unexpected WITH reference";
						ok = false;
					}
					else
					{
						level.memberPins[rtindex] = *ctePin;
						if (cteDist != NIL)
						{
							level.member[rtindex] = true;
							level.distColumns[rtindex] = cteDist;
						}
						else if (ctePin->value != NULL)
							level.hasPinnedOnly = true;
						else
							level.hasReplicated = true;
					}
					break;
				}
			case RTE_FUNCTION:
			case RTE_VALUES:
			case RTE_TABLEFUNC:
				if (range_table_entry_walker(rte, ContainsDistTableWalker, NULL, 0))
				{
					ctx->reason = "a FROM function reads distributed tables";
					ok = false;
				}
				level.hasReplicated = true;
				break;
			default:
				ctx->reason = "unsupported FROM item";
				ok = false;
				break;
		}
	}

	/* co-locate members joined by equality of their distribution values */
	foreach(lc, level.conjuncts)
	{
		Node	   *conjunct = lfirst(lc);
		OpExpr	   *op = (OpExpr *) conjunct;
		int			left;
		int			right;

		if (!ok)
			break;
		if (IsA(conjunct, SubLink))
		{
			level.allowedSubLinks = lappend(level.allowedSubLinks, conjunct);
			continue;
		}
		if (!IsA(op, OpExpr) || list_length(op->args) != 2 || ctx->anchor == NULL ||
			!op_in_opfamily(op->opno, ctx->anchor->hashOpfamily))
			continue;
		left = ResolveMember(&level, linitial(op->args));
		right = ResolveMember(&level, lsecond(op->args));
		if (left > 0 && right > 0)
			level.parent[FindLevelRoot(&level, left)] = FindLevelRoot(&level, right);
	}

	foreach(lc, rtindexes)
	{
		int			rtindex = lfirst_int(lc);

		if (!ok)
			break;
		if (!level.member[rtindex])
			continue;
		if (root == 0)
			root = FindLevelRoot(&level, rtindex);
		else if (FindLevelRoot(&level, rtindex) != root)
		{
			ctx->reason = "distributed tables are not joined on their distribution columns";
			ok = false;
		}
	}
	if (ok)
		FindLevelPin(&level, ctx, rtindexes, root);
	if (ok && root == 0 && !(level.hasPinnedOnly && level.pin.value != NULL))
	{
		ctx->reason = "distributed tables are read only in subqueries of a query level without them";
		ok = false;
	}
	if (ok && level.hasOuterJoin &&
		(level.hasPinnedOnly ||
		 (level.hasReplicated &&
		  ReplicatedLeafPreserved((Node *) query->jointree, &level, false))))
	{
		if (level.pin.value != NULL)
			level.pin.required = true;
		else
		{
			ctx->reason = "an outer join mixes distributed tables with other FROM items";
			ok = false;
		}
	}
	if (ok && level.hasPinnedOnly)
	{
		/* pinned subqueries are whole only in their shard group */
		if (level.pin.value != NULL)
			level.pin.required = true;
		else
		{
			ctx->reason = "a subquery pinned to one shard is read by a query level that spans shards";
			ok = false;
		}
	}
	foreach(lc, rtindexes)
	{
		int			rtindex = lfirst_int(lc);

		if (!ok)
			break;
		if (level.memberPins[rtindex].required && !UsePin(&level, &level.memberPins[rtindex]))
		{
			ctx->reason = "a subquery is correct only in one shard group, which its query does not select";
			ok = false;
		}
	}
	if (ok && !isTop && (query->limitCount != NULL || query->limitOffset != NULL))
	{
		if (level.pin.value != NULL)
			level.pin.required = true;
		else
		{
			ctx->reason = "a subquery has LIMIT or OFFSET";
			ok = false;
		}
	}

	/* the same join tree quals again, now with the members known */
	if (ok)
	{
		check.level = &level;
		check.ctx = ctx;
		check.ok = true;
		query_tree_walker(query, CheckSubLinksWalker, &check,
						  QTW_IGNORE_RT_SUBQUERIES | QTW_IGNORE_CTE_SUBQUERIES |
						  QTW_IGNORE_JOINALIASES);
		ok = check.ok;
	}

	/* window functions must run over partitions of one shard group */
	if (ok && query->hasWindowFuncs)
	{
		foreach(lc, query->windowClause)
		{
			WindowClause *wc = lfirst_node(WindowClause, lc);

			if (!ExprListHasDistColumn(&level, SortGroupExprs(wc->partitionClause,
															   query->targetList)))
			{
				if (level.pin.value != NULL)
				{
					level.pin.required = true;
					continue;
				}
				ctx->reason = "a window is not partitioned by the distribution column";
				ok = false;
				break;
			}
		}
	}

	if (ok)
	{
		bool		groupedByDist =
			ExprListHasDistColumn(&level, SortGroupExprs(query->groupClause, query->targetList));
		bool		distinctHasDist =
			ExprListHasDistColumn(&level, SortGroupExprs(query->distinctClause, query->targetList));

		if (shape != NULL)
		{
			shape->groupedByDist = groupedByDist;
			shape->distinctHasDist = distinctHasDist;
		}
		if (!isTop)
		{
			if ((query->hasAggs || query->groupClause != NIL || query->havingQual != NULL) &&
				!groupedByDist)
			{
				if (level.pin.value != NULL)
					level.pin.required = true;
				else
				{
					ctx->reason = "a subquery aggregates across shards";
					ok = false;
				}
			}
			if (ok && query->distinctClause != NIL && !distinctHasDist)
			{
				if (level.pin.value != NULL)
					level.pin.required = true;
				else
				{
					ctx->reason = "a subquery's DISTINCT does not include the distribution column";
					ok = false;
				}
			}
		}
	}

	if (ok)
	{
		foreach(lc, query->targetList)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (!tle->resjunk && ResolveNonNullMember(&level, (Node *) tle->expr) > 0)
				*distOutput = lappend_int(*distOutput, tle->resno);
		}
	}

	*pinOut = level.pin;
	ctx->scopes = list_delete_first(ctx->scopes);
	return ok;
}

/*
 * MakeAggref returns a plain aggregate call of aggfnoid over arg (NULL:
 * "*"), optionally filtered.
 */
static Aggref *
MakeAggref(Oid aggfnoid, Oid resultType, Oid resultCollation, Expr *arg, Expr *filter)
{
	Aggref	   *aggref = makeNode(Aggref);

	aggref->aggfnoid = aggfnoid;
	aggref->aggtype = resultType;
	aggref->aggcollid = resultCollation;
	aggref->inputcollid = arg ? exprCollation((Node *) arg) : InvalidOid;
	aggref->aggtranstype = InvalidOid;
	aggref->aggargtypes = arg ? list_make1_oid(exprType((Node *) arg)) : NIL;
	aggref->aggdirectargs = NIL;
	aggref->args = arg ? list_make1(makeTargetEntry(arg, 1, NULL, false)) : NIL;
	aggref->aggorder = NIL;
	aggref->aggdistinct = NIL;
	aggref->aggfilter = filter ? copyObject(filter) : NULL;
	aggref->aggstar = (arg == NULL);
	aggref->aggvariadic = false;
	aggref->aggkind = AGGKIND_NORMAL;
	aggref->agglevelsup = 0;
	aggref->aggsplit = AGGSPLIT_SIMPLE;
	aggref->aggno = -1;
	aggref->aggtransno = -1;
	aggref->location = -1;
	return aggref;
}

/*
 * LookupShardAggregate returns the OID of the coordinator-side aggregate
 * shard.<name>(argType).  Throws if the extension script lacks it.
 */
static Oid
LookupShardAggregate(const char *name, Oid argType)
{
	return LookupFuncName(list_make2(makeString("shard"), makeString(pstrdup(name))),
						  1, &argType, false);
}

/*
 * AddWorkerColumn returns the coordinator Var that reads expr from the
 * worker's rows, adding expr to the worker's target list unless an equal
 * one is there already.
 */
static Var *
AddWorkerColumn(PartialContext *ctx, Expr *expr)
{
	ListCell   *lc;
	AttrNumber	attno = 0;

	foreach(lc, ctx->workerTlist)
	{
		TargetEntry *tle = lfirst(lc);

		if (equal(tle->expr, expr))
		{
			attno = tle->resno;
			break;
		}
	}
	if (attno == 0)
	{
		attno = list_length(ctx->workerTlist) + 1;
		ctx->workerTlist = lappend(ctx->workerTlist,
								   makeTargetEntry(expr, attno,
												   psprintf("worker_column_%d", attno), false));
	}
	return makeVar(1, attno, exprType((Node *) expr), exprTypmod((Node *) expr),
				   exprCollation((Node *) expr), 0);
}

/*
 * CombineAggref returns the coordinator expression that combines the
 * per-shard partial results of aggref (adding the partials to the worker
 * target list), or NULL with ctx->reason set.
 */
static Expr *
CombineAggref(Aggref *aggref, PartialContext *ctx)
{
	char	   *name;
	Oid			argType = InvalidOid;
	Expr	   *arg = NULL;
	Expr	   *filter = aggref->aggfilter;

	if (aggref->agglevelsup != 0 || aggref->aggorder != NIL || aggref->aggdistinct != NIL ||
		aggref->aggdirectargs != NIL || aggref->aggkind != AGGKIND_NORMAL ||
		list_length(aggref->args) > 1 ||
		get_func_namespace(aggref->aggfnoid) != PG_CATALOG_NAMESPACE)
	{
		ctx->reason = "an aggregate cannot be combined from per-shard results";
		return NULL;
	}
	if (aggref->args != NIL)
	{
		arg = linitial_node(TargetEntry, aggref->args)->expr;
		argType = exprType((Node *) arg);
	}
	name = get_func_name(aggref->aggfnoid);

	if (strcmp(name, "count") == 0)
	{
		Var		   *partial = AddWorkerColumn(ctx, (Expr *) copyObject(aggref));

		return (Expr *) MakeAggref(LookupShardAggregate("count_combine", INT8OID),
								   INT8OID, InvalidOid, (Expr *) partial, NULL);
	}
	if (arg == NULL)
	{
		ctx->reason = "an aggregate cannot be combined from per-shard results";
		return NULL;
	}
	if (strcmp(name, "sum") == 0)
	{
		Var		   *partial = AddWorkerColumn(ctx, (Expr *) copyObject(aggref));
		Oid			combineFn;

		if (aggref->aggtype == INT8OID)
			combineFn = LookupShardAggregate("sum_combine", INT8OID);
		else
		{
			Oid			type = aggref->aggtype;

			combineFn = LookupFuncName(list_make2(makeString("pg_catalog"), makeString("sum")),
									   1, &type, true);
			if (!OidIsValid(combineFn) || get_func_rettype(combineFn) != aggref->aggtype)
			{
				ctx->reason = "a sum cannot be combined from per-shard results";
				return NULL;
			}
		}
		return (Expr *) MakeAggref(combineFn, aggref->aggtype, aggref->aggcollid,
								   (Expr *) partial, NULL);
	}
	if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0 ||
		strcmp(name, "bool_and") == 0 || strcmp(name, "bool_or") == 0 ||
		strcmp(name, "every") == 0 || strcmp(name, "bit_and") == 0 ||
		strcmp(name, "bit_or") == 0 || strcmp(name, "bit_xor") == 0)
	{
		Var		   *partial;
		Aggref	   *combine;

		if (argType != aggref->aggtype)
		{
			ctx->reason = "an aggregate cannot be combined from per-shard results";
			return NULL;
		}
		partial = AddWorkerColumn(ctx, (Expr *) copyObject(aggref));
		combine = MakeAggref(aggref->aggfnoid, aggref->aggtype, aggref->aggcollid,
							 (Expr *) partial, NULL);
		combine->inputcollid = aggref->inputcollid;
		combine->aggargtypes = list_copy(aggref->aggargtypes);
		return (Expr *) combine;
	}
	if (strcmp(name, "avg") == 0)
	{
		Var		   *count = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_COUNT_ANY, INT8OID,
																	 InvalidOid, arg, filter));
		Expr	   *countTotal = (Expr *) MakeAggref(LookupShardAggregate("count_combine", INT8OID),
													 INT8OID, InvalidOid, (Expr *) count, NULL);
		Var		   *sum;
		Expr	   *sumTotal;

		switch (argType)
		{
			case INT2OID:
			case INT4OID:
				/* int8_avg: numeric_div(sum::numeric, count::numeric) */
				sum = AddWorkerColumn(ctx, (Expr *) MakeAggref(argType == INT2OID ? F_SUM_INT2 : F_SUM_INT4,
															   INT8OID, InvalidOid, arg, filter));
				sumTotal = (Expr *) MakeAggref(LookupShardAggregate("sum_combine", INT8OID),
											   INT8OID, InvalidOid, (Expr *) sum, NULL);
				sumTotal = (Expr *) makeFuncExpr(F_NUMERIC_INT8, NUMERICOID, list_make1(sumTotal),
												 InvalidOid, InvalidOid, COERCE_EXPLICIT_CAST);
				break;
			case INT8OID:
			case NUMERICOID:
				/* numeric_poly_avg, numeric_avg: numeric_div(sum, count::numeric) */
				sum = AddWorkerColumn(ctx, (Expr *) MakeAggref(argType == INT8OID ? F_SUM_INT8 : F_SUM_NUMERIC,
															   NUMERICOID, InvalidOid, arg, filter));
				sumTotal = (Expr *) MakeAggref(F_SUM_NUMERIC, NUMERICOID, InvalidOid,
											   (Expr *) sum, NULL);
				break;
			case FLOAT4OID:
			case FLOAT8OID:
				{
					Expr	   *value = arg;

					/* float8_avg: Sx / N, Sx accumulated in float8 */
					if (argType == FLOAT4OID)
						value = (Expr *) makeFuncExpr(F_FLOAT8_FLOAT4, FLOAT8OID, list_make1(arg),
													  InvalidOid, InvalidOid, COERCE_EXPLICIT_CAST);
					sum = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_SUM_FLOAT8, FLOAT8OID,
																   InvalidOid, value, filter));
					sumTotal = (Expr *) MakeAggref(F_SUM_FLOAT8, FLOAT8OID, InvalidOid,
												   (Expr *) sum, NULL);
					countTotal = (Expr *) makeFuncExpr(F_FLOAT8_INT8, FLOAT8OID,
													   list_make1(countTotal), InvalidOid,
													   InvalidOid, COERCE_EXPLICIT_CAST);
					return (Expr *) makeFuncExpr(F_FLOAT8DIV, FLOAT8OID,
												 list_make2(sumTotal, countTotal),
												 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
				}
			case INTERVALOID:
				/* interval_avg: interval_div(sum, N::float8) */
				sum = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_SUM_INTERVAL, INTERVALOID,
															   InvalidOid, arg, filter));
				sumTotal = (Expr *) MakeAggref(F_SUM_INTERVAL, INTERVALOID, InvalidOid,
											   (Expr *) sum, NULL);
				countTotal = (Expr *) makeFuncExpr(F_FLOAT8_INT8, FLOAT8OID,
												   list_make1(countTotal), InvalidOid,
												   InvalidOid, COERCE_EXPLICIT_CAST);
				return (Expr *) makeFuncExpr(F_INTERVAL_DIV, INTERVALOID,
											 list_make2(sumTotal, countTotal),
											 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
			default:
				ctx->reason = "an avg cannot be combined from per-shard results";
				return NULL;
		}
		countTotal = (Expr *) makeFuncExpr(F_NUMERIC_INT8, NUMERICOID, list_make1(countTotal),
										   InvalidOid, InvalidOid, COERCE_EXPLICIT_CAST);
		return (Expr *) makeFuncExpr(F_NUMERIC_DIV, NUMERICOID, list_make2(sumTotal, countTotal),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}
	if ((argType == FLOAT4OID || argType == FLOAT8OID) &&
		(strcmp(name, "var_pop") == 0 || strcmp(name, "var_samp") == 0 ||
		 strcmp(name, "variance") == 0 || strcmp(name, "stddev_pop") == 0 ||
		 strcmp(name, "stddev_samp") == 0 || strcmp(name, "stddev") == 0))
	{
		/*
		 * The float8_accum state {N, Sx, Sxx} of each shard: regr_syy(x, 0)
		 * accumulates Sxx of its first argument exactly as float8_accum
		 * does.  The coordinator merges states with PostgreSQL's own
		 * float8_combine and applies the aggregate's final function.
		 */
		Expr	   *value = arg;
		ArrayExpr  *state = makeNode(ArrayExpr);
		CoalesceExpr *sumOrZero = makeNode(CoalesceExpr);
		CoalesceExpr *syyOrZero = makeNode(CoalesceExpr);
		Expr	   *zero = (Expr *) makeConst(FLOAT8OID, -1, InvalidOid, sizeof(float8),
											  Float8GetDatum(0.0), false, FLOAT8PASSBYVAL);
		Var		   *partial;
		Oid			finalFn;

		if (argType == FLOAT4OID)
			value = (Expr *) makeFuncExpr(F_FLOAT8_FLOAT4, FLOAT8OID, list_make1(arg),
										  InvalidOid, InvalidOid, COERCE_EXPLICIT_CAST);
		sumOrZero->coalescetype = FLOAT8OID;
		sumOrZero->coalescecollid = InvalidOid;
		sumOrZero->args = list_make2(MakeAggref(F_SUM_FLOAT8, FLOAT8OID, InvalidOid, value, filter),
									 zero);
		sumOrZero->location = -1;
		syyOrZero->coalescetype = FLOAT8OID;
		syyOrZero->coalescecollid = InvalidOid;
		{
			Aggref	   *syy = MakeAggref(F_REGR_SYY, FLOAT8OID, InvalidOid, value, filter);

			syy->args = lappend(syy->args, makeTargetEntry(copyObject(zero), 2, NULL, false));
			syy->aggargtypes = lappend_oid(syy->aggargtypes, FLOAT8OID);
			syyOrZero->args = list_make2(syy, copyObject(zero));
		}
		syyOrZero->location = -1;
		state->array_typeid = FLOAT8ARRAYOID;
		state->array_collid = InvalidOid;
		state->element_typeid = FLOAT8OID;
		state->elements = list_make3(makeFuncExpr(F_FLOAT8_INT8, FLOAT8OID,
												  list_make1(MakeAggref(F_COUNT_ANY, INT8OID,
																		InvalidOid, arg, filter)),
												  InvalidOid, InvalidOid, COERCE_EXPLICIT_CAST),
									 sumOrZero, syyOrZero);
		state->multidims = false;
		state->location = -1;
		partial = AddWorkerColumn(ctx, (Expr *) state);

		if (strcmp(name, "var_pop") == 0)
			finalFn = F_FLOAT8_VAR_POP;
		else if (strcmp(name, "var_samp") == 0 || strcmp(name, "variance") == 0)
			finalFn = F_FLOAT8_VAR_SAMP;
		else if (strcmp(name, "stddev_pop") == 0)
			finalFn = F_FLOAT8_STDDEV_POP;
		else
			finalFn = F_FLOAT8_STDDEV_SAMP;
		return (Expr *) makeFuncExpr(finalFn, FLOAT8OID,
									 list_make1(MakeAggref(LookupShardAggregate("float8_combine", FLOAT8ARRAYOID),
														   FLOAT8ARRAYOID, InvalidOid,
														   (Expr *) partial, NULL)),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}

	if ((argType == INT2OID || argType == INT4OID || argType == INT8OID ||
		 argType == NUMERICOID) &&
		(strcmp(name, "var_pop") == 0 || strcmp(name, "var_samp") == 0 ||
		 strcmp(name, "variance") == 0 || strcmp(name, "stddev_pop") == 0 ||
		 strcmp(name, "stddev_samp") == 0 || strcmp(name, "stddev") == 0))
	{
		/*
		 * Exact: each shard returns count(x), sum(x::numeric) and
		 * sum(x::numeric * x::numeric); the coordinator sums them and
		 * shard.numeric_variance_final repeats numeric_stddev_internal.
		 */
		Expr	   *value = arg;
		Var		   *count;
		Var		   *sum;
		Var		   *sumSquares;
		Oid			finalArgTypes[5] = {INT8OID, NUMERICOID, NUMERICOID, BOOLOID, BOOLOID};
		Oid			finalFn;
		bool		sample = (strcmp(name, "var_pop") != 0 && strcmp(name, "stddev_pop") != 0);
		bool		root = (strncmp(name, "stddev", 6) == 0);

		if (argType != NUMERICOID)
			value = (Expr *) makeFuncExpr(argType == INT2OID ? F_NUMERIC_INT2 :
										  argType == INT4OID ? F_NUMERIC_INT4 : F_NUMERIC_INT8,
										  NUMERICOID, list_make1(arg), InvalidOid, InvalidOid,
										  COERCE_EXPLICIT_CAST);
		finalFn = LookupFuncName(list_make2(makeString("shard"),
											makeString("numeric_variance_final")),
								 5, finalArgTypes, true);
		if (!OidIsValid(finalFn))
		{
			ctx->reason = "shard.numeric_variance_final is missing";
			return NULL;
		}
		count = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_COUNT_ANY, INT8OID, InvalidOid,
														 arg, filter));
		sum = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_SUM_NUMERIC, NUMERICOID, InvalidOid,
													   value, filter));
		sumSquares = AddWorkerColumn(ctx, (Expr *) MakeAggref(F_SUM_NUMERIC, NUMERICOID,
															  InvalidOid,
															  (Expr *) makeFuncExpr(F_NUMERIC_MUL, NUMERICOID,
																					list_make2(copyObject(value), copyObject(value)),
																					InvalidOid, InvalidOid,
																					COERCE_EXPLICIT_CALL),
															  filter));
		return (Expr *) makeFuncExpr(finalFn, NUMERICOID,
									 list_make5(MakeAggref(LookupShardAggregate("count_combine", INT8OID),
														   INT8OID, InvalidOid, (Expr *) count, NULL),
												MakeAggref(F_SUM_NUMERIC, NUMERICOID, InvalidOid,
														   (Expr *) sum, NULL),
												MakeAggref(F_SUM_NUMERIC, NUMERICOID, InvalidOid,
														   (Expr *) sumSquares, NULL),
												makeBoolConst(sample, false),
												makeBoolConst(root, false)),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}

	ctx->reason = "an aggregate cannot be combined from per-shard results";
	return NULL;
}

/*
 * CombineMutator rewrites an expression of the grouped top level into the
 * coordinator's: GROUP BY expressions become worker columns, aggregates
 * their combination.  Sets ctx->reason for what it cannot rewrite.
 */
static Node *
CombineMutator(Node *node, PartialContext *ctx)
{
	ListCell   *lc;

	if (node == NULL || ctx->reason != NULL)
		return node;
	foreach(lc, ctx->groupExprs)
	{
		if (equal(node, lfirst(lc)))
		{
			TargetEntry *tle = list_nth(ctx->workerTlist, foreach_current_index(lc));

			return (Node *) makeVar(1, tle->resno, exprType(node), exprTypmod(node),
									exprCollation(node), 0);
		}
	}
	if (IsA(node, Aggref))
	{
		Expr	   *combined = CombineAggref((Aggref *) node, ctx);

		return combined ? (Node *) combined : node;
	}
	if (IsA(node, Var) || IsA(node, SubLink) || IsA(node, GroupingFunc) ||
		IsA(node, WindowFunc) || IsA(node, PlaceHolderVar))
	{
		ctx->reason = "an expression above the aggregates needs the rows";
		return node;
	}
	return expression_tree_mutator(node, CombineMutator, (void *) ctx);
}

/*
 * MakeCoordinatorQuery returns the skeleton of the coordinator Query: the
 * placeholder range table entry reading the worker's columns, then a copy
 * of every relation entry of the original (privileges and locks stay the
 * coordinator's).
 */
static Query *
MakeCoordinatorQuery(Query *original, List *workerTlist, int id, Oid placeholderOid)
{
	Query	   *query = makeNode(Query);
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	RangeTblFunction *rtfunc = makeNode(RangeTblFunction);
	RangeTblRef *rtr = makeNode(RangeTblRef);
	List	   *colnames = NIL;
	ListCell   *lc;

	foreach(lc, workerTlist)
	{
		TargetEntry *tle = lfirst(lc);
		Node	   *expr = (Node *) tle->expr;

		if (tle->resjunk)
			continue;
		colnames = lappend(colnames, makeString(pstrdup(tle->resname ? tle->resname : "?column?")));
		rtfunc->funccoltypes = lappend_oid(rtfunc->funccoltypes, exprType(expr));
		rtfunc->funccoltypmods = lappend_int(rtfunc->funccoltypmods, exprTypmod(expr));
		rtfunc->funccolcollations = lappend_oid(rtfunc->funccolcollations, exprCollation(expr));
	}
	rtfunc->funcexpr = (Node *) makeFuncExpr(placeholderOid, RECORDOID,
											 list_make1(makeConst(INT4OID, -1, InvalidOid, 4,
																  Int32GetDatum(id), false, true)),
											 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	((FuncExpr *) rtfunc->funcexpr)->funcretset = true;
	rtfunc->funccolcount = list_length(colnames);
	rtfunc->funccolnames = colnames;
	rte->rtekind = RTE_FUNCTION;
	rte->functions = list_make1(rtfunc);
	rte->alias = makeAlias("remote_scan", NIL);
	rte->eref = makeAlias("remote_scan", copyObject(colnames));
	rte->inFromCl = true;
	query->rtable = list_make1(rte);

	/* every relation of the statement, for privileges, locks and invalidation */
	foreach(lc, original->rtable)
	{
		RangeTblEntry *entry = lfirst(lc);

		if (entry->rtekind != RTE_RELATION)
			continue;
		entry = copyObject(entry);
		entry->inh = false;
		query->rtable = lappend(query->rtable, entry);
	}
	foreach(lc, CollectNestedRelationRtes(original))
	{
		RangeTblEntry *entry = lfirst(lc);

		entry->inh = false;
		query->rtable = lappend(query->rtable, entry);
	}

	rtr->rtindex = 1;
	query->commandType = CMD_SELECT;
	query->querySource = QSRC_ORIGINAL;
	query->queryId = original->queryId;
	query->canSetTag = true;
	query->jointree = makeFromExpr(list_make1(rtr), NULL);
	query->stmt_location = original->stmt_location;
	query->stmt_len = original->stmt_len;
	return query;
}

/*
 * WrapLockingWorkerQuery returns "SELECT <columns> FROM (worker) AS
 * shard_locked": a node's tasks are read through one cursor over a UNION
 * ALL of them, and FOR UPDATE/SHARE is allowed there only inside a
 * subquery.  The output columns are worker's non-junk columns, in order.
 */
static Query *
WrapLockingWorkerQuery(Query *worker)
{
	Query	   *outer = makeNode(Query);
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	RangeTblRef *rtr = makeNode(RangeTblRef);
	List	   *colnames = NIL;
	AttrNumber	resno = 0;
	ListCell   *lc;

	foreach(lc, worker->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Node	   *expr = (Node *) tle->expr;

		colnames = lappend(colnames, makeString(pstrdup(tle->resname ? tle->resname : "?column?")));
		if (tle->resjunk)
			continue;
		outer->targetList = lappend(outer->targetList,
									makeTargetEntry((Expr *) makeVar(1, tle->resno, exprType(expr),
																	 exprTypmod(expr),
																	 exprCollation(expr), 0),
													++resno, tle->resname, false));
	}
	rte->rtekind = RTE_SUBQUERY;
	rte->subquery = worker;
	rte->alias = makeAlias("shard_locked", NIL);
	rte->eref = makeAlias("shard_locked", colnames);
	rte->inFromCl = true;
	rtr->rtindex = 1;
	outer->commandType = CMD_SELECT;
	outer->querySource = QSRC_ORIGINAL;
	outer->canSetTag = true;
	outer->rtable = list_make1(rte);
	outer->jointree = makeFromExpr(list_make1(rtr), NULL);
	return outer;
}

/*
 * PlanWithPlaceholder deparses the worker Query for every shard, registers
 * the tasks under id and plans the coordinator Query with PostgreSQL's
 * planner.  Returns the final plan.
 */
static PlannedStmt *
PlanWithPlaceholder(Query *original, Query *worker, Query *coordinator,
					const char *strategy, const char *queryString, int cursorOptions,
					ParamListInfo boundParams, Oid placeholderOid, int id, double rows)
{
	DistTableEntry *anchor = NULL;
	PendingPushdown *pending = palloc0(sizeof(PendingPushdown));
	ShardPlanInfo *info = palloc0(sizeof(ShardPlanInfo));
	bool		deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) worker);
	PlannedStmt *plan;
	ListCell   *lc;
	List	   *distRels;
	List	   *allRelids;

	if (original->rowMarks != NIL)
		worker = WrapLockingWorkerQuery(worker);

	/* rows come back as text: anonymous records cannot be read back */
	if (OutputNotReadableReason(worker->targetList) != NULL)
		return NULL;

	distRels = FindDistributedRelations(original, &allRelids);
	foreach(lc, distRels)
	{
		DistTableEntry *table = LookupDistTable(((DistRelationRef *) lfirst(lc))->relid);

		if (table->method == DIST_METHOD_HASH)
		{
			anchor = table;
			break;
		}
	}
	Assert(anchor != NULL);
	/* FOR UPDATE: the locked table names the shards (moved_rows checks) */
	if (original->rowMarks != NIL)
	{
		RowMarkClause *rc = linitial_node(RowMarkClause, original->rowMarks);

		anchor = LookupDistTable(rt_fetch(rc->rti, original->rtable)->relid);
		info->locksRows = true;
	}

	info->kind = SHARD_SCAN_PUSHDOWN;
	info->commandType = CMD_SELECT;
	info->anchorRelid = anchor->relid;
	info->hasReturning = true;
	info->strategy = pstrdup(strategy);
	for (int i = 0; i < anchor->shardCount; i++)
	{
		info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
		if (!deparseAtRuntime)
			info->taskSql = lappend(info->taskSql, makeString(DeparseForShard(worker, i, NULL)));
	}

	pending->id = id;
	pending->placeholderOid = placeholderOid;
	pending->info = info;
	pending->runtimeQuery = deparseAtRuntime ? worker : NULL;
	pending->columnNames = ((RangeTblEntry *) linitial(coordinator->rtable))->eref->colnames;
	/* rows < 0: one row per task (aggregates without GROUP BY) */
	pending->rows = (rows > 0) ? rows : (rows < 0 ? anchor->shardCount : 1000.0);

	pendingPushdowns = lcons(pending, pendingPushdowns);
	PG_TRY();
	{
		plan = standard_planner(coordinator, queryString, cursorOptions, boundParams);
	}
	PG_FINALLY();
	{
		pendingPushdowns = list_delete_ptr(pendingPushdowns, pending);
	}
	PG_END_TRY();
	return plan;
}

/*
 * PushdownSetRelPathlist gives the placeholder entry of a coordinator
 * Query being planned its only path: the ShardScan of its tasks.  Other
 * function scans are left alone.
 */
void
PushdownSetRelPathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc;
	FuncExpr   *funcExpr;
	Const	   *idConst;
	PendingPushdown *pending = NULL;
	CustomPath *path;
	ListCell   *lc;

	if (pendingPushdowns == NIL || list_length(rte->functions) != 1)
		return;
	rtfunc = linitial_node(RangeTblFunction, rte->functions);
	funcExpr = (FuncExpr *) rtfunc->funcexpr;
	if (funcExpr == NULL || !IsA(funcExpr, FuncExpr) || list_length(funcExpr->args) != 1 ||
		!IsA(linitial(funcExpr->args), Const))
		return;
	idConst = linitial_node(Const, funcExpr->args);
	if (idConst->constisnull)
		return;
	foreach(lc, pendingPushdowns)
	{
		PendingPushdown *candidate = lfirst(lc);

		if (candidate->id == DatumGetInt32(idConst->constvalue) &&
			candidate->placeholderOid == funcExpr->funcid)
			pending = candidate;
	}
	if (pending == NULL)
		return;

	rel->pathlist = NIL;
	rel->partial_pathlist = NIL;
	rel->rows = pending->rows;

	path = MakeShardCustomPath(rel, pending->rows,
							   100.0 + pending->rows * cpu_tuple_cost * 4,
							   &PushdownPathMethods);
	path->custom_private = list_make1(pending);
	add_path(rel, (Path *) path);
}

/*
 * PlanPushdownPath turns the placeholder's path into the ShardScan: its
 * scan tuple is the worker's row, described by custom_scan_tlist.
 */
static Plan *
PlanPushdownPath(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
				 List *tlist, List *clauses, List *custom_plans)
{
	PendingPushdown *pending = linitial(best_path->custom_private);
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	RangeTblFunction *rtfunc = linitial_node(RangeTblFunction, rte->functions);
	CustomScan *scan = MakeShardScan(pending->info);
	List	   *scanTlist = NIL;
	int			i;

	for (i = 0; i < rtfunc->funccolcount; i++)
	{
		Var		   *var = makeVar(rel->relid, i + 1,
								  list_nth_oid(rtfunc->funccoltypes, i),
								  list_nth_int(rtfunc->funccoltypmods, i),
								  list_nth_oid(rtfunc->funccolcollations, i), 0);

		scanTlist = lappend(scanTlist,
							makeTargetEntry((Expr *) var, i + 1,
											pstrdup(strVal(list_nth(pending->columnNames, i))),
											false));
	}
	if (pending->runtimeQuery != NULL)
		scan->custom_private = lappend(scan->custom_private, copyObject(pending->runtimeQuery));
	scan->scan.scanrelid = 0;
	scan->custom_scan_tlist = scanTlist;
	scan->scan.plan.targetlist = tlist;
	scan->scan.plan.qual = extract_actual_clauses(clauses, false);
	scan->custom_exprs = copyObject(pending->customExprs);
	scan->custom_plans = NIL;
	return (Plan *) scan;
}

/*
 * RegisterPendingScan makes the placeholder "shard.remote_scan(id)" with
 * the returned id plan as a ShardScan running info's tasks (a
 * data-modifying CTE's statement, planned by the caller) until
 * UnregisterPendingScan(id).  columnNames name the scan's columns.
 */
int
RegisterPendingScan(ShardPlanInfo *info, Query *runtimeQuery, List *customExprs,
					List *columnNames, Oid placeholderOid)
{
	PendingPushdown *pending = palloc0(sizeof(PendingPushdown));

	pending->id = nextPushdownId++;
	pending->placeholderOid = placeholderOid;
	pending->info = info;
	pending->runtimeQuery = runtimeQuery;
	pending->columnNames = columnNames;
	pending->rows = 1000.0;
	pending->customExprs = customExprs;
	pendingPushdowns = lcons(pending, pendingPushdowns);
	return pending->id;
}

/*
 * UnregisterPendingScan forgets a RegisterPendingScan entry.
 */
void
UnregisterPendingScan(int id)
{
	ListCell   *lc;

	foreach(lc, pendingPushdowns)
	{
		PendingPushdown *pending = lfirst(lc);

		if (pending->id == id)
		{
			pendingPushdowns = foreach_delete_current(pendingPushdowns, lc);
			return;
		}
	}
}

/*
 * PlanWholePushdown plans a statement that decomposes per shard group:
 * each task runs it whole (with LIMIT + OFFSET as a top-N), the
 * coordinator applies ORDER BY, LIMIT/OFFSET and, when it spans shards, a
 * DISTINCT again.
 */
static PlannedStmt *
PlanWholePushdown(Query *parse, TopShape *shape, const char *queryString, int cursorOptions,
				  ParamListInfo boundParams, Oid placeholderOid, int id)
{
	Query	   *worker = copyObject(parse);
	Query	   *coordinator;
	bool		pushLimit = (parse->limitCount != NULL &&
							 !(IsA(parse->limitCount, Const) &&
							   ((Const *) parse->limitCount)->constisnull));
	bool		reapplyDistinct = (parse->distinctClause != NIL && !parse->hasDistinctOn &&
								   !shape->distinctHasDist);
	List	   *tlist = NIL;
	ListCell   *lc;
	AttrNumber	attno = 0;

	/* the coordinator sorts on the sort keys: the workers return them */
	foreach(lc, worker->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk && tle->ressortgroupref != 0 &&
			get_sortgroupref_clause_noerr(tle->ressortgroupref, parse->sortClause) != NULL)
		{
			tle->resjunk = false;
			if (tle->resname == NULL)
				tle->resname = psprintf("sort_key_%d", tle->resno);
		}
	}

	if (pushLimit)
	{
		Node	   *count = parse->limitCount;
		Node	   *offset = parse->limitOffset;

		if (offset != NULL && !(IsA(offset, Const) && ((Const *) offset)->constisnull))
			count = (Node *) make_opclause(INT8_PLUS_OPERATOR, INT8OID, false,
										   (Expr *) ExplicitInt8(count),
										   (Expr *) ExplicitInt8(offset),
										   InvalidOid, InvalidOid);
		fix_opfuncids(count);
		worker->limitCount = copyObject(count);
		worker->limitOffset = NULL;
	}
	else
	{
		worker->limitCount = NULL;
		worker->limitOffset = NULL;
		worker->limitOption = LIMIT_OPTION_COUNT;
		/* DISTINCT ON keeps the first row of each group in ORDER BY order */
		if (!worker->hasDistinctOn)
			worker->sortClause = NIL;
	}

	coordinator = MakeCoordinatorQuery(parse, worker->targetList, id, placeholderOid);
	foreach(lc, worker->targetList)
	{
		TargetEntry *workerTle = lfirst_node(TargetEntry, lc);
		TargetEntry *originalTle = list_nth(parse->targetList, foreach_current_index(lc));
		Node	   *expr = (Node *) workerTle->expr;
		TargetEntry *tle;

		if (workerTle->resjunk)
			continue;
		attno++;
		tle = makeTargetEntry((Expr *) makeVar(1, attno, exprType(expr), exprTypmod(expr),
											   exprCollation(expr), 0),
							  attno, originalTle->resname, originalTle->resjunk);
		tle->ressortgroupref = originalTle->ressortgroupref;
		tlist = lappend(tlist, tle);
	}
	coordinator->targetList = tlist;
	coordinator->sortClause = copyObject(parse->sortClause);
	coordinator->limitCount = copyObject(parse->limitCount);
	coordinator->limitOffset = copyObject(parse->limitOffset);
	coordinator->limitOption = parse->limitOption;
	coordinator->hasSubLinks = checkExprHasSubLink(parse->limitCount) ||
		checkExprHasSubLink(parse->limitOffset);
	if (reapplyDistinct)
		coordinator->distinctClause = copyObject(parse->distinctClause);

	return PlanWithPlaceholder(parse, worker, coordinator, "pushdown", queryString,
							   cursorOptions, boundParams, placeholderOid, id, 0);
}

/*
 * PlanPartialAggregate plans a grouped statement whose groups span shards:
 * tasks group by the GROUP BY expressions and return partial aggregates,
 * the coordinator groups again, combines, and applies HAVING, DISTINCT,
 * ORDER BY and LIMIT.  Returns NULL (with *reason) when an expression
 * cannot be split.
 */
static PlannedStmt *
PlanPartialAggregate(Query *parse, const char *queryString, int cursorOptions,
					 ParamListInfo boundParams, Oid placeholderOid, int id,
					 const char **reason)
{
	PartialContext ctx;
	Query	   *worker;
	Query	   *coordinator;
	List	   *tlist = NIL;
	Node	   *having;
	ListCell   *lc;

	if (parse->hasWindowFuncs || parse->hasTargetSRFs)
	{
		*reason = "window functions or set-returning functions over aggregates across shards";
		return NULL;
	}

	memset(&ctx, 0, sizeof(ctx));
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *groupTle = get_sortgroupclause_tle(sgc, parse->targetList);
		TargetEntry *tle;
		int			resno = list_length(ctx.workerTlist) + 1;

		ctx.groupExprs = lappend(ctx.groupExprs, groupTle->expr);
		tle = makeTargetEntry(copyObject(groupTle->expr), resno,
							  groupTle->resname ? pstrdup(groupTle->resname) :
							  psprintf("worker_column_%d", resno), false);
		tle->ressortgroupref = groupTle->ressortgroupref;
		ctx.workerTlist = lappend(ctx.workerTlist, tle);
	}
	foreach(lc, parse->targetList)
	{
		TargetEntry *tle = flatCopyTargetEntry(lfirst_node(TargetEntry, lc));

		tle->expr = (Expr *) CombineMutator((Node *) tle->expr, &ctx);
		tlist = lappend(tlist, tle);
	}
	having = CombineMutator(parse->havingQual, &ctx);
	if (ctx.reason != NULL)
	{
		*reason = ctx.reason;
		return NULL;
	}

	worker = copyObject(parse);
	worker->targetList = ctx.workerTlist;
	worker->groupClause = copyObject(parse->groupClause);
	worker->groupDistinct = false;
	worker->havingQual = NULL;
	worker->sortClause = NIL;
	worker->distinctClause = NIL;
	worker->hasDistinctOn = false;
	worker->limitCount = NULL;
	worker->limitOffset = NULL;
	worker->limitOption = LIMIT_OPTION_COUNT;
	worker->windowClause = NIL;
	worker->hasWindowFuncs = false;
	worker->hasAggs = contain_agg_clause((Node *) worker->targetList);

	coordinator = MakeCoordinatorQuery(parse, worker->targetList, id, placeholderOid);
	coordinator->targetList = tlist;
	coordinator->groupClause = copyObject(parse->groupClause);
	coordinator->havingQual = having;
	coordinator->hasAggs = contain_agg_clause((Node *) tlist) || contain_agg_clause(having);
	coordinator->sortClause = copyObject(parse->sortClause);
	coordinator->distinctClause = copyObject(parse->distinctClause);
	coordinator->hasDistinctOn = parse->hasDistinctOn;
	coordinator->limitCount = copyObject(parse->limitCount);
	coordinator->limitOffset = copyObject(parse->limitOffset);
	coordinator->limitOption = parse->limitOption;
	coordinator->hasSubLinks = checkExprHasSubLink(parse->limitCount) ||
		checkExprHasSubLink(parse->limitOffset);

	return PlanWithPlaceholder(parse, worker, coordinator, "partial aggregate", queryString,
							   cursorOptions, boundParams, placeholderOid, id,
							   parse->groupClause == NIL ? -1 : 0);
}

/*
 * PartialAggregateReducesRows returns false (with *reason) when the
 * coordinator's statistics show that partial aggregation of parse, a
 * grouped SELECT of one distributed table, would return about as many
 * rows as it reads: the groups in a shard of N/S rows drawn from G
 * distinct keys number about G * (1 - exp(-(N/S) / G)).  N is the shell
 * table's reltuples and G the product of its columns' distinct counts
 * (pg_statistic, NULL counted as a key; ANALYZE of a distributed table
 * brings them from the shards, see commands/shard_statistics.c).  Without
 * statistics (reltuples unknown or 0), for joins, or for keys that are not
 * plain columns, it returns true: partial aggregation stays the default.
 */
static bool
PartialAggregateReducesRows(Query *parse, DistTableEntry *anchor, const char **reason)
{
	RangeTblRef *rtr;
	RangeTblEntry *rte;
	HeapTuple	classTuple;
	double		tuples;
	double		groups = 1.0;
	double		perShard;
	double		partialRows;
	ListCell   *lc;

	if (parse->groupClause == NIL || list_length(parse->jointree->fromlist) != 1 ||
		!IsA(linitial(parse->jointree->fromlist), RangeTblRef))
		return true;
	rtr = linitial_node(RangeTblRef, parse->jointree->fromlist);
	rte = rt_fetch(rtr->rtindex, parse->rtable);
	if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_RELATION)
		return true;
	classTuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rte->relid));
	if (!HeapTupleIsValid(classTuple))
		return true;
	tuples = ((Form_pg_class) GETSTRUCT(classTuple))->reltuples;
	ReleaseSysCache(classTuple);
	if (tuples <= 0)
		return true;

	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		Node	   *expr = (Node *) get_sortgroupclause_expr(sgc, parse->targetList);
		Var		   *var;
		HeapTuple	statsTuple;
		Form_pg_statistic stats;
		double		distinct;

		while (expr != NULL && IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		if (expr == NULL || !IsA(expr, Var))
			return true;
		var = (Var *) expr;
		if (var->varlevelsup != 0 || var->varno != rtr->rtindex || var->varattno <= 0)
			return true;
		statsTuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(rte->relid),
									 Int16GetDatum(var->varattno), BoolGetDatum(false));
		if (!HeapTupleIsValid(statsTuple))
			return true;
		stats = (Form_pg_statistic) GETSTRUCT(statsTuple);
		distinct = stats->stadistinct > 0 ? stats->stadistinct : -stats->stadistinct * tuples;
		if (stats->stanullfrac > 0)
			distinct += 1;
		ReleaseSysCache(statsTuple);
		if (distinct <= 0)
			return true;
		groups *= distinct;
	}
	groups = Min(groups, tuples);
	perShard = tuples / anchor->shardCount;
	partialRows = anchor->shardCount * groups * (1.0 - exp(-perShard / groups));
	if (partialRows <= PARTIAL_AGGREGATE_MAX_ROW_FRACTION * tuples)
		return true;
	*reason = psprintf("partial aggregation would return about %.0f of %.0f rows",
					   partialRows, tuples);
	return false;
}

/*
 * RowMarksPushable returns whether the FOR UPDATE/SHARE clauses of the top
 * level can be shipped with each task: they lock rows of hash-distributed
 * tables only (each shard locks its own rows, as a partitioned table
 * would); a reference table's copies or a subquery's rows cannot be locked
 * that way.  With ORDER BY ... LIMIT every shard locks its own top rows
 * before the coordinator keeps the overall top ones, so up to LIMIT rows
 * per shard stay locked (SKIP LOCKED queues then hand other sessions rows
 * further down); NOWAIT with LIMIT is refused.
 */
static bool
RowMarksPushable(Query *parse)
{
	ListCell   *lc;

	foreach(lc, parse->rowMarks)
	{
		RowMarkClause *rc = lfirst_node(RowMarkClause, lc);
		RangeTblEntry *rte = rt_fetch(rc->rti, parse->rtable);
		DistTableEntry *table;

		if (rte->rtekind != RTE_RELATION)
			return false;
		table = LookupDistTable(rte->relid);
		if (table == NULL || table->method != DIST_METHOD_HASH)
			return false;

		/*
		 * With LIMIT each shard locks up to the limit (more rows than one
		 * server locks): NOWAIT could then fail on a row the result does
		 * not hold.
		 */
		if (rc->waitPolicy == LockWaitError &&
			(parse->limitCount != NULL || parse->limitOffset != NULL))
			return false;
	}
	return true;
}

/*
 * PlanPushdownSelect returns a plan that runs a multi-shard SELECT inside
 * the shards (whole or as partial aggregates), or NULL with *reason set
 * when the statement must take the coordinator-side path.
 */
PlannedStmt *
PlanPushdownSelect(Query *parse, const char *queryString, int cursorOptions,
				   ParamListInfo boundParams, List *allRelids, const char **reason)
{
	GroupContext ctx;
	TopShape	shape;
	LevelPin	pin;
	List	   *distOutput = NIL;
	const char *notShippable;
	Oid			placeholderOid;
	Oid			argType = INT4OID;
	ListCell   *lc;

	if (!EnablePushdown)
	{
		*reason = "shard.enable_pushdown is off";
		return NULL;
	}
	foreach(lc, allRelids)
	{
		if (!IsDistributedTable(lfirst_oid(lc)))
		{
			*reason = "the statement uses a local table";
			return NULL;
		}
	}
	if (parse->hasModifyingCTE || parse->utilityStmt != NULL)
	{
		*reason = "the statement has a data-modifying WITH";
		return NULL;
	}
	if (!RowMarksPushable(parse))
	{
		*reason = "FOR UPDATE/SHARE names a reference table or a subquery";
		return NULL;
	}
	if (query_tree_walker(parse, SystemColumnWalker, NULL, 0))
	{
		*reason = "the statement uses system columns or whole-row references";
		return NULL;
	}
	if (contain_volatile_functions((Node *) parse))
	{
		*reason = "the statement calls volatile functions";
		return NULL;
	}
	notShippable = NotShippableReason((Node *) parse);
	if (notShippable != NULL)
	{
		*reason = notShippable;
		return NULL;
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.colocationId = -1;
	ctx.boundParams = boundParams;
	memset(&shape, 0, sizeof(shape));
	if (!AnalyzeLevel(parse, &ctx, true, &distOutput, &shape, &pin))
	{
		*reason = ctx.reason;
		return NULL;
	}
	if (ctx.anchor == NULL)
	{
		*reason = "no hash-distributed table";
		return NULL;
	}

	/* every row comes from one shard group: the whole statement runs there */
	if (pin.value != NULL)
	{
		PlannedStmt *plan = PlanPinnedSelect(parse, allRelids, ctx.anchor, pin.value);

		if (cursorOptions & CURSOR_OPT_SCROLL)
			plan->planTree = materialize_finished_plan(plan->planTree);
		return plan;
	}

	placeholderOid = LookupFuncName(list_make2(makeString("shard"), makeString("remote_scan")),
									1, &argType, true);
	if (!OidIsValid(placeholderOid))
	{
		*reason = "shard.remote_scan(integer) is missing";
		return NULL;
	}

	if ((parse->hasAggs || parse->groupClause != NIL || parse->havingQual != NULL) &&
		!shape.groupedByDist)
	{
		if (!PartialAggregateReducesRows(parse, ctx.anchor, reason))
			return NULL;
		return PlanPartialAggregate(parse, queryString, cursorOptions, boundParams,
									placeholderOid, nextPushdownId++, reason);
	}

	if (parse->hasDistinctOn && !shape.distinctHasDist)
	{
		*reason = "DISTINCT ON does not include the distribution column";
		return NULL;
	}
	return PlanWholePushdown(parse, &shape, queryString, cursorOptions, boundParams,
							 placeholderOid, nextPushdownId++);
}
