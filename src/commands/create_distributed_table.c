/*-------------------------------------------------------------------------
 * create_distributed_table.c
 *	  shard.create_distributed_table: validates a table, records its
 *	  shards, creates them on the nodes with the table's columns, defaults,
 *	  constraints and indexes, and moves its rows onto them.
 *
 * Everything happens in the caller's transaction: the catalog rows, the
 * remote CREATE TABLEs and INSERTs (in remote transactions that commit
 * with two-phase commit together with the coordinator), and the deletion
 * of the local rows.  If anything fails, nothing is left on any node and
 * the table is still local with all its rows.
 *
 * Shard definitions are generated with an empty search path, so that every
 * object outside pg_catalog is schema-qualified, as worker sessions run
 * with search_path = pg_catalog.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "commands/create_distributed_table.h"
#include "commands/ddl_propagation.h"
#include "commands/foreign_key_ddl.h"
#include "deparse/ddl_deparse.h"
#include "commands/table_privileges.h"
#include "deparse/deparse.h"
#include "executor/insert_batcher.h"
#include "executor/task_execution.h"
#include "metadata/foreign_keys.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

PG_FUNCTION_INFO_V1(shard_create_distributed_table);
PG_FUNCTION_INFO_V1(shard_create_reference_table);

static void ValidateTable(Relation rel, AttrNumber distAttno);
static int	ChooseColocationGroup(Relation rel, AttrNumber distAttno, int shardCount,
								  const char *colocateWith,
								  Oid *existingRelid);
static void MoveRowsToShards(Relation rel);
static void TruncateShellStorage(Relation rel, double rowsMoved);
static void KeepShellStatistics(Oid relid, BlockNumber pages, double rows);
static void CreateShards(Relation rel, DistTableEntry *table);
static void RecordShards(Oid relid, AttrNumber distAttno, int colocationId,
						 int shardCount, Oid existingRelid);

/*
 * ValidateTable throws unless rel can be hash-distributed on distAttno.
 */
static void
ValidateTable(Relation rel, AttrNumber distAttno)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const char *relname = RelationGetRelationName(rel);
	List	   *indexes;
	ListCell   *lc;
	int			i;

	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a plain table", relname),
				 errdetail("Only ordinary tables can be distributed; partitioned tables, views and foreign tables cannot.")));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("temporary table \"%s\" cannot be distributed", relname)));
	if (IsDistributedTable(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" is already distributed", relname)));
	if (has_superclass(RelationGetRelid(rel)) || has_subclass(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" takes part in inheritance and cannot be distributed", relname)));
	if (rel->rd_rel->relrowsecurity)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has row level security enabled and cannot be distributed yet",
						relname)));
	if (strlen(relname) > NAMEDATALEN - 1 - 21)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("table name \"%s\" is too long to be distributed", relname),
				 errdetail("Shard names append an underscore and the shard id to the table name."),
				 errhint("Rename the table to at most %d characters.", NAMEDATALEN - 1 - 21)));

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped)
			continue;
		if (attr->atttypid >= FirstNormalObjectId)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of table \"%s\" has type %s, which is not built in",
							NameStr(attr->attname), relname, format_type_be(attr->atttypid)),
					 errdetail("Worker nodes only know PostgreSQL's built-in types.")));
		if (attr->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("generated column \"%s\" of table \"%s\" is not supported yet",
							NameStr(attr->attname), relname)));
		if (OidIsValid(attr->attcollation) && attr->attcollation >= FirstNormalObjectId)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of table \"%s\" uses a collation that is not built in",
							NameStr(attr->attname), relname)));
	}

	if (rel->trigdesc != NULL)
	{
		for (i = 0; i < rel->trigdesc->numtriggers; i++)
		{
			if (!rel->trigdesc->triggers[i].tgisinternal)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("table \"%s\" has trigger \"%s\" and cannot be distributed yet",
								relname, rel->trigdesc->triggers[i].tgname),
						 errhint("Drop the trigger first.")));
		}
	}

	/* unique indexes must include the distribution column */
	indexes = distAttno != InvalidAttrNumber ? RelationGetIndexList(rel) : NIL;
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		bool		unique = index->rd_index->indisunique || index->rd_index->indisexclusion;
		bool		found = false;

		for (i = 0; i < index->rd_index->indnkeyatts; i++)
		{
			if (index->rd_index->indkey.values[i] == distAttno)
				found = true;
		}
		if (unique && !found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("unique index \"%s\" of table \"%s\" does not include distribution column \"%s\"",
							RelationGetRelationName(index), relname,
							NameStr(TupleDescAttr(desc, distAttno - 1)->attname)),
					 errdetail("Uniqueness can only be enforced within a shard."),
					 errhint("Add the distribution column to the primary key or unique constraint.")));
		index_close(index, AccessShareLock);
	}
}

