/*-------------------------------------------------------------------------
 * task_execution.h
 *	  Running shard statements on the nodes: tasks grouped per node, sent
 *	  on every node at once and collected as they finish, and cursors that
 *	  stream the rows of remote scans batch by batch.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_TASK_EXECUTION_H
#define SHARD_TASK_EXECUTION_H

#include "libpq-fe.h"
#include "nodes/params.h"
#include "nodes/pg_list.h"

#include "connection/connection.h"

/* one statement for one shard */
typedef struct Task
{
	int			shardIndex;
	int			nodeId;
	char	   *sql;
} Task;

/* how tasks are run */
typedef struct TaskRunOptions
{
	bool		needTransaction;	/* open remote transactions */
	bool		isWrite;		/* tasks modify data */
	ParamListInfo params;		/* for $n in the SQL, or NULL */
	bool		keepResults;	/* keep PGRES_TUPLES_OK results */
} TaskRunOptions;

/* what running tasks produced */
typedef struct TaskRunResult
{
	List	   *results;		/* PGresult *, in completion order */
	uint64		rowsProcessed;	/* from the command tags */
} TaskRunResult;

extern void RunTasks(List *tasks, TaskRunOptions *options, TaskRunResult *result);
extern void FreeTaskResults(TaskRunResult *result);

/* streaming reads through cursors, one per node */
typedef struct NodeStream NodeStream;
typedef struct StreamSet StreamSet;

extern StreamSet *StartStreams(List *tasks, ParamListInfo params, int fetchSize);
extern PGresult *NextStreamBatch(StreamSet *set);
extern void CloseStreams(StreamSet *set);

/* parameters of a statement as PQsendQueryParams arrays */
extern void BuildRemoteParams(ParamListInfo params, int *nparams, Oid **types,
							  const char ***values);
extern NodeConnection *ConnectionForNode(int nodeId);

#endif							/* SHARD_TASK_EXECUTION_H */
