/*-------------------------------------------------------------------------
 * remote_error_names.c
 *	  Renames the shard objects that a worker's error names (table
 *	  "t_102008", constraint or index "t_pkey_102008", the referenced shard
 *	  of a foreign key) to the coordinator's objects, so that the error
 *	  reads, and fills its fields, as on one server.
 *
 * Installed as connection/'s RemoteErrorNamesHook.  Names are mapped from
 * the error's fields and the catalog, never by guessing from text:
 * - the table field must name a shard table <rel>_<shardid> of a shard that
 *	 dist_shard knows, in the distributed table's schema;
 * - the constraint field must be the shard name of one of that table's
 *	 constraints or indexes (ShardObjectName for indexes and PRIMARY KEY,
 *	 UNIQUE and EXCLUDE constraints; the same name for CHECK and FOREIGN
 *	 KEY, see ddl_propagation.c);
 * - a foreign key's referenced shard is the one its shard constraint
 *	 references (same shard index, or the reference table's shard).
 * Only those exact names, double-quoted, are replaced in the text.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "commands/ddl_propagation.h"
#include "commands/remote_error_names.h"
#include "connection/remote_error.h"
#include "metadata/metadata.h"

static bool ParseShardId(const char *shardTable, int64 *shardId);
static int	ShardIndexOfId(DistTableEntry *table, int64 shardId);
static char *ConstraintOfShardName(Oid relid, const char *shardObject, int64 shardId,
								   Oid *referencedRelid);
static char *IndexOfShardName(Oid relid, const char *shardObject, int64 shardId);
static void RenameReferencedShard(RemoteError *err, Oid referencedRelid, int shardIndex);

/*
 * ParseShardId reads the shard id after the last '_' of a shard table name;
 * false when the name does not end in _<digits>.
 */
static bool
ParseShardId(const char *shardTable, int64 *shardId)
{
	const char *underscore = strrchr(shardTable, '_');
	const char *digit;

	if (underscore == NULL || underscore[1] == '\0' || strlen(underscore + 1) > 18)
		return false;
	for (digit = underscore + 1; *digit != '\0'; digit++)
		if (!isdigit((unsigned char) *digit))
			return false;
	*shardId = strtoi64(underscore + 1, NULL, 10);
	return true;
}

/*
 * ShardIndexOfId returns the index of shardId among table's shards, or -1.
 */
static int
ShardIndexOfId(DistTableEntry *table, int64 shardId)
{
	int			i;

	for (i = 0; i < table->shardCount; i++)
		if (table->shards[i].shardId == shardId)
			return i;
	return -1;
}

/*
 * ConstraintOfShardName returns the name (palloc'd) of the constraint of
 * relid whose shard shardId calls it shardObject, or NULL.  For a foreign
 * key, *referencedRelid is set to the table it references.
 */
static char *
ConstraintOfShardName(Oid relid, const char *shardObject, int64 shardId,
					  Oid *referencedRelid)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key[1];
	SysScanDesc scan;
	HeapTuple	tuple;
	char	   *found = NULL;

	ScanKeyInit(&key[0], Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, key);
	while (found == NULL && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		const char *name = NameStr(con->conname);
		bool		suffixed = (con->contype == CONSTRAINT_PRIMARY ||
								con->contype == CONSTRAINT_UNIQUE ||
								con->contype == CONSTRAINT_EXCLUSION);

		if (strcmp(suffixed ? ShardObjectName(name, shardId) : name, shardObject) != 0)
			continue;
		found = pstrdup(name);
		if (con->contype == CONSTRAINT_FOREIGN)
			*referencedRelid = con->confrelid;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * IndexOfShardName returns the name (palloc'd) of the index of relid whose
 * shard shardId calls it shardObject, or NULL.
 */
static char *
IndexOfShardName(Oid relid, const char *shardObject, int64 shardId)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	char	   *found = NULL;

	table_close(rel, AccessShareLock);
	foreach(lc, indexes)
	{
		char	   *name = get_rel_name(lfirst_oid(lc));

		if (name != NULL && strcmp(ShardObjectName(name, shardId), shardObject) == 0)
		{
			found = name;
			break;
		}
	}
	list_free(indexes);
	return found;
}

/*
 * RenameReferencedShard replaces the name of the shard that a shard's
 * foreign key references (same shard index of a co-located table, or the
 * reference table's only shard) by the referenced table's name.
 */
static void
RenameReferencedShard(RemoteError *err, Oid referencedRelid, int shardIndex)
{
	DistTableEntry *ref = LookupDistTable(referencedRelid);
	int			refIndex;

	if (ref == NULL)
		return;
	refIndex = ref->method == DIST_METHOD_HASH ? shardIndex : 0;
	if (refIndex >= ref->shardCount)
		return;
	ReplaceQuotedName(err, ShardTableName(ref->relName, ref->shards[refIndex].shardId),
					  pstrdup(ref->relName));
}

/*
 * RenameShardObjectsInError: see remote_error_names.h.  Leaves err alone
 * when its table field does not name a shard that the catalog knows.
 */
void
RenameShardObjectsInError(RemoteError *err)
{
	DistTableEntry *table;
	int64		shardId;
	int			shardIndex;
	Oid			relid;
	Oid			referencedRelid = InvalidOid;
	char	   *relName;

	if (err->schemaName == NULL || err->tableName == NULL ||
		!ParseShardId(err->tableName, &shardId))
		return;
	relid = DistTableOfShard(shardId);
	table = OidIsValid(relid) ? LookupDistTable(relid) : NULL;
	if (table == NULL)
		return;
	shardIndex = ShardIndexOfId(table, shardId);
	if (shardIndex < 0 || strcmp(table->schemaName, err->schemaName) != 0 ||
		strcmp(ShardTableName(table->relName, shardId), err->tableName) != 0)
		return;
	/* copied: the catalog reads below may process invalidations */
	relName = pstrdup(table->relName);

	if (err->constraintName != NULL)
	{
		char	   *name = ConstraintOfShardName(relid, err->constraintName, shardId,
												 &referencedRelid);

		if (name == NULL)
			name = IndexOfShardName(relid, err->constraintName, shardId);
		if (name != NULL)
		{
			ReplaceQuotedName(err, err->constraintName, name);
			err->constraintName = name;
		}
	}
	ReplaceQuotedName(err, err->tableName, relName);
	err->tableName = relName;
	if (OidIsValid(referencedRelid))
		RenameReferencedShard(err, referencedRelid, shardIndex);
}
