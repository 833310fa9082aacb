/*-------------------------------------------------------------------------
 * statement_cache.c
 *	  Named prepared statements on node connections, for parameterized
 *	  statements whose text repeats: a generic plan of a routed statement
 *	  carries one fixed SQL text per shard, and a worker that parses and
 *	  plans that text on every execution spends several times what the
 *	  execution itself costs.  The first execution of a text on a connection
 *	  prepares it (one extra round trip); later ones only bind and execute.
 *
 * Invariants:
 * - A connection's cache (NodeConnection.statementCache, in its own
 *	 statementContext under TopMemoryContext) describes the statements prepared in its
 *	 current libpq session: it is forgotten whenever that session ends
 *	 (CloseNodeConnection, ConnectToNode).
 * - Entries are keyed by a hash of the text and parameter types and hold
 *	 both, so a collision is a miss, never a wrong statement.
 * - The caller passes a generation (metadata's DistTableGeneration) that
 *	 changes whenever a distributed table may have changed shape.  A
 *	 different generation makes the connection forget its statements and
 *	 use new names: a prepared statement whose table was altered could
 *	 otherwise fail on the worker with "cached plan must not change result
 *	 type".  Forgotten statements stay allocated in the worker session;
 *	 STATEMENT_CACHE_LIMIT bounds how many a session ever gets.
 * - Protocol-level prepared statements are not transactional on the
 *	 worker, so a rolled-back remote transaction leaves them usable.
 * - A statement name is never used twice in a session: it is used up when
 *	 its PREPARE is sent, whatever the outcome (a PREPARE interrupted while
 *	 waiting, e.g. for a lock, may still have created it).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "connection/connection.h"
#include "connection/statement_cache.h"

/* statements a worker session is ever asked to prepare */
#define STATEMENT_CACHE_LIMIT 4096

typedef struct StatementCacheEntry
{
	uint64		key;			/* hash of text and types: must be first */
	char	   *sql;			/* in the cache's context */
	int			nparams;
	Oid		   *types;
	int			number;			/* statement name is shard_<number> */
} StatementCacheEntry;

static uint64 StatementKey(const char *sql, int nparams, const Oid *types);
static StatementCacheEntry *FindOrPrepareStatement(NodeConnection *conn,
												   const char *sql,
												   int nparams,
												   const Oid *types,
												   uint64 generation);
static void PrepareOnNode(NodeConnection *conn, const char *name,
						  const char *sql, int nparams, const Oid *types);
static bool LookupStatement(NodeConnection *conn, uint64 key, const char *sql,
							int nparams, const Oid *types,
							StatementCacheEntry **entry);


/*
 * ThrowSendFailure closes conn after libpq failed to send a command on it
 * and throws the connection failure.
 */
void
ThrowSendFailure(NodeConnection *conn)
{
	char	   *message = pstrdup(PQerrorMessage(conn->conn));

	CloseNodeConnection(conn);
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("could not send command to node %s:%d", conn->host, conn->port),
			 errdetail_internal("%s", message)));
}


/*
 * StatementKey returns the hash of a statement text and its parameter types.
 */
static uint64
StatementKey(const char *sql, int nparams, const Oid *types)
{
	uint64		key = hash_bytes_extended((const unsigned char *) sql,
										  strlen(sql), 0);

	if (nparams > 0)
		key = hash_combine64(key,
							 hash_bytes_extended((const unsigned char *) types,
												 sizeof(Oid) * nparams, 0));
	return key;
}


/*
 * ForgetPreparedStatements drops conn's cache.  Never throws.
 */
void
ForgetPreparedStatements(NodeConnection *conn)
{
	if (conn->statementContext != NULL)
	{
		MemoryContextDelete(conn->statementContext);
		conn->statementContext = NULL;
		conn->statementCache = NULL;
	}
}


/*
 * PrepareOnNode prepares sql as statement name in conn's session, waiting
 * interruptibly.  Throws the worker's error (with the node and the text as
 * context) or on connection loss.
 */
static void
PrepareOnNode(NodeConnection *conn, const char *name, const char *sql,
			  int nparams, const Oid *types)
{
	PGresult   *res;
	bool		ok = true;

	if (!PQsendPrepare(conn->conn, name, sql, nparams, types))
		ThrowSendFailure(conn);
	conn->busy = true;
	/* a subtransaction that aborts while this waits cancels it */
	conn->commandNestLevel = GetCurrentTransactionNestLevel();

	while ((res = GetRemoteResult(conn)) != NULL)
	{
		if (ok && PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			/* finish the exchange first, so the connection stays usable */
			DrainRemoteResults(conn);
			ReportRemoteError(ERROR, res, conn, sql);
		}
		PQclear(res);
	}
}


/*
 * LookupStatement looks (sql, types), of hash key, up in conn's current
 * cache.  Returns true when the answer is final: *entry is the statement
 * prepared for it, or NULL when it is to run unnamed (limit reached, or a
 * hash collision).  Returns false when it would have to be prepared.
 */
static bool
LookupStatement(NodeConnection *conn, uint64 key, const char *sql, int nparams,
				const Oid *types, StatementCacheEntry **entry)
{
	*entry = NULL;
	if (conn->statementCache != NULL)
	{
		StatementCacheEntry *found = hash_search(conn->statementCache, &key,
												 HASH_FIND, NULL);

		if (found != NULL)
		{
			if (found->nparams == nparams && strcmp(found->sql, sql) == 0 &&
				(nparams == 0 ||
				 memcmp(found->types, types, sizeof(Oid) * nparams) == 0))
				*entry = found;
			return true;		/* else a hash collision: run it unnamed */
		}
	}
	return conn->statementsPrepared >= STATEMENT_CACHE_LIMIT;
}


