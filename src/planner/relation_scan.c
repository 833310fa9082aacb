/*-------------------------------------------------------------------------
 * relation_scan.c
 *	  Remote scans of distributed relations inside PostgreSQL's own plans.
 *
 * This is the path that makes every SELECT correct: each relation that
 * reads a distributed table's rows (a base relation, or a member of an
 * append relation such as a pulled-up UNION ALL branch) and that the
 * faster paths could not take becomes a ShardScan that
 * reads the shards (filters and needed columns pushed down, one query per
 * node, nodes in parallel, rows streamed), and PostgreSQL's planner does
 * joins, aggregation, sorting and the rest on the coordinator.  The
 * shell table on the coordinator is empty; its paths are replaced.
 *
 * Filters are pushed down only when they are shippable and need no
 * coordinator evaluation (no now(), current_user, ...); the others are
 * evaluated on the coordinator as quals of the scan.  Parameters in pushed
 * filters (the statement's, and PARAM_EXEC values of the enclosing plan:
 * a correlated subquery's outer columns, an initplan's result) are
 * shipped as $1..$n whose values the scan evaluates and sends at each
 * (re)scan; a "dist_col = parameter" filter prunes the scan to one shard
 * at run time, so a correlated subplan reads one shard per outer row.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"

#include "deparse/deparse.h"
#include "planner/planner.h"

static Plan *PlanShardRelationPath(PlannerInfo *root, RelOptInfo *rel,
								   struct CustomPath *best_path, List *tlist,
								   List *clauses, List *custom_plans);
static bool IsRemoteClause(Expr *clause);
static Node *ShipParamsMutator(Node *node, List **params);
static Expr *FindRelationPin(List *clauses, Index rti, DistTableEntry *table);
static void SetRemoteScanCosts(CustomPath *path, RelOptInfo *rel, DistTableEntry *table);
static void SplitScanClauses(List *clauses, List **remoteClauses, List **localClauses,
							 List **remoteParams, List **remoteOriginals);
static bool HasParamWalker(Node *node, void *context);
static OpExpr *FindKeyClause(List *clauses, Index rti, Oid *keyHashFunc, Oid *valueHashFunc,
							 Node **keyVar, Node **keyValue);
static void AddKeyedRead(ShardPlanInfo *info, CustomScan *scan, Query *remote,
						 List *remoteClauses, List *remoteOriginals, Index rti, int count,
						 double tableRows);

/*
 * Costs of a remote scan, in units of seq_page_cost: a statement's round
 * trip to a node, the start of one shard's query on its node, and the
 * transfer of a row (its conversion is cpu_operator_cost per column).
 */
#define REMOTE_ROUND_TRIP_COST	50.0
#define REMOTE_TASK_COST		2.0
#define REMOTE_ROW_COST			(4 * cpu_tuple_cost)

/* rows whose transfer costs about one statement's round trip */
#define KEYED_ROWS_PER_ROUND_TRIP	1000.0

static CustomPathMethods ShardRelationPathMethods = {
	.CustomName = "ShardScan",
	.PlanCustomPath = PlanShardRelationPath,
};

/*
 * RegisterRelationScanMethods exists for symmetry with the scan methods;
 * path methods need no registration.
 */
void
RegisterRelationScanMethods(void)
{
}

/*
 * IsRemoteClause returns whether a restriction clause can be evaluated on
 * the shards with the same result.
 */
static bool
IsRemoteClause(Expr *clause)
{
	return NotShippableReason((Node *) clause) == NULL &&
		!NeedsCoordinatorEvaluation((Node *) clause);
}

/*
 * ShipParamsMutator returns a copy of node whose parameters (external, and
 * PARAM_EXEC: values of the enclosing plan, such as the outer row's
 * columns of a correlated subquery) are external parameters $1..$n of the
 * shipped statement; *params collects the original Params, $k being the
 * k-th.  The scan evaluates them at each (re)scan and sends their values.
 */
