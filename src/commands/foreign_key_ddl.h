/*-------------------------------------------------------------------------
 * foreign_key_ddl.h
 *	  Foreign keys when a table becomes distributed or a reference table.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_FOREIGN_KEY_DDL_H
#define SHARD_FOREIGN_KEY_DDL_H

extern void CheckForeignKeyActions(Oid constraintOid);
extern void AddShardForeignKeys(Oid relid);

#endif							/* SHARD_FOREIGN_KEY_DDL_H */
