/*-------------------------------------------------------------------------
 * table_privileges.c
 *	  Rights of the table functions (create_distributed_table,
 *	  create_reference_table) and of the catalog writes they and the drop
 *	  trigger make.
 *
 * Invariants:
 * - Rights are checked before any lock on a user's table is taken, so that
 *   a user without them cannot queue behind (or hold up) its owner.  A
 *   check that passed is repeated after the lock, as the owner may have
 *   changed while we waited.
 * - A table's owner need not be a superuser.  The catalog tables belong
 *   to the extension owner and stay unwritable by others: every write to
 *   them by a user-reachable path goes through ExecuteCatalogWrite, which
 *   runs one fixed statement (values only as parameters) as the extension
 *   owner, in a security-restricted operation with only pg_catalog on the
 *   search path, and switches back at once.  Callers check the user's
 *   rights on the table first; nothing else runs with the owner's rights.
 * - Shards belong to the table's owner on the nodes, whoever created
 *   them: the role must exist there, with CREATE on the schema (checked on
 *   every node before anything is created).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "commands/ddl_propagation.h"
#include "commands/table_privileges.h"
#include "connection/connection.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

static void CheckSelectForColocation(const RangeVar *relation, Oid relid,
									 Oid oldRelid, void *arg);
static Oid	ShardExtensionOwner(void);
static bool CheckShardOwnerOnNode(int nodeId, const char *roleName,
								  const char *schemaName, Relation rel);

/*
 * CheckTableOwner throws unless the current user owns relid (or it does
 * not exist).  Takes no lock.
 */
void
CheckTableOwner(Oid relid)
{
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
}

/*
 * OpenOwnedTable opens relid with lockmode after checking that the current
 * user owns it, so that others fail without waiting for or taking the
 * lock.  The caller closes the relation.
 */
Relation
OpenOwnedTable(Oid relid, LOCKMODE lockmode)
{
	Relation	rel;

	CheckTableOwner(relid);
	LockRelationOid(relid, lockmode);
	rel = try_relation_open(relid, NoLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	CheckTableOwner(relid);
	return rel;
}

/*
 * CheckSelectForColocation is the RangeVarGetRelidExtended callback of
 * LookupColocateWithTable: co-locating with a table locks it in ACCESS
 * SHARE mode, which needs SELECT as LOCK TABLE does.
 */
static void
CheckSelectForColocation(const RangeVar *relation, Oid relid, Oid oldRelid, void *arg)
{
	if (!OidIsValid(relid))
		return;
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(get_rel_relkind(relid)),
					   relation->relname);
}

/*
 * LookupColocateWithTable returns the relid of the table named in
 * colocate_with, locked in ACCESS SHARE mode once the current user is
 * known to have SELECT on it.  Throws if it does not exist.
 */
Oid
LookupColocateWithTable(const char *name)
{
	RangeVar   *relation = makeRangeVarFromNameList(stringToQualifiedNameList(name));

	return RangeVarGetRelidExtended(relation, AccessShareLock, 0,
									CheckSelectForColocation, NULL);
}

/*
 * ShardExtensionOwner returns the role that created the extension, which
 * owns its catalog tables and sequences.
 */
static Oid
ShardExtensionOwner(void)
{
	Oid			extensionOid = get_extension_oid("shard", false);
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			owner;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extensionOid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "extension shard has no pg_extension row");
	owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * ExecuteCatalogWrite runs one statement that writes the catalog tables
 * (or their sequences) through SPI as the extension owner, and throws
 * unless SPI returns expectedResult.  SPI must be connected; SPI_tuptable
 * and SPI_processed hold the statement's result.  The statement must be
 * fixed text: values come only as parameters.  Callers have checked the
 * user's rights on the table the rows describe.
 */
