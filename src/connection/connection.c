/*-------------------------------------------------------------------------
 * connection.c
 *	  libpq connections to worker nodes: a per-backend cache keyed by
 *	  (node id, user), interruptible connect and result waits, cancel,
 *	  remote error reporting and the session settings shipped to nodes.
 *
 * Invariants:
 * - NodeConnection entries live in ConnectionHash in ShardConnectionContext
 *	 (under TopMemoryContext) and are never removed: pointers to them stay
 *	 valid for the life of the backend.  A closed connection has conn NULL.
 * - PGconn and PGresult are malloc'd by libpq: every path that throws
 *	 frees what it holds first (PG_TRY where a result is held across a call
 *	 that can throw).  Every open PGconn holds one AcquireExternalFD slot.
 * - busy is true from PQsendQuery until PQgetResult returned NULL.  Only one
 *	 command is in flight per connection.
 * - Worker sessions run with search_path = pg_catalog (all shipped names
 *	 are qualified), standard_conforming_strings = on, client_encoding =
 *	 the coordinator database's encoding, application_name =
 *	 shard_<system id>_<coordinator pid> (NodeApplicationName), and the
 *	 coordinator's result-affecting settings (ShippedSettings, sent lazily
 *	 by AppendSettingCommands before each command).
 * - A connection that is lost while a remote transaction is open is never
 *	 replaced silently: its xactState becomes REMOTE_XACT_FAILED and the
 *	 next use errors until the coordinator transaction ends.
 * - Waits check interrupts.  Waits without a deadline are watched: a node
 *	 silent for shard.node_timeout is probed (node_probe.c) and fails the
 *	 command when it does not answer.  Inside transaction callbacks
 *	 interrupts are held, so the waits used there (FinishRemoteCommand,
 *	 CancelRemoteCommand) take a deadline (NodeWaitDeadline, one for a whole
 *	 cleanup), and end early when a cancel or termination request is
 *	 pending (NodeWaitInterrupted).  No libpq call that blocks on a node is
 *	 made without knowing that it answers (PQcancel only after it did).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tsearch/ts_cache.h"
#include "utils/builtins.h"
#include "utils/bytea.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
#include "utils/xml.h"

#include "connection/connection.h"
#include "connection/node_probe.h"
#include "connection/remote_error.h"
#include "connection/statement_cache.h"

/* GUC shard.node_conninfo, defined in shard.c */
char	   *NodeConnInfo = NULL;

/* GUC shard.node_timeout, defined in shard.c */
int			NodeTimeout = 30000;

/* longest shipped SQL shown in an error context */
#define MAX_SQL_IN_CONTEXT		512

/* connect_timeout when shard.node_conninfo does not set one, in seconds */
#define DEFAULT_CONNECT_TIMEOUT "10"

static MemoryContext ShardConnectionContext = NULL;

/* position of the socket in a NodeConnection's waitSet (after latch, death) */
#define CONNECTION_WAIT_SOCKET_POS 2
static HTAB *ConnectionHash = NULL;

/* see connection.h */
LongRemoteWaitCallback LongRemoteWaitHook = NULL;
int			LongRemoteWaitMs = 1000;

/* application_name of node connections when not the default, see below */
static const char *ApplicationNameOverride = NULL;

/*
 * Settings of the coordinator session that change the text of results or
 * how literals are read, and so must be the same on the worker session.
 * Sorted by name; see README.md for the ones deliberately left out.
 */
static const char *const ShippedSettings[] = {
	"DateStyle",
	"IntervalStyle",
	"TimeZone",
	"bytea_output",
	"default_text_search_config",
	"extra_float_digits",
	"timezone_abbreviations",
	"xmlbinary",
	"xmloption"
};

#define NUM_SHIPPED_SETTINGS lengthof(ShippedSettings)

/*
 * Cheap fingerprint of the shipped settings, read from the C variables
 * behind them.  When it matches the one CurrentSettings was built from,
 * CurrentSettings is up to date.  session_timezone pointers are stable for
 * a given zone (pg_tzset caches them), so pointer equality is meaningful.
 */
typedef struct SettingsFingerprint
{
	int			dateStyle;
	int			dateOrder;
	int			intervalStyle;
	int			extraFloatDigits;
	int			byteaOutput;
	int			xmlBinary;
	int			xmlOption;
	pg_tz	   *timezone;
} SettingsFingerprint;

static SettingsFingerprint CurrentFingerprint;
static char *CurrentTsConfig = NULL;	/* copies, in ShardConnectionContext */
static char *CurrentTzAbbrevs = NULL;
static char *CurrentSettings = NULL;	/* encoded values, see below */

static void EnsureConnectionHash(void);
static NodeConnection *GetCachedConnection(int nodeId, const char *host,
										   int port, bool sideChannel);
static void CloseAllNodeConnections(int code, Datum arg);
static NodeConnection *FindRemoteTransactionHolder(int nodeId, Oid userId);
static void ConnectToNode(NodeConnection *conn);
static PGconn *StartNodeConnection(NodeConnection *conn);
static int	AppendKeepaliveOptions(const char **keywords, const char **values,
								   int count);
static void ReportConnectFailure(PGconn *pgconn, const char *host, int port,
								 const char *reason) pg_attribute_noreturn();
static bool ConnectionLooksHealthy(NodeConnection *conn);
static void ForwardNodeNotice(void *arg, const PGresult *res);
static void ThrowConnectionFailure(NodeConnection *conn, bool sending,
								   const char *sql) pg_attribute_noreturn();
static void CheckConnectionOpen(NodeConnection *conn);
static TimestampTz DeadlineAfter(int timeoutMs);
static long RemainingMs(TimestampTz deadline, bool bounded);
static int	WaitForNodeSocket(NodeConnection *conn, uint32 socketEvent,
							  TimestampTz deadline, bool bounded);
static TimestampTz WatchedWakeup(TimestampTz silentSince, bool longWaitCheck);
static bool NodeSilentTooLong(TimestampTz silentSince);
static bool WaitForResultReady(NodeConnection *conn, TimestampTz deadline);
static int	WaitForAnyReadable(NodeConnection **conns, int count,
							   int busyCount);
static char *CancelStatement(NodeConnection *conn);
static void SendCancelRequest(NodeConnection *conn);
static PGresult *GetRemoteResultTimed(NodeConnection *conn,
									  TimestampTz deadline, bool *failed);
static bool DrainRemoteResultsTimed(NodeConnection *conn, TimestampTz deadline);
static bool SkipCopyOutData(NodeConnection *conn, TimestampTz deadline);
static bool EndCopyState(NodeConnection *conn, ExecStatusType status,
						 TimestampTz deadline);
static const char *CurrentSettingsString(void);
static const char *NextEncodedValue(const char *cursor, const char **value,
									int *length);


/*
 * InitConnectionCache is called from _PG_init.  It creates nothing: the
 * connection hash is built on first use in a backend (EnsureConnectionHash),
 * so the postmaster holds no connection state.
 */
void
InitConnectionCache(void)
{
}


/*
 * EnsureConnectionHash creates ShardConnectionContext and the connection
 * hash on first use, and arranges for connections to be closed politely at
 * backend exit.  Throws only on out of memory.
 */
