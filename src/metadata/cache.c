/*-------------------------------------------------------------------------
 * cache.c
 *	  Per-backend caches of shard's catalog tables: which relations are
 *	  distributed and how, their shards and placements, and the nodes.
 *
 * Invariants:
 *	- The catalog tables are the truth.  Entries are read with systable scans
 *	  (never SPI), so building an entry never re-enters the planner hook.
 *	- One relcache callback only marks entries invalid; it never reads a
 *	  catalog.  A relcache invalidation of a distributed table's shell
 *	  invalidates its entry (and replans cached plans on it); one of a shard
 *	  catalog table, or a full reset, invalidates everything.
 *	- An entry is built completely, in a memory context of its own under
 *	  ShardCacheContext, and only then published in the hash table, because
 *	  building it may process invalidations.
 *	- Callers may hold an entry until the end of the transaction: memory of
 *	  a replaced entry (or of the whole cache, on a full reset) is retired,
 *	  not freed, and deleted at transaction end.  Nothing keeps an entry
 *	  across transactions (plans copy what they need).
 *	- Negative entries (relations that are not distributed) are cached too,
 *	  so a query on local tables costs a hash lookup per relation.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/hash.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "metadata/catalog.h"
#include "metadata/metadata.h"

int			ShardCount = 32;

typedef enum ExtensionState
{
	EXTENSION_UNKNOWN,
	EXTENSION_ABSENT,
	EXTENSION_LOADED
} ExtensionState;

static MemoryContext ShardCacheContext = NULL;
static HTAB *DistTableHash = NULL;
static ExtensionState extensionState = EXTENSION_UNKNOWN;
static Oid	shardSchemaOid = InvalidOid;

/* catalog relids, looked up once per extension state */
static Oid	distNodeRelid = InvalidOid;
static Oid	distColocationRelid = InvalidOid;
static Oid	distTableRelid = InvalidOid;
static Oid	distShardRelid = InvalidOid;
static Oid	distPlacementRelid = InvalidOid;

/* nodes, ordered by node id, in nodeCacheContext */
static List *nodeCache = NIL;
static bool nodeCacheValid = false;
static MemoryContext nodeCacheContext = NULL;

/* contexts of replaced entries, deleted at transaction end */
static List *retiredContexts = NIL;

static void EnsureCacheContext(void);
static void ResetAllCaches(void);
static void ShardRelcacheCallback(Datum arg, Oid relid);

/*
 * DistTableGeneration changes whenever a distributed table or the catalogs
 * may have changed: whatever was derived from a table's shape (e.g. a
 * statement prepared on a worker) is stale once it moved on.
 */
uint64		DistTableGeneration = 1;
static void ShardSyscacheCallback(Datum arg, int cacheid, uint32 hashvalue);
static bool IsDumpSession(void);
static void LookupCatalogRelids(void);
static void BuildDistTableEntry(Oid relid, DistTableEntry *entry);
static void BuildNodeCache(void);
static Oid	CatalogIndexOid(const char *indexName);
static void RetireContext(MemoryContext context);
static void MetadataXactCallback(XactEvent event, void *arg);

/*
 * InitMetadataCache registers the invalidation callbacks.  Called from
 * _PG_init; allocates nothing (contexts are created on first use).
 */
void
InitMetadataCache(void)
{
	CacheRegisterRelcacheCallback(ShardRelcacheCallback, (Datum) 0);
	/* CREATE/DROP EXTENSION shard creates/drops schema shard */
	CacheRegisterSyscacheCallback(NAMESPACEOID, ShardSyscacheCallback, (Datum) 0);
	RegisterXactCallback(MetadataXactCallback, NULL);
}

/*
 * RetireContext schedules a cache context for deletion at transaction end;
 * entries in it stay readable until then.  Never throws.
 */
static void
RetireContext(MemoryContext context)
{
	MemoryContext oldContext;

	if (context == NULL)
		return;
	/* detach so that deleting ShardCacheContext does not take it along */
	MemoryContextSetParent(context, TopMemoryContext);
	oldContext = MemoryContextSwitchTo(TopMemoryContext);
	retiredContexts = lappend(retiredContexts, context);
	MemoryContextSwitchTo(oldContext);
}

/*
 * MetadataXactCallback deletes retired cache memory once no caller can hold
 * pointers into it any more.
 */
static void
MetadataXactCallback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;

	foreach(lc, retiredContexts)
		MemoryContextDelete((MemoryContext) lfirst(lc));
	list_free(retiredContexts);
	retiredContexts = NIL;
}

