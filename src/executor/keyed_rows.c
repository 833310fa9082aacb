/*-------------------------------------------------------------------------
 * keyed_rows.c
 *	  Rows of a remote scan kept on the coordinator and found by the hash
 *	  of one column: a correlated subplan whose pushed filter compares a
 *	  column with the outer row's value reads the shards once and then
 *	  looks its rows up at each rescan instead of sending a statement per
 *	  outer row.
 *
 * The key column and the looked-up value may have different types of one
 * hash operator family (int4 = int8): their hash functions agree on equal
 * values.  Rows are grouped by hash only; the caller rechecks the
 * comparison on each row returned, which also settles hash collisions.
 * A NULL key is never stored and a NULL value finds nothing (the
 * comparison is strict).
 *
 * Memory: everything lives in one context under the caller's; adding a
 * row that would take the context beyond maxBytes fails, and the caller
 * then frees the rows and reads the shards at each rescan instead.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "executor/keyed_rows.h"

typedef struct KeyedEntry
{
	uint32		hash;			/* the hash key: first */
	List	   *rows;			/* MinimalTuple */
} KeyedEntry;

struct KeyedRows
{
	MemoryContext context;
	HTAB	   *table;
	FmgrInfo	keyHash;
	FmgrInfo	valueHash;
	Oid			collation;		/* of the comparison (text hashing) */
	Size		maxBytes;
	List	   *found;			/* rows of the current lookup */
	ListCell   *next;
};

/*
 * CreateKeyedRows returns an empty set of rows (in a context of its own
 * under parent) hashed by keyHashFunc, looked up by values hashed by
 * valueHashFunc (both under the comparison's collation), that may take up
 * to maxBytes.
 */
KeyedRows *
CreateKeyedRows(MemoryContext parent, Oid keyHashFunc, Oid valueHashFunc, Oid collation,
				Size maxBytes)
{
	MemoryContext context = AllocSetContextCreate(parent, "ShardScan keyed rows",
												  ALLOCSET_DEFAULT_SIZES);
	KeyedRows  *rows = MemoryContextAllocZero(context, sizeof(KeyedRows));
	HASHCTL		info;

	rows->context = context;
	rows->maxBytes = maxBytes;
	rows->collation = collation;
	fmgr_info_cxt(keyHashFunc, &rows->keyHash, context);
	fmgr_info_cxt(valueHashFunc, &rows->valueHash, context);
	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(uint32);
	info.entrysize = sizeof(KeyedEntry);
	info.hcxt = context;
	rows->table = hash_create("ShardScan keyed rows", 1024, &info,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return rows;
}

/*
 * AddKeyedRow keeps a copy of the row in slot under key.  Returns false,
 * keeping nothing, when the rows would take more than their budget.
 */
bool
AddKeyedRow(KeyedRows *rows, TupleTableSlot *slot, Datum key, bool keyIsNull)
{
	MemoryContext oldContext;
	uint32		hash;
	KeyedEntry *entry;
	bool		found;

	if (keyIsNull)
		return true;			/* no comparison can match it */
	if (MemoryContextMemAllocated(rows->context, true) > rows->maxBytes)
		return false;
	hash = DatumGetUInt32(FunctionCall1Coll(&rows->keyHash, rows->collation, key));
	oldContext = MemoryContextSwitchTo(rows->context);
	entry = hash_search(rows->table, &hash, HASH_ENTER, &found);
	if (!found)
		entry->rows = NIL;
	entry->rows = lappend(entry->rows, ExecCopySlotMinimalTuple(slot));
	MemoryContextSwitchTo(oldContext);
	return true;
}

/*
 * FindKeyedRows starts returning the rows whose key may equal value.
 */
void
FindKeyedRows(KeyedRows *rows, Datum value, bool valueIsNull)
{
	uint32		hash;
	KeyedEntry *entry;

	rows->found = NIL;
	if (!valueIsNull)
	{
		hash = DatumGetUInt32(FunctionCall1Coll(&rows->valueHash, rows->collation, value));
		entry = hash_search(rows->table, &hash, HASH_FIND, NULL);
		if (entry != NULL)
			rows->found = entry->rows;
	}
	rows->next = list_head(rows->found);
}

/*
 * NextKeyedRow returns the next row of the current lookup (owned by the
 * set), or NULL at its end.
 */
MinimalTuple
NextKeyedRow(KeyedRows *rows)
{
	MinimalTuple tuple;

	if (rows->next == NULL)
		return NULL;
	tuple = lfirst(rows->next);
	rows->next = lnext(rows->found, rows->next);
	return tuple;
}

/*
 * FreeKeyedRows releases the rows and their memory.
 */
void
FreeKeyedRows(KeyedRows *rows)
{
	if (rows != NULL)
		MemoryContextDelete(rows->context);
}