/*
 * StatementNeedsPrepare returns true when EnsurePreparedStatement would
 * send a PREPARE for (sql, types) on conn (one round trip, in the remote
 * transaction when one is open).  Never throws.
 */
bool
StatementNeedsPrepare(NodeConnection *conn, const char *sql, int nparams,
					  const Oid *types, uint64 generation)
{
	StatementCacheEntry *entry;

	if (conn->statementCache != NULL && conn->statementGeneration != generation)
		return conn->statementsPrepared < STATEMENT_CACHE_LIMIT;
	return !LookupStatement(conn, StatementKey(sql, nparams, types), sql,
							nparams, types, &entry);
}


/*
 * FindOrPrepareStatement returns conn's cache entry for (sql, types),
 * preparing it on the node first when it is new; NULL when the statement
 * should not be cached (limit reached).  Throws as PrepareOnNode.
 */
static StatementCacheEntry *
FindOrPrepareStatement(NodeConnection *conn, const char *sql, int nparams,
					   const Oid *types, uint64 generation)
{
	uint64		key = StatementKey(sql, nparams, types);
	StatementCacheEntry *entry;
	MemoryContext cacheContext;
	char		name[32];
	bool		found;

	if (conn->statementCache != NULL && conn->statementGeneration != generation)
		ForgetPreparedStatements(conn);

	if (conn->statementCache == NULL)
	{
		HASHCTL		ctl;

		if (conn->statementsPrepared >= STATEMENT_CACHE_LIMIT)
			return NULL;
		conn->statementContext = AllocSetContextCreate(TopMemoryContext,
													   "shard prepared statements",
													   ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(StatementCacheEntry);
		ctl.hcxt = conn->statementContext;
		conn->statementCache = hash_create("shard prepared statements", 64,
										   &ctl,
										   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		conn->statementGeneration = generation;
	}

	if (LookupStatement(conn, key, sql, nparams, types, &entry))
		return entry;

	/*
	 * The name is used up before the PREPARE goes out: one that is
	 * interrupted (cancel, statement_timeout) may still have created the
	 * statement on the node, and a name reused there fails with 42P05.
	 */
	conn->statementsPrepared++;
	snprintf(name, sizeof(name), "shard_%d", conn->statementsPrepared);
	PrepareOnNode(conn, name, sql, nparams, types);

	/* only now: an entry must describe a statement that exists */
	cacheContext = conn->statementContext;
	entry = hash_search(conn->statementCache, &key, HASH_ENTER, &found);
	entry->sql = MemoryContextStrdup(cacheContext, sql);
	entry->nparams = nparams;
	entry->types = MemoryContextAlloc(cacheContext, sizeof(Oid) * Max(1, nparams));
	if (nparams > 0)
		memcpy(entry->types, types, sizeof(Oid) * nparams);
	entry->number = conn->statementsPrepared;
	return entry;
}


/*
 * EnsurePreparedStatement returns the number of conn's prepared statement
 * for (sql, types), preparing it first when it is new (one round trip;
 * conn must be idle), or 0 when it is not to be cached (limit reached, or
 * a hash collision).  generation: see the file banner.  Throws when the
 * node rejects the statement and on connection failure.
 */
int
EnsurePreparedStatement(NodeConnection *conn, const char *sql, int nparams,
						const Oid *types, uint64 generation)
{
	StatementCacheEntry *entry;

	entry = FindOrPrepareStatement(conn, sql, nparams, types, generation);
	return entry != NULL ? entry->number : 0;
}


/*
 * AppendExecuteStatement appends "EXECUTE shard_<number>(values)" to buf,
 * the SQL form of running a prepared statement, for a multi-statement
 * string (values are text, NULL for a null, as for PQsendQueryPrepared).
 */
void
AppendExecuteStatement(StringInfo buf, int number, int nparams,
					   const char *const *values)
{
	int			i;

	appendStringInfo(buf, "EXECUTE shard_%d", number);
	if (nparams == 0)
		return;
	appendStringInfoChar(buf, '(');
	for (i = 0; i < nparams; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (values[i] == NULL)
			appendStringInfoString(buf, "NULL");
		else
			appendStringInfoString(buf, quote_literal_cstr(values[i]));
	}
	appendStringInfoChar(buf, ')');
}


/*
 * SendPreparedStatement sends the execution of conn's prepared statement
 * number with text values.  Marks conn busy; throws on connection failure.
 */
void
SendPreparedStatement(NodeConnection *conn, int number, int nparams,
					  const char *const *values)
{
	char		name[32];

	snprintf(name, sizeof(name), "shard_%d", number);
	if (!PQsendQueryPrepared(conn->conn, name, nparams, values, NULL, NULL, 0))
		ThrowSendFailure(conn);
	conn->busy = true;
	conn->commandNestLevel = GetCurrentTransactionNestLevel();
}


/*
 * SendPreparedCommand sends sql with parameters like PQsendQueryParams
 * (text values; types as given), through a named prepared statement on the
 * node when it can be cached.  conn must be open and idle.  Marks conn
 * busy; throws on connection failure and when the node rejects the
 * statement.
 */
void
SendPreparedCommand(NodeConnection *conn, const char *sql, int nparams,
					const Oid *types, const char *const *values,
					uint64 generation)
{
	int			number;

	number = EnsurePreparedStatement(conn, sql, nparams, types, generation);
	if (number > 0)
	{
		SendPreparedStatement(conn, number, nparams, values);
		return;
	}
	if (!PQsendQueryParams(conn->conn, sql, nparams, types, values,
						   NULL, NULL, 0))
		ThrowSendFailure(conn);
	conn->busy = true;
	conn->commandNestLevel = GetCurrentTransactionNestLevel();
}
