/*-------------------------------------------------------------------------
 * catalog_functions.c
 *	  SQL-callable functions around the catalog: the trigger that turns
 *	  catalog writes into cache invalidations, the sql_drop event trigger
 *	  that drops the shards of dropped tables, and routing look-ups.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "commands/table_privileges.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"

PG_FUNCTION_INFO_V1(shard_catalog_changed);
PG_FUNCTION_INFO_V1(shard_drop_trigger);
PG_FUNCTION_INFO_V1(shard_hash_value);
PG_FUNCTION_INFO_V1(shard_shard_id_for_value);

static DistTableEntry *HashTableArg(Oid relid);
static Datum ValueFromText(DistTableEntry *table, text *value);

/*
 * shard_catalog_changed is a statement trigger on the catalog tables: it
 * makes every backend drop what it cached from them.
 */
Datum
shard_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "shard.catalog_changed() must be called as a trigger");

	if (strcmp(RelationGetRelationName(trigdata->tg_relation), "dist_node") == 0)
		CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	else
	{
		/* also replans cached plans on the distributed tables */
		CacheInvalidateRelcacheAll();
	}
	return PointerGetDatum(NULL);
}

/*
 * shard_drop_trigger drops the shards of distributed tables dropped by the
 * current command (directly or by CASCADE), in remote transactions that
 * commit with the coordinator's, and forgets them in the catalog.
 */
Datum
shard_drop_trigger(PG_FUNCTION_ARGS)
{
	uint64		i;
	List	   *tasks = NIL;
	List	   *dropped = NIL;
	ListCell   *lc;
	MemoryContext callerContext = CurrentMemoryContext;
	MemoryContext spiContext;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "shard.drop_trigger() must be called as an event trigger");
	if (!ShardExtensionLoaded())
		PG_RETURN_VOID();

	SPI_connect();
	if (SPI_execute("SELECT d.objid, d.schema_name, d.object_name, s.shard_id, p.node_id"
					" FROM pg_catalog.pg_event_trigger_dropped_objects() d"
					" JOIN shard.dist_shard s ON s.relid::oid = d.objid"
					" JOIN shard.dist_placement p USING (shard_id)"
					" WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.objsubid = 0",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects");

	/* the tasks must outlive SPI_finish */
	spiContext = MemoryContextSwitchTo(callerContext);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
		char	   *schemaName = SPI_getvalue(tuple, desc, 2);
		char	   *relName = SPI_getvalue(tuple, desc, 3);
		int64		shardId = DatumGetInt64(SPI_getbinval(tuple, desc, 4, &isnull));
		Task	   *task = palloc0(sizeof(Task));

		task->nodeId = DatumGetInt32(SPI_getbinval(tuple, desc, 5, &isnull));
		task->sql = psprintf("DROP TABLE IF EXISTS %s CASCADE",
							 ShardNameForId(schemaName, relName, shardId));
		tasks = lappend(tasks, task);
		dropped = list_append_unique_oid(dropped, relid);
	}
	MemoryContextSwitchTo(spiContext);

	foreach(lc, dropped)
	{
		Oid			type = OIDOID;
		Datum		value = ObjectIdGetDatum(lfirst_oid(lc));

		ExecuteCatalogWrite("DELETE FROM shard.dist_table WHERE relid::oid = $1",
							1, &type, &value, SPI_OK_DELETE);
	}
	SPI_finish();

	RunWriteTasks(tasks);
	PG_RETURN_VOID();
}

/*
 * HashTableArg returns the cache entry of a hash-distributed table, or
 * throws naming it.
 */
static DistTableEntry *
HashTableArg(Oid relid)
{
	DistTableEntry *table = LookupDistTable(relid);

	if (table == NULL || table->method != DIST_METHOD_HASH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table \"%s\" is not hash-distributed", get_rel_name(relid)),
				 errhint("Distribute it with shard.create_distributed_table.")));
	return table;
}

/*
 * ValueFromText converts value to the distribution column's type.
 */
static Datum
ValueFromText(DistTableEntry *table, text *value)
{
	Oid			inFunc;
	Oid			ioParam;

	getTypeInputInfo(table->distType, &inFunc, &ioParam);
	return OidInputFunctionCall(inFunc, text_to_cstring(value), ioParam, -1);
}

/*
 * shard_hash_value returns the routing hash of a value of the
 * distribution column.
 */
Datum
shard_hash_value(PG_FUNCTION_ARGS)
{
	DistTableEntry *table = HashTableArg(PG_GETARG_OID(0));

	PG_RETURN_INT32(HashDistValue(table, ValueFromText(table, PG_GETARG_TEXT_PP(1))));
}

/*
 * shard_shard_id_for_value returns the shard that holds rows whose
 * distribution column equals the value.
 */
Datum
shard_shard_id_for_value(PG_FUNCTION_ARGS)
{
	DistTableEntry *table = HashTableArg(PG_GETARG_OID(0));
	int			shardIndex = ShardIndexForValue(table, ValueFromText(table, PG_GETARG_TEXT_PP(1)));

	PG_RETURN_INT64(table->shards[shardIndex].shardId);
}
