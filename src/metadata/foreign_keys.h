/*-------------------------------------------------------------------------
 * foreign_keys.h
 *	  Where each foreign key that involves a distributed or reference
 *	  table is enforced: inside the shards or by the coordinator.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_FOREIGN_KEYS_H
#define SHARD_FOREIGN_KEYS_H

#include "nodes/pg_list.h"
#include "utils/relcache.h"

extern bool ForeignKeyInShards(Oid constraintOid);
extern List *CoordinatorForeignKeys(Relation rel, bool referencing);
extern List *ForeignKeysOf(Oid relid);

#endif							/* SHARD_FOREIGN_KEYS_H */
