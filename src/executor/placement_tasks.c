/*-------------------------------------------------------------------------
 * placement_tasks.c
 *	  Writes to shards with several placements (a reference table has one
 *	  shard with a placement on every node).
 *
 * A write runs on every placement in the coordinator's transaction (two
 * or more nodes write: two-phase commit), so the copies never differ.  The
 * task on the shard's first placement is the one whose rows and counts the
 * statement reports; the others are marked replica and RunTasks drops
 * their results (their RETURNING rows and counts are the same).  Reads use
 * the first placement only.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/placement_tasks.h"

/*
 * AppendReplicaTasks appends, for a write task on one placement of a
 * shard, a replica task for each other placement of that shard.  Does
 * nothing for a shard with one placement.
 */
List *
AppendReplicaTasks(List *tasks, Task *task, DistTableEntry *table)
{
	ShardInfo  *shard = &table->shards[task->shardIndex];
	int			i;

	for (i = 0; i < shard->placementCount; i++)
	{
		Task	   *replica;

		if (shard->placementNodeIds[i] == task->nodeId)
			continue;
		replica = palloc(sizeof(Task));
		memcpy(replica, task, sizeof(Task));
		replica->nodeId = shard->placementNodeIds[i];
		replica->replica = true;
		tasks = lappend(tasks, replica);
	}
	return tasks;
}
