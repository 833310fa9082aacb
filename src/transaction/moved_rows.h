/*-------------------------------------------------------------------------
 * moved_rows.h
 *	  Shared counters of the shards that rows were moved out of, so that a
 *	  statement that may have waited for a mover's row lock raises a
 *	  serialization failure instead of silently skipping the moved row.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_MOVED_ROWS_H
#define SHARD_MOVED_ROWS_H

#include "nodes/pg_list.h"

/* the move state of the shards a statement writes or locks */
typedef struct MoveCheck MoveCheck;

extern void InstallMovedRowsShmem(void);
extern void NoteRowsMovedFrom(Oid relid, int shardIndex);
extern void MovesPreCommit(void);
extern void MovesEndOfTransaction(void);
extern MoveCheck *StartMoveCheck(Oid relid, List *shardIndexes);
extern void FinishMoveCheck(MoveCheck *check, const char *action);

#endif							/* SHARD_MOVED_ROWS_H */