static Node *
ShipParamsMutator(Node *node, List **params)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) &&
		(((Param *) node)->paramkind == PARAM_EXTERN ||
		 ((Param *) node)->paramkind == PARAM_EXEC))
	{
		Param	   *shipped = copyObject((Param *) node);
		ListCell   *lc;
		int			position = 0;

		foreach(lc, *params)
		{
			if (equal(lfirst(lc), node))
				break;
			position++;
		}
		if (lc == NULL)
			*params = lappend(*params, copyObject(node));
		shipped->paramkind = PARAM_EXTERN;
		shipped->paramid = position + 1;
		shipped->location = -1;
		return (Node *) shipped;
	}
	return expression_tree_mutator(node, ShipParamsMutator, params);
}

/*
 * SplitScanClauses sorts the scan's restriction clauses into those the
 * shards evaluate (parameters renumbered by ShipParamsMutator, originals
 * in *remoteParams) and those the coordinator evaluates.
 */
static void
SplitScanClauses(List *clauses, List **remoteClauses, List **localClauses,
				 List **remoteParams, List **remoteOriginals)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		int			paramCount = list_length(*remoteParams);
		Expr	   *shipped;

		if (ri->pseudoconstant)
			continue;
		shipped = (Expr *) ShipParamsMutator((Node *) ri->clause, remoteParams);
		if (IsRemoteClause(shipped))
		{
			*remoteClauses = lappend(*remoteClauses, shipped);
			*remoteOriginals = lappend(*remoteOriginals, ri->clause);
		}
		else
		{
			*remoteParams = list_truncate(*remoteParams, paramCount);
			*localClauses = lappend(*localClauses, ri->clause);
		}
	}
}

/*
 * HasParamWalker returns whether node holds a Param.
 */
static bool
HasParamWalker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, HasParamWalker, context);
}

/*
 * FindKeyClause returns a clause "column = PARAM_EXEC value" (either
 * side) of the scanned relation whose operator can hash both sides, with
 * the hash functions of the column's and the value's types and the two
 * sides; or NULL.
 */
static OpExpr *
FindKeyClause(List *clauses, Index rti, Oid *keyHashFunc, Oid *valueHashFunc,
			  Node **keyVar, Node **keyValue)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		OpExpr	   *op = lfirst(lc);
		Node	   *left;
		Node	   *right;
		Oid			leftHash;
		Oid			rightHash;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
			!get_op_hash_functions(op->opno, &leftHash, &rightHash))
			continue;
		left = linitial(op->args);
		right = lsecond(op->args);
		for (int side = 0; side < 2; side++)
		{
			Node	   *var = side == 0 ? left : right;
			Node	   *value = side == 0 ? right : left;
			Node	   *bare = value;

			while (IsA(bare, RelabelType))
				bare = (Node *) ((RelabelType *) bare)->arg;
			if (IsA(var, Var) && ((Var *) var)->varno == rti &&
				((Var *) var)->varlevelsup == 0 &&
				IsA(bare, Param) && ((Param *) bare)->paramkind == PARAM_EXEC)
			{
				*keyHashFunc = side == 0 ? leftHash : rightHash;
				*valueHashFunc = side == 0 ? rightHash : leftHash;
				*keyVar = var;
				*keyValue = value;
				return op;
			}
		}
	}
	return NULL;
}

/*
 * AddKeyedRead lets a scan that is rescanned with new values of the
 * enclosing plan (a correlated subplan) read the shards once: when a
 * pushed filter is "column = outer value", the plan also carries per shard
 * index a statement without the filters that have parameters, and
 * custom_exprs gets the column, the value and those filters (to recheck
 * on the coordinator).  The executor switches to it at the second
 * execution and keeps the rows by column (executor/keyed_rows.c), within
 * work_mem.
 */
