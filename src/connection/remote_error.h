/*-------------------------------------------------------------------------
 * remote_error.h
 *	  A worker's error copied out of its PGresult and rethrown on the
 *	  coordinator as if the coordinator had raised it (see remote_error.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_REMOTE_ERROR_H
#define SHARD_REMOTE_ERROR_H

#include "connection/connection.h"

/* A worker error copied out of its PGresult (palloc'd), so it can be freed. */
typedef struct RemoteError
{
	int			sqlerrcode;
	char	   *primary;
	char	   *detail;
	char	   *hint;
	char	   *context;		/* the worker's own context lines, or NULL */

	/* object fields (PG_DIAG_*_NAME), NULL when the worker sent none */
	char	   *schemaName;
	char	   *tableName;
	char	   *columnName;
	char	   *datatypeName;
	char	   *constraintName;

	/* where the worker raised it (PG_DIAG_SOURCE_*), NULL when unknown */
	char	   *sourceFile;
	char	   *sourceFunction;
	int			sourceLine;
} RemoteError;

/*
 * Called by ThrowRemoteError, inside a transaction, to rename the shard
 * objects an error names to the coordinator's objects (set at load time by
 * commands/remote_error_names.c).  May throw.
 */
typedef void (*RemoteErrorNamesCallback) (RemoteError *err);
extern RemoteErrorNamesCallback RemoteErrorNamesHook;

extern void CaptureRemoteError(RemoteError *err, PGresult *res, NodeConnection *conn);
extern void ThrowRemoteError(int elevel, RemoteError *err, NodeConnection *conn,
							 const char *sql);
extern void ReplaceQuotedName(RemoteError *err, const char *shardName,
							  const char *name);

#endif							/* SHARD_REMOTE_ERROR_H */
