/*-------------------------------------------------------------------------
 * table_privileges.h
 *	  Rights checks of the table functions (ownership before any lock, the
 *	  owner's role on the nodes) and catalog writes made with the
 *	  extension owner's rights.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_TABLE_PRIVILEGES_H
#define SHARD_TABLE_PRIVILEGES_H

#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/relcache.h"

extern Relation OpenOwnedTable(Oid relid, LOCKMODE lockmode);
extern Oid	LookupColocateWithTable(const char *name);
extern void CheckTableOwner(Oid relid);
extern List *CheckShardOwnerOnNodes(Relation rel, List *tasks);
extern char *ShardOwnerCommand(Relation rel, const char *shardName);
extern void ExecuteCatalogWrite(const char *sql, int nargs, Oid *argTypes,
								Datum *values, int expectedResult);

#endif							/* SHARD_TABLE_PRIVILEGES_H */