static void
EnsureConnectionHash(void)
{
	HASHCTL		ctl;

	if (ConnectionHash != NULL)
		return;

	if (ShardConnectionContext == NULL)
		ShardConnectionContext = AllocSetContextCreate(TopMemoryContext,
													   "ShardConnectionContext",
													   ALLOCSET_DEFAULT_SIZES);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(struct NodeConnectionKey);
	ctl.entrysize = sizeof(NodeConnection);
	ctl.hcxt = ShardConnectionContext;
	ConnectionHash = hash_create("shard node connections", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	before_shmem_exit(CloseAllNodeConnections, (Datum) 0);
}


/*
 * CloseAllNodeConnections closes every cached connection at backend exit,
 * so workers see a clean Terminate instead of an unexpected EOF.
 */
static void
CloseAllNodeConnections(int code, Datum arg)
{
	HASH_SEQ_STATUS status;
	NodeConnection *conn;

	if (ConnectionHash == NULL)
		return;

	hash_seq_init(&status, ConnectionHash);
	while ((conn = hash_seq_search(&status)) != NULL)
		CloseNodeConnection(conn);
}


/*
 * FindRemoteTransactionHolder returns the connection to nodeId of a user
 * other than userId that holds a remote transaction (open, failed or
 * prepared) of the current coordinator transaction, or NULL.
 */
static NodeConnection *
FindRemoteTransactionHolder(int nodeId, Oid userId)
{
	HASH_SEQ_STATUS status;
	NodeConnection *conn;

	hash_seq_init(&status, ConnectionHash);
	while ((conn = hash_seq_search(&status)) != NULL)
	{
		if (conn->key.nodeId == nodeId && conn->key.userId != userId &&
			conn->xactState != REMOTE_XACT_NONE)
		{
			hash_seq_term(&status);
			return conn;
		}
	}
	return NULL;
}


/*
 * GetNodeConnection returns the cached connection to node nodeId for the
 * current user, connecting first if needed; but the connection of another
 * user when that one holds the node's remote transaction of the current
 * coordinator transaction.  The result lives in
 * ShardConnectionContext for the life of the backend.
 *
 * An idle connection outside a remote transaction is checked cheaply (a
 * non-blocking poll of its socket) and transparently replaced when the
 * worker closed it (restart, idle timeout, pg_terminate_backend) or when the
 * node's metadata changed.  A connection lost inside a remote transaction is
 * not replaced: that throws, since the work done there is gone.  Throws on
 * connection failure.
 */
NodeConnection *
GetNodeConnection(int nodeId, const char *host, int port)
{
	return GetCachedConnection(nodeId, host, port, false);
}


/*
 * GetNodeSideConnection is GetNodeConnection for a second connection to the
 * node, for short queries that must not wait behind the node's main
 * connection (e.g. inspecting locks while the main one is blocked).  Never
 * call PrepareRemoteCommand on it: it stays outside remote transactions.
 */
NodeConnection *
GetNodeSideConnection(int nodeId, const char *host, int port)
{
	return GetCachedConnection(nodeId, host, port, true);
}


/*
 * GetCachedConnection does the work of GetNodeConnection for the main
 * connection or (sideChannel) the side connection of the node.
 */
static NodeConnection *
GetCachedConnection(int nodeId, const char *host, int port, bool sideChannel)
{
	struct NodeConnectionKey key;
	NodeConnection *conn;
	bool		found;
	bool		idle;

	EnsureConnectionHash();

	memset(&key, 0, sizeof(key));
	key.nodeId = nodeId;
	key.userId = GetUserId();
	key.sideChannel = sideChannel;

	/*
	 * A node keeps one remote transaction per coordinator transaction: when
	 * the user changed (SET ROLE, SECURITY DEFINER) after the node's remote
	 * transaction began under another one, that connection serves the new
	 * user too, so its statements see the transaction's earlier writes and
	 * commit with them.  Privileges are checked on the coordinator.
	 */
	if (!sideChannel && hash_get_num_entries(ConnectionHash) > 1)
	{
		NodeConnection *holder = FindRemoteTransactionHolder(nodeId, key.userId);

		if (holder != NULL)
			return holder;
	}

	conn = (NodeConnection *) hash_search(ConnectionHash, &key, HASH_ENTER,
										  &found);
	if (!found)
	{
		/* make the entry valid before anything that can throw */
		memset(((char *) conn) + sizeof(key), 0, sizeof(NodeConnection) - sizeof(key));
		conn->xactState = REMOTE_XACT_NONE;
		conn->host = MemoryContextStrdup(ShardConnectionContext, host);
		conn->port = port;
	}

	idle = (conn->xactState == REMOTE_XACT_NONE && !conn->busy);

	/* the node moved: follow it, unless the old session still holds work */
	if (conn->port != port || strcmp(conn->host, host) != 0)
	{
		if (idle)
		{
			char	   *newHost = MemoryContextStrdup(ShardConnectionContext, host);

			CloseNodeConnection(conn);
			pfree(conn->host);
			conn->host = newHost;
			conn->port = port;
		}
		else
			conn->changedNode = true;
	}

	if (conn->conn != NULL && idle &&
		(conn->changedNode || !ConnectionLooksHealthy(conn)))
	{
		CloseNodeConnection(conn);
		conn->changedNode = false;
	}

	if (conn->conn == NULL)
	{
		if (conn->xactState != REMOTE_XACT_NONE)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("connection to node %s:%d was lost in the current transaction",
							conn->host, conn->port),
					 errdetail("The work done on that node in this transaction is lost."),
					 errhint("Roll back the transaction and retry it.")));
		ConnectToNode(conn);
	}
	else if (PQstatus(conn->conn) != CONNECTION_OK)
		ThrowConnectionFailure(conn, false, NULL);

	return conn;
}


/*
 * SetNodeApplicationName makes the node connections opened from now on
 * carry name (a string that lives as long as the backend) as
 * application_name, instead of NodeApplicationName's default.  For
 * background workers whose sessions must not be taken for a coordinator
 * session's.
 */
void
SetNodeApplicationName(const char *name)
{
	ApplicationNameOverride = name;
}


/*
 * NodeApplicationName returns the application_name of this backend's node
 * connections: "shard_<coordinator system id>_<coordinator pid>", which
 * maps a worker session back to the coordinator session that owns it (the
 * distributed deadlock detector reads it in pg_stat_activity on the nodes),
 * unless SetNodeApplicationName chose another.  Palloc'd or static.
 */
char *
NodeApplicationName(void)
{
	if (ApplicationNameOverride != NULL)
		return (char *) ApplicationNameOverride;
	return psprintf(NODE_APPLICATION_NAME_PREFIX UINT64_FORMAT "_%d",
					GetSystemIdentifier(), MyProcPid);
}


/*
 * ConnectToNode opens conn->conn to conn->host:conn->port as the current
 * user, in the current database, and prepares the worker session
 * (search_path and friends).  Throws on failure, leaving conn closed.
 */
static void
ConnectToNode(NodeConnection *conn)
{
	static const char *const sessionSetup =
		"SET search_path = pg_catalog; "
		"SET standard_conforming_strings = on; "
		"SET cursor_tuple_fraction = 1.0;";
	char	   *dbName = get_database_name(MyDatabaseId);

	if (dbName == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_DATABASE),
				 errmsg("current database does not exist")));

	/* a wait set watches the socket of the libpq connection it was made for */
	if (conn->waitSet != NULL)
	{
		FreeWaitEventSet(conn->waitSet);
		conn->waitSet = NULL;
	}
	ForgetPreparedStatements(conn);
	conn->statementsPrepared = 0;

	/* kept for probe and cancel connections, opened where catalogs are out of reach */
	if (conn->dbName != NULL)
		pfree(conn->dbName);
	if (conn->userName != NULL)
		pfree(conn->userName);
	conn->dbName = MemoryContextStrdup(ShardConnectionContext, dbName);
	conn->userName = MemoryContextStrdup(ShardConnectionContext,
										 GetUserNameFromId(GetUserId(), false));

	conn->conn = StartNodeConnection(conn);
	conn->busy = false;
	conn->changedNode = false;
	if (conn->sentSettings != NULL)
	{
		pfree(conn->sentSettings);
		conn->sentSettings = NULL;
	}
	PQsetNoticeReceiver(conn->conn, ForwardNodeNotice, conn);

	PG_TRY();
	{
		ExecuteRemoteCommandNoResult(conn, sessionSetup);
	}
	PG_CATCH();
	{
		CloseNodeConnection(conn);
		PG_RE_THROW();
	}
	PG_END_TRY();
}


