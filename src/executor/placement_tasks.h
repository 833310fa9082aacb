/*-------------------------------------------------------------------------
 * placement_tasks.h
 *	  Tasks for shards with several placements (reference tables).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_PLACEMENT_TASKS_H
#define SHARD_PLACEMENT_TASKS_H

#include "executor/task_execution.h"
#include "metadata/metadata.h"

extern List *AppendReplicaTasks(List *tasks, Task *task, DistTableEntry *table);

#endif							/* SHARD_PLACEMENT_TASKS_H */
