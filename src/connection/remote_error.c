/*-------------------------------------------------------------------------
 * remote_error.c
 *	  Worker errors rethrown on the coordinator so that they read like the
 *	  errors of one server.
 *
 * A worker's error is copied out of its PGresult (CaptureRemoteError) and
 * thrown again (ThrowRemoteError) with the worker's SQLSTATE, message,
 * detail, hint, context, object fields (schema, table, column, data type,
 * constraint: what psycopg2's e.diag and JDBC's ServerErrorMessage read) and
 * source location.  Before that, RemoteErrorNamesHook renames the shard
 * objects the error names (table "t_102008", constraint "t_pkey_102008") to
 * the coordinator's, from the catalog.
 *
 * Invariants:
 * - The client sees the node (CONTEXT "while executing on node host:port")
 *	 but never the shipped SQL, which names shards: that goes to the server
 *	 log only, in a LOG line of its own just before the error.
 * - Only exact double-quoted names ("name", as PostgreSQL writes them in
 *	 its messages) that the hook knows to belong to the failing shard are
 *	 replaced in the text; nothing else of the worker's text is edited.
 * - The names are mapped only inside a transaction (catalog access); in
 *	 transaction callbacks the error goes out as the worker wrote it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "connection/connection.h"
#include "connection/remote_error.h"

RemoteErrorNamesCallback RemoteErrorNamesHook = NULL;

static char *CopyField(const PGresult *res, int fieldcode);
static char *ReplaceInText(char *text, const char *from, const char *to);
static void LogShippedSql(NodeConnection *conn, const char *sql);
static void AddObjectField(int fieldcode, const char *value);

/*
 * CopyField returns a palloc'd copy of an error field of res, or NULL.
 */
static char *
CopyField(const PGresult *res, int fieldcode)
{
	const char *field = PQresultErrorField(res, fieldcode);

	return field != NULL ? pstrdup(field) : NULL;
}

/*
 * CaptureRemoteError copies the error fields of res (or, lacking them,
 * libpq's connection message) into err, palloc'd.  Does not free res.
 */
void
CaptureRemoteError(RemoteError *err, PGresult *res, NodeConnection *conn)
{
	const char *sqlstate = NULL;
	const char *line;

	memset(err, 0, sizeof(*err));
	if (res != NULL)
	{
		sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		err->primary = CopyField(res, PG_DIAG_MESSAGE_PRIMARY);
		err->detail = CopyField(res, PG_DIAG_MESSAGE_DETAIL);
		err->hint = CopyField(res, PG_DIAG_MESSAGE_HINT);
		err->context = CopyField(res, PG_DIAG_CONTEXT);
		err->schemaName = CopyField(res, PG_DIAG_SCHEMA_NAME);
		err->tableName = CopyField(res, PG_DIAG_TABLE_NAME);
		err->columnName = CopyField(res, PG_DIAG_COLUMN_NAME);
		err->datatypeName = CopyField(res, PG_DIAG_DATATYPE_NAME);
		err->constraintName = CopyField(res, PG_DIAG_CONSTRAINT_NAME);
		err->sourceFile = CopyField(res, PG_DIAG_SOURCE_FILE);
		err->sourceFunction = CopyField(res, PG_DIAG_SOURCE_FUNCTION);
		line = PQresultErrorField(res, PG_DIAG_SOURCE_LINE);
		err->sourceLine = line != NULL ? atoi(line) : 0;
	}

	if (sqlstate != NULL && strlen(sqlstate) == 5)
		err->sqlerrcode = MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
										sqlstate[3], sqlstate[4]);
	else
		err->sqlerrcode = ERRCODE_CONNECTION_FAILURE;

	if (err->primary != NULL)
		return;
	if (res != NULL && PQresultErrorMessage(res)[0] != '\0')
		err->primary = TrimMessage(PQresultErrorMessage(res));
	else if (conn->conn != NULL && PQerrorMessage(conn->conn)[0] != '\0')
		err->primary = TrimMessage(PQerrorMessage(conn->conn));
	else
		err->primary = pstrdup("could not obtain message string for remote error");
}

/*
 * ReplaceInText returns text with every occurrence of from replaced by to
 * (palloc'd when something changed), or text itself; NULL stays NULL.
 */
static char *
ReplaceInText(char *text, const char *from, const char *to)
{
	StringInfoData result;
	const char *cursor = text;
	const char *hit;
	size_t		fromLength = strlen(from);

	if (text == NULL || fromLength == 0 || strstr(text, from) == NULL)
		return text;
	initStringInfo(&result);
	while ((hit = strstr(cursor, from)) != NULL)
	{
		appendBinaryStringInfo(&result, cursor, hit - cursor);
		appendStringInfoString(&result, to);
		cursor = hit + fromLength;
	}
	appendStringInfoString(&result, cursor);
	return result.data;
}