/*
 * ChooseColocationGroup returns the co-location group of the new table,
 * creating one if needed, and a table already in the group
 * whose shard placement the new table follows (*existingRelid, or
 * InvalidOid).
 */
static int
ChooseColocationGroup(Relation rel, AttrNumber distAttno, int shardCount,
					  const char *colocateWith, Oid *existingRelid)
{
	Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), distAttno - 1);
	int			colocationId = 0;
	bool		isnull;

	*existingRelid = InvalidOid;

	if (strcmp(colocateWith, "default") == 0)
	{
		Oid			types[3] = {INT4OID, OIDOID, OIDOID};
		Datum		values[3] = {Int32GetDatum(shardCount), ObjectIdGetDatum(attr->atttypid),
		ObjectIdGetDatum(attr->attcollation)};

		if (SPI_execute_with_args("SELECT c.colocation_id, t.relid::oid FROM shard.dist_colocation c"
								  " LEFT JOIN shard.dist_table t USING (colocation_id)"
								  " WHERE c.shard_count = $1 AND c.dist_type = $2::regtype"
								  " AND c.dist_collation = $3"
								  " ORDER BY c.colocation_id, t.relid LIMIT 1",
								  3, types, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read shard.dist_colocation");
		if (SPI_processed > 0)
		{
			colocationId = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 1, &isnull));
			*existingRelid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
															SPI_tuptable->tupdesc, 2, &isnull));
			if (isnull)
				*existingRelid = InvalidOid;
		}
	}
	else if (strcmp(colocateWith, "none") != 0)
	{
		Oid			otherRelid = LookupColocateWithTable(colocateWith);
		DistTableEntry *other = LookupDistTable(otherRelid);

		if (other == NULL || other->method != DIST_METHOD_HASH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("table \"%s\" named in colocate_with is not hash-distributed",
							colocateWith)));
		if (other->shardCount != shardCount)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("table \"%s\" has %d shards, not %d", colocateWith,
							other->shardCount, shardCount),
					 errhint("Leave shard_count out to use the shard count of the table to co-locate with.")));
		if (lookup_type_cache(attr->atttypid, TYPECACHE_HASH_OPFAMILY)->hash_opf !=
			other->hashOpfamily)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("distribution column types of \"%s\" and \"%s\" do not hash alike",
							RelationGetRelationName(rel), colocateWith),
					 errdetail("%s and %s are in different hash operator families.",
							   format_type_be(attr->atttypid), format_type_be(other->distType))));
		colocationId = other->colocationId;
		*existingRelid = otherRelid;
	}

	if (colocationId == 0)
	{
		Oid			types[4] = {INT4OID, INT4OID, OIDOID, OIDOID};
		Datum		values[4];

		ExecuteCatalogWrite("SELECT nextval('shard.colocation_id_seq')::int",
							0, NULL, NULL, SPI_OK_SELECT);
		colocationId = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1, &isnull));
		values[0] = Int32GetDatum(colocationId);
		values[1] = Int32GetDatum(shardCount);
		values[2] = ObjectIdGetDatum(attr->atttypid);
		values[3] = ObjectIdGetDatum(attr->attcollation);
		ExecuteCatalogWrite("INSERT INTO shard.dist_colocation VALUES ($1, $2, $3::regtype, $4)",
							4, types, values, SPI_OK_INSERT);
	}
	return colocationId;
}

/*
 * RecordShards inserts the table, shard and placement rows.  Shards of a
 * co-located table sit on the nodes of the existing table's shards of the
 * same index; others go round-robin over the primary nodes.
 */
