/*-------------------------------------------------------------------------
 * task_execution.c
 *	  Runs shard statements on the nodes.
 *
 * RunTasks groups tasks per node, sends every node its first statement at
 * once (without parameters, all of a node's statements and the remote
 * transaction prefix go as one multi-statement string: one round trip per
 * node), and collects results in whatever order the nodes finish.
 *
 * Streams read remote scans: one cursor per node over the UNION ALL of
 * that node's shard queries, fetched in batches; as soon as a batch
 * arrives the next FETCH is sent, so the node works while the coordinator
 * consumes.  Memory stays bounded by two batches per node whatever the
 * size of the result.
 *
 * Task streams read the rows of routed and multi-shard SELECTs through the
 * same stream machinery (queue, absorption when another command needs the
 * connection, close, cleanup), but their source is the statement itself,
 * sent as RunTasks sends it (prepared on the node, with its parameters, in
 * autocommit when it is the whole statement) and read in libpq's
 * single-row mode: a cursor cannot wrap a prepared statement, needs a
 * remote transaction and a CLOSE, and would turn a routed point lookup's
 * one round trip into four or five.  A task stream holds one row per
 * PGresult and a bounded number of them, except when another command
 * needs its connection before it is read to the end: the rest of its
 * current statement is then queued (as RunTasks would have kept it).
 *
 * One connection per node and user serves a whole coordinator transaction
 * (read-your-writes); cursors let several scans share it.
 *
 * PGresults are malloc'd by libpq: results kept across calls that can
 * throw are freed in PG_CATCH blocks.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "portability/instr_time.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"

#include "connection/connection.h"
#include "connection/statement_cache.h"
#include "deparse/deparse.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

/* statements of one node in RunTasks */
typedef struct NodeTasks
{
	int			nodeId;
	NodeConnection *conn;
	List	   *sqls;			/* char *, not yet sent */
	char	   *currentSql;		/* for error context */
	List	   *tasks;			/* Task *, in the order of sqls */
	List	   *marks;			/* ResultMark *, with collectStats */
	instr_time	sentAt;
	bool		replica;		/* only replica tasks: results dropped */
} NodeTasks;

/*
 * A result a node returned, in arrival order (collectStats): a node's
 * statements run one after another, so its last results are its tasks'.
 */
typedef struct ResultMark
{
	uint64		rows;
	instr_time	at;
} ResultMark;

struct NodeStream
{
	StreamSet  *set;
	NodeConnection *conn;
	char	   *cursorName;
	char	   *declareSql;
	NodeTasks  *group;			/* task streams: the node's statements */
	int			taskIndex;		/* task streams: statements whose rows ended */
	uint64		taskRows;		/* task streams: rows of the current one */
	bool		inFlight;		/* a command's results are pending */
	bool		declaring;		/* the pending command is DECLARE alone */
	bool		exhausted;		/* no more FETCH to send */
	bool		declared;
	bool		needFetch;		/* send FETCH once ready is consumed */
	List	   *ready;			/* batches (PGresult *) not yet handed out */

	/* EXPLAIN ANALYZE */
	int			nodeId;
	int			taskCount;
	uint64		rows;
	instr_time	startedAt;
	instr_time	lastAt;
};

struct StreamSet
{
	int			count;
	NodeStream *streams;
	NodeConnection **conns;		/* parallel to streams, for waiting */
	int			fetchSize;
	int			nextStream;		/* round robin among ready batches */
	bool		collectStats;
	bool		collectTiming;
	bool		taskStreams;	/* rows of the statements, no cursors */
	ParamListInfo params;		/* task streams: for $n, or NULL */
};

static List *GroupTasksByNode(List *tasks);
static void SendWithParams(NodeConnection *conn, const char *sql, ParamListInfo params,
						   bool usePrepared);
static void SendFirstWithParams(NodeConnection *conn, const char *sql,
								ParamListInfo params, bool needTransaction,
								bool streamRows);
static void CountProcessed(PGresult *res, TaskRunResult *result);
static uint64 ResultRows(PGresult *res);
static void MarkResult(NodeTasks *group, PGresult *res, TaskRunOptions *options);
static void AssignTaskStats(List *groups, TaskRunOptions *options);
static void SendNodeStatements(NodeTasks *group, TaskRunOptions *options,
							   bool streamRows);
static void SendNextStatement(NodeTasks *group, ParamListInfo params);
static StreamSet *NewStreamSet(int count, int fetchSize, bool collectStats,
							   bool collectTiming);
