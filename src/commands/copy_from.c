/*-------------------------------------------------------------------------
 * copy_from.c
 *	  COPY on distributed tables.
 *
 * COPY FROM: input is read by PostgreSQL's own COPY FROM code on the
 * shell table (BeginCopyFrom, NextCopyFrom/NextCopyFromRawFields), so
 * options, column lists, headers, defaults, serial and identity columns and
 * WHERE behave as on one server.  Each row is routed by the hash of its
 * distribution column (a table of hash ranges saves the binary search) and
 * appended to its shard's buffer.  The buffers together hold at most
 * COPY_BUFFER_BYTES: past it the largest becomes a batch, queued on its
 * node and sent as one `COPY shard FROM STDIN` on the node's connection of
 * the coordinator transaction (a connection carries one COPY at a time, so
 * a node's batches go one after another).  Nodes advance independently and
 * without blocking (libpq non-blocking mode during the COPY): the
 * coordinator keeps parsing while the nodes insert, and waits only when a
 * node has COPY_MAX_QUEUED batches queued.  Memory is bounded by the buffer
 * budget plus the queues, whatever the input size.
 *
 * Rows travel in text form.  For text and csv input without computed
 * defaults, the input line itself (already in the server encoding, which is
 * the connection's client encoding) is forwarded with the same format
 * options; without WHERE, only the distribution column is converted here
 * (NextForwardedRow): the nodes' COPY converts and checks every field with
 * the same input functions and options.  A node's data error names the
 * shard and its batch's line; each batch keeps the input line of each row,
 * and the error is rethrown naming the table and the input line, with the
 * node's SQLSTATE and message.  A bad line may be reported after later
 * lines were read, and with several bad lines not always the first.
 * Otherwise (binary, defaults computed here, WHERE) rows are converted by
 * NextCopyFrom and, unless forwarded, printed by their output functions
 * (floats exactly) in the default text format.
 *
 * A reference table (one shard, a placement on every node) takes every
 * row on every placement: each batch is queued on every placement's node.
 *
 * All batches go in remote transactions that commit with the coordinator's
 * (two-phase commit when more than one node was written), so a failed COPY
 * leaves nothing anywhere.  On error the abort callbacks end every COPY in
 * flight (transaction/remote_xact.c); this file only puts the connections
 * back in blocking mode.
 *
 * COPY TO on a distributed table runs as COPY (SELECT columns FROM ONLY
 * table) TO, which goes through the planner and streams from the shards.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/wait_event.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "commands/copy_from.h"
#include "deparse/deparse.h"
#include "connection/connection.h"
#include "connection/remote_error.h"
#include "executor/foreign_key_checks.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

/*
 * The shards' buffers together hold at most COPY_BUFFER_BYTES (or
 * COPY_MIN_BATCH_BYTES per shard when more): past it, the largest buffer
 * becomes a batch.  With even data this settles into buffers of staggered
 * sizes and batches of about 2 x COPY_BUFFER_BYTES / shards, so shards do
 * not all flush at once.  A batch is never larger than COPY_MAX_BATCH_BYTES
 * (nor 4 x the budget / shards).  Few large batches matter on the node:
 * each COPY command costs a fixed amount plus, in PostgreSQL 15, time
 * quadratic in its number of buffered slots (up to 1000, each pinning the
 * tuple descriptor in the resource owner), which with 256 kB batches was
 * about a fifth of the node's time.  The budget starts at
 * COPY_MIN_BATCH_BYTES and grows with the bytes sent, so the nodes start
 * working early instead of waiting while the coordinator alone fills it.
 */
#define COPY_BUFFER_BYTES		(32 * 1024 * 1024)
#define COPY_MAX_BATCH_BYTES	(8 * 1024 * 1024)
#define COPY_MIN_BATCH_BYTES	(256 * 1024)
/* a node with this many batches queued makes the coordinator wait */
#define COPY_MAX_QUEUED			2
/*
 * CopyData message size: the node copies each message whole before
 * parsing it, so messages of this size stay in its CPU cache
 */
#define COPY_MESSAGE_BYTES		(64 * 1024)
/* rows between non-blocking checks of the nodes */
#define COPY_POLL_ROWS			512
/* routing table: shard of each range of hash values with these top bits */
#define COPY_ROUTE_BITS			12

/*
 * CopyBatch is the rows of one shard sent as one COPY command.  For each
 * row it keeps the input line the row ended on and where the row ends in
 * data, to map a node's line numbers back to the input's.
 */
typedef struct CopyBatch
{
	int			shardIndex;
	StringInfoData data;
	int			rowCount;
	int			rowCapacity;
	uint64	   *lastLines;		/* per row: input line it ended on */
	int		   *rowEnds;		/* per row: offset in data after it */
	int			pendingNodes;	/* queued or running on this many nodes */
} CopyBatch;

typedef enum NodeCopyPhase
{
	NODE_COPY_IDLE,				/* no COPY in flight */
	NODE_COPY_STARTING,			/* COPY sent, waiting for the copy-in state */
	NODE_COPY_ENDING			/* data and end sent, waiting for completion */
} NodeCopyPhase;

typedef struct NodeCopy
{
	int			nodeId;
	NodeConnection *conn;
	NodeCopyPhase phase;
	List	   *queue;			/* CopyBatch *, oldest first */
	CopyBatch  *current;		/* batch of the COPY in flight */
	char	   *currentSql;		/* for error context */
	bool		wantWrite;		/* libpq has unsent output */
	bool		nonBlocking;	/* we switched the connection to it */
} NodeCopy;

