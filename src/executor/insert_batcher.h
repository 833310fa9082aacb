/*-------------------------------------------------------------------------
 * insert_batcher.h
 *	  Routes rows of a distributed table to per-shard INSERT batches and
 *	  sends them: used by INSERT and by create_distributed_table.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_INSERT_BATCHER_H
#define SHARD_INSERT_BATCHER_H

#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "nodes/parsenodes.h"
#include "utils/tuplestore.h"

typedef struct InsertBatcher InsertBatcher;

extern InsertBatcher *StartInsertBatcher(Oid relid, TupleDesc desc);
extern void InsertBatcherAddRow(InsertBatcher *batcher, Datum *values, bool *isnull);
extern uint64 FinishInsertBatcher(InsertBatcher *batcher, bool allowAutocommit);

/* INSERT ... ON CONFLICT: rows are shipped through a statement template */
extern void InsertBatcherSetUpsert(InsertBatcher *batcher, Query *upsertTemplate);
extern void InsertBatcherStoreReturning(InsertBatcher *batcher, Tuplestorestate *store,
										TupleTableSlot *slot, int firstColumn);

#endif							/* SHARD_INSERT_BATCHER_H */