/*
 * NodeConnectionOptions fills *keywords and *values (palloc'd,
 * NULL-terminated) with the libpq options of a connection to conn's node as
 * conn->userName in conn->dbName: those fields, the database encoding,
 * keepalives and tcp_user_timeout derived from shard.node_timeout, then the
 * options of shard.node_conninfo (they win), then application_name.
 * *connectTimeoutMs is how long connecting may take: connect_timeout
 * (node_conninfo's, else DEFAULT_CONNECT_TIMEOUT), at most
 * shard.node_timeout.  Reads no catalog.  A bad node_conninfo is reported
 * at elevel and gives false.
 */
bool
NodeConnectionOptions(NodeConnection *conn, int elevel, const char ***keywords,
					  const char ***values, int *connectTimeoutMs)
{
	PQconninfoOption *options;
	PQconninfoOption *option;
	const char **k;
	const char **v;
	int			count = 0;
	int			maxCount = 16;
	int			timeoutSeconds;
	char	   *parseError = NULL;
	const char *connectTimeout = DEFAULT_CONNECT_TIMEOUT;

	options = PQconninfoParse(NodeConnInfo != NULL ? NodeConnInfo : "",
							  &parseError);
	if (options == NULL)
	{
		char	   *message = parseError != NULL ? TrimMessage(parseError) : pstrdup("out of memory");

		if (parseError != NULL)
			PQfreemem(parseError);
		ereport(elevel,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for parameter \"shard.node_conninfo\""),
				 errdetail_internal("%s", message)));
		return false;
	}

	for (option = options; option->keyword != NULL; option++)
		maxCount++;
	k = palloc0(sizeof(char *) * (maxCount + 1));
	v = palloc0(sizeof(char *) * (maxCount + 1));

	k[count] = "host";
	v[count++] = conn->host;
	k[count] = "port";
	v[count++] = psprintf("%d", conn->port);
	k[count] = "dbname";
	v[count++] = conn->dbName;
	k[count] = "user";
	v[count++] = conn->userName;
	k[count] = "client_encoding";
	v[count++] = GetDatabaseEncodingName();
	count = AppendKeepaliveOptions(k, v, count);

	/* options of shard.node_conninfo come after ours so that they win */
	for (option = options; option->keyword != NULL; option++)
	{
		const char *keyword = option->keyword;

		if (option->val == NULL)
			continue;
		if (strcmp(keyword, "host") == 0 || strcmp(keyword, "hostaddr") == 0 ||
			strcmp(keyword, "port") == 0 || strcmp(keyword, "dbname") == 0 ||
			strcmp(keyword, "user") == 0 || strcmp(keyword, "password") == 0 ||
			strcmp(keyword, "client_encoding") == 0 ||
			strcmp(keyword, "replication") == 0)
		{
			char	   *name = pstrdup(keyword);

			PQconninfoFree(options);
			ereport(elevel,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" is not allowed in \"shard.node_conninfo\"", name),
					 errdetail("Host, port, database, user and client encoding of node connections are set by shard."),
					 errhint("Passwords are read from the coordinator's password file (~/.pgpass or PGPASSFILE).")));
			return false;
		}
		if (strcmp(keyword, "connect_timeout") == 0)
			connectTimeout = pstrdup(option->val);
		k[count] = pstrdup(keyword);
		v[count++] = pstrdup(option->val);
	}
	PQconninfoFree(options);

	/* after node_conninfo: the deadlock detector relies on it */
	k[count] = "application_name";
	v[count++] = NodeApplicationName();
	k[count] = "connect_timeout";
	v[count++] = connectTimeout;
	k[count] = NULL;
	v[count] = NULL;

	/* libpq treats 1 as 2 seconds and 0 as no limit: shard.node_timeout is one */
	timeoutSeconds = atoi(connectTimeout);
	if (timeoutSeconds == 1)
		timeoutSeconds = 2;
	*connectTimeoutMs = NodeTimeout;
	if (timeoutSeconds > 0 && timeoutSeconds < NodeTimeout / 1000)
		*connectTimeoutMs = timeoutSeconds * 1000;

	*keywords = k;
	*values = v;
	return true;
}


/*
 * AppendKeepaliveOptions sets keywords/values from position count on to the
 * TCP options derived from shard.node_timeout and returns the new count (5
 * more).  A host that vanishes (cable cut, power loss) is then noticed
 * within about shard.node_timeout even while no command waits: keepalives
 * probe an idle connection, tcp_user_timeout bounds unacknowledged sends
 * (and a send blocked on a peer that takes nothing).
 */
static int
AppendKeepaliveOptions(const char **keywords, const char **values, int count)
{
	int			nodeTimeoutSeconds = Max(1, NodeTimeout / 1000);

	keywords[count] = "keepalives";
	values[count++] = "1";
	keywords[count] = "keepalives_idle";
	values[count++] = psprintf("%d", Max(1, nodeTimeoutSeconds / 2));
	keywords[count] = "keepalives_interval";
	values[count++] = psprintf("%d", Max(1, nodeTimeoutSeconds / 6));
	keywords[count] = "keepalives_count";
	values[count++] = "3";
	keywords[count] = "tcp_user_timeout";
	values[count++] = psprintf("%d", NodeTimeout);
	return count;
}


/*
 * StartNodeConnection connects to conn's node with NodeConnectionOptions.
 * Returns an established PGconn (malloc'd, holding one external FD slot).
 * Throws on failure, timeout, bad node_conninfo, or interrupt; frees the
 * PGconn first.
 */
static PGconn *
StartNodeConnection(NodeConnection *conn)
{
	const char **keywords;
	const char **values;
	int			timeoutMs;
	PGconn	   *pgconn;

	(void) NodeConnectionOptions(conn, ERROR, &keywords, &values, &timeoutMs);

	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not connect to node %s:%d", conn->host, conn->port),
				 errdetail("There are too many open files on the local server."),
				 errhint("Raise the server's max_files_per_process and/or \"ulimit -n\" limits.")));

	pgconn = PQconnectStartParams(keywords, values, false);
	if (pgconn == NULL)
	{
		ReleaseExternalFD();
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not allocate a connection to node %s:%d.",
						   conn->host, conn->port)));
	}

	PG_TRY();
	{
		if (PollNodeConnection(pgconn, DeadlineAfter(timeoutMs)) != NODE_ANSWERED)
			ReportConnectFailure(pgconn, conn->host, conn->port,
								 PQstatus(pgconn) != CONNECTION_BAD ?
								 "timeout expired while connecting" : NULL);
	}
	PG_CATCH();
	{
		PQfinish(pgconn);
		ReleaseExternalFD();
		PG_RE_THROW();
	}
	PG_END_TRY();

	pfree(keywords);
	pfree(values);
	return pgconn;
}


/*
 * PollNodeConnection drives PQconnectPoll of pgconn until the connection is
 * made (NODE_ANSWERED), it fails, or deadline passes, waiting on the socket
 * and the latch so that cancel and termination are honored (libpq does not
 * enforce connect_timeout for asynchronous connects).  A failure after the
 * server sent something (a refusal such as "too many clients") is
 * NODE_REFUSED; no answer before deadline, or a failure before the server
 * said anything (connection refused, host unreachable), is NODE_SILENT, and
 * so is a cleanup wait cut short by an interrupt (NodeWaitSocket).  Never
 * frees pgconn; throws only on interrupt where interrupts can be processed.
 */