typedef struct ShardCopy
{
	DistTableEntry *table;
	char	   *copySuffix;		/* " (columns) FROM STDIN WITH (...)" */
	int			shardCount;
	CopyBatch **filling;		/* per shard index, or NULL */
	int		   *placementCounts;	/* per shard index: its placements */
	int		  **shardNodes;		/* per shard index: indexes into nodes */
	int16	   *route;			/* per hash bucket: shard index, -1 if several */
	char	  **shardRelNames;	/* per shard index */
	NodeCopy   *nodes;
	int			nodeCount;
	List	   *freeBatches;	/* recycled batches */
	bool		csvLines;		/* batches hold forwarded csv lines */
	int64		bufferedBytes;	/* in the filling buffers */
	int64		bufferLimit;	/* most bytes held in the filling buffers */
	int64		bufferBudget;	/* current limit of bufferedBytes */
	int64		queuedBytes;	/* batched so far */
	uint64		remoteRows;		/* from the nodes' COPY tags */
	uint64		expectedRows;	/* rows queued, once per placement */
	const char *relName;		/* the distributed table, for errors */
} ShardCopy;

static uint64 CopyIntoDistributedTable(ParseState *pstate, CopyStmt *stmt);
static Node *TransformCopyWhere(ParseState *pstate, ParseNamespaceItem *nsitem,
								Node *whereClause);
static char *CopyColumnList(Relation rel, List *attnums);
static char *ForwardedCopyOptions(CopyFromState cstate);
static void AppendTextField(StringInfo buf, const char *value);
static bool NextForwardedRow(CopyFromState cstate, ShardCopy *copy,
							 int distField, Datum *distValue);
static CopyBatch *TakeBatch(ShardCopy *copy, int shardIndex);
static void AddBatchRow(CopyBatch *batch, uint64 lastLine);
static void QueueBatch(ShardCopy *copy, int shardIndex);
static void QueueLargestBatch(ShardCopy *copy);
static void BuildRoute(ShardCopy *copy);
static inline int RouteValue(ShardCopy *copy, Datum value);
static uint64 InputLineOfNodeLine(ShardCopy *copy, CopyBatch *batch, uint64 nodeLine);
static void ThrowNodeCopyError(ShardCopy *copy, NodeCopy *node, PGresult *res);
static char *CopyContextOfInput(ShardCopy *copy, CopyBatch *batch, char *context);
static bool AdvanceNodeCopy(ShardCopy *copy, NodeCopy *node);
static void StartNodeCopy(ShardCopy *copy, NodeCopy *node);
static void SendBatchData(NodeCopy *node);
static void ThrowNodeCopyFailure(NodeCopy *node);
static void WaitForNodeCopies(ShardCopy *copy);
static void AdvanceAllNodeCopies(ShardCopy *copy, bool wait, int maxQueued);
static void RestoreBlockingMode(ShardCopy *copy);
static CopyStmt *CopyToAsQuery(CopyStmt *stmt);

/*
 * ProcessDistributedCopy handles a COPY naming a distributed table.  COPY
 * FROM is run here (returns true, with qc set); COPY TO is rewritten into
 * COPY (query) TO in a copy of *pstmt, for the caller to run (returns
 * false).  Returns false without change for other COPY statements.
 */
bool
ProcessDistributedCopy(PlannedStmt **pstmt, const char *queryString,
					   QueryEnvironment *queryEnv, QueryCompletion *qc)
{
	CopyStmt   *stmt = (CopyStmt *) (*pstmt)->utilityStmt;
	Oid			relid;

	if (stmt->relation == NULL)
		return false;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) || !IsDistributedTable(relid))
		return false;

	if (stmt->is_from)
	{
		ParseState *pstate = make_parsestate(NULL);
		uint64		processed;

		pstate->p_sourcetext = queryString;
		pstate->p_queryEnv = queryEnv;
		processed = CopyIntoDistributedTable(pstate, stmt);
		free_parsestate(pstate);
		if (qc)
			SetQueryCompletion(qc, CMDTAG_COPY, processed);
		return true;
	}
	else
	{
		PlannedStmt *copyStmt = copyObject(*pstmt);

		copyStmt->utilityStmt = (Node *) CopyToAsQuery(stmt);
		*pstmt = copyStmt;
		return false;
	}
}

/*
 * CopyToAsQuery returns COPY (SELECT columns FROM ONLY relation) TO with
 * stmt's destination and options; palloc'd.
 */
static CopyStmt *
CopyToAsQuery(CopyStmt *stmt)
{
	CopyStmt   *result = copyObject(stmt);
	SelectStmt *select = makeNode(SelectStmt);
	RangeVar   *from = copyObject(stmt->relation);
	List	   *targetList = NIL;
	ListCell   *lc;

	from->inh = false;
	if (stmt->attlist == NIL)
	{
		ColumnRef  *star = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		star->fields = list_make1(makeNode(A_Star));
		star->location = -1;
		target->val = (Node *) star;
		target->location = -1;
		targetList = list_make1(target);
	}
	else
	{
		foreach(lc, stmt->attlist)
		{
			ColumnRef  *column = makeNode(ColumnRef);
			ResTarget  *target = makeNode(ResTarget);

			column->fields = list_make1(makeString(pstrdup(strVal(lfirst(lc)))));
			column->location = -1;
			target->name = pstrdup(strVal(lfirst(lc)));
			target->val = (Node *) column;
			target->location = -1;
			targetList = lappend(targetList, target);
		}
	}
	select->targetList = targetList;
	select->fromClause = list_make1(from);

	result->relation = NULL;
	result->attlist = NIL;
	result->query = (Node *) select;
	return result;
}

/*
 * TransformCopyWhere turns the raw WHERE clause of COPY FROM into an
 * implicitly-ANDed qual list over the relation of nsitem, as DoCopy does.
 */
