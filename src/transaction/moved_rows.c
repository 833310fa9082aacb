/*-------------------------------------------------------------------------
 * moved_rows.c
 *	  Makes a statement that meets a row moved to another shard by a
 *	  concurrent UPDATE fail with a serialization failure (40001), as
 *	  PostgreSQL does for rows moved between partitions, instead of
 *	  silently skipping it.
 *
 * A mover deletes the row from its old shard and inserts it into the new
 * one.  A READ COMMITTED statement on a worker that waited for the
 * mover's row lock finds the row deleted and skips it: the worker cannot
 * tell a move from a DELETE.  The coordinator can, since every mover runs
 * here.  Shared memory holds, per slot (a hash of table and shard index),
 * a generation and a count of committing movers.  A transaction that moved
 * rows out of a shard raises "committing" and bumps the generation of its
 * slots in PRE_COMMIT, before any node commits, and lowers "committing"
 * at the end of the transaction, after the nodes committed (or aborted).
 * A READ COMMITTED UPDATE, DELETE or row-locking SELECT reads its shards'
 * slots before it sends its statements and again once they finished:
 *	 - the generation changed: a mover of that shard committed meanwhile,
 *	   and the statement may have waited for it and skipped its rows;
 *	 - a mover was committing when it started: the statement's snapshot
 *	   on the node may predate that mover's commit there.
 * Either way the statement fails with 40001.  A mover that committed on
 * the nodes before the statement started is in the statement's snapshot:
 * the statement sees the row in its new shard.  Slots are shared by
 * several shards (false alarms only, never a missed move); REPEATABLE
 * READ and SERIALIZABLE need no check (the node itself raises 40001 for a
 * row deleted concurrently).  A node whose COMMIT PREPARED is left to
 * recovery keeps its locks past the end of the transaction: a statement
 * waiting for it then is not warned (documented limitation).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "transaction/moved_rows.h"

#define MOVE_SLOTS 1024

typedef struct MoveSlot
{
	pg_atomic_uint64 generation;
	pg_atomic_uint32 committing;
} MoveSlot;

struct MoveCheck
{
	Oid			relid;
	int			count;
	int		   *slots;
	uint64	   *generations;
	bool		committing;		/* a mover of one of them was committing */
};

static MoveSlot *MoveSlots = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* slots this transaction moved rows out of; raised: in PRE_COMMIT */
static List *MovedSlots = NIL;
static bool MovedSlotsRaised = false;

static void MovedRowsShmemRequest(void);
static void MovedRowsShmemStartup(void);
static int	MoveSlotOf(Oid relid, int shardIndex);

/*
 * MovedRowsShmemRequest asks for the slots' shared memory.
 */
static void
MovedRowsShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(MoveSlot) * MOVE_SLOTS);
}

/*
 * MovedRowsShmemStartup attaches to (or creates and zeroes) the slots.
 */
static void
MovedRowsShmemStartup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	MoveSlots = ShmemInitStruct("shard moved rows", sizeof(MoveSlot) * MOVE_SLOTS, &found);
	if (!found)
		for (i = 0; i < MOVE_SLOTS; i++)
		{
			pg_atomic_init_u64(&MoveSlots[i].generation, 0);
			pg_atomic_init_u32(&MoveSlots[i].committing, 0);
		}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * InstallMovedRowsShmem installs the shared memory hooks (_PG_init).
 */
void
InstallMovedRowsShmem(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = MovedRowsShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = MovedRowsShmemStartup;
}

/*
 * MoveSlotOf returns the slot of a table's shard.
 */
static int
MoveSlotOf(Oid relid, int shardIndex)
{
	uint32		key[2];

	key[0] = relid;
	key[1] = (uint32) shardIndex;
	return hash_bytes((const unsigned char *) key, sizeof(key)) % MOVE_SLOTS;
}

/*
 * NoteRowsMovedFrom records that this transaction moved rows out of a
 * shard of relid.
 */
void
NoteRowsMovedFrom(Oid relid, int shardIndex)
{
	MemoryContext oldContext = MemoryContextSwitchTo(TopMemoryContext);

	MovedSlots = list_append_unique_int(MovedSlots, MoveSlotOf(relid, shardIndex));
	MemoryContextSwitchTo(oldContext);
}

/*
 * MovesPreCommit raises "committing" and bumps the generation of the
 * slots this transaction moved rows out of, before any node commits.
 */
void
MovesPreCommit(void)
{
	ListCell   *lc;

	if (MoveSlots == NULL || MovedSlots == NIL || MovedSlotsRaised)
		return;
	MovedSlotsRaised = true;
	foreach(lc, MovedSlots)
	{
		MoveSlot   *slot = &MoveSlots[lfirst_int(lc)];

		pg_atomic_fetch_add_u32(&slot->committing, 1);
		pg_atomic_fetch_add_u64(&slot->generation, 1);
	}
}

/*
 * MovesEndOfTransaction lowers what MovesPreCommit raised, once the nodes
 * have committed or aborted, and forgets the transaction's moves.  Never
 * throws.
 */
void
MovesEndOfTransaction(void)
{
	ListCell   *lc;

	if (MovedSlotsRaised && MoveSlots != NULL)
		foreach(lc, MovedSlots)
			pg_atomic_fetch_sub_u32(&MoveSlots[lfirst_int(lc)].committing, 1);
	MovedSlotsRaised = false;
	list_free(MovedSlots);
	MovedSlots = NIL;
}

/*
 * StartMoveCheck reads the move state of relid's shards a READ COMMITTED
 * statement is about to write or lock; NULL when no check is needed.
 * palloc'd in the current context.
 */
MoveCheck *
StartMoveCheck(Oid relid, List *shardIndexes)
{
	MoveCheck  *check;
	ListCell   *lc;
	int			i = 0;

	if (MoveSlots == NULL || IsolationUsesXactSnapshot() || shardIndexes == NIL)
		return NULL;
	check = palloc0(sizeof(MoveCheck));
	check->relid = relid;
	check->count = list_length(shardIndexes);
	check->slots = palloc(sizeof(int) * check->count);
	check->generations = palloc(sizeof(uint64) * check->count);
	foreach(lc, shardIndexes)
	{
		MoveSlot   *slot;

		check->slots[i] = MoveSlotOf(relid, lfirst_int(lc));
		slot = &MoveSlots[check->slots[i]];
		check->generations[i] = pg_atomic_read_u64(&slot->generation);
		pg_memory_barrier();
		if (pg_atomic_read_u32(&slot->committing) > 0)
			check->committing = true;
		i++;
	}
	return check;
}

/*
 * FinishMoveCheck throws a serialization failure when a concurrent UPDATE
 * may have moved rows out of the checked shards while the statement ran
 * (see the file comment).  action is "updated", "deleted" or "locked".
 */
void
FinishMoveCheck(MoveCheck *check, const char *action)
{
	bool		moved;
	int			i;

	if (check == NULL)
		return;
	moved = check->committing;
	pg_memory_barrier();
	for (i = 0; i < check->count && !moved; i++)
		if (pg_atomic_read_u64(&MoveSlots[check->slots[i]].generation) != check->generations[i])
			moved = true;
	if (moved)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("tuple to be %s was already moved to another partition due to concurrent update",
						action),
				 errdetail("A concurrent UPDATE of the distribution column of table \"%s\" moved rows to another shard while the statement ran.",
						   get_rel_name(check->relid)),
				 errhint("Run the transaction again.")));
}
