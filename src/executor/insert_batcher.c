/*-------------------------------------------------------------------------
 * insert_batcher.c
 *	  Routes rows to the shards of a distributed table as multi-row INSERT
 *	  statements, one buffer per shard.
 *
 * A buffer that reaches INSERT_BATCH_BYTES is sent at once (in a remote
 * transaction), so memory stays bounded by shard count times batch size
 * for any number of rows.  The rest is sent by FinishInsertBatcher, all
 * nodes at once; a single batch may go in autocommit mode when the caller
 * allows it.  Values travel as text literals produced by the type output
 * functions, with floats printed exactly.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "executor/insert_batcher.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"

#define INSERT_BATCH_BYTES		(256 * 1024)

struct InsertBatcher
{
	Oid			relid;
	DistTableEntry *table;
	int			natts;
	bool	   *skip;			/* dropped columns */
	FmgrInfo   *outFuncs;
	char	   *header;			/* " (columns) VALUES " */
	StringInfo *batches;		/* per shard index, or NULL */
	uint64		processed;
	MemoryContext valueContext;
};

static void SendBatches(InsertBatcher *batcher, List *shardIndexes, bool needTransaction);

/*
 * StartInsertBatcher prepares routing of rows of relid whose columns are
 * desc (the table's own descriptor, attribute order).  Throws if relid is
 * not a hash-distributed table.
 */
InsertBatcher *
StartInsertBatcher(Oid relid, TupleDesc desc)
{
	InsertBatcher *batcher = palloc0(sizeof(InsertBatcher));
	StringInfoData columns;
	int			i;

	batcher->relid = relid;
	batcher->table = LookupDistTable(relid);
	if (batcher->table == NULL || batcher->table->method != DIST_METHOD_HASH)
		elog(ERROR, "relation %u is not a hash-distributed table", relid);
	batcher->natts = desc->natts;
	batcher->skip = palloc0(sizeof(bool) * Max(1, desc->natts));
	batcher->outFuncs = palloc0(sizeof(FmgrInfo) * Max(1, desc->natts));
	batcher->batches = palloc0(sizeof(StringInfo) * batcher->table->shardCount);
	batcher->valueContext = AllocSetContextCreate(CurrentMemoryContext, "shard insert values",
												  ALLOCSET_DEFAULT_SIZES);

	initStringInfo(&columns);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		Oid			outFunc;
		bool		isVarlena;

		if (attr->attisdropped)
		{
			batcher->skip[i] = true;
			continue;
		}
		getTypeOutputInfo(attr->atttypid, &outFunc, &isVarlena);
		fmgr_info(outFunc, &batcher->outFuncs[i]);
		if (columns.len > 0)
			appendStringInfoString(&columns, ", ");
		appendStringInfoString(&columns, quote_identifier(NameStr(attr->attname)));
	}
	batcher->header = psprintf(" (%s) VALUES ", columns.data);
	return batcher;
}

/*
 * InsertBatcherAddRow routes one row (values in attribute order) to its
 * shard's buffer, sending the buffer when it is full.  Throws on a NULL
 * distribution value and on node errors.
 */
void
InsertBatcherAddRow(InsertBatcher *batcher, Datum *values, bool *isnull)
{
	DistTableEntry *table = batcher->table;
	int			distIndex = table->distAttno - 1;
	int			shardIndex;
	StringInfo	batch;
	MemoryContext oldContext;
	bool		first = true;
	int			floatNestLevel = -1;
	int			i;

	if (isnull[distIndex])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in distribution column \"%s\" of table \"%s\"",
						get_attname(batcher->relid, table->distAttno, false),
						table->relName),
				 errdetail("Every row of a distributed table needs a value to route it to a shard.")));
	shardIndex = ShardIndexForValue(table, values[distIndex]);

	if (batcher->batches[shardIndex] == NULL)
		batcher->batches[shardIndex] = makeStringInfo();
	batch = batcher->batches[shardIndex];
	appendStringInfoString(batch, batch->len > 0 ? ", (" : "(");

	/* floats must be printed exactly to be stored exactly */
	if (extra_float_digits < 1)
	{
		floatNestLevel = NewGUCNestLevel();
		(void) set_config_option("extra_float_digits", "1", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	oldContext = MemoryContextSwitchTo(batcher->valueContext);
	for (i = 0; i < batcher->natts; i++)
	{
		if (batcher->skip[i])
			continue;
		if (!first)
			appendStringInfoString(batch, ", ");
		first = false;
		if (isnull[i])
			appendStringInfoString(batch, "NULL");
		else
			appendStringInfoString(batch,
								   quote_literal_cstr(OutputFunctionCall(&batcher->outFuncs[i],
																		 values[i])));
	}
	MemoryContextSwitchTo(oldContext);
	MemoryContextReset(batcher->valueContext);
	if (floatNestLevel >= 0)
		AtEOXact_GUC(true, floatNestLevel);
	appendStringInfoChar(batch, ')');

	if (batch->len >= INSERT_BATCH_BYTES)
		SendBatches(batcher, list_make1_int(shardIndex), true);
}

/*
 * SendBatches sends the buffers of the given shards as one task each and
 * empties them.
 */
static void
SendBatches(InsertBatcher *batcher, List *shardIndexes, bool needTransaction)
{
	List	   *tasks = NIL;
	ListCell   *lc;
	TaskRunOptions options;
	TaskRunResult result;

	foreach(lc, shardIndexes)
	{
		int			shardIndex = lfirst_int(lc);
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = shardIndex;
		task->nodeId = batcher->table->shards[shardIndex].nodeId;
		task->sql = psprintf("INSERT INTO %s%s%s",
							 ShardRelationName(batcher->table, shardIndex),
							 batcher->header, batcher->batches[shardIndex]->data);
		tasks = lappend(tasks, task);
	}
	memset(&options, 0, sizeof(options));
	options.isWrite = true;
	options.needTransaction = needTransaction;
	RunTasks(tasks, &options, &result);
	batcher->processed += result.rowsProcessed;

	foreach(lc, shardIndexes)
		resetStringInfo(batcher->batches[lfirst_int(lc)]);
}

/*
 * FinishInsertBatcher sends what is buffered, all nodes at once, and
 * returns the number of rows inserted.  With allowAutocommit, a lone
 * batch runs without a remote transaction.
 */
uint64
FinishInsertBatcher(InsertBatcher *batcher, bool allowAutocommit)
{
	List	   *pending = NIL;
	int			i;

	for (i = 0; i < batcher->table->shardCount; i++)
	{
		if (batcher->batches[i] != NULL && batcher->batches[i]->len > 0)
			pending = lappend_int(pending, i);
	}
	if (pending != NIL)
		SendBatches(batcher, pending,
					!(allowAutocommit && list_length(pending) == 1 && batcher->processed == 0));
	return batcher->processed;
}