static Node *
TransformCopyWhere(ParseState *pstate, ParseNamespaceItem *nsitem, Node *whereClause)
{
	Node	   *qual;

	addNSItemToQuery(pstate, nsitem, false, true, true);
	qual = transformExpr(pstate, whereClause, EXPR_KIND_COPY_WHERE);
	qual = coerce_to_boolean(pstate, qual, "WHERE");
	assign_expr_collations(pstate, qual);
	qual = eval_const_expressions(NULL, qual);
	qual = (Node *) canonicalize_qual((Expr *) qual, false);
	return (Node *) make_ands_implicit((Expr *) qual);
}

/*
 * CopyColumnList returns "(a, b, ...)" for the given attribute numbers.
 */
static char *
CopyColumnList(Relation rel, List *attnums)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	foreach(lc, attnums)
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1);

		if (buf.len > 1)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(NameStr(attr->attname)));
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * ForwardedCopyOptions returns the WITH (...) options under which the
 * nodes read forwarded input lines exactly as the coordinator did.
 */
static char *
ForwardedCopyOptions(CopyFromState cstate)
{
	CopyFormatOptions *opts = &cstate->opts;
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "FORMAT %s, DELIMITER %s, NULL %s",
					 opts->csv_mode ? "csv" : "text",
					 quote_literal_cstr(opts->delim),
					 quote_literal_cstr(opts->null_print));
	if (opts->csv_mode)
	{
		appendStringInfo(&buf, ", QUOTE %s, ESCAPE %s",
						 quote_literal_cstr(opts->quote),
						 quote_literal_cstr(opts->escape));
		if (opts->force_notnull != NIL)
		{
			appendStringInfoString(&buf, ", FORCE_NOT_NULL (");
			foreach(lc, opts->force_notnull)
				appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
								 quote_identifier(strVal(lfirst(lc))));
			appendStringInfoChar(&buf, ')');
		}
		if (opts->force_null != NIL)
		{
			appendStringInfoString(&buf, ", FORCE_NULL (");
			foreach(lc, opts->force_null)
				appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
								 quote_identifier(strVal(lfirst(lc))));
			appendStringInfoChar(&buf, ')');
		}
	}
	return buf.data;
}

/*
 * AppendTextField appends value escaped for COPY's text format.
 */
static void
AppendTextField(StringInfo buf, const char *value)
{
	const char *start = value;
	const char *p;

	for (p = value; *p != '\0'; p++)
	{
		char		c = *p;
		char		escaped;

		if (c == '\\')
			escaped = '\\';
		else if (c == '\t')
			escaped = 't';
		else if (c == '\n')
			escaped = 'n';
		else if (c == '\r')
			escaped = 'r';
		else
			continue;
		if (p > start)
			appendBinaryStringInfo(buf, start, p - start);
		appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, escaped);
		start = p + 1;
	}
	if (p > start)
		appendBinaryStringInfo(buf, start, p - start);
}

/*
 * NextForwardedRow reads the next input line for forwarding and converts
 * only the distribution column (field distField of the line; none when
 * negative) into *distValue: the other fields are checked by the nodes' COPY, which runs
 * the same input functions under the same options.  Checks the field count
 * and a NULL distribution value as NextCopyFrom would, with the same
 * messages.  Returns false at the end of the input.  Allocates in the
 * current context; throws on input errors (the caller's error context
 * names the line).
 */
static bool
NextForwardedRow(CopyFromState cstate, ShardCopy *copy, int distField,
				 Datum *distValue)
{
	char	  **fields;
	int			fieldCount;
	int			fieldTotal = list_length(cstate->attnumlist);
	int			distAttno = copy->table->distAttno;
	Form_pg_attribute attr;
	char	   *value;

	if (!NextCopyFromRawFields(cstate, &fields, &fieldCount))
		return false;
	if (fieldCount > fieldTotal)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("extra data after last expected column")));
	if (fieldCount < fieldTotal)
	{
		int			missing = list_nth_int(cstate->attnumlist, fieldCount);

		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("missing data for column \"%s\"",
						NameStr(TupleDescAttr(RelationGetDescr(cstate->rel),
											  missing - 1)->attname))));
	}

	if (distField < 0)
		return true;
	attr = TupleDescAttr(RelationGetDescr(cstate->rel), distAttno - 1);
	value = fields[distField];
	if (cstate->opts.csv_mode)
	{
		if (value == NULL && cstate->opts.force_notnull_flags[distAttno - 1])
			value = cstate->opts.null_print;
		else if (value != NULL && cstate->opts.force_null_flags[distAttno - 1] &&
				 strcmp(value, cstate->opts.null_print) == 0)
			value = NULL;
	}
	/* called on NULL too: a domain may reject it */
	cstate->cur_attname = NameStr(attr->attname);
	cstate->cur_attval = value;
	*distValue = InputFunctionCall(&cstate->in_functions[distAttno - 1], value,
								   cstate->typioparams[distAttno - 1],
								   attr->atttypmod);
	cstate->cur_attname = NULL;
	cstate->cur_attval = NULL;
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in distribution column \"%s\" of table \"%s\"",
						NameStr(attr->attname), copy->relName),
				 errdetail("Every row of a distributed table needs a value to route it to a shard.")));
	return true;
}

/*
 * BuildRoute fills copy->route: for each of the 2^COPY_ROUTE_BITS equal
 * ranges of hash values, the shard whose range holds all of it, or -1.
 * Shard ranges are sorted and cover the int32 space, so a range lies in one
 * shard when its two ends do.  Saves the binary search for almost every row.
 */
