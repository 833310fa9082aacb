/*-------------------------------------------------------------------------
 * reference_table_copy.c
 *	  Copies every reference table to a primary node being added, so that
 *	  every primary keeps holding a full copy of each reference table.
 *
 * Runs inside shard.add_node's transaction: the shard tables are created
 * on the new node (the same definition create_reference_table ships), the
 * rows are streamed from the first existing copy with COPY TO STDOUT into
 * COPY FROM STDIN on the new node through this backend, foreign keys
 * between reference tables are added once every copy is filled, and the
 * placements are recorded; the remote transactions commit with the
 * coordinator's (two-phase commit).  Writers are held off for the copy by
 * an ExclusiveLock on every reference table's shell (reads go on): a
 * write either committed before the copy (so the copy has it) or runs
 * after add_node committed (so it sees the new placement and writes the
 * new copy too).  Shells are locked in relid order.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/wait_event.h"

#include "commands/create_distributed_table.h"
#include "commands/ddl_propagation.h"
#include "commands/reference_table_copy.h"
#include "connection/connection.h"
#include "executor/task_execution.h"
#include "metadata/foreign_keys.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

static List *ReferenceTableRelids(void);
static char *CopyColumnList(Relation rel);
static void CopyRows(const char *shardName, const char *columns, int sourceNodeId,
					 int targetNodeId);
static void WaitForCopyData(NodeConnection *conn);
static void FinishCopyCommand(NodeConnection *conn, const char *sql);
static void RunOnNode(int nodeId, const char *sql);

/*
 * ReferenceTableRelids returns the relids of every reference table, in
 * ascending order (the lock order).
 */
static List *
ReferenceTableRelids(void)
{
	List	   *relids = NIL;
	MemoryContext callerContext = CurrentMemoryContext;
	uint64		i;

	SPI_connect();
	if (SPI_execute("SELECT relid::oid FROM shard.dist_table WHERE method = 'r' ORDER BY 1",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shard.dist_table");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		relid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext oldContext = MemoryContextSwitchTo(callerContext);

		relids = lappend_oid(relids, DatumGetObjectId(relid));
		MemoryContextSwitchTo(oldContext);
	}
	SPI_finish();
	return relids;
}

/*
 * CopyColumnList returns "(a, b, ...)": the columns of rel, as COPY
 * lists them on both copies.
 */
static char *
CopyColumnList(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped)
			continue;
		appendStringInfo(&buf, "%s%s", buf.len > 1 ? ", " : "",
						 quote_identifier(NameStr(attr->attname)));
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * RunOnNode runs sql on the node in the coordinator's remote transaction.
 * Throws the node's error.
 */
static void
RunOnNode(int nodeId, const char *sql)
{
	Task	   *task = palloc0(sizeof(Task));

	task->nodeId = nodeId;
	task->sql = pstrdup(sql);
	RunWriteTasks(list_make1(task));
}

/*
 * WaitForCopyData waits, interruptibly, until conn's socket has data, and
 * reads it into libpq.  Throws on connection loss, and when the node is
 * silent for shard.node_timeout and then does not answer a probe.
 */
static void
WaitForCopyData(NodeConnection *conn)
{
	int			rc;

	rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE |
						   WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   PQsocket(conn->conn), NodeTimeout, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
		ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	if (rc & WL_TIMEOUT)
	{
		CheckNodeAnswers(conn);
		return;
	}
	if (!PQconsumeInput(conn->conn))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not read from node %s:%d: %s", conn->host, conn->port,
						pchomp(PQerrorMessage(conn->conn)))));
}

/*
 * FinishCopyCommand reads the results of the COPY command sql on conn to
 * the end.  Throws the node's error.
 */
static void
FinishCopyCommand(NodeConnection *conn, const char *sql)
{
	PGresult   *res;

	while ((res = GetRemoteResult(conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			ReportRemoteError(ERROR, res, conn, sql);
		PQclear(res);
	}
}

/*
 * CopyRows streams the rows of the shard table shardName from its copy on
 * sourceNodeId into the empty one on targetNodeId, in binary format, in
 * the coordinator's remote transactions.  Throws node errors.
 */
static void
CopyRows(const char *shardName, const char *columns, int sourceNodeId, int targetNodeId)
{
	NodeConnection *source = ConnectionForNode(sourceNodeId);
	NodeConnection *target = ConnectionForNode(targetNodeId);
	char	   *copyOut = psprintf("COPY %s %s TO STDOUT (FORMAT binary)", shardName, columns);
	char	   *copyIn = psprintf("COPY %s %s FROM STDIN (FORMAT binary)", shardName, columns);
	PGresult   *res;

	RunRemotePrefix(source, true);
	RunRemotePrefix(target, true);
	MarkRemoteWrite(target);

	SendRemoteCommand(target, copyIn);
	res = GetRemoteResult(target);
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN)
		ReportRemoteError(ERROR, res, target, copyIn);
	PQclear(res);

	SendRemoteCommand(source, copyOut);
	res = GetRemoteResult(source);
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT)
		ReportRemoteError(ERROR, res, source, copyOut);
	PQclear(res);

	for (;;)
	{
		char	   *buffer = NULL;
		int			length = PQgetCopyData(source->conn, &buffer, 1);

		if (length > 0)
		{
			int			sent = PQputCopyData(target->conn, buffer, length);

			PQfreemem(buffer);
			if (sent != 1)
				ereport(ERROR,
						(errcode(ERRCODE_CONNECTION_FAILURE),
						 errmsg("could not send rows of \"%s\" to node %s:%d: %s", shardName,
								target->host, target->port,
								pchomp(PQerrorMessage(target->conn)))));
			continue;
		}
		if (length == -1)
			break;
		if (length == -2)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("could not read rows of \"%s\" from node %s:%d: %s", shardName,
							source->host, source->port,
							pchomp(PQerrorMessage(source->conn)))));
		WaitForCopyData(source);
	}
	FinishCopyCommand(source, copyOut);

	if (PQputCopyEnd(target->conn, NULL) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not send rows of \"%s\" to node %s:%d: %s", shardName,
						target->host, target->port, pchomp(PQerrorMessage(target->conn)))));
	FinishCopyCommand(target, copyIn);
}

