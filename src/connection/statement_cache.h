/*-------------------------------------------------------------------------
 * statement_cache.h
 *	  Named prepared statements on node connections.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_STATEMENT_CACHE_H
#define SHARD_STATEMENT_CACHE_H

#include "connection/connection.h"

extern void SendPreparedCommand(NodeConnection *conn, const char *sql,
								int nparams, const Oid *types,
								const char *const *values, uint64 generation);
extern void ForgetPreparedStatements(NodeConnection *conn);

#endif							/* SHARD_STATEMENT_CACHE_H */
