/*-------------------------------------------------------------------------
 * shard_scan.h
 *	  The ShardScan custom scan: plan description, its (de)serialization to
 *	  the custom_private list of a CustomScan, and the entry points used by
 *	  the planner.
 *
 * A plan never holds pointers into the metadata cache: it carries shard
 * indexes, relids and SQL text, and resolves shards to nodes when it runs.
 * Cached plans are replanned when the metadata of a table they use changes
 * (the table's relcache entry is invalidated).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SHARD_SCAN_H
#define SHARD_SHARD_SCAN_H

#include "nodes/execnodes.h"
#include "nodes/extensible.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"

typedef enum ShardScanKind
{
	SHARD_SCAN_ROUTER,			/* whole statement on one shard group */
	SHARD_SCAN_MULTI,			/* one statement per shard, results appended */
	SHARD_SCAN_RELATION,		/* remote scan of one distributed relation */
	SHARD_SCAN_INSERT,			/* rows from the child plan routed to shards */
	SHARD_SCAN_PUSHDOWN			/* rows of a pushed-down query, streamed */
} ShardScanKind;

/*
 * ShardPlanInfo is what a ShardScan needs at run time.  Stored in
 * CustomScan.custom_private as a flat list (see ShardPlanInfoToList).
 */
typedef struct ShardPlanInfo
{
	ShardScanKind kind;
	CmdType		commandType;	/* of the shipped statements */
	Oid			anchorRelid;	/* distributed table that lists the shards */
	bool		hasReturning;	/* shipped statements return rows */

	/*
	 * Tasks: shard indexes and the SQL for each.  With pruneAtRuntime, the
	 * shard is chosen when the plan runs from the value of the first of
	 * custom_exprs, and taskSql holds one statement per shard index.
	 */
	List	   *taskShardIndexes;	/* Integer */
	List	   *taskSql;		/* String */
	bool		pruneAtRuntime;
	Oid			pruneValueType;	/* type of the pruning expression */
	bool		pruneValueIsNull;	/* plan-time NULL: no shard matches */

	/*
	 * Router statements that change the distribution column: the new value
	 * is custom_exprs' second member, and it must route to the same shard.
	 */
	bool		checkDistColumnUpdate;

	/*
	 * UPDATEs that move rows to the shard of their new distribution value
	 * (executor/row_move.c): the value is custom_exprs' first member (the
	 * UPDATE runs on its shard), moveSql holds the DELETE of the rows that
	 * leave, per shard index, and moveSourceShard the only shard they can
	 * come from (-1: any).  moveRows is set even when moveSql is built at
	 * run time.
	 */
	bool		moveRows;

	/*
	 * The statement's WHERE/SET/RETURNING sublinks run on the coordinator
	 * before it is deparsed (executor/sublink_eval.c); implies a
	 * statement deparsed at run time.
	 */
	bool		evalSubLinks;

	/* a data-modifying CTE's statement: its rows do not count for the tag */
	bool		inCte;
	List	   *moveSql;		/* String */
	int			moveSourceShard;

	/* SHARD_SCAN_RELATION: attribute numbers fetched, in SELECT order */
	List	   *retrievedAttrs; /* Integer */

	/*
	 * SHARD_SCAN_RELATION rescanned with new outer values: per shard index,
	 * a statement that reads the rows without the filters that have
	 * parameters, kept by the key column (custom_exprs 2 and 3: the column
	 * and its value, 4: the filters to recheck); NIL if none.
	 */
	List	   *keyedSql;		/* String */
	Oid			keyHashFunc;	/* hash function of the column's type */
	Oid			valueHashFunc;	/* and of the value's */
	Oid			keyCollation;	/* of the comparison, for hashing */
	int			keyedAfter;		/* executions with statements first */

	/* SHARD_SCAN_INSERT: target columns, in the child's output order */
	Oid			targetRelid;
	List	   *insertAttrs;	/* Integer attnums, 0 for dropped columns */
	int			distColumnIndex;	/* 0-based position in insertAttrs */
	bool		singleRowInsert;	/* VALUES with one row: one task at most */

	char	   *strategy;		/* shown by EXPLAIN */

	/*
	 * Constants of the statement shipped as parameters $1..$n (Const
	 * nodes, in order): statements that differ only in constants then share
	 * one text, prepared once per worker session.
	 */
	List	   *shippedConsts;
	bool		locksRows;		/* SELECT ... FOR UPDATE/SHARE: the nodes hold row
								 * locks until their transactions end, and
								 * rows moved meanwhile fail with 40001
								 * (transaction/moved_rows.c) */

	/*
	 * Why the statement cannot run on a standby (see
	 * executor/placement_choice.c), or NULL when it can neither write nor
	 * lock.
	 */
	char	   *standbyReason;
} ShardPlanInfo;

extern CustomScanMethods ShardScanMethods;

extern void RegisterShardScanMethods(void);
extern List *ShardPlanInfoToList(ShardPlanInfo *info);
extern ShardPlanInfo *ShardPlanInfoFromList(List *list);
extern CustomScan *MakeShardScan(ShardPlanInfo *info);

/* executor nesting: 1 while the top-level statement runs */
extern int	ShardExecutorLevel;

#endif							/* SHARD_SHARD_SCAN_H */