/*
 * EnsureCacheContext creates ShardCacheContext and the relation hash table
 * if they do not exist yet.
 */
static void
EnsureCacheContext(void)
{
	HASHCTL		info;

	if (ShardCacheContext != NULL)
		return;

	if (CacheMemoryContext == NULL)
		CreateCacheMemoryContext();

	ShardCacheContext = AllocSetContextCreate(CacheMemoryContext,
											  "ShardCacheContext",
											  ALLOCSET_DEFAULT_SIZES);

	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(Oid);
	info.entrysize = sizeof(DistTableEntry);
	info.hcxt = ShardCacheContext;
	DistTableHash = hash_create("shard distributed tables", 64, &info,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * ResetAllCaches forgets everything: the extension state, catalog relids,
 * tables and nodes.  Safe inside invalidation callbacks (no catalog reads).
 */
static void
ResetAllCaches(void)
{
	extensionState = EXTENSION_UNKNOWN;
	shardSchemaOid = InvalidOid;
	distNodeRelid = InvalidOid;
	distColocationRelid = InvalidOid;
	distTableRelid = InvalidOid;
	distShardRelid = InvalidOid;
	distPlacementRelid = InvalidOid;
	nodeCache = NIL;
	nodeCacheValid = false;

	if (ShardCacheContext != NULL)
	{
		RetireContext(ShardCacheContext);
		ShardCacheContext = NULL;
		DistTableHash = NULL;
		nodeCacheContext = NULL;
	}
}

/*
 * ShardRelcacheCallback marks cache entries invalid.  It never reads a
 * catalog: invalidations can arrive at any catalog access.
 */
static void
ShardRelcacheCallback(Datum arg, Oid relid)
{
	DistTableEntry *entry;

	if (relid == InvalidOid)
	{
		DistTableGeneration++;
		ResetAllCaches();
		return;
	}

	/* a new relation may be one of ours being created by CREATE EXTENSION */
	if (extensionState == EXTENSION_ABSENT)
		extensionState = EXTENSION_UNKNOWN;

	if (relid == distNodeRelid)
	{
		nodeCacheValid = false;
		return;
	}
	if (relid == distTableRelid || relid == distShardRelid ||
		relid == distPlacementRelid || relid == distColocationRelid)
	{
		/* keep the context (callers may hold entries), mark all invalid */
		HASH_SEQ_STATUS status;

		DistTableGeneration++;
		if (DistTableHash == NULL)
			return;
		hash_seq_init(&status, DistTableHash);
		while ((entry = hash_seq_search(&status)) != NULL)
			entry->isValid = false;
		return;
	}

	if (DistTableHash == NULL)
		return;
	entry = hash_search(DistTableHash, &relid, HASH_FIND, NULL);
	if (entry != NULL)
	{
		entry->isValid = false;
		DistTableGeneration++;
	}
}

/*
 * ShardSyscacheCallback resets everything when a schema changes, which is
 * how CREATE EXTENSION and DROP EXTENSION of shard reach other backends.
 */
static void
ShardSyscacheCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	ResetAllCaches();
}

/*
 * IsDumpSession returns true while pg_dump reads the database: a read-only
 * transaction with a transaction snapshot (pg_dump's REPEATABLE READ, or
 * SERIALIZABLE with --serializable-deferrable) in a session whose
 * application_name is pg_dump's own default.  pg_dump must dump the empty
 * shells of distributed tables, not their rows: the shards cannot be read
 * in pg_dump's snapshot, and a restore against the same workers would
 * insert the rows a second time.
 */
static bool
IsDumpSession(void)
{
	return XactReadOnly && IsolationUsesXactSnapshot() &&
		application_name != NULL && strcmp(application_name, "pg_dump") == 0;
}

/*
 * ShardExtensionLoaded returns true when the shard extension exists in this
 * database and is not being created or updated right now, and the session
 * is not pg_dump's (IsDumpSession: shard then stays out of the way, so
 * distributed tables read as their empty shells).  Cached; cheap.
 */
bool
ShardExtensionLoaded(void)
{
	Oid			extensionOid;

	if (IsDumpSession())
		return false;
	if (extensionState == EXTENSION_LOADED)
		return true;
	if (extensionState == EXTENSION_ABSENT)
		return false;

	if (!IsTransactionState() || !IsNormalProcessingMode() || !OidIsValid(MyDatabaseId))
		return false;

	extensionOid = get_extension_oid("shard", true);
	if (!OidIsValid(extensionOid))
	{
		extensionState = EXTENSION_ABSENT;
		return false;
	}

	/* CREATE or ALTER EXTENSION shard is running its script: pass through */
	if (creating_extension && CurrentExtensionObject == extensionOid)
		return false;

	shardSchemaOid = get_namespace_oid("shard", true);
	if (!OidIsValid(shardSchemaOid))
		return false;

	LookupCatalogRelids();
	if (!OidIsValid(distTableRelid) || !OidIsValid(distShardRelid) ||
		!OidIsValid(distPlacementRelid) || !OidIsValid(distNodeRelid) ||
		!OidIsValid(distColocationRelid))
		return false;

	extensionState = EXTENSION_LOADED;
	return true;
}

/*
 * LookupCatalogRelids fills the relids of the catalog tables.
 */
static void
LookupCatalogRelids(void)
{
	distNodeRelid = get_relname_relid("dist_node", shardSchemaOid);
	distColocationRelid = get_relname_relid("dist_colocation", shardSchemaOid);
	distTableRelid = get_relname_relid("dist_table", shardSchemaOid);
	distShardRelid = get_relname_relid("dist_shard", shardSchemaOid);
	distPlacementRelid = get_relname_relid("dist_placement", shardSchemaOid);
}

/*
 * ShardSchemaOid returns the OID of schema shard; errors if the extension
 * is not loaded.
 */
Oid
ShardSchemaOid(void)
{
	if (!ShardExtensionLoaded())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"shard\" is not created in this database"),
				 errhint("Run CREATE EXTENSION shard.")));
	return shardSchemaOid;
}

