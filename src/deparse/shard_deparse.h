/*-------------------------------------------------------------------------
 * shard_deparse.h
 *	  Statements deparsed for one shard: every distributed table named by
 *	  its shard at a given shard index.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SHARD_DEPARSE_H
#define SHARD_SHARD_DEPARSE_H

#include "nodes/params.h"
#include "nodes/parsenodes.h"

extern char *DeparseForShard(Query *query, int shardIndex, ParamListInfo params);
extern char *DeparseForShardWithConsts(Query *query, int shardIndex, List **consts);

#endif							/* SHARD_SHARD_DEPARSE_H */