static void
BuildRoute(ShardCopy *copy)
{
	int			bucketCount = 1 << COPY_ROUTE_BITS;
	int			b;

	copy->route = palloc(sizeof(int16) * bucketCount);
	for (b = 0; b < bucketCount; b++)
	{
		uint32		low = ((uint32) b << (32 - COPY_ROUTE_BITS)) ^ 0x80000000;
		uint32		high = low + ((uint32) 1 << (32 - COPY_ROUTE_BITS)) - 1;
		int			lowShard = ShardIndexForHash(copy->table, (int32) low);
		int			highShard = ShardIndexForHash(copy->table, (int32) high);

		copy->route[b] = (lowShard == highShard && lowShard <= PG_INT16_MAX) ? lowShard : -1;
	}
}

/*
 * RouteValue returns the shard index of a non-null distribution value.
 */
static inline int
RouteValue(ShardCopy *copy, Datum value)
{
	int32		hash = HashDistValue(copy->table, value);
	int			shardIndex;

	shardIndex = copy->route[((uint32) hash ^ 0x80000000) >> (32 - COPY_ROUTE_BITS)];
	if (shardIndex < 0)
		shardIndex = ShardIndexForHash(copy->table, hash);
	return shardIndex;
}

/*
 * TakeBatch returns an empty batch for shardIndex, recycled when possible.
 */
static CopyBatch *
TakeBatch(ShardCopy *copy, int shardIndex)
{
	CopyBatch  *batch;

	if (copy->freeBatches != NIL)
	{
		batch = llast(copy->freeBatches);
		copy->freeBatches = list_delete_last(copy->freeBatches);
		resetStringInfo(&batch->data);
	}
	else
	{
		batch = palloc0(sizeof(CopyBatch));
		initStringInfo(&batch->data);
		enlargeStringInfo(&batch->data, COPY_MIN_BATCH_BYTES);
		batch->rowCapacity = 4096;
		batch->lastLines = palloc(sizeof(uint64) * batch->rowCapacity);
		batch->rowEnds = palloc(sizeof(int) * batch->rowCapacity);
	}
	batch->shardIndex = shardIndex;
	batch->rowCount = 0;
	return batch;
}

/*
 * AddBatchRow records the row just appended to batch, which ended on input
 * line lastLine.
 */
static void
AddBatchRow(CopyBatch *batch, uint64 lastLine)
{
	if (batch->rowCount == batch->rowCapacity)
	{
		batch->rowCapacity *= 2;
		batch->lastLines = repalloc(batch->lastLines,
									sizeof(uint64) * batch->rowCapacity);
		batch->rowEnds = repalloc(batch->rowEnds, sizeof(int) * batch->rowCapacity);
	}
	batch->lastLines[batch->rowCount] = lastLine;
	batch->rowEnds[batch->rowCount++] = batch->data.len;
}

/*
 * QueueBatch moves shard shardIndex's buffer to its node's queue.
 */
static void
QueueBatch(ShardCopy *copy, int shardIndex)
{
	CopyBatch  *batch = copy->filling[shardIndex];
	int			p;

	if (batch == NULL)
		return;
	copy->filling[shardIndex] = NULL;
	copy->bufferedBytes -= batch->data.len;
	copy->queuedBytes += batch->data.len;
	copy->bufferBudget = Min(copy->bufferLimit,
							 Max(COPY_MIN_BATCH_BYTES, copy->queuedBytes));
	if (batch->data.len == 0)
	{
		copy->freeBatches = lappend(copy->freeBatches, batch);
		return;
	}
	/* a reference table's rows go to every placement */
	batch->pendingNodes = copy->placementCounts[shardIndex];
	copy->expectedRows += (uint64) batch->rowCount * batch->pendingNodes;
	for (p = 0; p < copy->placementCounts[shardIndex]; p++)
	{
		NodeCopy   *node = &copy->nodes[copy->shardNodes[shardIndex][p]];

		node->queue = lappend(node->queue, batch);
	}
}

/*
 * QueueLargestBatch queues the largest filling buffer.
 */
static void
QueueLargestBatch(ShardCopy *copy)
{
	int			largest = -1;
	int			largestLen = 0;
	int			i;

	for (i = 0; i < copy->shardCount; i++)
	{
		CopyBatch  *batch = copy->filling[i];

		if (batch != NULL && batch->data.len > largestLen)
		{
			largest = i;
			largestLen = batch->data.len;
		}
	}
	if (largest >= 0)
		QueueBatch(copy, largest);
}

/*
 * InputLineOfNodeLine returns the input line on which the row of batch
 * holding line nodeLine, as the node's COPY numbers lines, ended; 0 when
 * out of range.  A node counts a text row as one line.  In csv it adds
 * the newlines inside quoted values, as PostgreSQL 15 does: a newline
 * character of the line ending in use, which before the end of the first
 * row is not yet known, so there it counts carriage returns.  A forwarded
 * csv line holds a newline or carriage return only inside quotes.
 */
static uint64
InputLineOfNodeLine(ShardCopy *copy, CopyBatch *batch, uint64 nodeLine)
{
	uint64		end = 0;
	int			start = 0;
	int			i;

	if (nodeLine == 0)
		return 0;
	if (!copy->csvLines)
		return nodeLine <= (uint64) batch->rowCount ? batch->lastLines[nodeLine - 1] : 0;
	for (i = 0; i < batch->rowCount; i++)
	{
		char		counted = (i == 0) ? '\r' : '\n';
		int			p;

		end++;
		/* the row's own line end, appended when forwarding, is not inside */
		for (p = start; p < batch->rowEnds[i] - 1; p++)
			if (batch->data.data[p] == counted)
				end++;
		if (nodeLine <= end)
			return batch->lastLines[i];
		start = batch->rowEnds[i];
	}
	return 0;
}

