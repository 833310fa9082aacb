/*-------------------------------------------------------------------------
 * copy_from.h
 *	  COPY on distributed tables: COPY FROM parsed on the coordinator and
 *	  streamed to per-shard COPY on the nodes; COPY TO run as a query.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_COPY_FROM_H
#define SHARD_COPY_FROM_H

#include "nodes/plannodes.h"
#include "tcop/cmdtag.h"
#include "utils/queryenvironment.h"

extern bool ProcessDistributedCopy(PlannedStmt **pstmt, const char *queryString,
								   QueryEnvironment *queryEnv, QueryCompletion *qc);

#endif							/* SHARD_COPY_FROM_H */
