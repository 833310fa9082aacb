/*-------------------------------------------------------------------------
 * placement_choice.c
 *	  The one place that decides whether a task runs on its shard's
 *	  primary or on a standby of that primary (shard.read_from).
 *
 * A task may go to a standby only when its statement can neither write nor
 * lock (the planner judged the Query tree: PlanningStandbyReason, kept in
 * the plan) and the transaction allows it: not SERIALIZABLE (standbys
 * refuse it), and, in a transaction block, nothing written on a node and
 * no statement that may write or lock run yet (the block is then pinned to
 * the primaries until it ends).  In a transaction block the first read of
 * a primary's shards picks the server (standby or the primary itself) and
 * the block keeps it, so it sees one snapshot per node.
 *
 * A standby is eligible when the last health probe (node_health.c, read
 * through the per-backend cache) found it up and streaming, within
 * shard.max_standby_lag, and that probe is recent.  Several eligible
 * servers are used in turn (per backend round robin).  With
 * shard.read_consistency = session a standby must also have replayed the
 * session's own commits on its primary (transaction/session_position.c);
 * every task of a statement that may write marks its primary for that.
 *
 * Connections are per (node, user): a standby is a node of its own, so
 * its connections and remote transactions are separate from its
 * primary's; readers commit with plain COMMIT (only writers prepare).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "connection/connection.h"
#include "executor/placement_choice.h"
#include "metadata/metadata.h"
#include "transaction/node_health.h"
#include "transaction/session_position.h"

/* GUCs, defined in shard.c */
int			ReadFrom = READ_FROM_PRIMARY;
int			MaxStandbyLag = 5000;
char	   *StandbySafeFunctions = "";

const char *PlanningStandbyReason = "the statement was not planned as a read";

/* a health record older than this does not make a standby eligible */
#define HEALTH_STALE_MIN_MS		30000

/* the server a transaction block reads a primary's shards from */
typedef struct BlockChoice
{
	int			primaryId;
	int			nodeId;
} BlockChoice;

static List *blockChoices = NIL;	/* in TopMemoryContext */
static bool blockPinned = false;	/* a statement that may write or lock ran */
static bool callbackRegistered = false;
static uint32 nextServer = 0;

static void PlacementXactCallback(XactEvent event, void *arg);
static bool AnyRemoteWrite(void);
static bool StandbyEligible(int nodeId);
static int	PickServer(int primaryNodeId);


/*
 * PlacementXactCallback forgets the block's choices at transaction end.
 */
static void
PlacementXactCallback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
	{
		list_free_deep(blockChoices);
		blockChoices = NIL;
		blockPinned = false;
	}
}


/*
 * AnyRemoteWrite tells whether the current transaction wrote on a node.
 */
static bool
AnyRemoteWrite(void)
{
	List	   *conns = ActiveConnectionList();
	ListCell   *lc;
	bool		wrote = false;

	foreach(lc, conns)
	{
		if (((NodeConnection *) lfirst(lc))->wroteInXact)
			wrote = true;
	}
	list_free(conns);
	return wrote;
}


/*
 * StandbyReadBlocker returns why a task of a statement (planReason: the
 * planner's verdict) cannot run on a standby now, or NULL when it can.
 * The reason is a constant string.
 */
const char *
StandbyReadBlocker(const char *planReason)
{
	if (ReadFrom == READ_FROM_PRIMARY)
		return "shard.read_from is primary";
	if (planReason != NULL)
		return planReason;
	if (XactIsoLevel == XACT_SERIALIZABLE)
		return "the transaction is SERIALIZABLE";
	if (blockPinned)
		return "the transaction block may have written or locked";
	if (AnyRemoteWrite())
		return "the transaction has written";
	return NULL;
}


/*
 * StandbyEligible tells whether the last recent probe found standby nodeId
 * up, streaming and within shard.max_standby_lag.
 */
static bool
StandbyEligible(int nodeId)
{
	NodeHealth *health = LookupNodeHealth(nodeId);
	long		staleMs = Max(HEALTH_STALE_MIN_MS, 10L * Max(HealthCheckInterval, 0));

	if (health == NULL || !health->isUp || health->lagMs > MaxStandbyLag)
		return false;
	return !TimestampDifferenceExceeds(health->checkedAt, GetCurrentTimestamp(), staleMs);
}


/*
 * PickServer returns the node a read of primaryNodeId's shards goes to:
 * the next of its eligible standbys (and, with read_from = any, the
 * primary itself) that has replayed the session's own commits there
 * (shard.read_consistency = session, waiting up to shard.standby_wait in
 * all), or the primary.
 */
static int
PickServer(int primaryNodeId)
{
	List	   *nodes = ActiveNodeList(false);
	int		   *candidates = palloc(sizeof(int) * (list_length(nodes) + 1));
	int			count = 0;
	int			first;
	int			i;
	XLogRecPtr	position;
	TimestampTz deadline;
	ListCell   *lc;

	if (ReadFrom == READ_FROM_ANY)
		candidates[count++] = primaryNodeId;
	foreach(lc, nodes)
	{
		NodeInfo   *node = lfirst(lc);

		if (!node->isPrimary && node->primaryId == primaryNodeId &&
			StandbyEligible(node->nodeId))
			candidates[count++] = node->nodeId;
	}
	if (count == 0 || (count == 1 && candidates[0] == primaryNodeId))
		return primaryNodeId;
	first = nextServer++ % count;
	if (candidates[first] == primaryNodeId)
		return primaryNodeId;
	if (!SessionPositionForRead(primaryNodeId, &position))
		return primaryNodeId;
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), StandbyWait);
	for (i = 0; i < count; i++)
	{
		int			nodeId = candidates[(first + i) % count];

		if (nodeId == primaryNodeId ||
			StandbyHasReplayed(nodeId, primaryNodeId, position, deadline))
			return nodeId;
	}
	return primaryNodeId;
}


/*
 * ChooseTaskNode returns the node a task whose shard lives on
 * primaryNodeId runs on; planReason is the plan's verdict on the statement
 * (NULL: it can neither write nor lock).  Called for every task of every
 * ShardScan.  May read the catalog (node list, health records).
 */
int
ChooseTaskNode(int primaryNodeId, const char *planReason)
{
	bool		inBlock = IsTransactionBlock();
	BlockChoice *choice;
	MemoryContext oldContext;
	ListCell   *lc;
	int			nodeId;

	if (!callbackRegistered)
	{
		RegisterXactCallback(PlacementXactCallback, NULL);
		callbackRegistered = true;
	}
	if (planReason != NULL)
	{
		/* may write: the session's next standby read waits for it */
		NoteSessionWrite(primaryNodeId);
		if (inBlock)
			blockPinned = true;
	}
	if (StandbyReadBlocker(planReason) != NULL)
		return primaryNodeId;

	if (inBlock)
	{
		foreach(lc, blockChoices)
		{
			choice = lfirst(lc);
			if (choice->primaryId == primaryNodeId)
				return choice->nodeId;
		}
	}
	nodeId = PickServer(primaryNodeId);
	if (inBlock)
	{
		oldContext = MemoryContextSwitchTo(TopMemoryContext);
		choice = palloc(sizeof(BlockChoice));
		choice->primaryId = primaryNodeId;
		choice->nodeId = nodeId;
		blockChoices = lappend(blockChoices, choice);
		MemoryContextSwitchTo(oldContext);
	}
	return nodeId;
}