static void
RecordShards(Oid relid, AttrNumber distAttno, int colocationId, int shardCount,
			 Oid existingRelid)
{
	List	   *nodes = ActiveNodeList(true);
	DistTableEntry *existing = OidIsValid(existingRelid) ? LookupDistTable(existingRelid) : NULL;
	int		   *shardNodes = palloc0(sizeof(int) * shardCount);
	uint64		step = (UINT64CONST(1) << 32) / (uint64) shardCount;
	Oid			types[4] = {OIDOID, INT2OID, INT4OID, INT4OID};
	Datum		values[4];
	int			i;

	if (nodes == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("there are no worker nodes to place shards on"),
				 errhint("Add nodes with shard.add_node(host, port).")));
	for (i = 0; i < shardCount; i++)
		shardNodes[i] = existing != NULL ? existing->shards[i].nodeId
			: ((NodeInfo *) list_nth(nodes, i % list_length(nodes)))->nodeId;

	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int16GetDatum(distAttno);
	values[2] = Int32GetDatum(colocationId);
	ExecuteCatalogWrite("INSERT INTO shard.dist_table VALUES ($1::regclass, 'h', $2, $3)",
						3, types, values, SPI_OK_INSERT);

	for (i = 0; i < shardCount; i++)
	{
		int64		hashMin = (int64) PG_INT32_MIN + (int64) (step * i);
		int64		hashMax = (i == shardCount - 1) ? PG_INT32_MAX
			: (int64) PG_INT32_MIN + (int64) (step * (i + 1)) - 1;
		Oid			shardTypes[5] = {OIDOID, INT4OID, INT4OID, INT4OID, INT4OID};
		Datum		shardValues[5];

		shardValues[0] = ObjectIdGetDatum(relid);
		shardValues[1] = Int32GetDatum(i);
		shardValues[2] = Int32GetDatum((int32) hashMin);
		shardValues[3] = Int32GetDatum((int32) hashMax);
		shardValues[4] = Int32GetDatum(shardNodes[i]);
		ExecuteCatalogWrite("WITH s AS (INSERT INTO shard.dist_shard"
							" VALUES (nextval('shard.shard_id_seq'), $1::regclass, $2, $3, $4)"
							" RETURNING shard_id)"
							" INSERT INTO shard.dist_placement"
							" SELECT nextval('shard.placement_id_seq'), shard_id, $5 FROM s",
							5, shardTypes, shardValues, SPI_OK_INSERT);
	}
}

/*
 * ShardDefinitionCommands returns the SQL that creates one shard of rel
 * as shardName: the table with columns, defaults, NOT NULL and CHECK
 * constraints, then primary key, unique and exclusion constraints, then
 * the other indexes, then the change of owner to rel's owner (see
 * table_privileges.c).  Must run with an empty search path.
 */
List *
ShardDefinitionCommands(Relation rel, DistTableEntry *table, int shardIndex)
{
	char	   *shardName = ShardRelationName(table, shardIndex);
	int64		shardId = table->shards[shardIndex].shardId;
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData create;
	List	   *commands = NIL;
	List	   *indexes;
	ListCell   *lc;
	Relation	conRel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		first = true;
	int			i;

	initStringInfo(&create);
	appendStringInfo(&create, "CREATE %sTABLE %s (",
					 rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED ? "UNLOGGED " : "",
					 shardName);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped)
			continue;
		if (!first)
			appendStringInfoString(&create, ", ");
		first = false;
		appendStringInfo(&create, "%s %s", quote_identifier(NameStr(attr->attname)),
						 format_type_with_typemod(attr->atttypid, attr->atttypmod));
		if (OidIsValid(attr->attcollation) && attr->attcollation != get_typcollation(attr->atttypid))
			appendStringInfo(&create, " COLLATE %s", generate_collation_name(attr->attcollation));
		if (attr->attnotnull)
			appendStringInfoString(&create, " NOT NULL");
		if (attr->atthasdef && !attr->attidentity)
		{
			Node	   *defaultExpr = build_column_default(rel, attr->attnum);

			/* defaults that need the coordinator (sequences) stay there */
			if (defaultExpr != NULL && NotShippableReason(defaultExpr) == NULL &&
				!contain_volatile_functions(defaultExpr))
				appendStringInfo(&create, " DEFAULT %s",
								 deparse_expression(defaultExpr, NIL, false, false));
		}
	}

	/* CHECK constraints */
	conRel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationGetRelid(rel)));
	scan = systable_beginscan(conRel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		char	   *definition;

		if (con->contype != CONSTRAINT_CHECK && con->contype != CONSTRAINT_PRIMARY &&
			con->contype != CONSTRAINT_UNIQUE && con->contype != CONSTRAINT_EXCLUSION)
			continue;
		definition = ShardConstraintDefinition(con->oid, table, shardIndex);
		if (con->contype == CONSTRAINT_CHECK)
			appendStringInfo(&create, ", %s", definition);
		else
			commands = lappend(commands, psprintf("ALTER TABLE %s ADD %s", shardName, definition));
	}
	systable_endscan(scan);
	table_close(conRel, AccessShareLock);
	appendStringInfoChar(&create, ')');
	commands = lcons(create.data, commands);

	/* indexes that no constraint created */
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Oid			indexOid = lfirst_oid(lc);

		if (OidIsValid(get_index_constraint(indexOid)))
			continue;
		commands = lappend(commands,
						   ShardIndexCommand(indexOid, shardName,
											 ShardObjectName(get_rel_name(indexOid), shardId),
											 false));
	}
	return lappend(commands, ShardOwnerCommand(rel, shardName));
}

