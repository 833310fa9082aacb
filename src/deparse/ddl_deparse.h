/*-------------------------------------------------------------------------
 * ddl_deparse.h
 *	  CREATE INDEX and constraint definitions of a distributed table's
 *	  indexes and constraints for one shard, built from catalog fields.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_DDL_DEPARSE_H
#define SHARD_DDL_DEPARSE_H

/*
 * CREATE [UNIQUE] INDEX [CONCURRENTLY] shardIndexName ON shardName ... for
 * the index indexOid.  shardName is quoted and qualified, shardIndexName
 * unquoted.  Must run with an empty search path.
 */
extern char *ShardIndexCommand(Oid indexOid, const char *shardName,
							   const char *shardIndexName, bool concurrently);

/*
 * "CONSTRAINT shardConstraintName <definition>" of a CHECK, PRIMARY KEY,
 * UNIQUE, EXCLUDE or FOREIGN KEY constraint; a foreign key references
 * referencedShardName (quoted, qualified; NULL for other kinds).  Must run
 * with an empty search path.
 */
extern char *DeparseShardConstraint(Oid constraintOid, const char *shardConstraintName,
									const char *referencedShardName);

#endif							/* SHARD_DDL_DEPARSE_H */
