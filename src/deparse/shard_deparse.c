/*-------------------------------------------------------------------------
 * shard_deparse.c
 *	  Deparsing for one shard: the relation-name mapping that turns each
 *	  distributed table of a statement into its shard table.
 *
 * Co-located tables have their shards at the same index on the same node,
 * so one shard index names the shard of every hash-distributed table of a
 * statement; a reference table has a single shard, index 0.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "deparse/deparse.h"
#include "deparse/shard_deparse.h"
#include "metadata/metadata.h"

typedef struct ShardNameContext
{
	int			shardIndex;
} ShardNameContext;

static char *ShardNameForRelation(Oid relid, void *arg);
static char *DeparseWithShardNames(Query *query, int shardIndex,
								   ParamListInfo params, List **consts);

/*
 * ShardNameForRelation is the deparser's relation-name callback: a
 * distributed table becomes its shard at the task's shard index; other
 * relations keep their names (NULL).
 */
static char *
ShardNameForRelation(Oid relid, void *arg)
{
	ShardNameContext *context = (ShardNameContext *) arg;
	DistTableEntry *table = LookupDistTable(relid);

	if (table == NULL)
		return NULL;
	if (table->method == DIST_METHOD_REFERENCE)
		return ShardRelationName(table, 0);
	if (context->shardIndex < 0 || context->shardIndex >= table->shardCount)
		elog(ERROR, "shard index %d out of range for table \"%s\"",
			 context->shardIndex, table->relName);
	return ShardRelationName(table, context->shardIndex);
}

/*
 * DeparseWithShardNames deparses query with every distributed table
 * replaced by its shard at shardIndex, with the given parameter options.
 */
static char *
DeparseWithShardNames(Query *query, int shardIndex, ParamListInfo params,
					  List **consts)
{
	DeparseOptions options;
	ShardNameContext context;

	context.shardIndex = shardIndex;
	memset(&options, 0, sizeof(options));
	options.relationName = ShardNameForRelation;
	options.relationNameArg = &context;
	options.params = params;
	options.shippedConsts = consts;
	return DeparseQuery(query, &options);
}

/*
 * DeparseForShard returns the SQL of query with every distributed table
 * replaced by its shard at shardIndex; palloc'd.  Parameters with a value
 * in params are inlined, others shipped as $n.  Throws for shapes the
 * deparser does not support.
 */
char *
DeparseForShard(Query *query, int shardIndex, ParamListInfo params)
{
	return DeparseWithShardNames(query, shardIndex, params, NULL);
}

/*
 * DeparseForShardWithConsts is DeparseForShard for a statement without
 * parameters of its own, shipping its constants as parameters: they are
 * appended (Const *) to *consts, in $n order.  See DeparseOptions for the
 * statements this suits.
 */
char *
DeparseForShardWithConsts(Query *query, int shardIndex, List **consts)
{
	return DeparseWithShardNames(query, shardIndex, NULL, consts);
}