NodeAnswer
PollNodeConnection(PGconn *pgconn, TimestampTz deadline)
{
	PostgresPollingStatusType pollStatus = PGRES_POLLING_WRITING;
	bool		heard = false;

	if (PQstatus(pgconn) == CONNECTION_BAD)
		return NODE_SILENT;

	while (pollStatus != PGRES_POLLING_OK)
	{
		uint32		socketEvent;
		int			rc;

		if (pollStatus == PGRES_POLLING_FAILED ||
			PQsocket(pgconn) == PGINVALID_SOCKET)
			return heard ? NODE_REFUSED : NODE_SILENT;

		socketEvent = (pollStatus == PGRES_POLLING_READING) ?
			WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
		rc = NodeWaitSocket(PQsocket(pgconn), socketEvent, deadline);
		if (rc == 0)
			return NODE_SILENT;
		if (rc & socketEvent)
		{
			if (socketEvent == WL_SOCKET_READABLE)
				heard = true;
			pollStatus = PQconnectPoll(pgconn);
		}
	}
	return NODE_ANSWERED;
}


/*
 * ReportConnectFailure throws the connection failure of pgconn (or reason),
 * with libpq's message as detail.  Does not free pgconn.
 */
static void
ReportConnectFailure(PGconn *pgconn, const char *host, int port,
					 const char *reason)
{
	char	   *message = TrimMessage(reason != NULL ? reason : PQerrorMessage(pgconn));
	bool		needsPassword = (reason == NULL && PQconnectionNeedsPassword(pgconn));

	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("could not connect to node %s:%d", host, port),
			 message[0] != '\0' ? errdetail_internal("%s", message) : 0,
			 needsPassword ?
			 errhint("Passwords for node connections are read from the coordinator's password file (~/.pgpass of the server's operating system user, or PGPASSFILE).") :
			 errhint("Check that the node is running and accepts connections from the coordinator, and the setting \"shard.node_conninfo\".")));
	pg_unreachable();
}


/*
 * ConnectionLooksHealthy checks an idle connection outside a remote
 * transaction without a round trip: libpq status, transaction status, and a
 * zero-timeout poll of the socket.  An idle session has nothing to say, so a
 * readable socket means the worker sent a FATAL error or closed it (restart,
 * pg_terminate_backend, idle timeout): the connection is then not reused.
 */
static bool
ConnectionLooksHealthy(NodeConnection *conn)
{
	struct pollfd pfd;
	int			rc;

	if (PQstatus(conn->conn) != CONNECTION_OK ||
		PQtransactionStatus(conn->conn) != PQTRANS_IDLE)
		return false;

	pfd.fd = PQsocket(conn->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return false;

	rc = poll(&pfd, 1, 0);
	return rc == 0;
}


/*
 * ForwardNodeNotice passes notices and warnings of worker sessions to the
 * coordinator's log at DEBUG1: they concern shard's own commands (e.g. "there
 * is no transaction in progress" during cleanup), not the client.
 */
static void
ForwardNodeNotice(void *arg, const PGresult *res)
{
	NodeConnection *conn = (NodeConnection *) arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	ereport(DEBUG1,
			(errmsg_internal("node %s:%d: %s: %s", conn->host, conn->port,
							 severity != NULL ? severity : "NOTICE",
							 message != NULL ? message : "")));
}


/*
 * CloseNodeConnection closes conn's libpq connection, if open.  The entry
 * stays in the cache.  A remote transaction that was open becomes
 * REMOTE_XACT_FAILED, so that it is not silently replaced.  Never throws.
 */
void
CloseNodeConnection(NodeConnection *conn)
{
	if (conn->waitSet != NULL)
	{
		FreeWaitEventSet(conn->waitSet);
		conn->waitSet = NULL;
	}
	ForgetPreparedStatements(conn);
	if (conn->conn != NULL)
	{
		/* the goodbye message must not block on a node that reads nothing */
		(void) PQsetnonblocking(conn->conn, 1);
		PQfinish(conn->conn);
		conn->conn = NULL;
		ReleaseExternalFD();
	}
	conn->busy = false;
	if (conn->sentSettings != NULL)
	{
		pfree(conn->sentSettings);
		conn->sentSettings = NULL;
	}
	if (conn->xactState == REMOTE_XACT_OPEN)
		conn->xactState = REMOTE_XACT_FAILED;
}


/*
 * InvalidateNodeConnections marks the connections to nodeId (all nodes when
 * nodeId is 0) as belonging to changed metadata: they are closed at the end
 * of the transaction, or at once when outside any transaction and idle.
 * Never throws; safe in an invalidation callback.
 */
void
InvalidateNodeConnections(int nodeId)
{
	HASH_SEQ_STATUS status;
	NodeConnection *conn;

	if (ConnectionHash == NULL)
		return;

	hash_seq_init(&status, ConnectionHash);
	while ((conn = hash_seq_search(&status)) != NULL)
	{
		if (nodeId != 0 && conn->key.nodeId != nodeId)
			continue;
		conn->changedNode = true;
		if (!IsTransactionState() && !conn->busy &&
			conn->xactState == REMOTE_XACT_NONE)
		{
			CloseNodeConnection(conn);
			conn->changedNode = false;
		}
	}
}


/*
 * ActiveConnectionList returns a List (in CurrentMemoryContext) of every
 * cached NodeConnection, open or closed.
 */
List *
ActiveConnectionList(void)
{
	HASH_SEQ_STATUS status;
	NodeConnection *conn;
	List	   *result = NIL;

	if (ConnectionHash == NULL)
		return NIL;

	hash_seq_init(&status, ConnectionHash);
	while ((conn = hash_seq_search(&status)) != NULL)
		result = lappend(result, conn);
	return result;
}


/*
 * NodeConnectionName returns "host:port" of conn, palloc'd.
 */
char *
NodeConnectionName(NodeConnection *conn)
{
	return psprintf("%s:%d", conn->host, conn->port);
}


/* ----------------------------------------------------------------
 * Session settings
 * ----------------------------------------------------------------
 */

/*
 * CurrentSettingsString returns the coordinator's values of ShippedSettings,
 * encoded as "<length>:<value>" each, in order.  The string is rebuilt only
 * when the fingerprint of the settings changed, so the common case costs a
 * few integer compares, two short strcmp and one GUC lookup.  The result
 * lives in ShardConnectionContext until the next rebuild.
 */
static const char *
CurrentSettingsString(void)
{
	SettingsFingerprint fingerprint;
	const char *tsConfig = TSCurrentConfig != NULL ? TSCurrentConfig : "";
	const char *tzAbbrevs = GetConfigOption("timezone_abbreviations", true, false);
	MemoryContext oldContext;
	StringInfoData buf;
	int			i;

	if (tzAbbrevs == NULL)
		tzAbbrevs = "";

	memset(&fingerprint, 0, sizeof(fingerprint));
	fingerprint.dateStyle = DateStyle;
	fingerprint.dateOrder = DateOrder;
	fingerprint.intervalStyle = IntervalStyle;
	fingerprint.extraFloatDigits = extra_float_digits;
	fingerprint.byteaOutput = bytea_output;
	fingerprint.xmlBinary = xmlbinary;
	fingerprint.xmlOption = xmloption;
	fingerprint.timezone = session_timezone;

	if (CurrentSettings != NULL &&
		memcmp(&fingerprint, &CurrentFingerprint, sizeof(fingerprint)) == 0 &&
		strcmp(tsConfig, CurrentTsConfig) == 0 &&
		strcmp(tzAbbrevs, CurrentTzAbbrevs) == 0)
		return CurrentSettings;

	oldContext = MemoryContextSwitchTo(ShardConnectionContext);
	initStringInfo(&buf);
	for (i = 0; i < NUM_SHIPPED_SETTINGS; i++)
	{
		const char *value = GetConfigOption(ShippedSettings[i], true, false);

		/*
		 * Values travel back as text: workers print dates and timestamps in
		 * ISO form (a zone abbreviation such as IST, printed by other
		 * styles, may name another offset when read back) and floats
		 * exactly; only the field order of DateStyle is the user's, for the
		 * text the worker reads.  Shipped expressions that print such
		 * values as text are computed on the coordinator instead
		 * (deparse/shippable.c).
		 */
		if (strcmp(ShippedSettings[i], "DateStyle") == 0)
			value = DateOrder == DATEORDER_YMD ? "ISO, YMD" :
				DateOrder == DATEORDER_DMY ? "ISO, DMY" : "ISO, MDY";
		else if (strcmp(ShippedSettings[i], "extra_float_digits") == 0)
			value = "3";
		if (value == NULL)
			value = "";
		appendStringInfo(&buf, "%d:%s", (int) strlen(value), value);
	}
	if (CurrentSettings != NULL)
	{
		pfree(CurrentSettings);
		pfree(CurrentTsConfig);
		pfree(CurrentTzAbbrevs);
	}
	CurrentSettings = buf.data;
	CurrentTsConfig = pstrdup(tsConfig);
	CurrentTzAbbrevs = pstrdup(tzAbbrevs);
	CurrentFingerprint = fingerprint;
	MemoryContextSwitchTo(oldContext);

	return CurrentSettings;
}


/*
 * NextEncodedValue reads one "<length>:<value>" item at cursor into value and
 * length and returns the position after it.
 */
static const char *
NextEncodedValue(const char *cursor, const char **value, int *length)
{
	char	   *end;

	*length = (int) strtol(cursor, &end, 10);
	Assert(*end == ':');
	*value = end + 1;
	return end + 1 + *length;
}


/*
 * AppendChangedSettings appends "SET name = 'value';" to commands for each
 * shipped setting whose coordinator value differs from what was last sent
 * on conn, records the values as sent, and returns the number of commands
 * appended.  O(1) when nothing changed.  The caller must send the commands
 * (or throw: transaction abort forgets what was sent, see remote_xact.c).
 */
int
AppendChangedSettings(NodeConnection *conn, StringInfo commands)
{
	const char *current;
	const char *newCursor;
	const char *oldCursor;
	int			appended = 0;
	int			i;

	EnsureConnectionHash();
	current = CurrentSettingsString();
	if (conn->sentSettings != NULL && strcmp(conn->sentSettings, current) == 0)
		return 0;

	newCursor = current;
	oldCursor = conn->sentSettings;
	for (i = 0; i < NUM_SHIPPED_SETTINGS; i++)
	{
		const char *newValue;
		int			newLength;
		bool		changed = true;

		newCursor = NextEncodedValue(newCursor, &newValue, &newLength);
		if (oldCursor != NULL)
		{
			const char *oldValue;
			int			oldLength;

			oldCursor = NextEncodedValue(oldCursor, &oldValue, &oldLength);
			changed = (oldLength != newLength ||
					   memcmp(oldValue, newValue, newLength) != 0);
		}
		if (changed)
		{
			char	   *value = pnstrdup(newValue, newLength);

			appendStringInfo(commands, "SET %s = %s; ", ShippedSettings[i],
							 quote_literal_cstr(value));
			pfree(value);
			appended++;
		}
	}

	if (conn->sentSettings != NULL)
		pfree(conn->sentSettings);
	conn->sentSettings = MemoryContextStrdup(ShardConnectionContext, current);
	return appended;
}


/*
 * AppendSettingCommands appends to commands the SET commands that bring the
 * worker session's result-affecting settings in line with the coordinator's
 * (see AppendChangedSettings).
 */
void
AppendSettingCommands(NodeConnection *conn, StringInfo commands)
{
	(void) AppendChangedSettings(conn, commands);
}


/*
 * ForgetSentSettings makes conn resend every shipped setting with its next
 * command: used when the worker may have undone them (rollback).  Never
 * throws.
 */
void
ForgetSentSettings(NodeConnection *conn)
{
	if (conn->sentSettings != NULL)
	{
		pfree(conn->sentSettings);
		conn->sentSettings = NULL;
	}
}


/* ----------------------------------------------------------------
 * Asynchronous I/O
 * ----------------------------------------------------------------
 */

/*
 * CheckConnectionOpen throws when conn has no libpq connection.
 */
static void
CheckConnectionOpen(NodeConnection *conn)
{
	if (conn->conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("connection to node %s:%d is closed", conn->host, conn->port)));
}