static void InitNodeStream(StreamSet *set, int index, NodeTasks *group);
static void SetSingleRowMode(NodeStream *stream);
static void SendNextFetch(StreamSet *set, NodeStream *stream);
static void ReceiveStreamResult(StreamSet *set, NodeStream *stream, bool prefetch);
static void ReceiveTaskResult(StreamSet *set, NodeStream *stream, bool prefetch);
static void EndStreamTask(StreamSet *set, NodeStream *stream);
static void StopTaskStream(NodeStream *stream);
static void FlushPendingStream(NodeConnection *conn);
static void ClearPendingStreams(void);
static void StreamXactCallback(XactEvent event, void *arg);
static void StreamSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
								  SubTransactionId parentSubid, void *arg);

static bool callbacksRegistered = false;

/*
 * ClearPendingStreams forgets every in-flight stream: its memory goes away
 * with the statement, and remote_xact.c cancels or drains the command.
 */
static void
ClearPendingStreams(void)
{
	ListCell   *lc;

	foreach(lc, ActiveConnectionList())
		((NodeConnection *) lfirst(lc))->pendingStream = NULL;
}

/*
 * StreamXactCallback clears stream ownership at transaction end.
 */
static void
StreamXactCallback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PREPARE)
		ClearPendingStreams();
}

/*
 * StreamSubXactCallback clears stream ownership when a subtransaction
 * aborts (its statements' memory is gone).
 */
static void
StreamSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		ClearPendingStreams();
}

/*
 * FlushPendingStream makes conn free for a new command: if a stream's
 * FETCH is in flight on it, its results are received into that stream's
 * queue (no further FETCH is sent until the stream consumes them).
 */
static void
FlushPendingStream(NodeConnection *conn)
{
	NodeStream *stream = (NodeStream *) conn->pendingStream;

	if (!callbacksRegistered)
	{
		RegisterXactCallback(StreamXactCallback, NULL);
		RegisterSubXactCallback(StreamSubXactCallback, NULL);
		callbacksRegistered = true;
	}
	if (stream == NULL || !conn->busy)
		return;
	if (!stream->set->taskStreams)
	{
		ReceiveStreamResult(stream->set, stream, false);
		return;
	}
	/* a statement's rows: the rest of them is queued */
	while (stream->inFlight)
		ReceiveTaskResult(stream->set, stream, false);
}

/*
 * ConnectionForNode returns the cached connection to a node for the
 * current user, connecting if needed.  Throws if the node is unknown or
 * cannot be reached.
 */
NodeConnection *
ConnectionForNode(int nodeId)
{
	NodeInfo   *node = LookupNode(nodeId, false);

	return GetNodeConnection(node->nodeId, node->host, node->port);
}

/*
 * GroupTasksByNode returns a list of NodeTasks, one per node, in the order
 * nodes first appear in tasks.
 */
static List *
GroupTasksByNode(List *tasks)
{
	List	   *groups = NIL;
	ListCell   *lc;

	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);
		NodeTasks  *group = NULL;
		ListCell   *gc;

		foreach(gc, groups)
		{
			if (((NodeTasks *) lfirst(gc))->nodeId == task->nodeId)
			{
				group = lfirst(gc);
				break;
			}
		}
		if (group == NULL)
		{
			group = palloc0(sizeof(NodeTasks));
			group->nodeId = task->nodeId;
			group->replica = true;
			groups = lappend(groups, group);
		}
		group->replica = group->replica && task->replica;
		group->sqls = lappend(group->sqls, task->sql);
		group->tasks = lappend(group->tasks, task);
	}
	return groups;
}

/*
 * BuildRemoteParams converts the statement's parameters to the text form
 * PQsendQueryParams takes, as a worker reads them back (see
 * TransmissionValueText); palloc'd.  Types that workers may not know are
 * declared as text (they cannot be referenced by shipped SQL anyway).
 */
void
BuildRemoteParams(ParamListInfo params, int *nparams, Oid **types,
				  const char ***values)
{
	int			i;

	*nparams = params->numParams;
	*types = palloc0(sizeof(Oid) * Max(1, params->numParams));
	*values = palloc0(sizeof(char *) * Max(1, params->numParams));
	for (i = 0; i < params->numParams; i++)
	{
		ParamExternData *prm;
		ParamExternData prmdata;

		if (params->paramFetch != NULL)
			prm = params->paramFetch(params, i + 1, false, &prmdata);
		else
			prm = &params->params[i];

		if (!OidIsValid(prm->ptype) || prm->ptype >= FirstGenbkiObjectId)
		{
			(*types)[i] = TEXTOID;
			(*values)[i] = NULL;
			continue;
		}
		(*types)[i] = prm->ptype;
		if (prm->isnull)
			(*values)[i] = NULL;
		else if (TransmissionModesNeeded(prm->ptype))
			(*values)[i] = TransmissionValueText(prm->ptype, prm->value);
		else
		{
			Oid			outFunc;
			bool		isVarlena;

			getTypeOutputInfo(prm->ptype, &outFunc, &isVarlena);
			(*values)[i] = OidOutputFunctionCall(outFunc, prm->value);
		}
	}
}