/*
 * ReplaceQuotedName replaces "shardName" (double-quoted, as PostgreSQL
 * quotes object names in messages) by "name" in the message, detail, hint
 * and context of err.  The object fields are left to the caller.
 */
void
ReplaceQuotedName(RemoteError *err, const char *shardName, const char *name)
{
	char	   *from;
	char	   *to;

	if (strcmp(shardName, name) == 0)
		return;
	from = psprintf("\"%s\"", shardName);
	to = psprintf("\"%s\"", name);
	err->primary = ReplaceInText(err->primary, from, to);
	err->detail = ReplaceInText(err->detail, from, to);
	err->hint = ReplaceInText(err->hint, from, to);
	err->context = ReplaceInText(err->context, from, to);
}

/*
 * LogShippedSql writes the command that failed on conn's node to the server
 * log only (it names shards, which the client must not see).
 */
static void
LogShippedSql(NodeConnection *conn, const char *sql)
{
	ereport(LOG_SERVER_ONLY,
			(errmsg_internal("node %s:%d reported the error below for: %s",
							 conn->host, conn->port, ClipSql(sql)),
			 errhidestmt(true),
			 errhidecontext(true)));
}

/*
 * AddObjectField sets an object field of the error being built, when the
 * worker sent one.
 */
static void
AddObjectField(int fieldcode, const char *value)
{
	if (value != NULL)
		err_generic_string(fieldcode, value);
}

/*
 * ThrowRemoteError reports err at elevel as the coordinator's own error:
 * shard names mapped to the coordinator's (RemoteErrorNamesHook), the
 * worker's fields and source location, and a context naming the node.
 * The shipped sql (may be NULL) goes to the server log.  Throws when
 * elevel >= ERROR.
 */
void
ThrowRemoteError(int elevel, RemoteError *err, NodeConnection *conn,
				 const char *sql)
{
	const char *file = __FILE__;
	const char *function = PG_FUNCNAME_MACRO;
	int			line = __LINE__;

	if (RemoteErrorNamesHook != NULL && IsTransactionState())
		RemoteErrorNamesHook(err);
	if (sql != NULL)
		LogShippedSql(conn, sql);

	/*
	 * errfinish keeps the location pointers until the error is flushed, so
	 * they live in ErrorContext.
	 */
	if (err->sourceFile != NULL && err->sourceFunction != NULL)
	{
		file = MemoryContextStrdup(ErrorContext, err->sourceFile);
		function = MemoryContextStrdup(ErrorContext, err->sourceFunction);
		line = err->sourceLine;
	}

	/* ereport spelled out, to report the worker's location */
	if (errstart(elevel, TEXTDOMAIN))
	{
		errcode(err->sqlerrcode);
		errmsg_internal("%s", err->primary);
		if (err->detail != NULL)
			errdetail_internal("%s", err->detail);
		if (err->hint != NULL)
			errhint("%s", err->hint);
		if (err->context != NULL)
			errcontext("%s", err->context);
		errcontext("while executing on node %s:%d", conn->host, conn->port);
		AddObjectField(PG_DIAG_SCHEMA_NAME, err->schemaName);
		AddObjectField(PG_DIAG_TABLE_NAME, err->tableName);
		AddObjectField(PG_DIAG_COLUMN_NAME, err->columnName);
		AddObjectField(PG_DIAG_DATATYPE_NAME, err->datatypeName);
		AddObjectField(PG_DIAG_CONSTRAINT_NAME, err->constraintName);
		errfinish(file, line, function);
	}
	if (elevel >= ERROR)
		pg_unreachable();
}

/*
 * ReportRemoteError reports the worker error in res (NULL: the connection's
 * own error) at elevel through ThrowRemoteError (connection failures:
 * ERRCODE_CONNECTION_FAILURE).  Always frees res.  Throws when
 * elevel >= ERROR.
 */
void
ReportRemoteError(int elevel, PGresult *res, NodeConnection *conn,
				  const char *sql)
{
	RemoteError err;

	PG_TRY();
	{
		CaptureRemoteError(&err, res, conn);
	}
	PG_CATCH();
	{
		PQclear(res);
		PG_RE_THROW();
	}
	PG_END_TRY();
	PQclear(res);

	ThrowRemoteError(elevel, &err, conn, sql);
}