/*
 * ThrowConnectionFailure closes conn and throws ERRCODE_CONNECTION_FAILURE
 * naming the node, with libpq's message as detail.
 */
static void
ThrowConnectionFailure(NodeConnection *conn, bool sending, const char *sql)
{
	char	   *message;

	message = TrimMessage(conn->conn != NULL ? PQerrorMessage(conn->conn) : "");
	CloseNodeConnection(conn);

	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 sending ?
			 errmsg("could not send command to node %s:%d", conn->host, conn->port) :
			 errmsg("lost connection to node %s:%d", conn->host, conn->port),
			 message[0] != '\0' ? errdetail_internal("%s", message) : 0,
			 sql != NULL ? errcontext("while executing on node %s:%d: %s",
									  conn->host, conn->port, ClipSql(sql)) : 0));
	pg_unreachable();
}


/*
 * SendRemoteCommand sends sql (one or more statements) on conn without
 * waiting, and marks conn busy.  Throws when the connection is closed or
 * broken (closing it), or when a command is already in flight.
 */
void
SendRemoteCommand(NodeConnection *conn, const char *sql)
{
	CheckConnectionOpen(conn);
	if (conn->busy)
		elog(ERROR, "connection to node %s:%d already has a command in progress",
			 conn->host, conn->port);

	if (!PQsendQuery(conn->conn, sql))
	{
		if (PQstatus(conn->conn) == CONNECTION_BAD)
			ThrowConnectionFailure(conn, true, sql);
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_EXCEPTION),
				 errmsg("could not send command to node %s:%d", conn->host, conn->port),
				 errdetail_internal("%s", TrimMessage(PQerrorMessage(conn->conn)))));
	}
	conn->busy = true;
	conn->commandNestLevel = GetCurrentTransactionNestLevel();
}


/*
 * TrySendRemoteCommand is SendRemoteCommand that reports failure at elevel
 * (below ERROR) and returns false instead of throwing.  Does not close conn.
 */
bool
TrySendRemoteCommand(NodeConnection *conn, const char *sql, int elevel)
{
	if (conn->conn == NULL)
		return false;
	if (conn->busy)
	{
		ereport(elevel,
				(errmsg_internal("connection to node %s:%d already has a command in progress",
								 conn->host, conn->port)));
		return false;
	}
	if (!PQsendQuery(conn->conn, sql))
	{
		ereport(elevel,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not send command to node %s:%d", conn->host, conn->port),
				 errdetail_internal("%s", TrimMessage(PQerrorMessage(conn->conn))),
				 errcontext("while executing on node %s:%d: %s",
							conn->host, conn->port, ClipSql(sql))));
		return false;
	}
	conn->busy = true;
	conn->commandNestLevel = GetCurrentTransactionNestLevel();
	return true;
}


/*
 * DeadlineAfter returns now + timeoutMs.
 */
static TimestampTz
DeadlineAfter(int timeoutMs)
{
	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeoutMs);
}


/*
 * NodeWaitDeadline returns now + shard.node_timeout: the deadline of a
 * bounded wait on nodes that starts now.
 */
TimestampTz
NodeWaitDeadline(void)
{
	return DeadlineAfter(NodeTimeout);
}


/*
 * NodeWaitInterrupted is true where interrupts are held (transaction
 * callbacks) and one is pending: a cancel or termination request during
 * cleanup.  Bounded waits then end at once, as if their deadline passed,
 * and their connections are closed instead of waited for.
 */
bool
NodeWaitInterrupted(void)
{
	return !INTERRUPTS_CAN_BE_PROCESSED() && (QueryCancelPending || ProcDiePending);
}


