/*-------------------------------------------------------------------------
 * remote_error_names.h
 *	  Worker errors name the coordinator's objects, not the shards'.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_REMOTE_ERROR_NAMES_H
#define SHARD_REMOTE_ERROR_NAMES_H

#include "connection/remote_error.h"

/* RemoteErrorNamesHook: renames the shard objects err names; may throw. */
extern void RenameShardObjectsInError(RemoteError *err);

#endif							/* SHARD_REMOTE_ERROR_NAMES_H */
