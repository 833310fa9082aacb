/*-------------------------------------------------------------------------
 * deadlock.c
 *	  Detection of deadlocks that span nodes.  Two coordinator sessions that
 *	  lock rows in opposite order on shards of different nodes wait forever:
 *	  each node sees one waiter and no cycle.  A coordinator backend whose
 *	  remote command has waited shard.deadlock_check_interval (connection.c
 *	  calls CheckDistributedDeadlock through LongRemoteWaitHook) builds the
 *	  wait-for graph of coordinator sessions from every node and, when it is
 *	  itself the chosen victim of a cycle, throws
 *	  ERRCODE_T_R_DEADLOCK_DETECTED, like PostgreSQL's own detector.
 *
 * The graph: on each active primary, over a side connection (the main one
 * is busy), every worker session waiting for a heavyweight lock
 * (pg_locks.granted = false) and each session pg_blocking_pids names.
 * Worker sessions map to coordinator backends by their application_name,
 * shard_<system id>_<pid> (connection.c); other sessions, and sessions of
 * other coordinators, are left out.  Edges: coordinator pid -> coordinator
 * pid, each tagged with the node, the waiting worker pid and its
 * pg_locks.waitstart.
 *
 * Correctness under concurrency (a session not in a deadlock is never
 * cancelled):
 * - A backend only ever cancels itself, and only when it is in the cycle.
 * - The nodes are read one after the other, so a first graph can mix
 *	 moments.  The victim therefore reads the graph a second time and
 *	 proceeds only when every edge of the cycle is still there with the same
 *	 worker pid and waitstart (the same continuous wait), and every member's
 *	 coordinator transaction (PGPROC lxid) is unchanged in between.  Then
 *	 every wait of the cycle was going on at the moment between the two
 *	 reads, and a session blocked on a node cannot release its locks.
 * - Victim: the member whose wait began last (latest waitstart, then
 *	 highest pid), as PostgreSQL cancels the waiter that closes a cycle.
 *	 Every member of a cycle waits on a node and so runs this check; the
 *	 member that waited last in all cycles it is in finds itself the victim
 *	 of the cycle it finds, so each round of checks breaks at least one
 *	 cycle.
 * Not covered: cycles through a lock wait on the coordinator itself (a
 * session waiting locally runs no check); those hang until a timeout.
 * A node that cannot be read is left out of the graph, and for
 * shard.node_timeout after that (reading a hung node takes that long).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/deadlock.h"

/* GUC shard.deadlock_check_interval, defined in shard.c */
int			DeadlockCheckInterval = 1000;

/* one "coordinator session waits for coordinator session" on a node */
typedef struct WaitEdge
{
	int			waiterPid;		/* coordinator backends */
	int			holderPid;
	int			nodeId;
	char	   *nodeName;		/* host:port */
	int			workerPid;		/* the waiting session on the node */
	int64		waitStart;		/* its pg_locks.waitstart, in us */
} WaitEdge;

/* a node to read, copied out of the metadata cache */
typedef struct GraphNode
{
	int			nodeId;
	char	   *host;
	int			port;
} GraphNode;

static bool InDeadlockCheck = false;

/*
 * Nodes whose graph could not be read lately (hung, down), skipped until
 * retryAt: each attempt on a hung node waits up to shard.node_timeout, and
 * a check runs every shard.deadlock_check_interval of any wait.
 */
#define MAX_UNREADABLE_NODES 32
typedef struct UnreadableNode
{
	int			nodeId;
	TimestampTz retryAt;
} UnreadableNode;
static UnreadableNode UnreadableNodes[MAX_UNREADABLE_NODES];
static int	UnreadableNodeCount = 0;

static void CheckDistributedDeadlock(void);
static List *FindConfirmedCycle(void);
static List *CollectWaitEdges(List *nodes, uint64 systemId);
static List *CollectNodeWaitEdges(GraphNode *node, const char *sql,
								  const char *prefix);
static List *FindCycle(List *edges, int fromPid, int targetPid, List *visited);
static int	ChooseVictim(List *cycle, List *edges);
static bool EdgeStillThere(WaitEdge *edge, List *edges);
static LocalTransactionId BackendLocalXid(int pid);
static bool NodeRecentlyUnreadable(int nodeId);
static void RememberUnreadableNode(int nodeId);