static void
AddKeyedRead(ShardPlanInfo *info, CustomScan *scan, Query *remote, List *remoteClauses,
			 List *remoteOriginals, Index rti, int count, double tableRows)
{
	List	   *readClauses = NIL;
	List	   *recheck = NIL;
	Query	   *readAll;
	Node	   *keyVar;
	Node	   *keyValue;
	Node	   *quals;
	ListCell   *lc;
	ListCell   *oc;
	int			i;

	OpExpr	   *keyClause = FindKeyClause(remoteOriginals, rti, &info->keyHashFunc,
										  &info->valueHashFunc, &keyVar, &keyValue);

	if (keyClause == NULL)
		return;
	info->keyCollation = keyClause->inputcollid;
	forboth(lc, remoteClauses, oc, remoteOriginals)
	{
		if (HasParamWalker(lfirst(lc), NULL))
			recheck = lappend(recheck, lfirst(oc));
		else
			readClauses = lappend(readClauses, copyObject(lfirst(lc)));
	}
	readAll = copyObject(remote);
	quals = readClauses != NIL ? (Node *) make_ands_explicit(readClauses) : NULL;
	if (quals != NULL)
		ChangeVarNodes(quals, rti, 1, 0);
	readAll->jointree->quals = quals;
	for (i = 0; i < count; i++)
		info->keyedSql = lappend(info->keyedSql, makeString(DeparseForShard(readAll, i, NULL)));

	/*
	 * A statement's round trip costs about as much as transferring
	 * KEYED_ROWS_PER_ROUND_TRIP rows: read the whole table once the
	 * statements sent would have cost that much.
	 */
	info->keyedAfter = (int) Min(Max(tableRows / KEYED_ROWS_PER_ROUND_TRIP, 1.0), 100000.0);
	scan->custom_exprs = lappend(lappend(lappend(scan->custom_exprs, copyObject(keyVar)),
										 copyObject(keyValue)),
								 make_ands_explicit(copyObject(recheck)));
}

/*
 * ShardSetRelPathlist replaces the paths of a distributed base relation by
 * one remote scan path.  Throws if the query locks its rows or needs
 * system columns of it, or modifies a local inheritance parent of it (such
 * hierarchies are refused when made, but may predate that).
 */
void
ShardSetRelPathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	CustomPath *path;
	int			attno;
	double		rows;
	Index		resultRelation = root->parse->resultRelation;
	PlanRowMark *rowMark;

	/* a modification of a local inheritance parent reaching a shell */
	if (resultRelation > 0 && bms_is_member(resultRelation, rel->top_parent_relids))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot modify table \"%s\": its inheritance child \"%s\" is a distributed table",
						get_rel_name(planner_rt_fetch(resultRelation, root)->relid),
						get_rel_name(rte->relid)),
				 errhint("Detach the distributed table with ALTER TABLE ... NO INHERIT or DETACH PARTITION.")));

	/* rows of the shards cannot be locked from here (nested, or a child) */
	rowMark = get_plan_rowmark(root->rowMarks, rti);
	if (rowMark != NULL && RowMarkRequiresRowShareLock(rowMark->markType))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("SELECT ... FOR UPDATE/SHARE on distributed table \"%s\" must select rows of one shard",
						get_rel_name(rte->relid)),
				 errhint("Lock the rows in a statement of their own that filters on the distribution column with an equality.")));

	for (attno = rel->min_attr; attno < 0; attno++)
	{
		if (attno == TableOidAttributeNumber)
			continue;
		if (!bms_is_empty(rel->attr_needed[attno - rel->min_attr]))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("system column \"%s\" is not available for distributed table \"%s\"",
							get_attname(rte->relid, attno, false), get_rel_name(rte->relid)),
					 errdetail("Rows of a distributed table live on several nodes.")));
	}

	rel->pathlist = NIL;
	rel->partial_pathlist = NIL;

	rows = Max(rel->rows, 1);
	path = MakeShardCustomPath(rel, rows, 0, &ShardRelationPathMethods);
	SetRemoteScanCosts(path, rel, LookupDistTable(rte->relid));
	add_path(rel, (Path *) path);
}

/*
 * SetRemoteScanCosts sets the costs of a remote scan path: a round trip
 * to each node read (in parallel, but each costs the coordinator a
 * statement and a result) plus the start of each shard's query at start
 * up, then per row the transfer and one input function call per column.
 * A rescan costs as much (cost_rescan's default for a custom path): the
 * shards are read again unless the rows are kept (a Materialize or Hash
 * node above, or the scan's own tuplestore), so PostgreSQL puts a
 * Materialize over an inner side read more than once.  A scan pinned to
 * one shard by a constant or a parameter reads one node.
 */
