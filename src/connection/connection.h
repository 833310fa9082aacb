/*-------------------------------------------------------------------------
 * connection.h
 *	  libpq connections to worker nodes, cached per backend per (node, user).
 *
 * A NodeConnection lives in ShardConnectionContext (under TopMemoryContext)
 * and survives transactions.  The PGconn inside is malloc'd by libpq.  The
 * remote transaction state kept here is driven by transaction/remote_xact.c.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_CONNECTION_H
#define SHARD_CONNECTION_H

#include "libpq-fe.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

/* State of the remote transaction on one connection, per coordinator xact. */
typedef enum RemoteXactState
{
	REMOTE_XACT_NONE,			/* no remote BEGIN sent in this transaction */
	REMOTE_XACT_OPEN,			/* BEGIN sent (possibly as a prefix in flight) */
	REMOTE_XACT_FAILED,			/* an error happened; only ROLLBACK is allowed */
	REMOTE_XACT_PREPARED		/* PREPARE TRANSACTION succeeded */
} RemoteXactState;

typedef struct NodeConnection
{
	/* hash key: must be first */
	struct NodeConnectionKey
	{
		int			nodeId;
		Oid			userId;
		bool		sideChannel;	/* GetNodeSideConnection's, never used
									 * for a remote transaction */
	}			key;

	PGconn	   *conn;			/* NULL when not connected */
	char	   *host;			/* in ShardConnectionContext */
	int			port;
	char	   *dbName;			/* database and user of the session, for
								 * the probe and cancel connections (which
								 * may be opened where catalogs cannot be
								 * read); in ShardConnectionContext */
	char	   *userName;

	/* remote transaction bookkeeping for the current coordinator xact */
	RemoteXactState xactState;
	bool		wroteInXact;	/* a modifying command was sent */
	bool		lockedRowsInXact;	/* SELECT ... FOR UPDATE/SHARE was sent: a
									 * reader that commits after the writers */
	int			xactNestLevel;	/* coordinator subxact level of the newest
								 * remote savepoint (1 = top level) */
	bool		changedNode;	/* node metadata changed: close at xact end */
	bool		busy;			/* a command is in flight, results pending */
	uint64		cursorNumber;	/* for unique cursor names */

	/* session settings already sent to this connection */
	char	   *sentSettings;	/* in ShardConnectionContext, or NULL */

	/* added fields: see connection.c and transaction/remote_xact.c */
	int			commandNestLevel;	/* coordinator subxact level of the last
									 * command sent (lowered when that
									 * subxact commits) */
	bool		releasePending; /* RELEASE SAVEPOINT s<xactNestLevel + 1> is
								 * owed to the node, sent with the next
								 * command */
	bool		prepareSent;	/* PREPARE TRANSACTION sent, outcome unknown */
	char		preparedGid[64];	/* gid when prepareSent or PREPARED */

	/*
	 * The stream (executor/task_execution.c) whose command is in flight,
	 * so that another command can absorb its results first; cleared when
	 * the command completes and at (sub)transaction end.
	 */
	void	   *pendingStream;

	/*
	 * Wait set (latch, postmaster death, this socket) kept for the life of
	 * the libpq connection, in ShardConnectionContext: a routed statement
	 * waits once, and building a set per wait costs an epoll descriptor and
	 * four system calls.  waitEvents is the socket event it waits for now.
	 */
	struct WaitEventSet *waitSet;
	uint32		waitEvents;

	/* named prepared statements of this session: see statement_cache.c */
	struct HTAB *statementCache;
	MemoryContext statementContext;
	uint64		statementGeneration;
	int			statementsPrepared;
} NodeConnection;

/* GUC: extra libpq options for connections to nodes */
extern char *NodeConnInfo;

/*
 * GUC shard.node_timeout, in milliseconds: how long a wait on a node goes
 * without an answer before the node is probed, and the bound of connecting
 * and of transaction-end cleanup.
 */
extern int	NodeTimeout;

extern void InitConnectionCache(void);
extern NodeConnection *GetNodeConnection(int nodeId, const char *host, int port);
extern NodeConnection *GetNodeSideConnection(int nodeId, const char *host,
											 int port);

/*
 * Called, when set, each time a command has been awaited for
 * LongRemoteWaitMs without a result, where interrupts can be processed
 * (the distributed deadlock detector).  It may throw.
 */
typedef void (*LongRemoteWaitCallback) (void);
extern LongRemoteWaitCallback LongRemoteWaitHook;
extern int	LongRemoteWaitMs;
extern void InvalidateNodeConnections(int nodeId);
extern void CloseNodeConnection(NodeConnection *conn);
extern List *ActiveConnectionList(void);
extern char *NodeConnectionName(NodeConnection *conn);

/*
 * application_name of node connections: NODE_APPLICATION_NAME_PREFIX
 * <system id>_<pid> of the coordinator backend, unless overridden.
 */
#define NODE_APPLICATION_NAME_PREFIX "shard_"
extern char *NodeApplicationName(void);
extern void SetNodeApplicationName(const char *name);

/* session settings that change results; see connection.c */
extern void AppendSettingCommands(NodeConnection *conn, StringInfo commands);
extern int	AppendChangedSettings(NodeConnection *conn, StringInfo commands);
extern void ForgetSentSettings(NodeConnection *conn);

/* asynchronous I/O */
extern void SendRemoteCommand(NodeConnection *conn, const char *sql);
extern PGresult *GetRemoteResult(NodeConnection *conn);
extern int	WaitForReadableConnection(NodeConnection **conns, int count);
extern void DrainRemoteResults(NodeConnection *conn);
extern bool DiscardArrivedResults(NodeConnection *conn);

/* synchronous convenience */
extern PGresult *ExecuteRemoteCommand(NodeConnection *conn, const char *sql,
									  ExecStatusType expected);
extern void ExecuteRemoteCommandNoResult(NodeConnection *conn, const char *sql);

/* errors (ReportRemoteError is in remote_error.c) and cancel */
extern void ReportRemoteError(int elevel, PGresult *res, NodeConnection *conn,
							  const char *sql);
extern char *TrimMessage(const char *message);
extern char *ClipSql(const char *sql);
extern void CancelRemoteCommand(NodeConnection *conn, TimestampTz deadline);

/*
 * Non-throwing I/O for transaction callbacks and recovery: failures are
 * reported at elevel (WARNING or lower) and returned as false; the caller
 * then usually closes the connection.
 */
extern bool TrySendRemoteCommand(NodeConnection *conn, const char *sql,
								 int elevel);
extern bool FinishRemoteCommand(NodeConnection *conn, const char *sql,
								const char *expectedTag, TimestampTz deadline,
								int elevel);

/*
 * The deadline of a bounded wait on nodes that starts now: now +
 * shard.node_timeout.  Transaction-end cleanup shares one for all nodes.
 */
extern TimestampTz NodeWaitDeadline(void);

/*
 * For waits of their own on node sockets (COPY): call after
 * shard.node_timeout without a byte from conn's node.  Returns when the
 * node answers a probe; else closes conn and throws
 * ERRCODE_CONNECTION_FAILURE naming the node (node_probe.c).
 */
extern void CheckNodeAnswers(NodeConnection *conn);

#endif							/* SHARD_CONNECTION_H */
