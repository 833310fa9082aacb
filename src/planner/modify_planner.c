/*-------------------------------------------------------------------------
 * modify_planner.c
 *	  UPDATE ... FROM and DELETE ... USING that read other distributed
 *	  tables: allowed when every distributed table is in the target's
 *	  co-location group and joined to the target on the distribution
 *	  column, so each shard index can run its statement alone.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "parser/parsetree.h"

#include "planner/planner.h"

/*
 * ModifyJoinsColocated returns whether UPDATE/DELETE query on the hash
 * table target joins its other distributed tables only on the target's
 * distribution column within its co-location group.  The check runs the
 * SELECT pushdown analysis on "SELECT target.dist_col FROM <same FROM and
 * WHERE>": that SELECT decomposes per shard group and its output carries
 * the distribution value only if every table is joined that way.
 */
bool
ModifyJoinsColocated(Query *query, DistTableEntry *target)
{
	Query	   *select = copyObject(query);
	RangeTblRef *rtr = makeNode(RangeTblRef);
	List	   *distOutput = NIL;
	int			colocationId = -1;
	const char *reason = NULL;
	Var		   *var;
	ListCell   *lc;

	var = makeVar(query->resultRelation, target->distAttno, target->distType, -1,
				  target->distCollation, 0);
	select->commandType = CMD_SELECT;
	select->resultRelation = 0;
	select->returningList = NIL;
	select->targetList = list_make1(makeTargetEntry((Expr *) var, 1, pstrdup("dist"), false));
	/* SET and RETURNING expressions are judged too (sublinks in them) */
	foreach(lc, list_concat_copy(query->targetList, query->returningList))
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk)
			continue;
		select->targetList = lappend(select->targetList,
									 makeTargetEntry(copyObject(tle->expr),
													 list_length(select->targetList) + 1,
													 NULL, false));
	}
	/* the target is in the FROM list of the SELECT */
	rtr->rtindex = query->resultRelation;
	select->jointree->fromlist = lcons(rtr, select->jointree->fromlist);

	if (!SubqueryDecomposes(select, &colocationId, &distOutput, &reason))
		return false;
	return colocationId == target->colocationId && list_member_int(distOutput, 1);
}
