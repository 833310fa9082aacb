/*-------------------------------------------------------------------------
 * row_move.h
 *	  UPDATEs that move rows to another shard: the rows leave their old
 *	  shards (DELETE ... RETURNING the new row) and are inserted into the
 *	  shard of their new distribution value, in the coordinator's
 *	  transaction.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_ROW_MOVE_H
#define SHARD_ROW_MOVE_H

#include "access/tupdesc.h"
#include "nodes/execnodes.h"
#include "nodes/params.h"
#include "nodes/parsenodes.h"

#include "executor/task_execution.h"

/* what ExecuteRowMoves needs from the scan */
typedef struct RowMoveRun
{
	Oid			relid;			/* target (hash-distributed) */
	int			destShard;		/* shard index of the new value, -1: NULL */
	int			sourceShard;	/* the only shard rows may come from, or -1 */
	List	   *moveSql;		/* String per shard index, or NIL */
	Query	   *runtimeQuery;	/* or the UPDATE to evaluate and deparse */
	ExprContext *econtext;
	ParamListInfo params;
	int			nReturning;		/* leading RETURNING columns of each row */
	TaskRunResult *runResult;	/* RETURNING results are appended here */
} RowMoveRun;

extern Query *MakeRowMoveQuery(Query *update, TupleDesc desc);
extern uint64 ExecuteRowMoves(RowMoveRun *run);
extern List *TaskShardIndexes(List *tasks);

#endif							/* SHARD_ROW_MOVE_H */