void
ExecuteCatalogWrite(const char *sql, int nargs, Oid *argTypes, Datum *values,
					int expectedResult)
{
	Oid			savedUserId;
	int			savedSecContext;
	int			result;

	GetUserIdAndSecContext(&savedUserId, &savedSecContext);
	SetUserIdAndSecContext(ShardExtensionOwner(),
						   savedSecContext | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	/* no function or operator of the user's search path may run here */
	PushEmptySearchPath();
	result = SPI_execute_with_args(sql, nargs, argTypes, values, NULL, false, 0);
	PopOverrideSearchPath();
	SetUserIdAndSecContext(savedUserId, savedSecContext);
	if (result != expectedResult)
		elog(ERROR, "could not run \"%s\": SPI result %d", sql, result);
}

/*
 * CheckShardOwnerOnNode throws unless role roleName (owner of rel) exists
 * on the node and has CREATE on schemaName there, when the schema exists.
 * Returns whether it exists.  When it does not, the current user creates
 * it, which gives the owner CREATE only if the owner is the current user.
 */
static bool
CheckShardOwnerOnNode(int nodeId, const char *roleName, const char *schemaName,
					  Relation rel)
{
	NodeInfo   *node = LookupNode(nodeId, false);
	NodeConnection *conn = ConnectionForNode(nodeId);
	char	   *sql;
	PGresult   *res;
	bool		roleExists;
	bool		schemaExists;
	bool		mayCreate;

	sql = psprintf("SELECT r IS NOT NULL, n IS NOT NULL,"
				   " pg_catalog.has_schema_privilege(r, n, 'CREATE') IS TRUE"
				   " FROM (SELECT (SELECT oid FROM pg_catalog.pg_roles"
				   " WHERE rolname OPERATOR(pg_catalog.=) %s) AS r,"
				   " (SELECT oid FROM pg_catalog.pg_namespace"
				   " WHERE nspname OPERATOR(pg_catalog.=) %s) AS n) AS s",
				   quote_literal_cstr(roleName), quote_literal_cstr(schemaName));
	RunRemotePrefix(conn, false);
	res = ExecuteRemoteCommand(conn, sql, PGRES_TUPLES_OK);
	if (res == NULL || PQntuples(res) != 1)
	{
		if (res != NULL)
			PQclear(res);
		elog(ERROR, "unexpected answer from node %s:%d", node->host, node->port);
	}
	roleExists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	schemaExists = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	mayCreate = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	PQclear(res);

	if (!roleExists)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" that owns table \"%s\" does not exist on node %s:%d",
						roleName, RelationGetRelationName(rel), node->host, node->port),
				 errdetail("Shards belong to the owner of their table on the nodes."),
				 errhint("Create the role on every node, with CREATE on schema \"%s\".",
						 schemaName)));
	if (schemaExists && !mayCreate)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" that owns table \"%s\" has no CREATE privilege on schema \"%s\" on node %s:%d",
						roleName, RelationGetRelationName(rel), schemaName,
						node->host, node->port),
				 errhint("Run GRANT CREATE ON SCHEMA %s TO %s on that node.",
						 quote_identifier(schemaName), quote_identifier(roleName))));
	if (!schemaExists && rel->rd_rel->relowner != GetUserId())
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" does not exist on node %s:%d",
						schemaName, node->host, node->port),
				 errdetail("Role \"%s\" that owns table \"%s\" would have no CREATE privilege on a schema created by role \"%s\".",
						   roleName, RelationGetRelationName(rel),
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Create the schema on that node and grant CREATE on it to role \"%s\".",
						 roleName)));
	return schemaExists;
}

/*
 * CheckShardOwnerOnNodes checks, on every node of tasks, that the owner of
 * rel may own its shards there (see CheckShardOwnerOnNode), before
 * anything is created.  Returns the ids of the nodes where rel's schema
 * does not exist yet (the caller creates it).
 */
List *
CheckShardOwnerOnNodes(Relation rel, List *tasks)
{
	char	   *roleName = GetUserNameFromId(rel->rd_rel->relowner, false);
	char	   *schemaName = get_namespace_name(RelationGetNamespace(rel));
	List	   *checked = NIL;
	List	   *missingSchema = NIL;
	ListCell   *lc;

	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);

		if (list_member_int(checked, task->nodeId))
			continue;
		checked = lappend_int(checked, task->nodeId);
		if (!CheckShardOwnerOnNode(task->nodeId, roleName, schemaName, rel))
			missingSchema = lappend_int(missingSchema, task->nodeId);
	}
	return missingSchema;
}

/*
 * ShardOwnerCommand returns the command that gives a shard of rel to rel's
 * owner (a no-op when the owner created it).
 */
char *
ShardOwnerCommand(Relation rel, const char *shardName)
{
	return psprintf("ALTER TABLE %s OWNER TO %s", shardName,
					quote_identifier(GetUserNameFromId(rel->rd_rel->relowner, false)));
}