/*
 * SendWithParams sends one statement with the statement's parameters, as
 * SendRemoteCommand does for plain text.  usePrepared: the text is one a
 * plan repeats (a task's), so it runs as a statement prepared once per
 * connection.  Throws on connection failure.
 */
static void
SendWithParams(NodeConnection *conn, const char *sql, ParamListInfo params,
			   bool usePrepared)
{
	int			nparams;
	Oid		   *types;
	const char **values;

	if (conn->conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("connection to node %s:%d is closed", conn->host, conn->port)));
	BuildRemoteParams(params, &nparams, &types, &values);

	/* a parameterized text repeats (a generic plan): prepare it once */
	if (nparams > 0 && usePrepared)
	{
		SendPreparedCommand(conn, sql, nparams, types, values,
							DistTableGeneration);
		return;
	}
	if (!PQsendQueryParams(conn->conn, sql, nparams, types, values, NULL, NULL, 0))
		ThrowSendFailure(conn);
	conn->busy = true;
	conn->commandNestLevel = GetCurrentTransactionNestLevel();
}

/*
 * SendFirstWithParams sends a node's first statement of a task list, with
 * the commands its session needs first (settings, BEGIN, savepoints).  The
 * statement is prepared on the node (before the prefix, so BEGIN is only
 * recorded as open once it is on its way), and a prefix and the statement
 * then travel as one string with SQL EXECUTE: one round trip, where a
 * prefix run on its own would cost two.  Except with streamRows: a worker
 * runs an SQL EXECUTE that returns rows to its end into a store before it
 * sends the first row (and a cancel does not stop the sending), so the
 * prefix then runs on its own.  Throws on connection failure and remote
 * errors of the prefix or the preparation.
 */
static void
SendFirstWithParams(NodeConnection *conn, const char *sql,
					ParamListInfo params, bool needTransaction, bool streamRows)
{
	int			nparams;
	Oid		   *types;
	const char **values;
	int			statement;
	StringInfoData prefix;

	if (conn->conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("connection to node %s:%d is closed", conn->host, conn->port)));
	BuildRemoteParams(params, &nparams, &types, &values);

	/*
	 * A PREPARE that fails or is cancelled in the remote transaction aborts
	 * it: the savepoints of the current subtransaction go first then, so
	 * that its rollback undoes that.
	 */
	if (conn->xactState == REMOTE_XACT_OPEN &&
		conn->xactNestLevel < GetCurrentTransactionNestLevel() &&
		StatementNeedsPrepare(conn, sql, nparams, types, DistTableGeneration))
		RunRemotePrefix(conn, needTransaction);
	statement = EnsurePreparedStatement(conn, sql, nparams, types,
										DistTableGeneration);

	initStringInfo(&prefix);
	PrepareRemoteCommand(conn, needTransaction, &prefix);
	if (statement > 0 && prefix.len > 0 && streamRows)
	{
		ExecuteRemoteCommandNoResult(conn, prefix.data);
		SendPreparedStatement(conn, statement, nparams, values);
	}
	else if (statement > 0 && prefix.len > 0)
	{
		AppendExecuteStatement(&prefix, statement, nparams, values);
		SendRemoteCommand(conn, prefix.data);
	}
	else if (statement > 0)
		SendPreparedStatement(conn, statement, nparams, values);
	else
	{
		if (prefix.len > 0)
			ExecuteRemoteCommandNoResult(conn, prefix.data);
		SendWithParams(conn, sql, params, false);
	}
	pfree(prefix.data);
}

/*
 * CountProcessed adds the row count of an INSERT, UPDATE or DELETE result
 * to result->rowsProcessed.
 */
static void
CountProcessed(PGresult *res, TaskRunResult *result)
{
	const char *status = PQcmdStatus(res);

	if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
		strncmp(status, "DELETE", 6) == 0)
	{
		const char *count = PQcmdTuples(res);

		if (count[0] != '\0')
			result->rowsProcessed += strtoull(count, NULL, 10);
	}
}

/*
 * ResultRows returns the rows a result returned, or for a command without
 * rows the count in its tag (0 when it has none).
 */
static uint64
ResultRows(PGresult *res)
{
	const char *count;

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return (uint64) PQntuples(res);
	count = PQcmdTuples(res);
	return count[0] != '\0' ? strtoull(count, NULL, 10) : 0;
}

/*
 * MarkResult notes a node's result for EXPLAIN ANALYZE: its rows and,
 * with timing, when it arrived.
 */
static void
MarkResult(NodeTasks *group, PGresult *res, TaskRunOptions *options)
{
	ResultMark *mark;

	if (!options->collectStats)
		return;
	mark = palloc0(sizeof(ResultMark));
	mark->rows = ResultRows(res);
	if (options->collectTiming)
		INSTR_TIME_SET_CURRENT(mark->at);
	group->marks = lappend(group->marks, mark);
}

