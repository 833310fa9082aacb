/*-------------------------------------------------------------------------
 * node_probe.h
 *	  Short-lived extra connections to a node, internal to connection/:
 *	  liveness probes of nodes a command waits on, and bounded cancels.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_NODE_PROBE_H
#define SHARD_NODE_PROBE_H

#include "connection/connection.h"

/* what a node did when asked something on a new connection */
typedef enum NodeAnswer
{
	NODE_ANSWERED,				/* connected, and the statement ran */
	NODE_REFUSED,				/* it answered, but refused the connection
								 * or failed the statement */
	NODE_SILENT					/* no answer before the deadline, or nothing
								 * listens (refused, unreachable) */
} NodeAnswer;

extern NodeAnswer AskNode(NodeConnection *conn, const char *sql,
						  TimestampTz deadline, char **detail);

/* defined in connection.c, for the probe */
extern bool NodeConnectionOptions(NodeConnection *conn, int elevel,
								  const char ***keywords, const char ***values,
								  int *connectTimeoutMs);
extern NodeAnswer PollNodeConnection(PGconn *pgconn, TimestampTz deadline);
extern int	NodeWaitSocket(pgsocket sock, uint32 socketEvent,
						   TimestampTz deadline);
extern bool NodeWaitInterrupted(void);

#endif							/* SHARD_NODE_PROBE_H */
