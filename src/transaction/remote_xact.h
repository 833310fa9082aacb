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

/* Record that a modifying command is sent on conn in this transaction. */
extern void MarkRemoteWrite(NodeConnection *conn);

/* True when the current coordinator transaction has an open remote one. */
extern bool InRemoteTransaction(void);

#endif							/* SHARD_REMOTE_XACT_H */