/*
 * AssignTaskStats gives each task the rows and time of its result.  The
 * session prefix (settings, BEGIN) comes first on a node, so the node's
 * last results are its tasks', in order; a task's time runs from the
 * node's previous result (or the first send) to its own.
 */
static void
AssignTaskStats(List *groups, TaskRunOptions *options)
{
	ListCell   *lc;

	if (!options->collectStats)
		return;
	foreach(lc, groups)
	{
		NodeTasks  *group = lfirst(lc);
		int			taskCount = list_length(group->tasks);
		int			markCount = list_length(group->marks);
		int			k;

		for (k = 0; k < taskCount && k < markCount; k++)
		{
			Task	   *task = list_nth(group->tasks, k);
			int			markIndex = markCount - taskCount + k;
			ResultMark *mark;
			instr_time	elapsed;

			if (markIndex < 0)
				continue;
			mark = list_nth(group->marks, markIndex);
			task->finished = true;
			task->rows = mark->rows;
			if (!options->collectTiming)
				continue;
			elapsed = mark->at;
			if (markIndex > 0)
				INSTR_TIME_SUBTRACT(elapsed, ((ResultMark *) list_nth(group->marks, markIndex - 1))->at);
			else
				INSTR_TIME_SUBTRACT(elapsed, group->sentAt);
			task->elapsedMs = INSTR_TIME_GET_MILLISEC(elapsed);
		}
	}
}

/*
 * SendNodeStatements sends a node its statements of a task list on
 * group->conn (idle): without parameters all of them, after the session
 * prefix, as one multi-statement string; with parameters the first one
 * (prepared on the node), the others following one by one through
 * SendNextStatement.  streamRows: the rows are read as they come (see
 * SendFirstWithParams).  Throws on connection failure and remote errors of
 * the prefix or the preparation.
 */
static void
SendNodeStatements(NodeTasks *group, TaskRunOptions *options, bool streamRows)
{
	NodeConnection *conn = group->conn;
	StringInfoData buf;
	StringInfoData statements;
	ListCell   *sc;

	if (options->isWrite && options->needTransaction)
		MarkRemoteWrite(conn);
	else if (options->locksRows && options->needTransaction)
		MarkRemoteRowLocks(conn);
	if (options->collectTiming)
		INSTR_TIME_SET_CURRENT(group->sentAt);

	if (options->params != NULL && options->params->numParams > 0)
	{
		group->currentSql = linitial(group->sqls);
		group->sqls = list_delete_first(group->sqls);
		SendFirstWithParams(conn, group->currentSql, options->params,
							options->needTransaction, streamRows);
		return;
	}

	initStringInfo(&buf);
	initStringInfo(&statements);
	AppendRemotePrefix(conn, options->needTransaction, &buf);
	foreach(sc, group->sqls)
	{
		appendStringInfoString(&statements, (char *) lfirst(sc));
		appendStringInfoString(&statements, ";");
	}
	appendStringInfoString(&buf, statements.data);
	/* errors show the statements, not the session prefix */
	group->currentSql = statements.data;
	group->sqls = NIL;
	SendRemoteCommand(conn, buf.data);
}

/*
 * SendNextStatement sends the next of a node's statements with parameters
 * (prepared on the node) once the previous one is complete.  Throws as
 * SendWithParams.
 */
static void
SendNextStatement(NodeTasks *group, ParamListInfo params)
{
	group->currentSql = linitial(group->sqls);
	group->sqls = list_delete_first(group->sqls);
	SendWithParams(group->conn, group->currentSql, params, true);
}

/*
 * RunWriteTasks runs tasks that write (DDL, catalog-driven changes) in the
 * coordinator's transaction: each node's remote transaction commits with
 * it (callers that need two-phase commit call RequireTwoPhaseCommit
 * first).  Results are dropped.  Throws the first error a node reports.
 */
void
RunWriteTasks(List *tasks)
{
	TaskRunOptions options;
	TaskRunResult result;

	if (tasks == NIL)
		return;
	memset(&options, 0, sizeof(options));
	options.isWrite = true;
	options.needTransaction = true;
	RunTasks(tasks, &options, &result);
}

/*
 * RunTasks runs tasks on their nodes, all nodes at once, and fills result.
 * Kept results are malloc'd PGresults for the caller to free with
 * FreeTaskResults.  Throws the first error a node reports.
 */
