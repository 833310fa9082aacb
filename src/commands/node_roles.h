/*-------------------------------------------------------------------------
 * node_roles.h
 *	  Checks of shard.add_node for secondaries (node_roles.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_NODE_ROLES_H
#define SHARD_NODE_ROLES_H

#include "connection/connection.h"
#include "transaction/node_stats.h"

extern void CheckStandbyOfPrimary(NodeConnection *conn, NodeIdentity *identity,
								  const char *host, int port, int primaryId);

#endif							/* SHARD_NODE_ROLES_H */
