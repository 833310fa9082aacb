/*-------------------------------------------------------------------------
 * node_health.h
 *	  Health of the nodes, probed by the background worker
 *	  (node_health.c) and read by the routing of reads.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_NODE_HEALTH_H
#define SHARD_NODE_HEALTH_H

#include "access/xlogdefs.h"
#include "datatype/timestamp.h"

/* GUC shard.health_check_interval, in ms; <= 0 disables probing */
extern int	HealthCheckInterval;

/* a node's last recorded health */
typedef struct NodeHealth
{
	int			nodeId;
	bool		isUp;			/* answered; a secondary: in recovery,
								 * streaming, of its primary's system */
	XLogRecPtr	replayLsn;		/* replay LSN (secondary), current LSN
								 * (primary) */
	double		lagMs;			/* secondary: replay lag, 0 when replayed */
	int64		lagBytes;		/* secondary: primary's LSN minus replayLsn */
	TimestampTz checkedAt;		/* time of the probe */
} NodeHealth;

extern void ProbeNodeHealth(void);
extern NodeHealth *LookupNodeHealth(int nodeId);

#endif							/* SHARD_NODE_HEALTH_H */