void
RunTasks(List *tasks, TaskRunOptions *options, TaskRunResult *result)
{
	List	   *groups = GroupTasksByNode(tasks);
	int			count = list_length(groups);
	NodeConnection **conns = palloc0(sizeof(NodeConnection *) * Max(count, 1));
	NodeTasks **byIndex = palloc0(sizeof(NodeTasks *) * Max(count, 1));
	ListCell   *lc;
	int			i = 0;

	result->results = NIL;
	result->resultNodeIds = NIL;
	result->rowsProcessed = 0;

	PG_TRY();
	{
		/* connect and send each node its first command */
		foreach(lc, groups)
		{
			NodeTasks  *group = lfirst(lc);
			NodeConnection *conn = ConnectionForNode(group->nodeId);

			group->conn = conn;
			conns[i] = conn;
			byIndex[i] = group;
			i++;

			FlushPendingStream(conn);
			SendNodeStatements(group, options, false);
		}

		/* collect, sending the next statement of a node as it finishes */
		for (;;)
		{
			int			index = WaitForReadableConnection(conns, count);
			NodeTasks  *group;
			PGresult   *res;

			if (index < 0)
				break;
			group = byIndex[index];
			res = GetRemoteResult(group->conn);
			if (res == NULL)
			{
				if (group->sqls != NIL)
					SendNextStatement(group, options->params);
				continue;
			}
			if (group->replica && (PQresultStatus(res) == PGRES_TUPLES_OK ||
								   PQresultStatus(res) == PGRES_COMMAND_OK))
			{
				PQclear(res);
				continue;
			}
			switch (PQresultStatus(res))
			{
				case PGRES_TUPLES_OK:
					CountProcessed(res, result);
					MarkResult(group, res, options);
					if (options->keepResults)
					{
						result->results = lappend(result->results, res);
						result->resultNodeIds = lappend_int(result->resultNodeIds,
															group->nodeId);
					}
					else
						PQclear(res);
					break;
				case PGRES_COMMAND_OK:
					CountProcessed(res, result);
					MarkResult(group, res, options);
					PQclear(res);
					break;
				default:
					ReportRemoteError(ERROR, res, group->conn, group->currentSql);
			}
		}
	}
	PG_CATCH();
	{
		FreeTaskResults(result);
		PG_RE_THROW();
	}
	PG_END_TRY();
	AssignTaskStats(groups, options);
}

/*
 * FreeTaskResults frees the PGresults kept by RunTasks.
 */
void
FreeTaskResults(TaskRunResult *result)
{
	ListCell   *lc;

	foreach(lc, result->results)
		PQclear((PGresult *) lfirst(lc));
	list_free(result->results);
	result->results = NIL;
	list_free(result->resultNodeIds);
	result->resultNodeIds = NIL;
}

/*
 * NewStreamSet returns an empty set of count streams (palloc'd).
 */
static StreamSet *
NewStreamSet(int count, int fetchSize, bool collectStats, bool collectTiming)
{
	StreamSet  *set = palloc0(sizeof(StreamSet));

	set->count = count;
	set->streams = palloc0(sizeof(NodeStream) * Max(1, count));
	set->conns = palloc0(sizeof(NodeConnection *) * Max(1, count));
	set->fetchSize = fetchSize;
	set->collectStats = collectStats;
	set->collectTiming = collectStats && collectTiming;
	return set;
}

/*
 * InitNodeStream sets up stream index of set for a node's tasks: its
 * connection, idle (another stream's command absorbed), and statistics.
 * Throws when the node cannot be reached.
 */
static void
InitNodeStream(StreamSet *set, int index, NodeTasks *group)
{
	NodeStream *stream = &set->streams[index];

	stream->set = set;
	stream->group = group;
	stream->nodeId = group->nodeId;
	stream->taskCount = list_length(group->tasks);
	stream->conn = ConnectionForNode(group->nodeId);
	group->conn = stream->conn;
	FlushPendingStream(stream->conn);
	set->conns[index] = stream->conn;
	if (set->collectTiming)
	{
		INSTR_TIME_SET_CURRENT(stream->startedAt);
		stream->lastAt = stream->startedAt;
	}
}

/*
 * StartStreams declares one cursor per node over the node's tasks and
 * sends the first FETCH; returns the stream set (palloc'd).  locksRows:
 * the tasks lock rows (FOR UPDATE/SHARE), their nodes' transactions commit
 * last (MarkRemoteRowLocks).  Throws on connection failure.
 */