/*
 * AssignDeadlockCheckInterval is the assign hook of
 * shard.deadlock_check_interval: it installs (interval > 0) or removes the
 * check in connection.c's waits.
 */
void
AssignDeadlockCheckInterval(int newval, void *extra)
{
	if (newval > 0)
	{
		LongRemoteWaitMs = newval;
		LongRemoteWaitHook = CheckDistributedDeadlock;
	}
	else
		LongRemoteWaitHook = NULL;
}


/*
 * CheckDistributedDeadlock runs while this backend waits for a node: throws
 * ERRCODE_T_R_DEADLOCK_DETECTED when this backend is the victim of a
 * confirmed cycle of waits across nodes (see file header), else returns.
 * Interrupts and connection failures while reading the graph are handled
 * as usual (interrupts throw, unreachable nodes are skipped).
 */
static void
CheckDistributedDeadlock(void)
{
	MemoryContext checkContext;
	MemoryContext oldContext;
	List	   *cycle = NIL;
	StringInfoData detail;
	ListCell   *lc;

	if (InDeadlockCheck || !IsTransactionState())
		return;

	checkContext = AllocSetContextCreate(CurrentMemoryContext,
										 "shard deadlock check",
										 ALLOCSET_DEFAULT_SIZES);
	oldContext = MemoryContextSwitchTo(checkContext);
	InDeadlockCheck = true;
	PG_TRY();
	{
		cycle = FindConfirmedCycle();
	}
	PG_FINALLY();
	{
		InDeadlockCheck = false;
		MemoryContextSwitchTo(oldContext);
	}
	PG_END_TRY();

	if (cycle == NIL)
	{
		MemoryContextDelete(checkContext);
		return;
	}

	initStringInfo(&detail);
	foreach(lc, cycle)
	{
		WaitEdge   *edge = (WaitEdge *) lfirst(lc);

		if (detail.len > 0)
			appendStringInfoChar(&detail, '\n');
		appendStringInfo(&detail,
						 "Coordinator process %d waits for coordinator process %d on node %s.",
						 edge->waiterPid, edge->holderPid, edge->nodeName);
	}
	MemoryContextDelete(checkContext);

	ereport(ERROR,
			(errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
			 errmsg("distributed deadlock detected"),
			 errdetail_internal("%s", detail.data),
			 errhint("The transaction was cancelled to break a cycle of lock waits across nodes; retry it.")));
}


/*
 * FindConfirmedCycle returns the edges of a cycle of waits through this
 * backend of which this backend is the victim, confirmed by a second read
 * of the graph; NIL when there is none.  Allocates in CurrentMemoryContext.
 */
static List *
FindConfirmedCycle(void)
{
	uint64		systemId = GetSystemIdentifier();
	List	   *nodes = NIL;
	List	   *edges;
	List	   *cycle;
	List	   *members = NIL;
	List	   *lxids = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, ActiveNodeList(true))
	{
		NodeInfo   *info = (NodeInfo *) lfirst(lc);
		GraphNode  *node = palloc(sizeof(GraphNode));

		node->nodeId = info->nodeId;
		node->host = pstrdup(info->host);
		node->port = info->port;
		nodes = lappend(nodes, node);
	}

	edges = CollectWaitEdges(nodes, systemId);
	cycle = FindCycle(edges, MyProcPid, MyProcPid, NIL);
	if (cycle == NIL || ChooseVictim(cycle, edges) != MyProcPid)
		return NIL;

	foreach(lc, cycle)
	{
		WaitEdge   *edge = (WaitEdge *) lfirst(lc);

		members = lappend_int(members, edge->waiterPid);
		lxids = lappend_int(lxids, (int) BackendLocalXid(edge->waiterPid));
	}

	/* second read: the same waits, by the same transactions */
	edges = CollectWaitEdges(nodes, systemId);
	foreach(lc, cycle)
	{
		if (!EdgeStillThere((WaitEdge *) lfirst(lc), edges))
			return NIL;
	}
	forboth(lc, members, lc2, lxids)
	{
		LocalTransactionId lxid = BackendLocalXid(lfirst_int(lc));

		if (lxid == InvalidLocalTransactionId ||
			lxid != (LocalTransactionId) lfirst_int(lc2))
			return NIL;
	}
	return cycle;
}