static void
SetRemoteScanCosts(CustomPath *path, RelOptInfo *rel, DistTableEntry *table)
{
	List	   *remoteClauses = NIL;
	List	   *localClauses = NIL;
	List	   *remoteParams = NIL;
	List	   *remoteOriginals = NIL;
	Bitmapset  *nodes = NULL;
	int			tasks = 1;
	int			columns = list_length(rel->reltarget->exprs);
	int			i;

	SplitScanClauses(rel->baserestrictinfo, &remoteClauses, &localClauses, &remoteParams,
					 &remoteOriginals);
	if (table->method == DIST_METHOD_HASH &&
		FindRelationPin(remoteClauses, rel->relid, table) == NULL)
		tasks = table->shardCount;
	for (i = 0; i < tasks && i < table->shardCount; i++)
		nodes = bms_add_member(nodes, table->shards[i].nodeId);

	path->path.startup_cost = REMOTE_ROUND_TRIP_COST * Max(bms_num_members(nodes), 1) +
		REMOTE_TASK_COST * tasks;
	path->path.total_cost = path->path.startup_cost +
		path->path.rows * (REMOTE_ROW_COST + cpu_operator_cost * Max(columns, 1));
}

/*
 * MakeShardCustomPath returns a CustomPath (palloc'd) that reads rel's
 * rows from the nodes: rows expected, a fixed startup cost for the round
 * trip and totalCost, not parallel, unordered.  The caller sets
 * custom_private and adds it.
 */
CustomPath *
MakeShardCustomPath(RelOptInfo *rel, double rows, Cost totalCost,
					const CustomPathMethods *methods)
{
	CustomPath *path = makeNode(CustomPath);

	path->path.pathtype = T_CustomScan;
	path->path.parent = rel;
	path->path.pathtarget = rel->reltarget;
	path->path.param_info = NULL;
	path->path.parallel_aware = false;
	path->path.parallel_safe = false;
	path->path.parallel_workers = 0;
	path->path.rows = rows;
	path->path.startup_cost = 100.0;
	path->path.total_cost = totalCost;
	path->path.pathkeys = NIL;
	path->flags = 0;
	path->custom_paths = NIL;
	path->custom_private = NIL;
	path->methods = methods;
	return path;
}

/*
 * FindRelationPin returns the Const or external Param that the
 * distribution column must equal per the scan's clauses, or NULL.
 */
static Expr *
FindRelationPin(List *clauses, Index rti, DistTableEntry *table)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		Expr	   *value = PinnedValueOfClause(lfirst(lc), rti, table);

		if (value != NULL)
			return value;
	}
	return NULL;
}

/*
 * PlanShardRelationPath turns the remote scan path into a ShardScan:
 * the SQL for each shard reads the needed columns with the shippable
 * clauses; the other clauses stay on the coordinator.
 */