/*
 * ShardCatalogRelid returns the relid of a relation in schema shard;
 * errors if it does not exist.
 */
Oid
ShardCatalogRelid(const char *name)
{
	Oid			relid = get_relname_relid(name, ShardSchemaOid());

	if (!OidIsValid(relid))
		elog(ERROR, "shard catalog relation \"%s\" is missing", name);
	return relid;
}

/*
 * CatalogIndexOid returns the OID of an index of the catalog tables.
 */
static Oid
CatalogIndexOid(const char *indexName)
{
	return ShardCatalogRelid(indexName);
}

/*
 * LookupDistTable returns the cache entry of a distributed table, or NULL
 * when relid is not distributed (or the extension is absent).  The entry
 * lives in ShardCacheContext until the next invalidation is processed.
 */
DistTableEntry *
LookupDistTable(Oid relid)
{
	DistTableEntry *entry;
	DistTableEntry newEntry;
	bool		found;

	if (!ShardExtensionLoaded())
		return NULL;

	/* our own catalogs and system relations are never distributed */
	if (relid < FirstNormalObjectId || relid == distTableRelid ||
		relid == distShardRelid || relid == distPlacementRelid ||
		relid == distNodeRelid || relid == distColocationRelid)
		return NULL;

	EnsureCacheContext();
	entry = hash_search(DistTableHash, &relid, HASH_FIND, NULL);
	if (entry != NULL && entry->isValid)
		return entry->isDistributed ? entry : NULL;

	/* build fully, then publish: building may process invalidations */
	BuildDistTableEntry(relid, &newEntry);

	EnsureCacheContext();
	if (newEntry.context != NULL)
		MemoryContextSetParent(newEntry.context, ShardCacheContext);
	entry = hash_search(DistTableHash, &relid, HASH_ENTER, &found);
	if (found)
		RetireContext(entry->context);
	*entry = newEntry;
	return entry->isDistributed ? entry : NULL;
}

/*
 * IsDistributedTable returns whether relid is a distributed (hash or
 * reference) table.
 */
bool
IsDistributedTable(Oid relid)
{
	return LookupDistTable(relid) != NULL;
}

/*
 * InvalidateDistTable makes every backend forget what it knows about relid
 * (and replan cached plans that use it), at the end of the current command.
 */
void
InvalidateDistTable(Oid relid)
{
	CacheInvalidateRelcacheByRelid(relid);
}

/*
 * BuildDistTableEntry reads the catalog rows of relid into *entry; memory
 * in ShardCacheContext.  A relation without a dist_table row gets a
 * negative entry.
 */
