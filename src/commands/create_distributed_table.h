/*-------------------------------------------------------------------------
 * create_distributed_table.h
 *	  Shard definitions shared with the code that creates shard copies
 *	  later (a new node's reference table copies).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_CREATE_DISTRIBUTED_TABLE_H
#define SHARD_CREATE_DISTRIBUTED_TABLE_H

#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "metadata/metadata.h"

extern List *ShardDefinitionCommands(Relation rel, DistTableEntry *table, int shardIndex);

#endif							/* SHARD_CREATE_DISTRIBUTED_TABLE_H */