static Plan *
PlanShardRelationPath(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
					  List *tlist, List *clauses, List *custom_plans)
{
	Index		rti = rel->relid;
	RangeTblEntry *rte = planner_rt_fetch(rti, root);
	DistTableEntry *table = LookupDistTable(rte->relid);
	List	   *remoteClauses = NIL;
	List	   *localClauses = NIL;
	List	   *remoteParams = NIL;
	List	   *remoteOriginals = NIL;
	Bitmapset  *attrs = NULL;
	List	   *retrievedAttrs = NIL;
	Query	   *remote;
	RangeTblEntry *remoteRte;
	RangeTblRef *rtr;
	List	   *remoteTlist = NIL;
	Node	   *remoteQuals;
	ShardPlanInfo *info;
	CustomScan *scan;
	ListCell   *lc;
	Expr	   *pin;
	int			attno;
	int			i;
	bool		wholeRow;

	SplitScanClauses(clauses, &remoteClauses, &localClauses, &remoteParams, &remoteOriginals);

	/*
	 * columns needed on the coordinator: output, local filters and, when
	 * rows may be kept by key, the filters with parameters (rechecked on
	 * the kept rows, see AddKeyedRead)
	 */
	pull_varattnos((Node *) tlist, rti, &attrs);
	pull_varattnos((Node *) localClauses, rti, &attrs);
	foreach(lc, remoteOriginals)
	{
		Oid			keyHash;
		Oid			valueHash;
		Node	   *keyVar;
		Node	   *keyValue;

		if (HasParamWalker(lfirst(lc), NULL) &&
			FindKeyClause(remoteOriginals, rti, &keyHash, &valueHash, &keyVar, &keyValue) != NULL)
			pull_varattnos(lfirst(lc), rti, &attrs);
	}
	wholeRow = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	for (attno = 1; attno <= rel->max_attr; attno++)
	{
		Oid			typid;
		int32		typmod;
		Oid			collid;

		get_atttypetypmodcoll(rte->relid, attno, &typid, &typmod, &collid);
		if (!OidIsValid(typid))
			continue;			/* dropped */
		if (wholeRow || bms_is_member(attno - FirstLowInvalidHeapAttributeNumber, attrs))
			retrievedAttrs = lappend_int(retrievedAttrs, attno);
	}

	/* SELECT the columns FROM the table WHERE the shippable clauses */
	remote = makeNode(Query);
	remote->commandType = CMD_SELECT;
	remote->querySource = QSRC_ORIGINAL;
	remote->canSetTag = true;
	remoteRte = copyObject(rte);
	remoteRte->inh = false;
	remoteRte->securityQuals = NIL;
	remote->rtable = list_make1(remoteRte);
	foreach(lc, retrievedAttrs)
	{
		Oid			typid;
		int32		typmod;
		Oid			collid;

		attno = lfirst_int(lc);
		get_atttypetypmodcoll(rte->relid, attno, &typid, &typmod, &collid);
		remoteTlist = lappend(remoteTlist,
							  makeTargetEntry((Expr *) makeVar(1, attno, typid, typmod, collid, 0),
											  list_length(remoteTlist) + 1,
											  get_attname(rte->relid, attno, false), false));
	}
	remote->targetList = remoteTlist;
	remoteQuals = (Node *) make_ands_explicit(copyObject(remoteClauses));
	if (remoteClauses == NIL)
		remoteQuals = NULL;
	else
		ChangeVarNodes(remoteQuals, rti, 1, 0);
	rtr = makeNode(RangeTblRef);
	rtr->rtindex = 1;
	remote->jointree = makeFromExpr(list_make1(rtr), remoteQuals);

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_RELATION;
	info->commandType = CMD_SELECT;
	info->anchorRelid = rte->relid;
	info->hasReturning = true;
	info->retrievedAttrs = retrievedAttrs;
	info->strategy = "coordinator-side";

	scan = MakeShardScan(info);
	pin = (table->method == DIST_METHOD_HASH) ? FindRelationPin(remoteClauses, rti, table) : NULL;
	if (pin != NULL && IsA(pin, Const))
	{
		int			shard = ShardIndexForConst(table, (Const *) pin);

		info->taskShardIndexes = list_make1_int(shard);
		info->taskSql = list_make1(makeString(DeparseForShard(remote, shard, NULL)));
		scan->custom_exprs = list_make1(makeNullConst(INT4OID, -1, InvalidOid));
	}
	else
	{
		int			count = (table->method == DIST_METHOD_HASH) ? table->shardCount : 1;

		for (i = 0; i < count; i++)
		{
			info->taskShardIndexes = lappend_int(info->taskShardIndexes, i);
			info->taskSql = lappend(info->taskSql, makeString(DeparseForShard(remote, i, NULL)));
		}
		if (pin != NULL)
		{
			/* a parameter $k: prune on the value of its original */
			info->pruneAtRuntime = true;
			info->pruneValueType = exprType((Node *) pin);
			scan->custom_exprs = list_make1(copyObject(list_nth(remoteParams,
																((Param *) pin)->paramid - 1)));
		}
		else
			scan->custom_exprs = list_make1(makeNullConst(INT4OID, -1, InvalidOid));
		AddKeyedRead(info, scan, remote, remoteClauses, remoteOriginals, rti, count,
					 rel->tuples);
	}
	if (list_length(scan->custom_exprs) == 1)
		scan->custom_exprs = lappend(lappend(lappend(scan->custom_exprs,
													 makeNullConst(INT4OID, -1, InvalidOid)),
											 makeNullConst(INT4OID, -1, InvalidOid)),
									 makeBoolConst(true, false));
	/* the values of $1..$n follow */
	scan->custom_exprs = list_concat(scan->custom_exprs, remoteParams);
	/* MakeShardScan serialized info before the tasks were known */
	scan->custom_private = ShardPlanInfoToList(info);

	scan->scan.scanrelid = rti;
	scan->scan.plan.targetlist = tlist;
	scan->scan.plan.qual = localClauses;
	scan->custom_scan_tlist = NIL;
	scan->custom_plans = NIL;
	return (Plan *) scan;
}