static void
BuildDistTableEntry(Oid relid, DistTableEntry *entry)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key[1];
	HeapTuple	tuple;
	bool		isnull;
	Datum		datum;
	MemoryContext oldContext;
	int			shardCount;
	ShardInfo  *shards;
	Relation	placementRel;
	Oid			placementIndex;
	int			i;

	memset(entry, 0, sizeof(DistTableEntry));
	entry->relid = relid;
	entry->isValid = true;
	entry->context = AllocSetContextCreate(TopMemoryContext, "shard table entry",
										   ALLOCSET_SMALL_SIZES);

	rel = table_open(distTableRelid, AccessShareLock);
	ScanKeyInit(&key[0], Anum_dist_table_relid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, CatalogIndexOid(DistTablePkeyIndex), true,
							  NULL, 1, key);
	tuple = systable_getnext(scan);
	if (!HeapTupleIsValid(tuple))
	{
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		MemoryContextDelete(entry->context);
		entry->context = NULL;
		entry->isDistributed = false;
		return;
	}

	entry->isDistributed = true;
	entry->method = DatumGetChar(heap_getattr(tuple, Anum_dist_table_method,
											  RelationGetDescr(rel), &isnull));
	datum = heap_getattr(tuple, Anum_dist_table_dist_attnum,
						 RelationGetDescr(rel), &isnull);
	entry->distAttno = isnull ? InvalidAttrNumber : DatumGetInt16(datum);
	entry->colocationId = DatumGetInt32(heap_getattr(tuple, Anum_dist_table_colocation_id,
													 RelationGetDescr(rel), &isnull));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	/* shard count from the co-location group */
	rel = table_open(distColocationRelid, AccessShareLock);
	ScanKeyInit(&key[0], Anum_dist_colocation_colocation_id, BTEqualStrategyNumber,
				F_INT4EQ, Int32GetDatum(entry->colocationId));
	scan = systable_beginscan(rel, CatalogIndexOid(DistColocationPkeyIndex), true,
							  NULL, 1, key);
	tuple = systable_getnext(scan);
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "co-location group %d of table %u is missing",
			 entry->colocationId, relid);
	shardCount = DatumGetInt32(heap_getattr(tuple, Anum_dist_colocation_shard_count,
											RelationGetDescr(rel), &isnull));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	shards = MemoryContextAllocZero(entry->context, sizeof(ShardInfo) * shardCount);

	/* shards, ordered by shard index through the (relid, shard_index) index */
	rel = table_open(distShardRelid, AccessShareLock);
	placementRel = table_open(distPlacementRelid, AccessShareLock);
	placementIndex = CatalogIndexOid(DistPlacementShardIndex);
	ScanKeyInit(&key[0], Anum_dist_shard_relid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, CatalogIndexOid(DistShardRelidIndex), true,
							  NULL, 1, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			shardIndex;
		ShardInfo  *shard;
		SysScanDesc placementScan;
		ScanKeyData placementKey[1];
		HeapTuple	placementTuple;

		shardIndex = DatumGetInt32(heap_getattr(tuple, Anum_dist_shard_shard_index, desc, &isnull));
		if (shardIndex < 0 || shardIndex >= shardCount)
			elog(ERROR, "shard index %d of table %u is out of range", shardIndex, relid);
		shard = &shards[shardIndex];
		shard->shardIndex = shardIndex;
		shard->shardId = DatumGetInt64(heap_getattr(tuple, Anum_dist_shard_shard_id, desc, &isnull));
		shard->hashMin = DatumGetInt32(heap_getattr(tuple, Anum_dist_shard_hash_min, desc, &isnull));
		shard->hashMax = DatumGetInt32(heap_getattr(tuple, Anum_dist_shard_hash_max, desc, &isnull));

		ScanKeyInit(&placementKey[0], Anum_dist_placement_shard_id, BTEqualStrategyNumber,
					F_INT8EQ, Int64GetDatum(shard->shardId));
		placementScan = systable_beginscan(placementRel, placementIndex, true,
										   NULL, 1, placementKey);
		while (HeapTupleIsValid(placementTuple = systable_getnext(placementScan)))
		{
			int			nodeId = DatumGetInt32(heap_getattr(placementTuple,
															Anum_dist_placement_node_id,
															RelationGetDescr(placementRel),
															&isnull));
			int			j;

			/* keep the node ids sorted, so that every backend agrees on the first */
			if (shard->placementNodeIds == NULL)
				shard->placementNodeIds = MemoryContextAlloc(entry->context, sizeof(int));
			else
				shard->placementNodeIds = repalloc(shard->placementNodeIds,
												   sizeof(int) * (shard->placementCount + 1));
			for (j = shard->placementCount; j > 0 && shard->placementNodeIds[j - 1] > nodeId; j--)
				shard->placementNodeIds[j] = shard->placementNodeIds[j - 1];
			shard->placementNodeIds[j] = nodeId;
			shard->placementCount++;
			shard->nodeId = shard->placementNodeIds[0];
		}
		systable_endscan(placementScan);
	}
	systable_endscan(scan);
	table_close(placementRel, AccessShareLock);
	table_close(rel, AccessShareLock);

	for (i = 0; i < shardCount; i++)
	{
		if (shards[i].shardId == 0)
			elog(ERROR, "shard %d of table \"%s\" is missing from shard.dist_shard",
				 i, get_rel_name(relid));
		if (shards[i].nodeId == 0)
			elog(ERROR, "shard " INT64_FORMAT " has no placement", shards[i].shardId);
	}

	entry->shardCount = shardCount;
	entry->shards = shards;

	/* type, hash function and names */
	if (entry->method == DIST_METHOD_HASH)
	{
		TypeCacheEntry *typentry;
		Oid			hashProc;
		int32		typmod;

		get_atttypetypmodcoll(relid, entry->distAttno, &entry->distType,
							  &typmod, &entry->distCollation);
		typentry = lookup_type_cache(entry->distType, TYPECACHE_HASH_PROC | TYPECACHE_HASH_OPFAMILY);
		hashProc = typentry->hash_proc;
		if (!OidIsValid(hashProc))
			elog(ERROR, "type %s has no hash function", format_type_be(entry->distType));
		entry->hashOpfamily = typentry->hash_opf;
		fmgr_info_cxt(hashProc, &entry->hashFunc, entry->context);
	}

	oldContext = MemoryContextSwitchTo(entry->context);
	entry->schemaName = get_namespace_name(get_rel_namespace(relid));
	entry->relName = get_rel_name(relid);
	MemoryContextSwitchTo(oldContext);
	if (entry->schemaName == NULL || entry->relName == NULL)
		elog(ERROR, "distributed table %u does not exist", relid);
}