/*
 * ThrowNodeCopyError throws the error a node reported for its COPY, as
 * ThrowRemoteError does.  A context naming the shard and a line of the
 * batch ("COPY t_102008, line 7, column c: ...", as PostgreSQL's COPY
 * reports data errors) is rewritten to name the distributed table and the
 * input line of that row, so the error reads as it would on one server.
 * Frees res.
 */
static void
ThrowNodeCopyError(ShardCopy *copy, NodeCopy *node, PGresult *res)
{
	CopyBatch  *batch = node->current;
	RemoteError err;

	if (PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) == NULL ||
		batch == NULL || node->phase != NODE_COPY_ENDING)
	{
		ReportRemoteError(ERROR, res, node->conn, node->currentSql);
		return;
	}
	PG_TRY();
	{
		CaptureRemoteError(&err, res, node->conn);
	}
	PG_FINALLY();
	{
		PQclear(res);
	}
	PG_END_TRY();
	if (err.context != NULL)
		err.context = CopyContextOfInput(copy, batch, err.context);
	ThrowRemoteError(ERROR, &err, node->conn, node->currentSql);
}

/*
 * CopyContextOfInput returns the context of a node's COPY error with its
 * "COPY <shard>, line N" line (after those of input functions) naming the
 * distributed table and the input line of that row; palloc'd, or context
 * itself when it has no such line.
 */
static char *
CopyContextOfInput(ShardCopy *copy, CopyBatch *batch, char *context)
{
	char	   *prefix = psprintf("COPY %s, line ",
								  ShardTableName(copy->table->relName,
												 copy->table->shards[batch->shardIndex].shardId));
	size_t		prefixLen = strlen(prefix);
	const char *copyLine = context;
	char	   *rest;
	uint64		nodeLine;
	uint64		inputLine;

	while (copyLine != NULL && strncmp(copyLine, prefix, prefixLen) != 0)
	{
		copyLine = strchr(copyLine, '\n');
		if (copyLine != NULL)
			copyLine++;
	}
	if (copyLine == NULL || !isdigit((unsigned char) copyLine[prefixLen]))
		return context;
	nodeLine = strtou64(copyLine + prefixLen, &rest, 10);
	inputLine = InputLineOfNodeLine(copy, batch, nodeLine);
	if (inputLine == 0)
		return context;
	return psprintf("%.*sCOPY %s, line " UINT64_FORMAT "%s",
					(int) (copyLine - context), context,
					copy->relName, inputLine, rest);
}

/*
 * ThrowNodeCopyFailure throws for a libpq failure on node's connection:
 * the node's error when one was received, else a connection failure.
 */
static void
ThrowNodeCopyFailure(NodeCopy *node)
{
	PGconn	   *pg = node->conn->conn;
	char	   *message = pstrdup(pg != NULL ? PQerrorMessage(pg) : "");
	PGresult   *res;

	if (pg != NULL && PQstatus(pg) == CONNECTION_OK)
	{
		PQsetnonblocking(pg, 0);
		node->nonBlocking = false;
		while ((res = PQgetResult(pg)) != NULL)
		{
			ExecStatusType status = PQresultStatus(res);

			if (status == PGRES_FATAL_ERROR)
				ReportRemoteError(ERROR, res, node->conn, node->currentSql);
			PQclear(res);
			if (status == PGRES_COPY_IN)
				break;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("could not send COPY data to node %s:%d",
					node->conn->host, node->conn->port),
			 message[0] != '\0' ? errdetail_internal("%s", message) : 0));
}

/*
 * StartNodeCopy sends the COPY of the node's oldest queued batch, with the
 * remote transaction prefix.
 */
static void
StartNodeCopy(ShardCopy *copy, NodeCopy *node)
{
	CopyBatch  *batch = linitial(node->queue);
	StringInfoData sql;

	node->queue = list_delete_first(node->queue);
	node->current = batch;

	if (node->conn == NULL)
		node->conn = ConnectionForNode(node->nodeId);
	if (!node->nonBlocking)
	{
		if (node->conn->conn == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("connection to node %s:%d is closed",
							node->conn->host, node->conn->port)));
		if (PQsetnonblocking(node->conn->conn, 1) != 0)
			ThrowNodeCopyFailure(node);
		node->nonBlocking = true;
	}

	initStringInfo(&sql);
	MarkRemoteWrite(node->conn);
	AppendRemotePrefix(node->conn, true, &sql);
	node->currentSql = psprintf("COPY %s %s", copy->shardRelNames[batch->shardIndex],
								copy->copySuffix);
	appendStringInfoString(&sql, node->currentSql);
	SendRemoteCommand(node->conn, sql.data);
	pfree(sql.data);
	node->phase = NODE_COPY_STARTING;
}

/*
 * SendBatchData hands the current batch and the end of the COPY to libpq
 * (which keeps what the socket does not take yet).  The batch stays the
 * node's current one until the COPY completes, to map error lines.
 */
static void
SendBatchData(NodeCopy *node)
{
	PGconn	   *pg = node->conn->conn;
	CopyBatch  *batch = node->current;
	int			offset;

	for (offset = 0; offset < batch->data.len; offset += COPY_MESSAGE_BYTES)
	{
		int			length = Min(COPY_MESSAGE_BYTES, batch->data.len - offset);

		if (PQputCopyData(pg, batch->data.data + offset, length) != 1)
			ThrowNodeCopyFailure(node);
	}
	if (PQputCopyEnd(pg, NULL) != 1)
		ThrowNodeCopyFailure(node);
	node->phase = NODE_COPY_ENDING;
}

