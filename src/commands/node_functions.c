/*-------------------------------------------------------------------------
 * node_functions.c
 *	  shard.add_node and shard.remove_node.
 *
 * A node is checked before it is registered: it must answer, run
 * PostgreSQL 15 or later, be a different server than the coordinator and
 * than every registered node (whatever name reaches it: its identity is
 * its system identifier, port and postmaster start time, see
 * transaction/node_stats.h), and have a database of the coordinator's
 * name with the same encoding and collation (so that comparisons and sort
 * orders agree).  A secondary must be a hot standby streaming from its
 * primary (node_roles.c); it holds no placements.  A new primary
 * gets a copy of every reference table in the same transaction
 * (reference_table_copy.c).  Only superusers manage nodes.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "commands/node_roles.h"
#include "commands/reference_table_copy.h"
#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_stats.h"

PG_FUNCTION_INFO_V1(shard_add_node);
PG_FUNCTION_INFO_V1(shard_remove_node);

static void CheckNodeCompatible(NodeConnection *conn, NodeIdentity *identity,
								const char *host, int port);
static int64 SpiCount(const char *sql, Oid argType, Datum arg);
static bool SameInstant(const char *a, const char *b);
static void CheckNotRegistered(NodeIdentity *identity, const char *host, int port);
static void ProbeStartTime(void *arg);

/* a registered node that may be the server being added */
typedef struct IdentityProbe
{
	int			nodeId;
	char	   *host;
	int			port;
	char	   *startedAt;		/* stored, then as the node answers */
} IdentityProbe;

/*
 * SpiCount runs a query returning one bigint with one argument; SPI must
 * be connected.
 */
static int64
SpiCount(const char *sql, Oid argType, Datum arg)
{
	bool		isnull;

	if (SPI_execute_with_args(sql, 1, &argType, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not run \"%s\"", sql);
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * CheckNodeCompatible throws unless the node behind conn (which says it is
 * identity) can hold shards of this coordinator.
 */
static void
CheckNodeCompatible(NodeConnection *conn, NodeIdentity *identity,
					const char *host, int port)
{
	PGresult   *res;
	int			version;
	char		ownSystemId[32];
	const char *encoding;
	const char *collate;
	const char *ctype;
	HeapTuple	dbTuple;
	Form_pg_database dbForm;
	bool		isnull;
	char	   *ownCollate;
	char	   *ownCtype;

	res = ExecuteRemoteCommand(conn,
							   "SELECT current_setting('server_version_num')::int,"
							   " pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype"
							   " FROM pg_catalog.pg_database WHERE datname = current_database()",
							   PGRES_TUPLES_OK);
	version = atoi(PQgetvalue(res, 0, 0));
	encoding = pstrdup(PQgetvalue(res, 0, 1));
	collate = pstrdup(PQgetvalue(res, 0, 2));
	ctype = pstrdup(PQgetvalue(res, 0, 3));
	PQclear(res);

	if (version < 150000)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("node %s:%d runs PostgreSQL %d, shard needs 15 or later", host, port, version)));

	snprintf(ownSystemId, sizeof(ownSystemId), UINT64_FORMAT, GetSystemIdentifier());
	if (strcmp(identity->systemIdentifier, ownSystemId) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("node %s:%d is the coordinator itself", host, port),
				 errhint("Add worker servers, not the server running shard.")));

	if (strcmp(encoding, GetDatabaseEncodingName()) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("database on node %s:%d has encoding %s, the coordinator's has %s",
						host, port, encoding, GetDatabaseEncodingName()),
				 errhint("Create the database on the node with the coordinator's encoding.")));

	dbTuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	if (!HeapTupleIsValid(dbTuple))
		elog(ERROR, "cache lookup failed for database %u", MyDatabaseId);
	dbForm = (Form_pg_database) GETSTRUCT(dbTuple);
	ownCollate = TextDatumGetCString(SysCacheGetAttr(DATABASEOID, dbTuple,
													 Anum_pg_database_datcollate, &isnull));
	ownCtype = TextDatumGetCString(SysCacheGetAttr(DATABASEOID, dbTuple,
												   Anum_pg_database_datctype, &isnull));
	(void) dbForm;
	ReleaseSysCache(dbTuple);
	if (strcmp(collate, ownCollate) != 0 || strcmp(ctype, ownCtype) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("database on node %s:%d has collation %s/%s, the coordinator's has %s/%s",
						host, port, collate, ctype, ownCollate, ownCtype),
				 errdetail("Text would compare and sort differently on the node."),
				 errhint("Create the database on the node with LC_COLLATE and LC_CTYPE of the coordinator's.")));
}