/*
 * ShardIndexForHash returns the index of the shard whose hash range holds
 * hash (binary search over the ranges, which cover the int32 space).
 */
int
ShardIndexForHash(DistTableEntry *table, int32 hash)
{
	int			low = 0;
	int			high = table->shardCount - 1;

	while (low < high)
	{
		int			mid = low + (high - low + 1) / 2;

		if (table->shards[mid].hashMin <= hash)
			low = mid;
		else
			high = mid - 1;
	}
	return low;
}

/*
 * HashDistValue returns the routing hash of a non-null value of the
 * distribution column's type.
 */
int32
HashDistValue(DistTableEntry *table, Datum value)
{
	return DatumGetInt32(FunctionCall1Coll(&table->hashFunc, table->distCollation, value));
}

/*
 * ShardIndexForValue returns the shard index for a non-null value of the
 * distribution column's type.
 */
int
ShardIndexForValue(DistTableEntry *table, Datum value)
{
	return ShardIndexForHash(table, HashDistValue(table, value));
}

/*
 * ShardIndexForTypedValue returns the shard index for a non-null value of
 * type valueType, which must be in the hash operator family of the
 * distribution column (int2, int4 and int8 hash alike, for example).
 */
int
ShardIndexForTypedValue(DistTableEntry *table, Datum value, Oid valueType)
{
	Oid			hashProc;

	if (valueType == table->distType)
		return ShardIndexForValue(table, value);

	hashProc = get_opfamily_proc(table->hashOpfamily, valueType, valueType,
								 HASHSTANDARD_PROC);
	if (!OidIsValid(hashProc))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot route a value of type %s to a shard of table \"%s\"",
						format_type_be(valueType), table->relName),
				 errhint("Cast the value to %s.", format_type_be(table->distType))));
	return ShardIndexForHash(table,
							 DatumGetInt32(OidFunctionCall1Coll(hashProc, table->distCollation,
																value)));
}

/*
 * ShardNameForId returns the quoted, qualified name of the shard table
 * "schema"."rel_shardid", palloc'd in the current context.
 */
char *
ShardNameForId(const char *schemaName, const char *relName, int64 shardId)
{
	return quote_qualified_identifier(schemaName, ShardTableName(relName, shardId));
}

/*
 * ShardTableName returns the unquoted name "rel_shardid" of a shard table,
 * palloc'd in the current context.
 */
char *
ShardTableName(const char *relName, int64 shardId)
{
	return psprintf("%s_" INT64_FORMAT, relName, shardId);
}