/*
 * CopyReferenceTablesToNode gives the primary node nodeId, registered in
 * this transaction, a copy of every reference table: shard table, rows,
 * indexes and constraints, foreign keys between reference tables, and
 * placement rows.  Takes ExclusiveLock on every reference table's shell
 * until the end of the transaction.  Throws node errors (the whole
 * add_node then rolls back everywhere).
 */
void
CopyReferenceTablesToNode(int nodeId)
{
	List	   *relids = ReferenceTableRelids();
	List	   *schemas = NIL;
	StringInfoData create;
	StringInfoData foreignKeys;
	ListCell   *lc;

	if (relids == NIL)
		return;

	foreach(lc, relids)
		LockRelationOid(lfirst_oid(lc), ExclusiveLock);
	CommandCounterIncrement();

	/* definitions, with an empty search path so names are qualified */
	initStringInfo(&create);
	initStringInfo(&foreignKeys);
	PushEmptySearchPath();
	PG_TRY();
	{
		foreach(lc, relids)
		{
			Oid			relid = lfirst_oid(lc);
			Relation	rel = table_open(relid, NoLock);
			DistTableEntry *table = LookupDistTable(relid);
			char	   *schemaName = get_namespace_name(RelationGetNamespace(rel));
			char	   *shardName = ShardRelationName(table, 0);
			Relation	conRel;
			SysScanDesc scan;
			ScanKeyData key;
			HeapTuple	tuple;
			ListCell   *cc;

			if (!list_member(schemas, makeString(schemaName)))
			{
				schemas = lappend(schemas, makeString(schemaName));
				appendStringInfo(&create, "CREATE SCHEMA IF NOT EXISTS %s;",
								 quote_identifier(schemaName));
			}
			foreach(cc, ShardDefinitionCommands(rel, table, 0))
				appendStringInfo(&create, "%s;", (char *) lfirst(cc));

			/* foreign keys of reference tables reference reference tables */
			conRel = table_open(ConstraintRelationId, AccessShareLock);
			ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(relid));
			scan = systable_beginscan(conRel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
			while (HeapTupleIsValid(tuple = systable_getnext(scan)))
			{
				Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

				if (con->contype == CONSTRAINT_FOREIGN && ForeignKeyInShards(con->oid))
					appendStringInfo(&foreignKeys, "ALTER TABLE %s ADD %s;", shardName,
									 ShardConstraintDefinition(con->oid, table, 0));
			}
			systable_endscan(scan);
			table_close(conRel, AccessShareLock);
			table_close(rel, NoLock);
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();

	RequireTwoPhaseCommit();
	RunOnNode(nodeId, create.data);

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		Relation	rel = table_open(relid, NoLock);
		DistTableEntry *table = LookupDistTable(relid);

		if (table->shards[0].placementCount == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("reference table \"%s\" has no copy to copy from",
							RelationGetRelationName(rel))));
		CopyRows(ShardRelationName(table, 0), CopyColumnList(rel), table->shards[0].nodeId,
				 nodeId);
		table_close(rel, NoLock);
	}
	if (foreignKeys.len > 0)
		RunOnNode(nodeId, foreignKeys.data);

	/* the new copy is a placement: writes from now on reach it too */
	SPI_connect();
	foreach(lc, relids)
	{
		Oid			types[2] = {OIDOID, INT4OID};
		Datum		values[2] = {ObjectIdGetDatum(lfirst_oid(lc)), Int32GetDatum(nodeId)};

		if (SPI_execute_with_args("INSERT INTO shard.dist_placement"
								  " SELECT nextval('shard.placement_id_seq'), shard_id, $2"
								  " FROM shard.dist_shard WHERE relid = $1::regclass",
								  2, types, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert into shard.dist_placement");
	}
	SPI_finish();
	foreach(lc, relids)
		InvalidateDistTable(lfirst_oid(lc));
	CommandCounterIncrement();
}