/*
 * MoveRowsToShards sends every row of rel to its shard, then empties the
 * local storage (TruncateShellStorage), in the current transaction.  The
 * caller holds AccessExclusiveLock on rel.
 */
static void
MoveRowsToShards(Relation rel)
{
	TableScanDesc scan;
	TupleTableSlot *slot;
	InsertBatcher *batcher;
	Snapshot	snapshot;
	double		rowsMoved = 0;

	batcher = StartInsertBatcher(RelationGetRelid(rel), RelationGetDescr(rel));
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snapshot, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		InsertBatcherAddRow(batcher, slot->tts_values, slot->tts_isnull);
		rowsMoved++;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	(void) FinishInsertBatcher(batcher, false);
	TruncateShellStorage(rel, rowsMoved);
}

/*
 * KeepShellStatistics sets relid's pg_class row count and pages, which new
 * storage reset, to what the rows now on the shards had here: the planner
 * takes a distributed table's size from its shell's statistics
 * (planner/planner.c), not from its empty storage.  Transactional, like the
 * reset.
 */
static void
KeepShellStatistics(Oid relid, BlockNumber pages, double rows)
{
	Relation	classRel = table_open(RelationRelationId, RowExclusiveLock);
	HeapTuple	tuple = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class form;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	form = (Form_pg_class) GETSTRUCT(tuple);
	form->relpages = (int32) pages;
	form->reltuples = (float4) rows;
	CatalogTupleUpdate(classRel, &tuple->t_self, tuple);
	heap_freetuple(tuple);
	table_close(classRel, RowExclusiveLock);
	CommandCounterIncrement();
}

/*
 * TruncateShellStorage gives rel, its TOAST table and its indexes new empty
 * storage, as TRUNCATE does for a table created before the transaction:
 * the old files go when the transaction commits and stay if it aborts, so
 * the shell keeps no dead copy of the moved rows until a VACUUM.  Its row
 * count becomes rowsMoved (KeepShellStatistics); when nothing moved, its
 * statistics stay as they were.  Works on
 * the relation directly, not through TRUNCATE, whose utility hook would
 * send it to the shards.  The caller holds AccessExclusiveLock on rel.
 */
