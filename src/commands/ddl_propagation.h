/*-------------------------------------------------------------------------
 * ddl_propagation.h
 *	  DDL on distributed tables: the coordinator's shell changes through
 *	  standard ProcessUtility, then every shard placement gets the
 *	  equivalent command, generated from the coordinator's catalog.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_DDL_PROPAGATION_H
#define SHARD_DDL_PROPAGATION_H

#include "nodes/parsenodes.h"

#include "metadata/metadata.h"

typedef struct DDLJob DDLJob;

/*
 * Before standard ProcessUtility: checks a utility statement that touches
 * distributed tables (throws when it is not supported, before anything
 * changed) and returns what must be done on the shards afterwards, or NULL.
 */
extern DDLJob *PlanDistributedDDL(Node *parsetree, bool isTopLevel);

/* After standard ProcessUtility: applies the job to every shard placement. */
extern void FinishDistributedDDL(DDLJob *job);

/* Name of an index or index-backed constraint on a shard (unquoted). */
extern char *ShardObjectName(const char *name, int64 shardId);

/*
 * "CONSTRAINT name definition" of a constraint of a distributed table for
 * one shard (CHECK, PRIMARY KEY, UNIQUE, FOREIGN KEY).  Must run with an
 * empty search path.
 */
extern char *ShardConstraintDefinition(Oid constraintOid, DistTableEntry *table,
									   int shardIndex);

/* One Task per placement of a shard, all running sql; appended to tasks. */
extern List *AppendPlacementTasks(List *tasks, DistTableEntry *table,
								  int shardIndex, const char *sql);

/* Push/pop a search path with pg_catalog only, for generating shard SQL. */
extern void PushEmptySearchPath(void);

#endif							/* SHARD_DDL_PROPAGATION_H */