/*
 * RemainingMs returns the milliseconds left until deadline (0: none, -1
 * returned), or 0 when it passed.  bounded: deadline ends a bounded wait
 * (not just a wakeup of a watched one), which also ends, with 0, when
 * NodeWaitInterrupted.
 */
static long
RemainingMs(TimestampTz deadline, bool bounded)
{
	long		timeoutMs;

	if (deadline == 0)
		return -1;
	if (bounded && NodeWaitInterrupted())
		return 0;
	timeoutMs = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
	return Max(timeoutMs, 0);
}


/*
 * NodeWaitSocket waits until sock has socketEvent, the latch is set, or
 * deadline (0: none) passes.  Returns the events that happened (possibly
 * only WL_LATCH_SET), or 0 when the deadline passed or the wait must end
 * (NodeWaitInterrupted).  Checks interrupts (a no-op where they are held).
 */
int
NodeWaitSocket(pgsocket sock, uint32 socketEvent, TimestampTz deadline)
{
	long		timeoutMs = RemainingMs(deadline, true);
	int			rc;

	if (timeoutMs == 0)
		return 0;
	rc = WaitLatchOrSocket(MyLatch,
						   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | socketEvent |
						   (timeoutMs > 0 ? WL_TIMEOUT : 0),
						   sock, timeoutMs, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	if (rc & WL_TIMEOUT)
		return 0;
	return rc;
}


/*
 * WaitForNodeSocket is NodeWaitSocket on conn's socket, through the wait
 * set kept with the connection; deadline is only a wakeup time unless
 * bounded (see RemainingMs).
 */
static int
WaitForNodeSocket(NodeConnection *conn, uint32 socketEvent, TimestampTz deadline,
				  bool bounded)
{
	long		timeoutMs = RemainingMs(deadline, bounded);
	WaitEvent	event;
	int			rc = 0;

	if (timeoutMs == 0)
		return 0;

	if (conn->waitSet == NULL)
	{
		conn->waitSet = CreateWaitEventSet(ShardConnectionContext, 3);
		AddWaitEventToSet(conn->waitSet, WL_LATCH_SET, PGINVALID_SOCKET,
						  MyLatch, NULL);
		AddWaitEventToSet(conn->waitSet, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET,
						  NULL, NULL);
		AddWaitEventToSet(conn->waitSet, socketEvent, PQsocket(conn->conn),
						  NULL, NULL);
		conn->waitEvents = socketEvent;
	}
	else if (conn->waitEvents != socketEvent)
	{
		ModifyWaitEvent(conn->waitSet, CONNECTION_WAIT_SOCKET_POS, socketEvent,
						NULL);
		conn->waitEvents = socketEvent;
	}

	if (WaitEventSetWait(conn->waitSet, timeoutMs, &event, 1,
						 PG_WAIT_EXTENSION) == 0)
		return 0;
	rc = event.events;
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return rc;
}


/*
 * WatchedWakeup returns when an unbounded wait that last heard from its
 * nodes at silentSince must wake up next: to probe them (silentSince +
 * shard.node_timeout) or, with longWaitCheck, to call LongRemoteWaitHook.
 */
static TimestampTz
WatchedWakeup(TimestampTz silentSince, bool longWaitCheck)
{
	TimestampTz wakeup = TimestampTzPlusMilliseconds(silentSince, NodeTimeout);

	if (longWaitCheck)
		wakeup = Min(wakeup, DeadlineAfter(LongRemoteWaitMs));
	return wakeup;
}


/*
 * NodeSilentTooLong is true when a wait has heard nothing from its nodes
 * since silentSince for shard.node_timeout.
 */
static bool
NodeSilentTooLong(TimestampTz silentSince)
{
	return TimestampDifferenceExceeds(silentSince, GetCurrentTimestamp(),
									  NodeTimeout - 1);
}


/*
 * WaitForResultReady waits until the next result of conn's command can be
 * read without blocking.  Returns false on connection loss or when
 * deadline passes.  Without a deadline (0) the wait is unbounded but
 * watched: LongRemoteWaitHook runs every LongRemoteWaitMs (where interrupts
 * can be processed), and after shard.node_timeout without a byte from the
 * node, CheckNodeAnswers probes it and throws when it does not answer (a
 * hung server or a vanished host: the socket stays silent for ever).
 * Throws on interrupt.
 */
static bool
WaitForResultReady(NodeConnection *conn, TimestampTz deadline)
{
	TimestampTz silentSince = GetCurrentTimestamp();

	while (PQisBusy(conn->conn))
	{
		bool		watched = (deadline == 0);
		bool		longWaitCheck = (watched && LongRemoteWaitHook != NULL &&
									 INTERRUPTS_CAN_BE_PROCESSED());
		int			rc;

		rc = WaitForNodeSocket(conn, WL_SOCKET_READABLE,
							   watched ? WatchedWakeup(silentSince, longWaitCheck) : deadline,
							   !watched);
		if (rc == 0)
		{
			if (!watched)
				return false;
			if (NodeSilentTooLong(silentSince))
			{
				CheckNodeAnswers(conn);
				silentSince = GetCurrentTimestamp();
			}
			else if (longWaitCheck)
				LongRemoteWaitHook();
			/* the hook must leave conn alone; if not, fail, never read NULL */
			if (conn->conn == NULL)
				return false;
			continue;
		}
		if (rc & WL_SOCKET_READABLE)
		{
			if (!PQconsumeInput(conn->conn))
				return false;
			silentSince = GetCurrentTimestamp();
		}
	}
	return true;
}


/*
 * GetRemoteResultTimed returns the next result of the command in flight on
 * conn (malloc'd; caller PQclears), or NULL at its end (then conn is no
 * longer busy).  On connection loss, or when deadline passes, returns NULL
 * with *failed set; conn stays busy.  Throws only on interrupt and, without
 * a deadline, what WaitForResultReady throws (a node that does not answer,
 * LongRemoteWaitHook).
 */
static PGresult *
GetRemoteResultTimed(NodeConnection *conn, TimestampTz deadline, bool *failed)
{
	PGresult   *res;

	*failed = false;
	if (conn->conn == NULL || !WaitForResultReady(conn, deadline))
	{
		*failed = true;
		return NULL;
	}

	res = PQgetResult(conn->conn);
	if (res == NULL)
		conn->busy = false;
	return res;
}


/*
 * GetRemoteResult waits, interruptibly, for the next result of the command
 * in flight on conn and returns it (malloc'd: the caller PQclears), or NULL
 * when the command is complete, which also clears conn->busy.  Throws on
 * interrupt (conn stays busy; transaction abort cancels it) and on
 * connection loss (closing conn).
 */
PGresult *
GetRemoteResult(NodeConnection *conn)
{
	PGresult   *res;
	bool		failed;

	CheckConnectionOpen(conn);
	res = GetRemoteResultTimed(conn, 0, &failed);
	if (failed)
		ThrowConnectionFailure(conn, false, NULL);
	return res;
}


/*
 * WaitForReadableConnection waits, interruptibly, until one of the busy
 * connections among conns[0..count-1] can return a result without blocking,
 * and returns its index; -1 when none is busy.  Ready connections are
 * preferred in array order.  Watched like WaitForResultReady: every
 * LongRemoteWaitMs without a result it calls LongRemoteWaitHook, and after
 * shard.node_timeout without a byte from any of them it probes each.
 * Throws on interrupt, on connection loss, when a node does not answer,
 * and what the hook throws.
 */
int
WaitForReadableConnection(NodeConnection **conns, int count)
{
	int			busyCount = 0;
	int			busyIndex = -1;
	int			i;

	for (i = 0; i < count; i++)
	{
		NodeConnection *conn = conns[i];

		if (!conn->busy)
			continue;
		CheckConnectionOpen(conn);
		if (!PQisBusy(conn->conn))
			return i;
		busyCount++;
		busyIndex = i;
	}
	if (busyCount == 0)
		return -1;

	/* the common case, one node: wait on that connection's own set */
	if (busyCount == 1)
	{
		if (!WaitForResultReady(conns[busyIndex], 0))
			ThrowConnectionFailure(conns[busyIndex], false, NULL);
		return busyIndex;
	}
	return WaitForAnyReadable(conns, count, busyCount);
}


/*
 * WaitForAnyReadable does the work of WaitForReadableConnection for
 * busyCount > 1 busy connections among conns.
 */
static int
WaitForAnyReadable(NodeConnection **conns, int count, int busyCount)
{
	WaitEventSet *set = NULL;
	WaitEvent  *events = palloc(sizeof(WaitEvent) * (busyCount + 2));
	TimestampTz silentSince = GetCurrentTimestamp();
	int			i;

	for (;;)
	{
		int			eventCount;
		int			e;
		bool		longWaitCheck;

		/* built anew after each latch wakeup: it holds a kernel fd */
		if (set == NULL)
		{
			set = CreateWaitEventSet(CurrentMemoryContext, busyCount + 2);
			AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
			AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
			for (i = 0; i < count; i++)
			{
				if (conns[i]->busy)
					AddWaitEventToSet(set, WL_SOCKET_READABLE,
									  PQsocket(conns[i]->conn), NULL,
									  (void *) (intptr_t) i);
			}
		}

		longWaitCheck = (LongRemoteWaitHook != NULL && INTERRUPTS_CAN_BE_PROCESSED());
		eventCount = WaitEventSetWait(set,
									  RemainingMs(WatchedWakeup(silentSince, longWaitCheck), false),
									  events, busyCount + 2, PG_WAIT_EXTENSION);
		if (eventCount == 0)
		{
			/* the probe and the hook may throw: the set (a kernel fd) goes first */
			FreeWaitEventSet(set);
			set = NULL;
			if (NodeSilentTooLong(silentSince))
			{
				for (i = 0; i < count; i++)
				{
					if (conns[i]->busy)
						CheckNodeAnswers(conns[i]);
				}
				silentSince = GetCurrentTimestamp();
			}
			else if (longWaitCheck)
				LongRemoteWaitHook();
			continue;
		}
		for (e = 0; e < eventCount; e++)
		{
			WaitEvent  *event = &events[e];

			if (event->events & WL_LATCH_SET)
			{
				ResetLatch(MyLatch);
				FreeWaitEventSet(set);
				set = NULL;
				CHECK_FOR_INTERRUPTS();
				break;
			}
			if (event->events & WL_SOCKET_READABLE)
			{
				int			index = (int) (intptr_t) event->user_data;
				NodeConnection *conn = conns[index];

				if (!PQconsumeInput(conn->conn))
				{
					FreeWaitEventSet(set);
					ThrowConnectionFailure(conn, false, NULL);
				}
				silentSince = GetCurrentTimestamp();
				if (!PQisBusy(conn->conn))
				{
					FreeWaitEventSet(set);
					pfree(events);
					return index;
				}
			}
		}
	}
}


/*
 * SkipCopyOutData reads and discards COPY TO STDOUT data until its end.
 * Returns false on connection loss or when deadline passes.  Without a
 * deadline (0) the wait is watched: a node silent for shard.node_timeout
 * is probed (CheckNodeAnswers throws when it does not answer).
 */
static bool
SkipCopyOutData(NodeConnection *conn, TimestampTz deadline)
{
	for (;;)
	{
		char	   *buffer = NULL;
		int			length = PQgetCopyData(conn->conn, &buffer, 1);

		if (length > 0)
		{
			PQfreemem(buffer);
			continue;
		}
		if (length == -1)
			return true;
		if (length == -2)
			return false;

		/* nothing buffered: wait for more */
		{
			int			rc = WaitForNodeSocket(conn, WL_SOCKET_READABLE,
											   deadline != 0 ? deadline : DeadlineAfter(NodeTimeout),
											   deadline != 0);

			if (rc == 0 && deadline == 0)
			{
				CheckNodeAnswers(conn);
				continue;
			}
			if (rc == 0)
				return false;
			if (!PQconsumeInput(conn->conn))
				return false;
		}
	}
}


/*
 * EndCopyState ends a COPY that a result left the connection in: COPY FROM
 * STDIN is failed (so the worker rolls it back), COPY TO STDOUT is read to
 * its end.  Returns false on failure.
 */
static bool
EndCopyState(NodeConnection *conn, ExecStatusType status, TimestampTz deadline)
{
	if (status == PGRES_COPY_IN)
		return PQputCopyEnd(conn->conn, "canceled by the coordinator") == 1;
	if (status == PGRES_COPY_OUT)
		return SkipCopyOutData(conn, deadline);
	if (status == PGRES_COPY_BOTH)
		return false;
	return true;
}


/*
 * DrainRemoteResultsTimed consumes and frees the results of the command in
 * flight on conn, ending COPY states.  Returns false on connection loss or
 * when deadline (0: none) passes; conn then stays busy.
 */
static bool
DrainRemoteResultsTimed(NodeConnection *conn, TimestampTz deadline)
{
	while (conn->busy)
	{
		bool		failed;
		PGresult   *res = GetRemoteResultTimed(conn, deadline, &failed);
		ExecStatusType status;

		if (failed)
			return false;
		if (res == NULL)
			break;
		status = PQresultStatus(res);
		PQclear(res);
		if (!EndCopyState(conn, status, deadline))
			return false;
	}
	return true;
}


/*
 * DrainRemoteResults consumes and frees all remaining results of the
 * command in flight on conn (errors included), leaving it idle.  Throws on
 * interrupt and on connection loss (closing conn).
 */
void
DrainRemoteResults(NodeConnection *conn)
{
	if (!conn->busy)
		return;
	CheckConnectionOpen(conn);
	if (!DrainRemoteResultsTimed(conn, 0))
		ThrowConnectionFailure(conn, false, NULL);
}


/*
 * DiscardArrivedResults frees the results of the command in flight on conn
 * that have already arrived, without waiting for more.  Returns true when
 * that completed the command (conn is idle), false when more is to come.
 * Never throws; a lost connection returns false (conn stays busy).
 */
bool
DiscardArrivedResults(NodeConnection *conn)
{
	if (!conn->busy)
		return true;
	if (conn->conn == NULL || !PQconsumeInput(conn->conn))
		return false;
	while (!PQisBusy(conn->conn))
	{
		PGresult   *res = PQgetResult(conn->conn);
		ExecStatusType status;

		if (res == NULL)
		{
			conn->busy = false;
			return true;
		}
		status = PQresultStatus(res);
		PQclear(res);
		if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT ||
			status == PGRES_COPY_BOTH)
			return false;
	}
	return false;
}