static void
TruncateShellStorage(Relation rel, double rowsMoved)
{
	Oid			toastRelid = rel->rd_rel->reltoastrelid;
	ReindexParams reindexParams = {0};
	BlockNumber pages = RelationGetNumberOfBlocks(rel);
	double		rows = rowsMoved;

	/* nothing moved: the statistics stay as they were (maybe none, -1) */
	if (rowsMoved == 0)
	{
		pages = (BlockNumber) rel->rd_rel->relpages;
		rows = rel->rd_rel->reltuples;
	}

	/* the table AM also makes the init fork of an unlogged table */
	RelationSetNewRelfilenode(rel, rel->rd_rel->relpersistence);
	if (OidIsValid(toastRelid))
	{
		Relation	toastRel = table_open(toastRelid, AccessExclusiveLock);

		RelationSetNewRelfilenode(toastRel, toastRel->rd_rel->relpersistence);
		table_close(toastRel, NoLock);
	}
	/* the indexes, the TOAST index included, are rebuilt empty */
	(void) reindex_relation(RelationGetRelid(rel), REINDEX_REL_PROCESS_TOAST,
							&reindexParams);
	CommandCounterIncrement();

	/* after the rebuilt indexes counted the empty heap */
	KeepShellStatistics(RelationGetRelid(rel), pages, rows);
}

/*
 * CreateShards creates every placement of every shard of rel on its node,
 * in remote transactions that commit with the coordinator's (two-phase
 * commit, since the coordinator's catalog changed too).
 */
static void
CreateShards(Relation rel, DistTableEntry *table)
{
	char	   *schemaName = get_namespace_name(RelationGetNamespace(rel));
	char	   *createSchema = psprintf("CREATE SCHEMA IF NOT EXISTS %s;",
										quote_identifier(schemaName));
	List	   *schemaNodes = NIL;
	List	   *missingSchemaNodes;
	List	   *tasks = NIL;
	ListCell   *lc;
	int			i;

	PushEmptySearchPath();
	PG_TRY();
	{
		for (i = 0; i < table->shardCount; i++)
		{
			List	   *commands = ShardDefinitionCommands(rel, table, i);
			StringInfoData sql;

			initStringInfo(&sql);
			foreach(lc, commands)
				appendStringInfo(&sql, "%s%s", sql.len > 0 ? ";" : "", (char *) lfirst(lc));
			tasks = AppendPlacementTasks(tasks, table, i, sql.data);
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();

	/* the schema, once per node that lacks it */
	missingSchemaNodes = CheckShardOwnerOnNodes(rel, tasks);
	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);

		if (list_member_int(missingSchemaNodes, task->nodeId) &&
			!list_member_int(schemaNodes, task->nodeId))
		{
			task->sql = psprintf("%s%s", createSchema, task->sql);
			schemaNodes = lappend_int(schemaNodes, task->nodeId);
		}
	}

	RequireTwoPhaseCommit();
	RunWriteTasks(tasks);
}

/*
 * shard_create_distributed_table hash-distributes a table over the
 * primary nodes.  Requires ownership of the table.
 */
Datum
shard_create_distributed_table(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *columnName;
	int			shardCount;
	char	   *colocateWith;
	Relation	rel;
	AttrNumber	distAttno;
	TypeCacheEntry *typentry;
	int			colocationId;
	Oid			existingRelid;
	DistTableEntry *table;
	ListCell   *lc;

	(void) ShardSchemaOid();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table_name and distribution_column must not be null")));
	relid = PG_GETARG_OID(0);
	columnName = text_to_cstring(PG_GETARG_TEXT_PP(1));
	colocateWith = PG_ARGISNULL(3) ? "default" : text_to_cstring(PG_GETARG_TEXT_PP(3));
	shardCount = PG_ARGISNULL(2) ? ShardCount : PG_GETARG_INT32(2);
	if (PG_ARGISNULL(2) && strcmp(colocateWith, "default") != 0 &&
		strcmp(colocateWith, "none") != 0)
	{
		/* follow the table to co-locate with */
		Oid			otherRelid = LookupColocateWithTable(colocateWith);
		DistTableEntry *other = LookupDistTable(otherRelid);

		if (other != NULL)
			shardCount = other->shardCount;
	}

	rel = OpenOwnedTable(relid, AccessExclusiveLock);
	if (shardCount < 1 || shardCount > 64000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shard_count must be between 1 and 64000, not %d", shardCount)));

	distAttno = get_attnum(relid, columnName);
	if (distAttno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table \"%s\" does not exist",
						columnName, RelationGetRelationName(rel))));
	if (distAttno < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("system column \"%s\" cannot be a distribution column", columnName)));
	typentry = lookup_type_cache(TupleDescAttr(RelationGetDescr(rel), distAttno - 1)->atttypid,
								 TYPECACHE_HASH_PROC);
	if (!OidIsValid(typentry->hash_proc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("column \"%s\" of table \"%s\" has type %s, which has no hash function",
						columnName, RelationGetRelationName(rel),
						format_type_be(typentry->type_id)),
				 errhint("Distribute by a column of a type with a default hash operator class.")));
	ValidateTable(rel, distAttno);

	/* catalog rows */
	SPI_connect();
	colocationId = ChooseColocationGroup(rel, distAttno, shardCount, colocateWith,
										 &existingRelid);
	RecordShards(relid, distAttno, colocationId, shardCount, existingRelid);
	SPI_finish();
	InvalidateDistTable(relid);
	CommandCounterIncrement();

	table = LookupDistTable(relid);
	if (table == NULL)
		elog(ERROR, "table \"%s\" was not recorded as distributed", RelationGetRelationName(rel));

	foreach(lc, ForeignKeysOf(relid))
		CheckForeignKeyActions(lfirst_oid(lc));
	CreateShards(rel, table);
	MoveRowsToShards(rel);
	AddShardForeignKeys(relid);

	table_close(rel, NoLock);
	PG_RETURN_VOID();
}