/*
 * AdvanceNodeCopy moves the node's COPY pipeline forward as far as it can
 * without blocking.  Returns true when it waits for the network, false
 * when the node is idle with nothing queued.  Throws node errors.
 */
static bool
AdvanceNodeCopy(ShardCopy *copy, NodeCopy *node)
{
	for (;;)
	{
		PGconn	   *pg;
		PGresult   *res;
		ExecStatusType status;
		int			flushed;

		if (node->phase == NODE_COPY_IDLE)
		{
			if (node->queue == NIL)
				return false;
			StartNodeCopy(copy, node);
		}

		pg = node->conn->conn;
		if (pg == NULL)
			ThrowNodeCopyFailure(node);
		flushed = PQflush(pg);
		if (flushed < 0)
			ThrowNodeCopyFailure(node);
		node->wantWrite = (flushed == 1);
		if (!PQconsumeInput(pg))
			ThrowNodeCopyFailure(node);
		if (PQisBusy(pg))
			return true;

		res = PQgetResult(pg);
		if (res == NULL)
		{
			node->conn->busy = false;
			if (node->phase == NODE_COPY_STARTING)
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("node %s:%d did not start COPY",
								node->conn->host, node->conn->port)));
			node->phase = NODE_COPY_IDLE;
			continue;
		}
		status = PQresultStatus(res);
		if (status == PGRES_COMMAND_OK)
		{
			const char *tuples = PQcmdTuples(res);

			if (node->phase == NODE_COPY_ENDING && node->current != NULL)
			{
				if (tuples[0] != '\0')
					copy->remoteRows += strtou64(tuples, NULL, 10);
				if (--node->current->pendingNodes == 0)
					copy->freeBatches = lappend(copy->freeBatches, node->current);
				node->current = NULL;
			}
			PQclear(res);
			continue;
		}
		if (status == PGRES_COPY_IN && node->phase == NODE_COPY_STARTING)
		{
			PQclear(res);
			SendBatchData(node);
			continue;
		}
		ThrowNodeCopyError(copy, node, res);
	}
}

/*
 * WaitForNodeCopies waits until some node with a COPY in flight can make
 * progress (readable, or writable when libpq has output pending), or the
 * latch is set.  After shard.node_timeout without either, it probes each
 * such node.  Throws on interrupt and when a node does not answer.
 */