/*
 * CollectWaitEdges returns the WaitEdges of every node in nodes (a List of
 * GraphNode), skipping nodes that cannot be read.  Throws on interrupt.
 */
static List *
CollectWaitEdges(List *nodes, uint64 systemId)
{
	char	   *prefix = psprintf("%s" UINT64_FORMAT "_",
								  NODE_APPLICATION_NAME_PREFIX, systemId);
	char	   *pattern = psprintf("shard\\_" UINT64_FORMAT "\\_%%", systemId);
	char	   *sql;
	List	   *edges = NIL;
	ListCell   *lc;

	sql = psprintf("SELECT w.application_name, l.pid, "
				   "(pg_catalog.date_part('epoch', l.waitstart) * 1000000)::pg_catalog.int8, "
				   "b.application_name "
				   "FROM pg_catalog.pg_locks l "
				   "JOIN pg_catalog.pg_stat_activity w ON w.pid = l.pid "
				   "CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(l.pid)) AS bp(pid) "
				   "JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid "
				   "WHERE NOT l.granted AND l.waitstart IS NOT NULL "
				   "AND w.application_name LIKE %s AND b.application_name LIKE %s",
				   quote_literal_cstr(pattern), quote_literal_cstr(pattern));

	foreach(lc, nodes)
	{
		GraphNode  *node = (GraphNode *) lfirst(lc);

		if (NodeRecentlyUnreadable(node->nodeId))
			continue;
		edges = list_concat(edges, CollectNodeWaitEdges(node, sql, prefix));
	}
	return edges;
}


/*
 * NodeRecentlyUnreadable is true when reading nodeId's graph failed less
 * than shard.node_timeout ago: it gives no edges until then.
 */
static bool
NodeRecentlyUnreadable(int nodeId)
{
	TimestampTz now = GetCurrentTimestamp();
	int			i;

	for (i = 0; i < UnreadableNodeCount; i++)
	{
		if (UnreadableNodes[i].nodeId == nodeId)
			return now < UnreadableNodes[i].retryAt;
	}
	return false;
}


/*
 * RememberUnreadableNode records that reading nodeId's graph failed now
 * (see UnreadableNodes); with the table full, the first slot is reused.
 */
static void
RememberUnreadableNode(int nodeId)
{
	int			i;

	for (i = 0; i < UnreadableNodeCount; i++)
	{
		if (UnreadableNodes[i].nodeId == nodeId)
			break;
	}
	if (i == UnreadableNodeCount)
	{
		if (UnreadableNodeCount < MAX_UNREADABLE_NODES)
			UnreadableNodeCount++;
		else
			i = 0;
	}
	UnreadableNodes[i].nodeId = nodeId;
	UnreadableNodes[i].retryAt = NodeWaitDeadline();
}


/*
 * CollectNodeWaitEdges runs sql (see CollectWaitEdges) on node's side
 * connection, closed afterwards, and returns its WaitEdges.  A failure other than an interrupt
 * is logged at DEBUG1 and gives no edges: without them no cycle is found,
 * so nobody is cancelled.
 */