/*
 * FinishRemoteCommand collects all results of the command in flight on conn
 * before deadline (see NodeWaitDeadline; a pending cancel or termination
 * ends a cleanup wait too).  Returns true when every result succeeded and,
 * if expectedTag is given, carried that command tag (COMMIT on an aborted
 * remote transaction succeeds with tag ROLLBACK).  Otherwise reports the
 * problem at elevel (below ERROR) and returns false; after a timeout or
 * connection loss conn stays busy and the caller should close it.  For
 * transaction callbacks and recovery.
 */
bool
FinishRemoteCommand(NodeConnection *conn, const char *sql,
					const char *expectedTag, TimestampTz deadline, int elevel)
{
	bool		ok = true;

	for (;;)
	{
		bool		failed;
		PGresult   *res = GetRemoteResultTimed(conn, deadline, &failed);
		ExecStatusType status;

		if (failed)
		{
			bool		lost = (conn->conn == NULL || PQstatus(conn->conn) == CONNECTION_BAD);

			ereport(elevel,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("could not get the result of a command from node %s:%d",
							conn->host, conn->port),
					 lost ?
					 errdetail_internal("%s", conn->conn != NULL ? TrimMessage(PQerrorMessage(conn->conn)) : "connection closed") :
					 errdetail("The node did not answer within \"shard.node_timeout\"."),
					 errcontext("while executing on node %s:%d: %s",
								conn->host, conn->port, ClipSql(sql))));
			return false;
		}
		if (res == NULL)
			break;

		status = PQresultStatus(res);
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		{
			if (ok && expectedTag != NULL && strcmp(PQcmdStatus(res), expectedTag) != 0)
			{
				ereport(elevel,
						(errcode(ERRCODE_TRANSACTION_ROLLBACK),
						 errmsg("node %s:%d answered %s to %s",
								conn->host, conn->port, PQcmdStatus(res), expectedTag),
						 errdetail("The remote transaction had failed and was rolled back.")));
				ok = false;
			}
			PQclear(res);
		}
		else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT ||
				 status == PGRES_COPY_BOTH)
		{
			PQclear(res);
			ok = false;
			if (!EndCopyState(conn, status, deadline))
				return false;
		}
		else
		{
			if (ok)
				ReportRemoteError(elevel, res, conn, sql);
			else
				PQclear(res);
			ok = false;
		}
	}
	return ok;
}


