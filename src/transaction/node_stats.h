/*-------------------------------------------------------------------------
 * node_stats.h
 *	  Node identity, health and sizes (node_stats.c): what the catalog
 *	  views show without connecting to a node.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_NODE_STATS_H
#define SHARD_NODE_STATS_H

#include "connection/connection.h"
#include "utils/elog.h"

/* GUC shard.size_collection_interval, in ms; <= 0 disables it */
extern int	SizeCollectionInterval;

/* how long a node stays unreachable before the workers report it, in ms */
#define NODE_UNREACHABLE_REPORT_MS	60000

/*
 * What a server says about itself; one server is one node whatever name
 * reaches it.  Strings in CurrentMemoryContext.
 */
typedef struct NodeIdentity
{
	char	   *systemIdentifier;	/* pg_control_system() */
	int			serverPort;		/* its port setting */
	char	   *startedAt;		/* pg_postmaster_start_time(), as text */
	/* and how it is, for the health probe (node_health.c) */
	bool		inRecovery;		/* pg_is_in_recovery() */
	char	   *walLsn;			/* replay LSN in recovery, else current LSN;
								 * NULL when a standby replayed nothing */
	char	   *receiverStatus; /* pg_stat_wal_receiver.status, or NULL */
	int			senderPort;		/* pg_stat_wal_receiver.sender_port, or 0 */
} NodeIdentity;

typedef void (*TryFunction) (void *arg);

extern ErrorData *TryInSubTransaction(TryFunction function, void *arg);
extern NodeIdentity *FetchNodeIdentity(NodeConnection *conn);
extern void NoteNodeReachable(int nodeId, const char *host, int port);
extern void NoteNodeUnreachable(int nodeId, const char *host, int port,
								ErrorData *edata);
extern bool SizeCollectionDue(void);
extern int	CollectSizes(void);

#endif							/* SHARD_NODE_STATS_H */
