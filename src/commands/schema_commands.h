/*-------------------------------------------------------------------------
 * schema_commands.h
 *	  Distributed tables changing schema (ALTER SCHEMA ... RENAME,
 *	  ALTER TABLE ... SET SCHEMA), and the guard on DROP EXTENSION shard.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SCHEMA_COMMANDS_H
#define SHARD_SCHEMA_COMMANDS_H

#include "nodes/parsenodes.h"

/*
 * Before standard ProcessUtility: the tasks that move the shards of the
 * distributed tables of a renamed schema (or of one table changing schema)
 * into the new schema on their nodes, to run in the coordinator's
 * transaction after the statement; NIL when nothing is distributed.  Locks
 * the tables.
 */
extern List *PlanSchemaRename(RenameStmt *stmt);
extern List *PlanSetSchema(AlterObjectSchemaStmt *stmt);

/*
 * Throws when a statement drops extension shard (or its schema) while
 * distributed or reference tables exist, or renames schema shard.
 */
extern void ProtectShardExtension(Node *parsetree);

#endif							/* SHARD_SCHEMA_COMMANDS_H */