/* ----------------------------------------------------------------
 * Synchronous convenience
 * ----------------------------------------------------------------
 */

/*
 * ExecuteRemoteCommand sends sql on conn and collects all its results.
 * Every result must be PGRES_COMMAND_OK or expected; the last one is
 * returned (malloc'd: the caller PQclears; NULL only for an empty sql).
 * Throws the worker's error (see ReportRemoteError) after draining the
 * connection, and on interrupt or connection loss; frees held results first.
 */
PGresult   *
ExecuteRemoteCommand(NodeConnection *conn, const char *sql,
					 ExecStatusType expected)
{
	PGresult   *volatile last = NULL;

	SendRemoteCommand(conn, sql);

	PG_TRY();
	{
		for (;;)
		{
			PGresult   *res = GetRemoteResult(conn);
			ExecStatusType status;

			if (res == NULL)
				break;

			status = PQresultStatus(res);
			if (status != PGRES_COMMAND_OK && status != expected)
			{
				RemoteError err;
				bool		isError = (status == PGRES_FATAL_ERROR ||
									   status == PGRES_NONFATAL_ERROR ||
									   status == PGRES_BAD_RESPONSE);

				if (last != NULL)
				{
					PQclear(last);
					last = NULL;
				}
				if (isError)
					CaptureRemoteError(&err, res, conn);
				PQclear(res);
				if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT ||
					status == PGRES_COPY_BOTH)
				{
					if (!EndCopyState(conn, status, 0))
						ThrowConnectionFailure(conn, false, sql);
				}
				DrainRemoteResults(conn);
				if (isError)
					ThrowRemoteError(ERROR, &err, conn, sql);
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("unexpected result \"%s\" from node %s:%d",
								PQresStatus(status), conn->host, conn->port),
						 errcontext("while executing on node %s:%d: %s",
									conn->host, conn->port, ClipSql(sql))));
			}
			if (last != NULL)
				PQclear(last);
			last = res;
		}
	}
	PG_CATCH();
	{
		if (last != NULL)
			PQclear(last);
		PG_RE_THROW();
	}
	PG_END_TRY();

	return last;
}


/*
 * ExecuteRemoteCommandNoResult is ExecuteRemoteCommand for commands that
 * return no rows; the results are freed.  Throws like it.
 */
void
ExecuteRemoteCommandNoResult(NodeConnection *conn, const char *sql)
{
	PGresult   *res = ExecuteRemoteCommand(conn, sql, PGRES_COMMAND_OK);

	if (res != NULL)
		PQclear(res);
}


/* ----------------------------------------------------------------
 * Errors and cancel
 * ----------------------------------------------------------------
 */

/*
 * TrimMessage returns a palloc'd copy of message without trailing white
 * space (libpq messages end with a newline).
 */
char *
TrimMessage(const char *message)
{
	char	   *copy = pstrdup(message != NULL ? message : "");
	int			length = strlen(copy);

	while (length > 0 && isspace((unsigned char) copy[length - 1]))
		copy[--length] = '\0';
	return copy;
}


/*
 * ClipSql returns sql, or a palloc'd prefix of it ending in "..." when it is
 * longer than MAX_SQL_IN_CONTEXT bytes (cut on a character boundary).
 */
char *
ClipSql(const char *sql)
{
	int			length;

	if (sql == NULL)
		return "";
	length = strlen(sql);
	if (length <= MAX_SQL_IN_CONTEXT)
		return (char *) sql;
	length = pg_mbcliplen(sql, length, MAX_SQL_IN_CONTEXT);
	return psprintf("%.*s...", length, sql);
}


/*
 * CancelRemoteCommand stops the command in flight on conn, if any, before
 * deadline (NodeWaitDeadline; transaction cleanup shares one for all
 * connections), and drops its results.  The cancel goes through a new
 * connection to the node (pg_cancel_backend of conn's worker session,
 * AskNode), which unlike PQcancel never blocks on a node that does not
 * answer; a node that refuses that connection but answers gets PQcancel.
 * When the node does not answer or the command does not end in time, conn
 * is closed instead (an open remote transaction on it is marked failed; the
 * worker rolls it back when it notices).  Warns, never throws (other than on
 * interrupt where interrupts are not held).
 */
void
CancelRemoteCommand(NodeConnection *conn, TimestampTz deadline)
{
	char	   *detail;
	NodeAnswer	answer;

	if (conn->conn == NULL || !conn->busy)
		return;

	/* the command may have ended already: then there is nothing to cancel */
	if (PQconsumeInput(conn->conn) && !PQisBusy(conn->conn) &&
		DrainRemoteResultsTimed(conn, GetCurrentTimestamp()))
		return;

	answer = AskNode(conn, CancelStatement(conn), deadline, &detail);
	if (answer == NODE_REFUSED)
		SendCancelRequest(conn);
	if (answer == NODE_SILENT)
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("node %s:%d does not answer", conn->host, conn->port),
				 errdetail("The connection was closed instead of cancelling its command.")));
	else if (DrainRemoteResultsTimed(conn, deadline))
		return;
	else
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not cancel the command running on node %s:%d",
						conn->host, conn->port),
				 errdetail("The connection was closed.")));
	CloseNodeConnection(conn);
}


/*
 * CancelStatement returns (palloc'd) the statement that cancels the command
 * of conn's worker session from another session of the same user: its pid,
 * and the application_name of this backend's sessions, so that a pid reused
 * by some other session is never hit.
 */
static char *
CancelStatement(NodeConnection *conn)
{
	return psprintf("SELECT pg_catalog.pg_cancel_backend(pid) "
					"FROM pg_catalog.pg_stat_activity "
					"WHERE pid = %d AND application_name = %s",
					PQbackendPID(conn->conn),
					quote_literal_cstr(NodeApplicationName()));
}


/*
 * SendCancelRequest sends a protocol cancel request for conn's command
 * (PQcancel, which blocks until the node's postmaster has read it: only for
 * a node known to answer).  Warns on failure.
 */
static void
SendCancelRequest(NodeConnection *conn)
{
	PGcancel   *cancel = PQgetCancel(conn->conn);
	char		errbuf[256];

	if (cancel == NULL)
		return;
	if (!PQcancel(cancel, errbuf, sizeof(errbuf)))
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not send cancel request to node %s:%d",
						conn->host, conn->port),
				 errdetail_internal("%s", TrimMessage(errbuf))));
	PQfreeCancel(cancel);
}
