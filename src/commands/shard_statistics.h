/*-------------------------------------------------------------------------
 * shard_statistics.h
 *	  Statistics of a distributed table's shards brought to its shell.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SHARD_STATISTICS_H
#define SHARD_SHARD_STATISTICS_H

/*
 * After ANALYZE of every shard: sets the shell's reltuples/relpages and
 * per-column pg_statistic rows from the shards' statistics.
 */
extern void PullShardStatistics(Oid relid);

#endif							/* SHARD_SHARD_STATISTICS_H */