/*
 * SameInstant tells whether two timestamptz texts are the same time.
 */
static bool
SameInstant(const char *a, const char *b)
{
	Datum		ta = DirectFunctionCall3(timestamptz_in, CStringGetDatum(a),
										 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	Datum		tb = DirectFunctionCall3(timestamptz_in, CStringGetDatum(b),
										 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));

	return DatumGetTimestampTz(ta) == DatumGetTimestampTz(tb);
}

/*
 * ProbeStartTime (a TryFunction) replaces probe->startedAt by the start
 * time the node answers with now.  Throws when it does not answer.
 */
static void
ProbeStartTime(void *arg)
{
	IdentityProbe *probe = (IdentityProbe *) arg;
	NodeConnection *conn = GetNodeSideConnection(probe->nodeId, probe->host, probe->port);

	probe->startedAt = FetchNodeIdentity(conn)->startedAt;
	CloseNodeConnection(conn);
}

/*
 * CheckNotRegistered throws when the server with identity (reached as
 * host:port) is already a node under another name.  Registered nodes with
 * its system identifier and port are the candidates; a standby has its
 * primary's system identifier but started at another time.  A candidate
 * whose stored start time differs (it restarted since) is asked again; one
 * that does not answer is not the server that just did.  SPI must be
 * connected.
 */
static void
CheckNotRegistered(NodeIdentity *identity, const char *host, int port)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(identity->systemIdentifier),
	Int32GetDatum(identity->serverPort)};
	List	   *probes = NIL;
	ListCell   *lc;
	uint64		i;

	if (SPI_execute_with_args("SELECT node_id, host, port, server_started_at::text"
							  " FROM shard.dist_node"
							  " WHERE system_identifier = $1::bigint AND server_port = $2"
							  " ORDER BY node_id",
							  2, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_node");
	for (i = 0; i < SPI_processed; i++)
	{
		IdentityProbe *probe = palloc0(sizeof(IdentityProbe));
		bool		isnull;

		probe->nodeId = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 1, &isnull));
		probe->host = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		probe->port = atoi(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
		probe->startedAt = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4);
		probes = lappend(probes, probe);
	}

	foreach(lc, probes)
	{
		IdentityProbe *probe = (IdentityProbe *) lfirst(lc);
		ErrorData  *edata = NULL;

		if (probe->startedAt == NULL || !SameInstant(probe->startedAt, identity->startedAt))
			edata = TryInSubTransaction(ProbeStartTime, probe);
		if (edata != NULL)
		{
			FreeErrorData(edata);
			continue;
		}
		if (SameInstant(probe->startedAt, identity->startedAt))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("node %s:%d is already registered as node %d (%s:%d)",
							host, port, probe->nodeId, probe->host, probe->port),
					 errdetail("Both names reach the server with system identifier %s"
							   " on port %d, started at %s.",
							   identity->systemIdentifier, identity->serverPort,
							   identity->startedAt)));
	}
}

/*
 * shard_add_node registers a worker node after checking it, and returns
 * its node id.  Superuser only.
 */