StreamSet *
StartStreams(List *tasks, ParamListInfo params, int fetchSize, bool locksRows,
			 bool collectStats, bool collectTiming)
{
	List	   *groups = GroupTasksByNode(tasks);
	StreamSet  *set = NewStreamSet(list_length(groups), fetchSize, collectStats,
								   collectTiming);
	bool		withParams = (params != NULL && params->numParams > 0);
	ListCell   *lc;
	int			i = 0;

	foreach(lc, groups)
	{
		NodeTasks  *group = lfirst(lc);
		NodeStream *stream = &set->streams[i];
		StringInfoData sql;
		ListCell   *sc;
		bool		first = true;

		InitNodeStream(set, i, group);
		if (locksRows)
			MarkRemoteRowLocks(stream->conn);
		stream->cursorName = psprintf("shard_cursor_" UINT64_FORMAT,
									  ++stream->conn->cursorNumber);

		initStringInfo(&sql);
		appendStringInfo(&sql, "DECLARE %s NO SCROLL CURSOR FOR ", stream->cursorName);
		foreach(sc, group->sqls)
		{
			if (!first)
				appendStringInfoString(&sql, " UNION ALL ");
			if (list_length(group->sqls) > 1)
				appendStringInfo(&sql, "(%s)", (char *) lfirst(sc));
			else
				appendStringInfoString(&sql, (char *) lfirst(sc));
			first = false;
		}
		stream->declareSql = sql.data;

		if (withParams)
		{
			RunRemotePrefix(stream->conn, true);
			SendWithParams(stream->conn, stream->declareSql, params, false);
			stream->declaring = true;
		}
		else
		{
			StringInfoData buf;

			initStringInfo(&buf);
			AppendRemotePrefix(stream->conn, true, &buf);
			appendStringInfo(&buf, "%s; FETCH %d FROM %s", stream->declareSql,
							 fetchSize, stream->cursorName);
			SendRemoteCommand(stream->conn, buf.data);
			stream->declaring = false;
		}
		stream->declared = true;
		stream->inFlight = true;
		stream->conn->pendingStream = stream;
		i++;
	}
	return set;
}

/*
 * StartTaskStreams sends every node its statements as RunTasks does
 * (options: transaction, parameters, statistics; never writes) and returns
 * a set whose rows NextStreamBatch hands out as they arrive, one row per
 * PGresult, without keeping the whole result.  palloc'd.  Throws on
 * connection failure and remote errors of the session prefix.
 */
StreamSet *
StartTaskStreams(List *tasks, TaskRunOptions *options)
{
	List	   *groups = GroupTasksByNode(tasks);
	StreamSet  *set = NewStreamSet(list_length(groups), 0, options->collectStats,
								   options->collectTiming);
	ListCell   *lc;
	int			i = 0;

	Assert(!options->isWrite);
	set->taskStreams = true;
	set->params = options->params;
	foreach(lc, groups)
	{
		NodeTasks  *group = lfirst(lc);
		NodeStream *stream = &set->streams[i++];

		InitNodeStream(set, i - 1, group);
		SendNodeStatements(group, options, true);
		SetSingleRowMode(stream);
	}
	return set;
}

/*
 * SetSingleRowMode makes the statements just sent on a task stream's
 * connection return their rows one at a time, and marks the stream as the
 * owner of the command in flight.
 */
static void
SetSingleRowMode(NodeStream *stream)
{
	if (!PQsetSingleRowMode(stream->conn->conn))
		elog(ERROR, "could not read the rows of node %s:%d one by one",
			 stream->conn->host, stream->conn->port);
	stream->inFlight = true;
	stream->conn->pendingStream = stream;
}

/*
 * SendNextFetch asks a node for its next batch.
 */
static void
SendNextFetch(StreamSet *set, NodeStream *stream)
{
	char		sql[128];

	FlushPendingStream(stream->conn);
	if (set->taskStreams)
	{
		/* a task stream's next statement */
		SendNextStatement(stream->group, set->params);
		stream->needFetch = false;
		SetSingleRowMode(stream);
		return;
	}
	snprintf(sql, sizeof(sql), "FETCH %d FROM %s", set->fetchSize, stream->cursorName);
	SendRemoteCommand(stream->conn, sql);
	stream->inFlight = true;
	stream->declaring = false;
	stream->needFetch = false;
	stream->conn->pendingStream = stream;
}

/*
 * ReceiveStreamResult reads the complete results of the command in flight
 * on a stream and queues its batch of rows.  With prefetch, the next FETCH
 * goes out right away when more rows may follow; without, it is sent when
 * the queue is consumed.  Throws node errors.
 */