/*
 * shard_create_reference_table makes a table a reference table: one shard
 * with a placement (a full copy) on every active primary node, in the
 * co-location group of all reference tables.  Its rows move to every copy
 * in the caller's transaction.  Requires ownership of the table.
 */
Datum
shard_create_reference_table(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Relation	rel;
	DistTableEntry *table;
	List	   *nodes;
	ListCell   *lc;
	int			colocationId = 0;
	bool		isnull;
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2];

	(void) ShardSchemaOid();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table_name must not be null")));
	relid = PG_GETARG_OID(0);
	rel = OpenOwnedTable(relid, AccessExclusiveLock);
	ValidateTable(rel, InvalidAttrNumber);
	nodes = ActiveNodeList(true);
	if (nodes == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("there are no worker nodes to place shards on"),
				 errhint("Add nodes with shard.add_node(host, port).")));

	SPI_connect();
	if (SPI_execute("SELECT colocation_id FROM shard.dist_colocation"
					" WHERE shard_count = 1 AND dist_type IS NULL ORDER BY colocation_id LIMIT 1",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_colocation");
	if (SPI_processed > 0)
		colocationId = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1, &isnull));
	else
	{
		ExecuteCatalogWrite("INSERT INTO shard.dist_colocation (colocation_id, shard_count)"
							" VALUES (nextval('shard.colocation_id_seq'), 1) RETURNING colocation_id",
							0, NULL, NULL, SPI_OK_INSERT_RETURNING);
		colocationId = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1, &isnull));
	}
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(colocationId);
	ExecuteCatalogWrite("INSERT INTO shard.dist_table VALUES ($1::regclass, 'r', NULL, $2)",
						2, types, values, SPI_OK_INSERT);
	ExecuteCatalogWrite("INSERT INTO shard.dist_shard"
						" VALUES (nextval('shard.shard_id_seq'), $1::regclass, 0,"
						" -2147483648, 2147483647)",
						1, types, values, SPI_OK_INSERT);
	foreach(lc, nodes)
	{
		Oid			placementTypes[2] = {OIDOID, INT4OID};
		Datum		placementValues[2];

		placementValues[0] = ObjectIdGetDatum(relid);
		placementValues[1] = Int32GetDatum(((NodeInfo *) lfirst(lc))->nodeId);
		ExecuteCatalogWrite("INSERT INTO shard.dist_placement"
							" SELECT nextval('shard.placement_id_seq'), shard_id, $2"
							" FROM shard.dist_shard WHERE relid = $1::regclass",
							2, placementTypes, placementValues, SPI_OK_INSERT);
	}
	SPI_finish();
	InvalidateDistTable(relid);
	CommandCounterIncrement();

	table = LookupDistTable(relid);
	if (table == NULL)
		elog(ERROR, "table \"%s\" was not recorded as a reference table", RelationGetRelationName(rel));
	CreateShards(rel, table);
	MoveRowsToShards(rel);
	AddShardForeignKeys(relid);

	table_close(rel, NoLock);
	PG_RETURN_VOID();
}
