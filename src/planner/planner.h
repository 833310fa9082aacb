/*-------------------------------------------------------------------------
 * planner.h
 *	  The planner hook and the path choices for statements on distributed
 *	  tables: router (one shard group), multi-shard statements, routed
 *	  INSERT, and remote scans of distributed relations under PostgreSQL's
 *	  own planner (the fallback that makes every SELECT correct).
 *
 * No network I/O happens while planning.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_PLANNER_H
#define SHARD_PLANNER_H

#include "nodes/params.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "optimizer/planner.h"
#include "utils/relcache.h"

#include "deparse/shard_deparse.h"
#include "executor/shard_scan.h"
#include "metadata/metadata.h"

/* a distributed relation referenced by a query */
typedef struct DistRelationRef
{
	Oid			relid;
	Index		rtindex;		/* in the top-level range table, or 0 */
	int			queryLevel;		/* 0: top-level range table */
} DistRelationRef;

extern void InstallPlannerHooks(void);

/* planner.c */
extern List *FindDistributedRelations(Query *query, List **allRelids);
extern PlannedStmt *MakeShardPlannedStmt(Query *query, CustomScan *scan,
										 List *outputList, List *allRelids);
extern bool NeedsCoordinatorEvaluation(Node *node);
extern List *CollectNestedRelationRtes(Query *query);

/* standby_safety.c */
extern const char *StandbyUnsafeReason(Query *parse);

/* router.c */
extern PlannedStmt *PlanRouterStatement(Query *query, List *distRels, List *allRelids,
										ParamListInfo boundParams, const char **reason);
extern PlannedStmt *PlanMultiShardModify(Query *query, List *distRels, List *allRelids,
										 ParamListInfo boundParams);
extern Expr *PinnedValueOfClause(Node *clause, Index rtindex, DistTableEntry *table);
extern int	ShardIndexForConst(DistTableEntry *table, Const *value);
extern Expr *BoundParamAsConst(Param *param, ParamListInfo boundParams);
extern bool IsForeignKeyReturning(TargetEntry *tle);
extern bool AddForeignKeyReturning(Query *query);
extern Oid	RowMoveForeignKey(Query *query, Relation rel);
extern void CheckOnConflictForeignKeys(Query *query);
extern bool AddUpsertForeignKeyReturning(Query *query);
extern PlannedStmt *FinishTaskPlan(Query *query, List *allRelids, ShardPlanInfo *info,
									List *customExprs, bool deparseAtRuntime);
extern PlannedStmt *PlanPinnedSelect(Query *query, List *allRelids, DistTableEntry *anchor,
									 Expr *pin);

/* dml_planner.c */
extern TargetEntry *DistColumnAssignment(Query *query, DistTableEntry *table);
extern void DropUnchangedDistColumnAssignment(Query *query);
extern Query *ReplaceDistributedTableOids(Query *query);
extern PlannedStmt *PlanWithModifyingCtes(Query *parse, const char *queryString,
										  int cursorOptions, ParamListInfo boundParams);
extern PlannedStmt *PlanDistColumnUpdate(Query *query, DistTableEntry *table,
										 List *allRelids);
extern PlannedStmt *PlanModifyEvaluatingSubLinks(Query *query, DistTableEntry *table,
												 List *allRelids);

/* insert_planner.c */
extern PlannedStmt *PlanDistributedInsert(Query *query, const char *queryString,
										  List *distRels, List *allRelids,
										  int cursorOptions, ParamListInfo boundParams);

/* modify_planner.c */
extern bool ModifyJoinsColocated(Query *query, DistTableEntry *target);

/* reference_planner.c */
extern PlannedStmt *PlanReferenceTableStatement(Query *query, List *distRels,
												List *allRelids, const char **reason);
extern void CheckReferenceWriteDeterministic(Node *node, DistTableEntry *table,
											 const char *command);

/* pushdown.c */
extern bool EnablePushdown;
extern PlannedStmt *PlanPushdownSelect(Query *parse, const char *queryString,
									   int cursorOptions, ParamListInfo boundParams,
									   List *allRelids, const char **reason);
extern bool SubqueryDecomposes(Query *query, int *colocationId, List **distOutput,
							   const char **reason);
extern int	RegisterPendingScan(ShardPlanInfo *info, Query *runtimeQuery, List *customExprs,
								List *columnNames, Oid placeholderOid);
extern void UnregisterPendingScan(int id);
extern void PushdownSetRelPathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
								   RangeTblEntry *rte);

/* relation_scan.c */
extern struct CustomPath *MakeShardCustomPath(RelOptInfo *rel, double rows,
											  Cost totalCost,
											  const struct CustomPathMethods *methods);
extern void ShardSetRelPathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
								RangeTblEntry *rte);
extern void RegisterRelationScanMethods(void);

#endif							/* SHARD_PLANNER_H */
