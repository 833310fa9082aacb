/*-------------------------------------------------------------------------
 * schema_commands.c
 *	  Statements that move distributed tables between schemas or remove
 *	  shard itself: ALTER SCHEMA ... RENAME, ALTER TABLE ... SET SCHEMA and
 *	  DROP EXTENSION shard (or DROP SCHEMA shard).
 *
 * A shard lives on its node in the schema of the same name as its table's
 * schema on the coordinator.  When a table changes schema (by itself, or
 * with its schema renamed), each shard placement moves with
 * ALTER TABLE <old schema>.<shard> SET SCHEMA <new schema>, which takes the
 * shard's indexes and constraints along; each node first gets the target
 * schema (CREATE SCHEMA IF NOT EXISTS, except public).  Moving the shards
 * rather than renaming the nodes' schema keeps a rename working when a node
 * already has a schema of the new name, and leaves whatever else the node
 * keeps in the old schema where it is.
 *
 * The shard commands are planned before standard ProcessUtility, while the
 * old names still resolve, and run after it in the coordinator's
 * transaction with two-phase commit (ddl_propagation.c runs them): the
 * shell and all its shards move together or nothing moves.  The moved
 * tables are locked (AccessExclusiveLock, as ALTER TABLE SET SCHEMA takes)
 * so that no statement plans shard names between the two.
 *
 * DROP EXTENSION shard (or DROP SCHEMA shard) is refused while distributed
 * or reference tables exist: their rows live on the nodes, and without the
 * catalog the coordinator would keep empty shells and forget the shards.
 * Renaming schema shard is refused: the extension would no longer find its
 * catalog, and distributed tables would read as their empty shells.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "commands/ddl_propagation.h"
#include "commands/schema_commands.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"

static List *DistributedTablesInSchema(Oid namespaceId);
static List *MoveShardsTasks(List *relids, const char *newSchema);
static void RefuseDropWhileDistributed(void);

/*
 * DistributedTablesInSchema returns the relids of the distributed and
 * reference tables in a schema, ascending (the lock order).
 */
static List *
DistributedTablesInSchema(Oid namespaceId)
{
	MemoryContext callerContext = CurrentMemoryContext;
	List	   *relids = NIL;
	Oid			argType = OIDOID;
	Datum		arg = ObjectIdGetDatum(namespaceId);
	uint64		i;

	SPI_connect();
	if (SPI_execute_with_args("SELECT t.relid::pg_catalog.oid FROM shard.dist_table t"
							  " JOIN pg_catalog.pg_class c ON c.oid = t.relid"
							  " WHERE c.relnamespace = $1 ORDER BY 1",
							  1, &argType, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_table");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		relid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
										  1, &isnull);
		MemoryContext spiContext = MemoryContextSwitchTo(callerContext);

		relids = lappend_oid(relids, DatumGetObjectId(relid));
		MemoryContextSwitchTo(spiContext);
	}
	SPI_finish();
	return relids;
}

/*
 * MoveShardsTasks returns the tasks that move every shard placement of the
 * given distributed tables into newSchema: per node, the first task creates
 * the schema if it is missing (not for public, which every database has and
 * which a user without CREATE on the database could not "create").  Shard
 * names are computed now, from the tables' current schema.
 */
static List *
MoveShardsTasks(List *relids, const char *newSchema)
{
	List	   *tasks = NIL;
	List	   *schemaNodes = NIL;
	ListCell   *lc;

	foreach(lc, relids)
	{
		DistTableEntry *table = LookupDistTable(lfirst_oid(lc));
		int			i;

		if (table == NULL)
			continue;
		for (i = 0; i < table->shardCount; i++)
			tasks = AppendPlacementTasks(tasks, table, i,
										 psprintf("ALTER TABLE %s SET SCHEMA %s",
												  ShardRelationName(table, i),
												  quote_identifier(newSchema)));
	}

	/* the schema, before the node's first move */
	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);

		if (strcmp(newSchema, "public") != 0 && !list_member_int(schemaNodes, task->nodeId))
		{
			task->sql = psprintf("CREATE SCHEMA IF NOT EXISTS %s;%s",
								 quote_identifier(newSchema), task->sql);
			schemaNodes = lappend_int(schemaNodes, task->nodeId);
		}
	}
	return tasks;
}