static void
ReceiveStreamResult(StreamSet *set, NodeStream *stream, bool prefetch)
{
	PGresult   *res;
	PGresult   *batch = NULL;
	MemoryContext oldContext;

	if (set->taskStreams)
	{
		ReceiveTaskResult(set, stream, prefetch);
		return;
	}
	PG_TRY();
	{
		while ((res = GetRemoteResult(stream->conn)) != NULL)
		{
			ExecStatusType status = PQresultStatus(res);

			if (status == PGRES_TUPLES_OK)
			{
				if (batch != NULL)
					PQclear(batch);
				batch = res;
			}
			else if (status == PGRES_COMMAND_OK)
				PQclear(res);
			else
				ReportRemoteError(ERROR, res, stream->conn, stream->declareSql);
		}
	}
	PG_CATCH();
	{
		if (batch != NULL)
			PQclear(batch);
		stream->conn->pendingStream = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();

	stream->inFlight = false;
	stream->conn->pendingStream = NULL;
	if (stream->declaring)
	{
		/* DECLARE with parameters went alone; a FETCH follows */
		stream->declaring = false;
		stream->needFetch = true;
	}
	else
	{
		if (batch == NULL || PQntuples(batch) < set->fetchSize)
			stream->exhausted = true;
		else
			stream->needFetch = true;
		if (batch != NULL && set->collectStats)
		{
			stream->rows += PQntuples(batch);
			if (set->collectTiming)
				INSTR_TIME_SET_CURRENT(stream->lastAt);
		}
		if (batch != NULL && PQntuples(batch) == 0)
		{
			PQclear(batch);
			batch = NULL;
		}
		if (batch != NULL)
		{
			oldContext = MemoryContextSwitchTo(GetMemoryChunkContext(set));
			stream->ready = lappend(stream->ready, batch);
			MemoryContextSwitchTo(oldContext);
		}
	}
	if (prefetch && stream->needFetch && !stream->exhausted)
		SendNextFetch(set, stream);
}

/*
 * ReceiveTaskResult reads the next result of a task stream's command (one
 * row, the end of a statement's rows, a prefix command's completion or the
 * command's end) and queues a row.  At the command's end, with prefetch the
 * node's next statement goes out at once; without, when the stream is
 * read again.  Throws node errors (the command stays in flight for the
 * transaction's abort to cancel).
 */
static void
ReceiveTaskResult(StreamSet *set, NodeStream *stream, bool prefetch)
{
	PGresult   *res = GetRemoteResult(stream->conn);
	MemoryContext oldContext;

	if (res == NULL)
	{
		stream->inFlight = false;
		stream->conn->pendingStream = NULL;
		if (stream->group->sqls != NIL)
			stream->needFetch = true;
		else
			stream->exhausted = true;
		if (prefetch && stream->needFetch)
			SendNextFetch(set, stream);
		return;
	}
	switch (PQresultStatus(res))
	{
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:
			stream->taskRows += PQntuples(res);
			if (PQresultStatus(res) == PGRES_TUPLES_OK)
				EndStreamTask(set, stream);
			if (PQntuples(res) == 0)
			{
				PQclear(res);
				return;
			}
			oldContext = MemoryContextSwitchTo(GetMemoryChunkContext(set));
			stream->ready = lappend(stream->ready, res);
			MemoryContextSwitchTo(oldContext);
			return;
		case PGRES_COMMAND_OK:
			PQclear(res);
			return;
		default:
			stream->conn->pendingStream = NULL;
			ReportRemoteError(ERROR, res, stream->conn, stream->group->currentSql);
	}
}

/*
 * EndStreamTask records, when the rows of a task stream's statement ended,
 * that statement's rows and time for EXPLAIN ANALYZE (a node's statements
 * run in order, each ending with one such result).
 */
static void
EndStreamTask(StreamSet *set, NodeStream *stream)
{
	Task	   *task;
	instr_time	now;

	if (set->collectStats && stream->taskIndex < list_length(stream->group->tasks))
	{
		task = list_nth(stream->group->tasks, stream->taskIndex);
		task->finished = true;
		task->rows = stream->taskRows;
		if (set->collectTiming)
		{
			INSTR_TIME_SET_CURRENT(now);
			task->elapsedMs = INSTR_TIME_GET_MILLISEC(now) -
				INSTR_TIME_GET_MILLISEC(stream->lastAt);
			stream->lastAt = now;
		}
	}
	stream->rows += stream->taskRows;
	stream->taskRows = 0;
	stream->taskIndex++;
}

/*
 * NextStreamBatch returns the next batch of rows from any node (a
 * PGresult with at least one row, for the caller to PQclear), or NULL when
 * every node is done.  Waits interruptibly; throws node errors.
 */
PGresult *
NextStreamBatch(StreamSet *set)
{
	for (;;)
	{
		int			i;
		int			index;
		bool		anyInFlight = false;

		for (i = 0; i < set->count; i++)
		{
			NodeStream *stream = &set->streams[(set->nextStream + i) % set->count];

			if (stream->ready != NIL)
			{
				PGresult   *batch = linitial(stream->ready);

				stream->ready = list_delete_first(stream->ready);
				set->nextStream = (set->nextStream + i + 1) % set->count;
				/* keep the node busy while this batch is consumed */
				if (stream->ready == NIL && stream->needFetch && !stream->exhausted &&
					!stream->inFlight)
					SendNextFetch(set, stream);
				return batch;
			}
			if (!stream->inFlight && stream->needFetch && !stream->exhausted)
				SendNextFetch(set, stream);
			if (stream->inFlight)
				anyInFlight = true;
		}
		if (!anyInFlight)
			return NULL;

		index = WaitForReadableConnection(set->conns, set->count);
		if (index < 0)
			return NULL;
		if (set->streams[index].inFlight)
			ReceiveStreamResult(set, &set->streams[index], true);
		else
		{
			/* another command owns the connection: let its owner finish */
			FlushPendingStream(set->conns[index]);
		}
	}
}

/*
 * CloseStreams finishes what is in flight, closes the cursors and frees
 * pending batches.  Throws node errors.
 */
void
CloseStreams(StreamSet *set)
{
	int			i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
	{
		NodeStream *stream = &set->streams[i];

		ListCell   *lc;

		foreach(lc, stream->ready)
			PQclear((PGresult *) lfirst(lc));
		stream->ready = NIL;
		if (stream->inFlight && set->taskStreams)
			StopTaskStream(stream);
		else if (stream->inFlight)
			DrainRemoteResults(stream->conn);
		stream->inFlight = false;
		if (stream->conn->pendingStream == stream)
			stream->conn->pendingStream = NULL;
	}
	/* close the cursors: a transaction may scan many times */
	for (i = 0; i < set->count; i++)
	{
		NodeStream *stream = &set->streams[i];
		char		sql[128];

		if (!stream->declared || stream->conn->conn == NULL)
			continue;
		FlushPendingStream(stream->conn);
		snprintf(sql, sizeof(sql), "CLOSE %s", stream->cursorName);
		SendRemoteCommand(stream->conn, sql);
		stream->inFlight = true;
	}
	for (i = 0; i < set->count; i++)
	{
		NodeStream *stream = &set->streams[i];

		if (stream->inFlight)
		{
			PGresult   *res;

			while ((res = GetRemoteResult(stream->conn)) != NULL)
			{
				if (PQresultStatus(res) != PGRES_COMMAND_OK)
					ReportRemoteError(ERROR, res, stream->conn, "CLOSE");
				PQclear(res);
			}
			stream->inFlight = false;
		}
		stream->declared = false;
	}
}

/*
 * StopTaskStream ends the command of a task stream that was not read to
 * its end (LIMIT or EXISTS on the coordinator, a closed cursor).  What has
 * already arrived may complete it; otherwise, outside a remote transaction
 * it is cancelled (its settings prefix may have been rolled back with it,
 * so they are sent again), and inside one it is read to its end (a cancel
 * would fail the remote transaction), one row at a time.  A node error in
 * the unread rest leaves the remote transaction failed, so it cannot
 * commit.  Throws on interrupt and connection loss.
 */
static void
StopTaskStream(NodeStream *stream)
{
	NodeConnection *conn = stream->conn;

	if (DiscardArrivedResults(conn))
		return;
	if (conn->xactState == REMOTE_XACT_NONE)
	{
		CancelRemoteCommand(conn, NodeWaitDeadline());
		ForgetSentSettings(conn);
		return;
	}
	DrainRemoteResults(conn);
	if (conn->conn != NULL && PQtransactionStatus(conn->conn) == PQTRANS_INERROR)
		conn->xactState = REMOTE_XACT_FAILED;
}

/*
 * ForgetStreams frees the rows set holds without any network I/O, for
 * error paths where the executor does not end the scan: commands in
 * flight are left to the transaction's abort, which cancels them.  Never
 * throws.
 */
void
ForgetStreams(StreamSet *set)
{
	int			i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
	{
		NodeStream *stream = &set->streams[i];
		ListCell   *lc;

		foreach(lc, stream->ready)
			PQclear((PGresult *) lfirst(lc));
		stream->ready = NIL;
		if (stream->conn != NULL && stream->conn->pendingStream == stream)
			stream->conn->pendingStream = NULL;
	}
}

/*
 * StreamSetStats returns what each node's stream returned so far, as a
 * palloc'd list of StreamStats in the order the nodes first appear in the
 * tasks; NIL when the set was started without collectStats.
 */
List *
StreamSetStats(StreamSet *set)
{
	List	   *stats = NIL;
	int			i;

	/* task streams fill their Tasks instead */
	if (set == NULL || !set->collectStats || set->taskStreams)
		return NIL;
	for (i = 0; i < set->count; i++)
	{
		NodeStream *stream = &set->streams[i];
		StreamStats *stat = palloc0(sizeof(StreamStats));

		stat->nodeId = stream->nodeId;
		stat->taskCount = stream->taskCount;
		stat->rows = stream->rows;
		if (set->collectTiming)
		{
			instr_time	elapsed = stream->lastAt;

			INSTR_TIME_SUBTRACT(elapsed, stream->startedAt);
			stat->elapsedMs = INSTR_TIME_GET_MILLISEC(elapsed);
		}
		stats = lappend(stats, stat);
	}
	return stats;
}