static void
WaitForNodeCopies(ShardCopy *copy)
{
	WaitEventSet *set;
	WaitEvent	event;
	int			i;
	int			count = 0;

	set = CreateWaitEventSet(CurrentMemoryContext, copy->nodeCount + 2);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (i = 0; i < copy->nodeCount; i++)
	{
		NodeCopy   *node = &copy->nodes[i];

		if (node->phase == NODE_COPY_IDLE || node->conn->conn == NULL)
			continue;
		AddWaitEventToSet(set, WL_SOCKET_READABLE |
						  (node->wantWrite ? WL_SOCKET_WRITEABLE : 0),
						  PQsocket(node->conn->conn), NULL, NULL);
		count++;
	}
	if (count > 0 &&
		WaitEventSetWait(set, NodeTimeout, &event, 1, PG_WAIT_EXTENSION) == 0)
	{
		/* nothing moved for shard.node_timeout: hung nodes fail the COPY */
		FreeWaitEventSet(set);
		for (i = 0; i < copy->nodeCount; i++)
		{
			NodeCopy   *node = &copy->nodes[i];

			if (node->phase != NODE_COPY_IDLE && node->conn->conn != NULL)
				CheckNodeAnswers(node->conn);
		}
		return;
	}
	FreeWaitEventSet(set);
	if (count > 0 && (event.events & WL_LATCH_SET))
		ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * AdvanceAllNodeCopies advances every node; with wait, until each node has
 * at most maxQueued batches queued (0 with an idle node: all done).
 */
static void
AdvanceAllNodeCopies(ShardCopy *copy, bool wait, int maxQueued)
{
	for (;;)
	{
		bool		mustWait = false;
		int			i;

		for (i = 0; i < copy->nodeCount; i++)
		{
			NodeCopy   *node = &copy->nodes[i];
			bool		inFlight;

			if (node->phase == NODE_COPY_IDLE && node->queue == NIL)
				continue;
			inFlight = AdvanceNodeCopy(copy, node);
			if (list_length(node->queue) > maxQueued ||
				(maxQueued == 0 && inFlight))
				mustWait = true;
		}
		if (!wait || !mustWait)
			return;
		WaitForNodeCopies(copy);
	}
}

/*
 * RestoreBlockingMode puts the connections used by the COPY back in
 * blocking mode, as the rest of shard expects.  Does not throw.
 */
static void
RestoreBlockingMode(ShardCopy *copy)
{
	int			i;

	for (i = 0; i < copy->nodeCount; i++)
	{
		NodeCopy   *node = &copy->nodes[i];

		if (node->nonBlocking && node->conn != NULL && node->conn->conn != NULL)
			(void) PQsetnonblocking(node->conn->conn, 0);
		node->nonBlocking = false;
	}
}

/*
 * CopyIntoDistributedTable runs COPY FROM into a distributed table and
 * returns the number of rows loaded.  Checks permissions as DoCopy does.
 * Throws on input errors (with the line, as COPY does) and node errors.
 */
static uint64
CopyIntoDistributedTable(ParseState *pstate, CopyStmt *stmt)
{
	Relation	rel;
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	TupleDesc	desc;
	List	   *attnums;
	List	   *sendAttnums = NIL;
	Node	   *whereClause = NULL;
	CopyFromState cstate;
	DistTableEntry *table;
	ShardCopy  *copy;
	EState	   *estate;
	ExprContext *econtext;
	ExprState  *qualExpr = NULL;
	TupleTableSlot *slot = NULL;
	Datum	   *values;
	bool	   *nulls;
	FmgrInfo   *outFuncs = NULL;
	bool		forwardLines;
	bool		rawFields;
	ForeignKeyChecks *fkChecks;
	bool		reference;
	ErrorContextCallback errcallback;
	uint64		processed = 0;
	int			distIndex;
	int			distField = -1;
	int			maxBatchBytes;
	int			placementTotal;
	int			floatNestLevel = -1;
	ListCell   *lc;
	int			i;

	/* the privileges DoCopy checks */
	if (stmt->filename != NULL)
	{
		if (stmt->is_program)
		{
			if (!has_privs_of_role(GetUserId(), ROLE_PG_EXECUTE_SERVER_PROGRAM))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program"),
						 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
		}
		else if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be superuser or have privileges of the pg_read_server_files role to COPY from a file"),
					 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
	}

	rel = table_openrv(stmt->relation, RowExclusiveLock);
	table = LookupDistTable(RelationGetRelid(rel));
	if (table == NULL ||
		(table->method != DIST_METHOD_HASH && table->method != DIST_METHOD_REFERENCE))
		elog(ERROR, "unexpected distribution method of table \"%s\"",
			 RelationGetRelationName(rel));
	reference = (table->method == DIST_METHOD_REFERENCE);

	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	if (stmt->whereClause != NULL)
		whereClause = TransformCopyWhere(pstate, nsitem, stmt->whereClause);

	desc = RelationGetDescr(rel);
	attnums = CopyGetAttnums(desc, rel, stmt->attlist);
	foreach(lc, attnums)
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	ExecCheckRTPerms(pstate->p_rtable, true);
	if (check_enable_rls(rte->relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security"),
				 errhint("Use INSERT statements instead.")));
	if (XactReadOnly && !rel->rd_islocaltemp)
		PreventCommandIfReadOnly("COPY FROM");
	/* keys of foreign keys that the coordinator enforces, checked at the end */
	fkChecks = StartForeignKeyChecks(RelationGetRelid(rel));

	cstate = BeginCopyFrom(pstate, rel, NULL, stmt->filename, stmt->is_program,
						   NULL, stmt->attlist, stmt->options);
	if (cstate->opts.freeze)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FREEZE is not supported on distributed table \"%s\"",
						RelationGetRelationName(rel)),
				 errhint("Run COPY without FREEZE.")));

	/* the columns sent: those read, plus those given a default here */
	forwardLines = !cstate->opts.binary && cstate->num_defaults == 0;
	if (forwardLines)
		sendAttnums = attnums;
	else
	{
		for (i = 0; i < desc->natts; i++)
		{
			bool		send = list_member_int(attnums, i + 1);
			int			d;

			for (d = 0; d < cstate->num_defaults && !send; d++)
				send = (cstate->defmap[d] == i);
			if (send)
				sendAttnums = lappend_int(sendAttnums, i + 1);
		}
		outFuncs = palloc0(sizeof(FmgrInfo) * desc->natts);
		foreach(lc, sendAttnums)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, lfirst_int(lc) - 1);
			Oid			outFunc;
			bool		isVarlena;

			getTypeOutputInfo(attr->atttypid, &outFunc, &isVarlena);
			fmgr_info(outFunc, &outFuncs[lfirst_int(lc) - 1]);
		}
		/* values re-printed must read back the same: ISO dates, exact floats */
		floatNestLevel = SetTransmissionModes();
	}

	/* routing state */
	copy = palloc0(sizeof(ShardCopy));
	copy->table = table;
	copy->relName = RelationGetRelationName(rel);
	copy->shardCount = table->shardCount;
	copy->filling = palloc0(sizeof(CopyBatch *) * copy->shardCount);
	copy->placementCounts = palloc0(sizeof(int) * copy->shardCount);
	copy->shardNodes = palloc0(sizeof(int *) * copy->shardCount);
	copy->shardRelNames = palloc0(sizeof(char *) * copy->shardCount);
	placementTotal = 0;
	for (i = 0; i < copy->shardCount; i++)
		placementTotal += Max(1, table->shards[i].placementCount);
	copy->nodes = palloc0(sizeof(NodeCopy) * placementTotal);
	copy->copySuffix = psprintf("%s FROM STDIN WITH (%s)",
								CopyColumnList(rel, sendAttnums),
								forwardLines ? ForwardedCopyOptions(cstate) :
								"FORMAT text");
	for (i = 0; i < copy->shardCount; i++)
	{
		ShardInfo  *shard = &table->shards[i];
		int			p;

		copy->shardRelNames[i] = ShardRelationName(table, i);
		copy->placementCounts[i] = Max(1, shard->placementCount);
		copy->shardNodes[i] = palloc(sizeof(int) * copy->placementCounts[i]);
		for (p = 0; p < copy->placementCounts[i]; p++)
		{
			int			nodeId = shard->placementCount > 0 ?
				shard->placementNodeIds[p] : shard->nodeId;
			int			n;

			for (n = 0; n < copy->nodeCount; n++)
				if (copy->nodes[n].nodeId == nodeId)
					break;
			if (n == copy->nodeCount)
			{
				copy->nodes[n].nodeId = nodeId;
				copy->nodeCount++;
			}
			copy->shardNodes[i][p] = n;
		}
	}
	/* a reference table has one shard and no distribution column */
	distIndex = reference ? -1 : table->distAttno - 1;
	if (!reference)
		BuildRoute(copy);
	copy->bufferLimit = Max(COPY_BUFFER_BYTES,
							(int64) copy->shardCount * COPY_MIN_BATCH_BYTES);
	copy->bufferBudget = COPY_MIN_BATCH_BYTES;
	/* the budget decides; the cap only bounds a shard holding most rows */
	maxBatchBytes = (int) Min(COPY_MAX_BATCH_BYTES, 4 * copy->bufferLimit / copy->shardCount);

	/*
	 * Forwarded lines without WHERE need only the distribution column (a
	 * reference table, none): split the line into fields and convert that
	 * one.
	 */
	rawFields = forwardLines && whereClause == NULL && fkChecks == NULL;
	copy->csvLines = forwardLines && cstate->opts.csv_mode;
	if (rawFields && !reference)
	{
		foreach(lc, attnums)
		{
			if (lfirst_int(lc) == table->distAttno)
			{
				distField = foreach_current_index(lc);
				break;
			}
		}
		rawFields = (distField >= 0);
	}

	estate = CreateExecutorState();
	econtext = GetPerTupleExprContext(estate);
	if (whereClause != NULL)
	{
		slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
		econtext->ecxt_scantuple = slot;
		qualExpr = ExecPrepareQual(castNode(List, whereClause), estate);
	}
	values = palloc(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);

	errcallback.callback = CopyFromErrorCallback;
	errcallback.arg = (void *) cstate;

	PG_TRY();
	{
		for (;;)
		{
			MemoryContext oldContext;
			CopyBatch  *batch;
			int			shardIndex;
			int			rowStart;
			bool		found;

			CHECK_FOR_INTERRUPTS();
			ResetPerTupleExprContext(estate);
			oldContext = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));

			errcallback.previous = error_context_stack;
			error_context_stack = &errcallback;
			if (rawFields && reference)
				found = NextForwardedRow(cstate, copy, -1, NULL);
			else if (rawFields)
			{
				found = NextForwardedRow(cstate, copy, distField, &values[distIndex]);
				nulls[distIndex] = false;
			}
			else
				found = NextCopyFrom(cstate, econtext, values, nulls);
			if (found && qualExpr != NULL)
			{
				ExecClearTuple(slot);
				memcpy(slot->tts_values, values, sizeof(Datum) * desc->natts);
				memcpy(slot->tts_isnull, nulls, sizeof(bool) * desc->natts);
				ExecStoreVirtualTuple(slot);
				if (!ExecQual(qualExpr, econtext))
				{
					error_context_stack = errcallback.previous;
					MemoryContextSwitchTo(oldContext);
					continue;
				}
			}
			if (found && distIndex >= 0 && nulls[distIndex])
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("null value in distribution column \"%s\" of table \"%s\"",
								NameStr(TupleDescAttr(desc, distIndex)->attname),
								RelationGetRelationName(rel)),
						 errdetail("Every row of a distributed table needs a value to route it to a shard.")));
			if (!found)
			{
				error_context_stack = errcallback.previous;
				MemoryContextSwitchTo(oldContext);
				break;
			}
			shardIndex = reference ? 0 : RouteValue(copy, values[distIndex]);

			/* the row, in the shard's buffer */
			batch = copy->filling[shardIndex];
			if (batch == NULL)
			{
				MemoryContextSwitchTo(oldContext);
				batch = copy->filling[shardIndex] = TakeBatch(copy, shardIndex);
				MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
			}
			rowStart = batch->data.len;
			if (forwardLines)
			{
				appendBinaryStringInfoNT(&batch->data, cstate->line_buf.data,
										 cstate->line_buf.len);
			}
			else
			{
				bool		first = true;

				foreach(lc, sendAttnums)
				{
					int			index = lfirst_int(lc) - 1;

					if (!first)
						appendStringInfoCharMacro(&batch->data, '\t');
					first = false;
					if (nulls[index])
						appendBinaryStringInfoNT(&batch->data, "\\N", 2);
					else
						AppendTextField(&batch->data,
										OutputFunctionCall(&outFuncs[index], values[index]));
				}
			}
			appendStringInfoCharMacro(&batch->data, '\n');
			error_context_stack = errcallback.previous;
			MemoryContextSwitchTo(oldContext);
			if (fkChecks != NULL)
				ForeignKeyChecksAddRow(fkChecks, values, nulls);
			AddBatchRow(batch, cstate->cur_lineno);
			copy->bufferedBytes += batch->data.len - rowStart;
			processed++;

			if (batch->data.len >= maxBatchBytes ||
				copy->bufferedBytes >= copy->bufferBudget)
			{
				if (batch->data.len >= maxBatchBytes)
					QueueBatch(copy, shardIndex);
				else
					QueueLargestBatch(copy);
				AdvanceAllNodeCopies(copy, true, COPY_MAX_QUEUED);
			}
			else if (processed % COPY_POLL_ROWS == 0)
				AdvanceAllNodeCopies(copy, false, 0);
		}

		/* the rest, then wait for every node */
		for (i = 0; i < copy->shardCount; i++)
			QueueBatch(copy, i);
		AdvanceAllNodeCopies(copy, true, 0);
	}
	PG_CATCH();
	{
		RestoreBlockingMode(copy);
		PG_RE_THROW();
	}
	PG_END_TRY();
	RestoreBlockingMode(copy);

	if (copy->remoteRows != copy->expectedRows)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("COPY into distributed table \"%s\" sent " UINT64_FORMAT " rows to the nodes but they loaded " UINT64_FORMAT,
						RelationGetRelationName(rel), copy->expectedRows, copy->remoteRows)));

	ResetTransmissionModes(floatNestLevel);
	if (fkChecks != NULL)
		FinishForeignKeyChecks(fkChecks);
	if (slot != NULL)
		ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	EndCopyFrom(cstate);
	table_close(rel, NoLock);
	return processed;
}
