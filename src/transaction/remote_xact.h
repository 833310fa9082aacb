/*-------------------------------------------------------------------------
 * remote_xact.h
 *	  Remote transactions on worker connections, tied to the coordinator's
 *	  transaction: BEGIN on first use, savepoints mirrored lazily, one-phase
 *	  commit when at most one node wrote, two-phase commit otherwise, and
 *	  recovery of prepared transactions left behind by a crash.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_REMOTE_XACT_H
#define SHARD_REMOTE_XACT_H

#include "connection/connection.h"

extern void InitRemoteTransactions(void);

/*
 * GUC shard.debug_fail_at, for tests only: makes two-phase commit stop at a
 * point, to create the states recovery must handle.
 */
typedef enum DebugFailPoint
{
	DEBUG_FAIL_NONE,
	DEBUG_FAIL_AFTER_PREPARE,	/* PANIC after every node prepared */
	DEBUG_FAIL_AFTER_DECISION,	/* PANIC after the coordinator committed */
	DEBUG_FAIL_SKIP_COMMIT_PREPARED, /* no COMMIT PREPARED, as if every node
									  * was lost after the decision */
	DEBUG_FAIL_SKIP_REMOTE_SCAN	/* the planner leaves distributed tables'
								 * own scans in place, so the shell guard
								 * (executor/shell_guard.c) must stop them */
} DebugFailPoint;

extern int	DebugFailAt;

/*
 * Commands to run on conn before a command of the current statement.  With
 * needTransaction, a remote transaction is opened if it is not yet open
 * (BEGIN with the coordinator's isolation level), and savepoints of the
 * coordinator's open subtransactions are mirrored.  Settings that changed
 * since the last command (see AppendSettingCommands) come first.  The
 * commands are appended to prefix, and the connection's state is updated as
 * if they were run: the caller must send prefix and its own command as one
 * PQsendQuery string (results of the prefix are PGRES_COMMAND_OK), or call
 * RunRemotePrefix to run them on their own.
 */
extern void PrepareRemoteCommand(NodeConnection *conn, bool needTransaction,
								 StringInfo prefix);
extern void RunRemotePrefix(NodeConnection *conn, bool needTransaction);

/*
 * PrepareRemoteCommand that also returns how many statements it appended to
 * prefix (each yields one PGRES_COMMAND_OK result before the caller's own).
 */
extern int	AppendRemotePrefix(NodeConnection *conn, bool needTransaction,
							   StringInfo prefix);

/* Record that a modifying command is sent on conn in this transaction. */
extern void MarkRemoteWrite(NodeConnection *conn);
extern void MarkRemoteRowLocks(NodeConnection *conn);

/* True when the current coordinator transaction has an open remote one. */
extern bool InRemoteTransaction(void);

/*
 * Ask for two-phase commit even when only one node writes, e.g. when the
 * coordinator's own catalog change must commit atomically with that node.
 */
extern void RequireTwoPhaseCommit(void);

/* gid of a prepared transaction: shard_<system id>_<top xid>_<node id> */
extern void FormatShardGid(char *gid, size_t size, uint64 systemId,
						   TransactionId xid, int nodeId);
extern bool ParseShardGid(const char *gid, uint64 *systemId,
						  TransactionId *xid, int *nodeId);
extern Oid	DistTransactionRelationId(void);

#endif							/* SHARD_REMOTE_XACT_H */
