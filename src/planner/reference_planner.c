/*-------------------------------------------------------------------------
 * reference_planner.c
 *	  Statements whose distributed tables are all reference tables: the
 *	  whole statement runs as one task on one node.
 *
 * Every primary node holds a full copy of each reference table, so a
 * SELECT reading only reference tables (joins, aggregates, subqueries,
 * CTEs, any depth) is answered by one copy: the first placement of the
 * anchor's shard.  An UPDATE or DELETE of a reference table that reads
 * only reference tables runs on every copy (BuildTasks adds the replica
 * tasks).  Writes must give every copy the same result, so they may not
 * call volatile functions (random(), clock_timestamp(), ...): the copies
 * would differ.  Local tables keep the statement on the other paths.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "deparse/deparse.h"
#include "planner/planner.h"

static bool IsReferenceTable(Oid relid);

/*
 * IsReferenceTable returns whether relid is a reference table.
 */
static bool
IsReferenceTable(Oid relid)
{
	DistTableEntry *table = LookupDistTable(relid);

	return table != NULL && table->method == DIST_METHOD_REFERENCE;
}

/*
 * CheckReferenceWriteDeterministic throws when node, part of a write to
 * the reference table table, calls a volatile function: each copy would
 * compute its own value.
 */
void
CheckReferenceWriteDeterministic(Node *node, DistTableEntry *table, const char *command)
{
	if (contain_volatile_functions(node))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on reference table \"%s\" cannot call volatile functions",
						command, table->relName),
				 errdetail("Each copy of the reference table would compute its own value, and the copies would differ."),
				 errhint("Compute the value in a separate query and pass it as a constant.")));
}

/*
 * PlanReferenceTableStatement returns a one-task plan for a SELECT,
 * UPDATE or DELETE whose distributed tables are all reference tables, or
 * NULL (with *reason set) for any other statement.  Throws for a write
 * that cannot give every copy the same result.
 */
PlannedStmt *
PlanReferenceTableStatement(Query *query, List *distRels, List *allRelids,
							const char **reason)
{
	DistTableEntry *anchor = NULL;
	ShardPlanInfo *info;
	CustomScan *scan;
	List	   *customExprs;
	bool		deparseAtRuntime;
	const char *notShippable;
	ListCell   *lc;

	foreach(lc, distRels)
	{
		DistTableEntry *table = LookupDistTable(((DistRelationRef *) lfirst(lc))->relid);

		if (table->method != DIST_METHOD_REFERENCE)
		{
			if (query->commandType != CMD_SELECT &&
				IsReferenceTable(rt_fetch(query->resultRelation, query->rtable)->relid))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("%s on reference table \"%s\" cannot read distributed table \"%s\"",
								query->commandType == CMD_UPDATE ? "UPDATE" : "DELETE",
								get_rel_name(rt_fetch(query->resultRelation, query->rtable)->relid),
								table->relName),
						 errdetail("Each copy of the reference table would see only the shards on its own node."),
						 errhint("Select the values first and pass them as constants.")));
			*reason = "the statement reads hash-distributed tables";
			return NULL;
		}
		if (anchor == NULL)
			anchor = table;
	}
	foreach(lc, allRelids)
	{
		if (!IsDistributedTable(lfirst_oid(lc)))
		{
			*reason = "the statement uses a local table";
			return NULL;
		}
	}
	if (anchor == NULL)
	{
		*reason = "no reference table";
		return NULL;
	}
	if (query->hasModifyingCTE)
	{
		*reason = "the statement has a data-modifying WITH";
		return NULL;
	}
	if (query->commandType != CMD_SELECT)
	{
		/* the target lists the copies to write */
		anchor = LookupDistTable(rt_fetch(query->resultRelation, query->rtable)->relid);
		CheckReferenceWriteDeterministic((Node *) query, anchor,
										 query->commandType == CMD_UPDATE ? "UPDATE" : "DELETE");
	}
	notShippable = NotShippableReason((Node *) query);
	if (notShippable != NULL)
	{
		*reason = notShippable;
		return NULL;
	}

	info = palloc0(sizeof(ShardPlanInfo));
	info->kind = SHARD_SCAN_ROUTER;
	info->commandType = query->commandType;
	info->anchorRelid = anchor->relid;
	info->hasReturning = (query->returningList != NIL);
	info->locksRows = (query->rowMarks != NIL);
	info->strategy = "router";
	info->taskShardIndexes = list_make1_int(0);
	deparseAtRuntime = NeedsCoordinatorEvaluation((Node *) query);
	if (!deparseAtRuntime)
		info->taskSql = list_make1(makeString(DeparseForShard(query, 0, NULL)));

	customExprs = list_make1(makeNullConst(INT4OID, -1, InvalidOid));
	scan = MakeShardScan(info);
	scan->custom_exprs = customExprs;
	if (deparseAtRuntime)
		scan->custom_private = lappend(scan->custom_private, copyObject(query));

	return MakeShardPlannedStmt(query, scan,
								query->commandType == CMD_SELECT ?
								query->targetList : query->returningList,
								allRelids);
}