/*
 * DistTableOfShard returns the distributed table that shardId belongs to,
 * read from shard.dist_shard, or InvalidOid when no shard has that id (or
 * the extension is absent).  Needs a transaction.
 */
Oid
DistTableOfShard(int64 shardId)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key[1];
	HeapTuple	tuple;
	Oid			relid = InvalidOid;
	bool		isnull;

	if (!ShardExtensionLoaded())
		return InvalidOid;
	rel = table_open(distShardRelid, AccessShareLock);
	ScanKeyInit(&key[0], Anum_dist_shard_shard_id, BTEqualStrategyNumber,
				F_INT8EQ, Int64GetDatum(shardId));
	scan = systable_beginscan(rel, CatalogIndexOid(DistShardPkeyIndex), true,
							  NULL, 1, key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		relid = DatumGetObjectId(heap_getattr(tuple, Anum_dist_shard_relid,
											  RelationGetDescr(rel), &isnull));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return relid;
}

/*
 * ShardRelationName returns the quoted, qualified name of a shard of a
 * distributed table, palloc'd in the current context.
 */
char *
ShardRelationName(DistTableEntry *table, int shardIndex)
{
	return ShardNameForId(table->schemaName, table->relName,
						  table->shards[shardIndex].shardId);
}

/*
 * BuildNodeCache reads shard.dist_node into nodeCache, ordered by node id.
 */
static void
BuildNodeCache(void)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *nodes = NIL;
	MemoryContext oldContext;

	MemoryContext context;

	context = AllocSetContextCreate(TopMemoryContext, "shard node cache",
									ALLOCSET_SMALL_SIZES);
	rel = table_open(distNodeRelid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	oldContext = MemoryContextSwitchTo(context);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		NodeInfo   *node = palloc0(sizeof(NodeInfo));
		bool		isnull;
		Datum		datum;
		ListCell   *lc;
		int			pos = 0;

		node->nodeId = DatumGetInt32(heap_getattr(tuple, Anum_dist_node_node_id, desc, &isnull));
		node->host = TextDatumGetCString(heap_getattr(tuple, Anum_dist_node_host, desc, &isnull));
		node->port = DatumGetInt32(heap_getattr(tuple, Anum_dist_node_port, desc, &isnull));
		node->isPrimary = strcmp(TextDatumGetCString(heap_getattr(tuple, Anum_dist_node_role, desc, &isnull)),
								 "primary") == 0;
		datum = heap_getattr(tuple, Anum_dist_node_primary_id, desc, &isnull);
		node->primaryId = isnull ? 0 : DatumGetInt32(datum);
		node->isActive = DatumGetBool(heap_getattr(tuple, Anum_dist_node_is_active, desc, &isnull));

		foreach(lc, nodes)
		{
			if (((NodeInfo *) lfirst(lc))->nodeId > node->nodeId)
				break;
			pos++;
		}
		nodes = list_insert_nth(nodes, pos, node);
	}
	MemoryContextSwitchTo(oldContext);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	EnsureCacheContext();
	MemoryContextSetParent(context, ShardCacheContext);
	RetireContext(nodeCacheContext);
	nodeCacheContext = context;
	nodeCache = nodes;
	nodeCacheValid = true;
}

/*
 * ActiveNodeList returns a new list (current context) of the active nodes,
 * ordered by node id; the NodeInfo structs are cache entries.
 */
List *
ActiveNodeList(bool primariesOnly)
{
	List	   *result = NIL;
	ListCell   *lc;

	(void) ShardSchemaOid();
	if (!nodeCacheValid)
		BuildNodeCache();

	foreach(lc, nodeCache)
	{
		NodeInfo   *node = lfirst(lc);

		if (!node->isActive || (primariesOnly && !node->isPrimary))
			continue;
		result = lappend(result, node);
	}
	return result;
}

/*
 * LookupNode returns the cache entry of a node, or NULL (missingOk) / an
 * error when there is no such node.
 */
NodeInfo *
LookupNode(int nodeId, bool missingOk)
{
	ListCell   *lc;

	(void) ShardSchemaOid();
	if (!nodeCacheValid)
		BuildNodeCache();

	foreach(lc, nodeCache)
	{
		NodeInfo   *node = lfirst(lc);

		if (node->nodeId == nodeId)
			return node;
	}
	if (!missingOk)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("node %d does not exist", nodeId),
				 errhint("See the view shard.nodes for the registered nodes.")));
	return NULL;
}