Datum
shard_add_node(PG_FUNCTION_ARGS)
{
	char	   *host;
	int			port;
	char	   *role;
	int			primaryId = 0;
	int			nodeId;
	Oid			argTypes[8] = {INT4OID, TEXTOID, INT4OID, TEXTOID, INT4OID,
	TEXTOID, INT4OID, TEXTOID};
	Datum		args[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	NodeConnection *conn;
	NodeIdentity *identity;
	bool		isnull;

	(void) ShardSchemaOid();
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers can add nodes")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("host and port of a node must not be null")));
	host = text_to_cstring(PG_GETARG_TEXT_PP(0));
	port = PG_GETARG_INT32(1);
	role = PG_ARGISNULL(2) ? "primary" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		primaryId = PG_GETARG_INT32(3);

	if (host[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("host of a node must not be empty")));
	if (port <= 0 || port > 65535)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("port %d of node %s is out of range", port, host)));
	if (strcmp(role, "primary") != 0 && strcmp(role, "secondary") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role of node %s:%d must be \"primary\" or \"secondary\", not \"%s\"",
						host, port, role)));
	if (strcmp(role, "secondary") == 0)
	{
		NodeInfo   *primary;

		if (primaryId == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("secondary node %s:%d needs primary_id", host, port),
					 errhint("Pass primary_id => the node id of the primary it replicates.")));
		primary = LookupNode(primaryId, false);
		if (!primary->isPrimary)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("node %d (%s:%d) is not a primary", primaryId,
							primary->host, primary->port),
					 errhint("Pass primary_id => the node id of the primary that %s:%d replicates.",
							 host, port)));
	}
	else if (primaryId != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("primary node %s:%d cannot have primary_id", host, port)));

	SPI_connect();
	{
		Oid			types[2] = {TEXTOID, INT4OID};
		Datum		values[2] = {CStringGetTextDatum(host), Int32GetDatum(port)};

		if (SPI_execute_with_args("SELECT node_id FROM shard.dist_node WHERE host = $1 AND port = $2",
								  2, types, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read shard.dist_node");
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("node %s:%d is already registered as node %d", host, port,
							DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &isnull)))));
	}
	nodeId = (int) SpiCount("SELECT nextval('shard.node_id_seq') + 0 * $1", INT4OID, Int32GetDatum(0));

	/* reach the node before registering it */
	conn = GetNodeConnection(nodeId, host, port);
	identity = FetchNodeIdentity(conn);
	CheckNodeCompatible(conn, identity, host, port);
	if (primaryId != 0)
		CheckStandbyOfPrimary(conn, identity, host, port, primaryId);
	CheckNotRegistered(identity, host, port);

	args[0] = Int32GetDatum(nodeId);
	args[1] = CStringGetTextDatum(host);
	args[2] = Int32GetDatum(port);
	args[3] = CStringGetTextDatum(role);
	args[4] = Int32GetDatum(primaryId);
	if (primaryId == 0)
		nulls[4] = 'n';
	args[5] = CStringGetTextDatum(identity->systemIdentifier);
	args[6] = Int32GetDatum(identity->serverPort);
	args[7] = CStringGetTextDatum(identity->startedAt);
	if (SPI_execute_with_args("INSERT INTO shard.dist_node (node_id, host, port, role, primary_id,"
							  " system_identifier, server_port, server_started_at)"
							  " VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8::timestamptz)",
							  8, argTypes, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert into shard.dist_node");
	SPI_finish();
	CommandCounterIncrement();

	/* every primary holds a copy of each reference table */
	if (primaryId == 0)
		CopyReferenceTablesToNode(nodeId);

	PG_RETURN_INT32(nodeId);
}

/*
 * shard_remove_node unregisters a node that holds no shards and is no
 * secondary's primary (a secondary, which holds none, at any time).
 * Superuser only.
 */
Datum
shard_remove_node(PG_FUNCTION_ARGS)
{
	int			nodeId = PG_GETARG_INT32(0);
	NodeInfo   *node;
	int64		placements;
	int64		secondaries;
	char	   *name;

	(void) ShardSchemaOid();
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers can remove nodes")));
	node = LookupNode(nodeId, false);
	name = psprintf("%s:%d", node->host, node->port);

	SPI_connect();
	placements = SpiCount("SELECT count(*) FROM shard.dist_placement WHERE node_id = $1",
						  INT4OID, Int32GetDatum(nodeId));
	if (placements > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("node %d (%s) still holds " INT64_FORMAT " shards", nodeId, name, placements),
				 errhint("Drop the tables that have shards on it first (SELECT DISTINCT table_name FROM shard.shards WHERE node_id = %d); moving shards to other nodes is not supported yet.",
						 nodeId)));
	secondaries = SpiCount("SELECT count(*) FROM shard.dist_node WHERE primary_id = $1",
						   INT4OID, Int32GetDatum(nodeId));
	if (secondaries > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("node %d (%s) is the primary of " INT64_FORMAT " secondary nodes",
						nodeId, name, secondaries),
				 errhint("Remove its secondaries first.")));
	if (SPI_execute_with_args("DELETE FROM shard.dist_node WHERE node_id = $1", 1,
							  (Oid[]) {INT4OID}, (Datum[]) {Int32GetDatum(nodeId)},
							  NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete from shard.dist_node");
	SPI_finish();

	InvalidateNodeConnections(nodeId);
	PG_RETURN_VOID();
}
