/*-------------------------------------------------------------------------
 * statement_cache.h
 *	  Named prepared statements on node connections.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_STATEMENT_CACHE_H
#define SHARD_STATEMENT_CACHE_H

#include "lib/stringinfo.h"

#include "connection/connection.h"

extern void SendPreparedCommand(NodeConnection *conn, const char *sql,
								int nparams, const Oid *types,
								const char *const *values, uint64 generation);
extern int	EnsurePreparedStatement(NodeConnection *conn, const char *sql,
									int nparams, const Oid *types,
									uint64 generation);
extern bool StatementNeedsPrepare(NodeConnection *conn, const char *sql,
								  int nparams, const Oid *types,
								  uint64 generation);
extern void AppendExecuteStatement(StringInfo buf, int number, int nparams,
								   const char *const *values);
extern void SendPreparedStatement(NodeConnection *conn, int number,
								  int nparams, const char *const *values);
extern void ThrowSendFailure(NodeConnection *conn) pg_attribute_noreturn();
extern void ForgetPreparedStatements(NodeConnection *conn);

#endif							/* SHARD_STATEMENT_CACHE_H */
