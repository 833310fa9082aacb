/*-------------------------------------------------------------------------
 * task_execution.h
 *	  Running shard statements on the nodes: tasks grouped per node, sent
 *	  on every node at once and collected as they finish, and streams that
 *	  hand out rows as they arrive: through cursors batch by batch for
 *	  remote scans, row by row for routed and multi-shard SELECTs.
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
	bool		replica;		/* writes another placement of a shard whose
								 * first placement's task reports: results
								 * dropped (see executor/placement_tasks.c) */

	/* filled by RunTasks and task streams when collectStats is set */
	bool		finished;		/* its result arrived */
	uint64		rows;			/* rows returned or processed */
	double		elapsedMs;		/* from its send (or the node's previous
								 * result) to its result, 0 without timing */
} Task;

/* how tasks are run */
typedef struct TaskRunOptions
{
	bool		needTransaction;	/* open remote transactions */
	bool		isWrite;		/* tasks modify data */
	bool		locksRows;		/* tasks lock rows (SELECT ... FOR UPDATE/SHARE) */
	ParamListInfo params;		/* for $n in the SQL, or NULL */
	bool		keepResults;	/* keep PGRES_TUPLES_OK results */
	bool		collectStats;	/* fill each Task's rows (EXPLAIN ANALYZE) */
	bool		collectTiming;	/* and its elapsedMs */
} TaskRunOptions;

/* what running tasks produced */
typedef struct TaskRunResult
{
	List	   *results;		/* PGresult *, in completion order */
	List	   *resultNodeIds;	/* node id of each result, in step (a
								 * node's results come in its tasks' order) */
	uint64		rowsProcessed;	/* from the command tags */
} TaskRunResult;

extern void RunTasks(List *tasks, TaskRunOptions *options, TaskRunResult *result);
extern void RunWriteTasks(List *tasks);
extern void FreeTaskResults(TaskRunResult *result);

/* streaming reads through cursors, one per node */
typedef struct NodeStream NodeStream;
typedef struct StreamSet StreamSet;

/*
 * What one node's stream did (EXPLAIN ANALYZE): a node's tasks share one
 * cursor, so rows and time are known per node, not per task.
 */
typedef struct StreamStats
{
	int			nodeId;
	int			taskCount;
	uint64		rows;
	double		elapsedMs;		/* DECLARE sent to last batch received */
} StreamStats;

extern StreamSet *StartStreams(List *tasks, ParamListInfo params, int fetchSize,
							   bool locksRows, bool collectStats, bool collectTiming);
extern PGresult *NextStreamBatch(StreamSet *set);
extern void CloseStreams(StreamSet *set);
extern void ForgetStreams(StreamSet *set);

/* rows of routed and multi-shard SELECTs, streamed */
extern StreamSet *StartTaskStreams(List *tasks, TaskRunOptions *options);
extern List *StreamSetStats(StreamSet *set);

/* parameters of a statement as PQsendQueryParams arrays */
extern void BuildRemoteParams(ParamListInfo params, int *nparams, Oid **types,
							  const char ***values);
extern NodeConnection *ConnectionForNode(int nodeId);

#endif							/* SHARD_TASK_EXECUTION_H */