/*
 * PlanSchemaRename: see schema_commands.h.
 */
List *
PlanSchemaRename(RenameStmt *stmt)
{
	Oid			namespaceId;
	List	   *relids;
	ListCell   *lc;

	Assert(stmt->renameType == OBJECT_SCHEMA);
	namespaceId = get_namespace_oid(stmt->subname, true);

	/* a missing schema or a user who may not rename it: PostgreSQL reports it */
	if (!OidIsValid(namespaceId) || !pg_namespace_ownercheck(namespaceId, GetUserId()))
		return NIL;

	relids = DistributedTablesInSchema(namespaceId);
	foreach(lc, relids)
		LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
	return MoveShardsTasks(relids, stmt->newname);
}

/*
 * PlanSetSchema: see schema_commands.h.
 */
List *
PlanSetSchema(AlterObjectSchemaStmt *stmt)
{
	Oid			relid;

	if (stmt->relation == NULL)
		return NIL;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) || !IsDistributedTable(relid) ||
		!pg_class_ownercheck(relid, GetUserId()) ||
		!OidIsValid(get_namespace_oid(stmt->newschema, true)))
		return NIL;				/* not ours, or PostgreSQL reports it */

	LockRelationOid(relid, AccessExclusiveLock);
	return MoveShardsTasks(list_make1_oid(relid), stmt->newschema);
}

/*
 * ProtectShardExtension: see schema_commands.h.
 */
void
ProtectShardExtension(Node *parsetree)
{
	ListCell   *lc;
	bool		dropsShard = false;

	if (IsA(parsetree, RenameStmt))
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;

		if (stmt->renameType == OBJECT_SCHEMA && strcmp(stmt->subname, "shard") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot rename schema \"shard\" of extension shard"),
					 errdetail("The extension finds its catalog and functions in schema \"shard\".")));
		return;
	}
	if (!IsA(parsetree, DropStmt))
		return;
	if (((DropStmt *) parsetree)->removeType != OBJECT_EXTENSION &&
		((DropStmt *) parsetree)->removeType != OBJECT_SCHEMA)
		return;
	foreach(lc, ((DropStmt *) parsetree)->objects)
	{
		if (strcmp(strVal(lfirst(lc)), "shard") == 0)
			dropsShard = true;
	}
	if (dropsShard)
		RefuseDropWhileDistributed();
}

/*
 * RefuseDropWhileDistributed throws when shard.dist_table has rows, naming
 * the table with the lowest relid.
 */
static void
RefuseDropWhileDistributed(void)
{
	SPI_connect();
	if (SPI_execute("SELECT t.relid::pg_catalog.oid, (SELECT pg_catalog.count(*) FROM shard.dist_table)"
					" FROM shard.dist_table t ORDER BY 1 LIMIT 1", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_table");
	if (SPI_processed > 0)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1, &isnull));
		int64		count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 2, &isnull));

		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension shard because distributed table \"%s\" exists",
						get_rel_name(relid)),
				 errdetail_plural("%lld distributed or reference table keeps its rows on the worker nodes; "
								  "without the extension the coordinator would keep an empty table and lose track of the shards.",
								  "%lld distributed or reference tables keep their rows on the worker nodes; "
								  "without the extension the coordinator would keep empty tables and lose track of the shards.",
								  count, (long long) count),
				 errhint("Drop the distributed and reference tables first (their shards are dropped with them); "
						 "shard.tables lists them.")));
	}
	SPI_finish();
}