static List *
CollectNodeWaitEdges(GraphNode *node, const char *sql, const char *prefix)
{
	MemoryContext oldContext = CurrentMemoryContext;
	NodeConnection *volatile conn = NULL;
	List	   *edges = NIL;
	size_t		prefixLength = strlen(prefix);

	PG_TRY();
	{
		PGresult   *res;
		char	   *nodeName;
		int			row;
		NodeConnection *sideConn = GetNodeSideConnection(node->nodeId, node->host,
														  node->port);

		/*
		 * A busy side connection is the one this backend is waiting on (size
		 * collection's MeasureNode): sending on it, or closing it below,
		 * would pull it from under that wait.  The node is not read then.
		 */
		if (sideConn->busy)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("the side connection to node %s:%d is in use",
							node->host, node->port)));
		conn = sideConn;
		res = ExecuteRemoteCommand(conn, sql, PGRES_TUPLES_OK);
		nodeName = NodeConnectionName(conn);
		for (row = 0; row < PQntuples(res); row++)
		{
			const char *waiterName = PQgetvalue(res, row, 0);
			const char *holderName = PQgetvalue(res, row, 3);
			WaitEdge   *edge;

			if (strncmp(waiterName, prefix, prefixLength) != 0 ||
				strncmp(holderName, prefix, prefixLength) != 0)
				continue;
			edge = palloc0(sizeof(WaitEdge));
			edge->waiterPid = (int) strtol(waiterName + prefixLength, NULL, 10);
			edge->holderPid = (int) strtol(holderName + prefixLength, NULL, 10);
			edge->nodeId = node->nodeId;
			edge->nodeName = nodeName;
			edge->workerPid = (int) strtol(PQgetvalue(res, row, 1), NULL, 10);
			edge->waitStart = (int64) strtoll(PQgetvalue(res, row, 2), NULL, 10);
			if (edge->waiterPid > 0 && edge->holderPid > 0)
				edges = lappend(edges, edge);
		}
		PQclear(res);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldContext);
		if (conn != NULL)
			CloseNodeConnection(conn);
		edata = CopyErrorData();
		if (edata->elevel > ERROR || edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			PG_RE_THROW();
		FlushErrorState();
		RememberUnreadableNode(node->nodeId);
		ereport(DEBUG1,
				(errmsg_internal("distributed deadlock check could not read node %s:%d: %s",
								 node->host, node->port, edata->message)));
		FreeErrorData(edata);
		edges = NIL;
	}
	PG_END_TRY();

	/* checks are rare: hold no extra session on the node between them */
	if (conn != NULL)
		CloseNodeConnection(conn);

	return edges;
}


/*
 * FindCycle returns the edges of a path of waits from fromPid to targetPid
 * (a cycle when they are equal) that avoids the pids in visited, or NIL.
 */
static List *
FindCycle(List *edges, int fromPid, int targetPid, List *visited)
{
	ListCell   *lc;

	foreach(lc, edges)
	{
		WaitEdge   *edge = (WaitEdge *) lfirst(lc);
		List	   *rest;

		if (edge->waiterPid != fromPid)
			continue;
		if (edge->holderPid == targetPid)
			return list_make1(edge);
		if (list_member_int(visited, edge->holderPid))
			continue;
		rest = FindCycle(edges, edge->holderPid, targetPid,
						 lappend_int(list_copy(visited), fromPid));
		if (rest != NIL)
			return lcons(edge, rest);
	}
	return NIL;
}


/*
 * ChooseVictim returns the pid of the member of cycle whose wait on a node
 * began last (its latest waitstart in edges), the highest pid on a tie.
 */
static int
ChooseVictim(List *cycle, List *edges)
{
	int			victim = 0;
	int64		victimStart = PG_INT64_MIN;
	ListCell   *lc;

	foreach(lc, cycle)
	{
		int			member = ((WaitEdge *) lfirst(lc))->waiterPid;
		int64		start = PG_INT64_MIN;
		ListCell   *lc2;

		foreach(lc2, edges)
		{
			WaitEdge   *edge = (WaitEdge *) lfirst(lc2);

			if (edge->waiterPid == member && edge->waitStart > start)
				start = edge->waitStart;
		}
		if (start > victimStart || (start == victimStart && member > victim))
		{
			victim = member;
			victimStart = start;
		}
	}
	return victim;
}


/*
 * EdgeStillThere returns true when edges holds the same wait as edge: same
 * waiter and holder, node, waiting worker session and wait start.
 */
static bool
EdgeStillThere(WaitEdge *edge, List *edges)
{
	ListCell   *lc;

	foreach(lc, edges)
	{
		WaitEdge   *other = (WaitEdge *) lfirst(lc);

		if (other->waiterPid == edge->waiterPid &&
			other->holderPid == edge->holderPid &&
			other->nodeId == edge->nodeId &&
			other->workerPid == edge->workerPid &&
			other->waitStart == edge->waitStart)
			return true;
	}
	return false;
}


/*
 * BackendLocalXid returns the local transaction id of the coordinator
 * backend pid (which changes with each of its transactions), or
 * InvalidLocalTransactionId when there is no such backend.
 */
static LocalTransactionId
BackendLocalXid(int pid)
{
	PGPROC	   *proc = BackendPidGetProc(pid);

	if (proc == NULL)
		return InvalidLocalTransactionId;
	return proc->lxid;
}
