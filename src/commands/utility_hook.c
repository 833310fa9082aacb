/*-------------------------------------------------------------------------
 * utility_hook.c
 *	  Utility statements that name distributed tables.  TRUNCATE runs on
 *	  every shard in the coordinator's transaction; DROP TABLE is handled by
 *	  the sql_drop event trigger (commands/drop_trigger.c), which also sees
 *	  tables dropped by CASCADE.  Statements that would change a distributed
 *	  table's definition on the coordinator only are refused, so that the
 *	  shell and the shards never disagree, and so is DROP EXTENSION shard
 *	  while distributed tables exist.  A restore of shard's catalog from a
 *	  dump turns DDL propagation off for the rest of its session.
 *
 * Statements not naming a distributed table pass straight through.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "commands/copy_from.h"
#include "commands/ddl_propagation.h"
#include "commands/schema_commands.h"
#include "commands/utility_hook.h"
#include "executor/foreign_key_checks.h"
#include "executor/task_execution.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

static void ShardProcessUtility(PlannedStmt *pstmt, const char *queryString,
								bool readOnlyTree, ProcessUtilityContext context,
								ParamListInfo params, QueryEnvironment *queryEnv,
								DestReceiver *dest, QueryCompletion *qc);
static Oid	DistributedRangeVar(RangeVar *rv);
static void RefuseOnDistributed(RangeVar *rv, const char *what, const char *hint);
static void TruncateShards(List *relids);
static bool IsCatalogRestore(CopyStmt *stmt);
static void StopDDLPropagationForRestore(void);

/* GUC shard.enable_ddl_propagation */
bool		EnableDDLPropagation = true;
static void RefuseInheritanceOfDistributed(Node *parsetree);
static void RefuseTruncateCascadeToDistributed(List *relations);

/*
 * InstallUtilityHook saves the previous ProcessUtility hook and installs
 * ours.
 */
void
InstallUtilityHook(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = ShardProcessUtility;
}

/*
 * DistributedRangeVar returns the relid if rv names a distributed table,
 * else InvalidOid.  Takes no lock.
 */
static Oid
DistributedRangeVar(RangeVar *rv)
{
	Oid			relid;

	if (rv == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(relid) && IsDistributedTable(relid))
		return relid;
	return InvalidOid;
}

/*
 * RefuseOnDistributed throws FEATURE_NOT_SUPPORTED if rv is distributed.
 */
static void
RefuseOnDistributed(RangeVar *rv, const char *what, const char *hint)
{
	Oid			relid = DistributedRangeVar(rv);

	if (OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not supported on distributed table \"%s\" yet",
						what, get_rel_name(relid)),
				 hint ? errhint("%s", hint) : 0));
}

/*
 * RefuseInheritanceOfDistributed throws FEATURE_NOT_SUPPORTED when a
 * CREATE TABLE or ALTER TABLE would make a distributed table a parent or a
 * partition: its rows live in the shards, so neither reads through the
 * parent nor rows routed into the partition could reach them.
 * (create_distributed_table refuses tables that already take part in
 * inheritance; ALTER TABLE ... INHERIT on a distributed table itself is
 * refused with the other ALTER TABLE forms.)
 */
static void
RefuseInheritanceOfDistributed(Node *parsetree)
{
	const char *hint = "Distributed tables cannot take part in inheritance or partitioning.";
	ListCell   *lc;

	if (IsA(parsetree, CreateStmt) || IsA(parsetree, CreateForeignTableStmt))
	{
		/* CreateForeignTableStmt begins with a CreateStmt */
		CreateStmt *stmt = (CreateStmt *) parsetree;

		foreach(lc, stmt->inhRelations)
			RefuseOnDistributed(lfirst(lc), stmt->partbound ? "CREATE TABLE ... PARTITION OF" :
								"CREATE TABLE ... INHERITS", hint);
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			if (cmd->subtype == AT_AddInherit)
				RefuseOnDistributed((RangeVar *) cmd->def, "ALTER TABLE ... INHERIT", hint);
			else if (cmd->subtype == AT_AttachPartition)
				RefuseOnDistributed(((PartitionCmd *) cmd->def)->name,
									"ALTER TABLE ... ATTACH PARTITION", hint);
		}
	}
}

/*
 * RefuseTruncateCascadeToDistributed throws when TRUNCATE ... CASCADE of
 * relations (RangeVars) would reach a distributed table through foreign
 * keys: PostgreSQL would empty its coordinator table only.
 */
static void
RefuseTruncateCascadeToDistributed(List *relations)
{
	List	   *relids = NIL;
	ListCell   *lc;
	int			count;

	foreach(lc, relations)
	{
		Oid			relid = RangeVarGetRelid(lfirst(lc), NoLock, true);

		if (OidIsValid(relid))
			relids = lappend_oid(relids, relid);
	}
	do
	{
		count = list_length(relids);
		relids = list_concat_unique_oid(relids, heap_truncate_find_FKs(relids));
	} while (list_length(relids) > count);
	foreach(lc, relids)
		if (IsDistributedTable(lfirst_oid(lc)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("TRUNCATE ... CASCADE is not supported on distributed table \"%s\"",
							get_rel_name(lfirst_oid(lc)))));
}

/*
 * TruncateShards empties every shard placement of the given distributed
 * tables in remote transactions that commit with the coordinator's.  Each
 * node gets one TRUNCATE naming all its shards, so that shards tied by
 * foreign keys are truncated together, as on the coordinator.
 */
static void
TruncateShards(List *relids)
{
	List	   *nodeIds = NIL;
	List	   *nodeSql = NIL;
	List	   *tasks = NIL;
	ListCell   *lc;
	ListCell   *sc;
	ListCell   *nc;

	foreach(lc, relids)
	{
		DistTableEntry *table = LookupDistTable(lfirst_oid(lc));
		int			i;
		int			j;

		for (i = 0; i < table->shardCount; i++)
		{
			char	   *shardName = ShardRelationName(table, i);

			for (j = 0; j < table->shards[i].placementCount; j++)
			{
				int			nodeId = table->shards[i].placementNodeIds[j];
				StringInfo	sql = NULL;

				forboth(sc, nodeSql, nc, nodeIds)
				{
					if (lfirst_int(nc) == nodeId)
						sql = lfirst(sc);
				}
				if (sql == NULL)
				{
					sql = makeStringInfo();
					appendStringInfoString(sql, "TRUNCATE TABLE ");
					nodeSql = lappend(nodeSql, sql);
					nodeIds = lappend_int(nodeIds, nodeId);
				}
				else
					appendStringInfoString(sql, ", ");
				appendStringInfoString(sql, shardName);
			}
		}
	}
	forboth(sc, nodeSql, nc, nodeIds)
	{
		Task	   *task = palloc0(sizeof(Task));

		task->nodeId = lfirst_int(nc);
		task->sql = ((StringInfo) lfirst(sc))->data;
		tasks = lappend(tasks, task);
	}
	RunWriteTasks(tasks);
}

/*
 * IsCatalogRestore returns true for COPY FROM into one of shard's catalog
 * tables, which is how a restore of a coordinator dump brings back the
 * rows pg_extension_config_dump made pg_dump keep (shard itself writes
 * them with INSERT).
 */
static bool
IsCatalogRestore(CopyStmt *stmt)
{
	Oid			relid;

	if (!stmt->is_from || stmt->relation == NULL)
		return false;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	return OidIsValid(relid) && get_rel_namespace(relid) == ShardSchemaOid();
}

/*
 * StopDDLPropagationForRestore turns shard.enable_ddl_propagation off for
 * the rest of the session (transactionally), warning once.  A dump
 * restores the shells' indexes and constraints after the catalog rows; the
 * shards already have them, so sending them again would fail.
 */
static void
StopDDLPropagationForRestore(void)
{
	if (!EnableDDLPropagation)
		return;
	SetConfigOption("shard.enable_ddl_propagation", "off", PGC_SUSET, PGC_S_SESSION);
	ereport(WARNING,
			(errmsg("shard's catalog is being restored: DDL on distributed tables is not sent to the worker nodes for the rest of this session"),
			 errdetail("The shards already have the indexes and constraints that the restore creates on the coordinator's tables."),
			 errhint("After the restore, use a new session (or SET shard.enable_ddl_propagation = on) for DDL.")));
}

/*
 * ShardProcessUtility handles utility statements on distributed tables
 * and passes everything on to the previous hook or standard_ProcessUtility.
 */
static void
ShardProcessUtility(PlannedStmt *pstmt, const char *queryString,
					bool readOnlyTree, ProcessUtilityContext context,
					ParamListInfo params, QueryEnvironment *queryEnv,
					DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	List	   *truncated = NIL;
	DDLJob	   *job = NULL;
	bool		restoringCatalog = false;

	if (ShardExtensionLoaded())
	{
		switch (nodeTag(parsetree))
		{
			case T_TruncateStmt:
				{
					TruncateStmt *stmt = (TruncateStmt *) parsetree;
					ListCell   *lc;

					if (stmt->behavior == DROP_CASCADE)
						RefuseTruncateCascadeToDistributed(stmt->relations);
					foreach(lc, stmt->relations)
					{
						Oid			relid = DistributedRangeVar(lfirst(lc));

						if (OidIsValid(relid))
						{
							if (stmt->behavior == DROP_CASCADE)
								ereport(ERROR,
										(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
										 errmsg("TRUNCATE ... CASCADE is not supported on distributed table \"%s\"",
												get_rel_name(relid))));
							truncated = lappend_oid(truncated, relid);
						}
					}
					break;
				}
			case T_DropStmt:
			case T_RenameStmt:
				ProtectShardExtension(parsetree);
				break;
			case T_CreateTrigStmt:
				RefuseOnDistributed(((CreateTrigStmt *) parsetree)->relation, "CREATE TRIGGER",
									NULL);
				break;
			case T_CreatePolicyStmt:
				RefuseOnDistributed(((CreatePolicyStmt *) parsetree)->table, "CREATE POLICY",
									NULL);
				break;
			case T_RuleStmt:
				RefuseOnDistributed(((RuleStmt *) parsetree)->relation, "CREATE RULE", NULL);
				break;
			case T_ClusterStmt:
				RefuseOnDistributed(((ClusterStmt *) parsetree)->relation, "CLUSTER", NULL);
				break;
			case T_CreateStmt:
			case T_CreateForeignTableStmt:
			case T_AlterTableStmt:
				RefuseInheritanceOfDistributed(parsetree);
				break;
			case T_CopyStmt:
				/* COPY FROM runs here; COPY TO becomes COPY (query) TO */
				if (ProcessDistributedCopy(&pstmt, queryString, queryEnv, qc))
					return;
				restoringCatalog = IsCatalogRestore((CopyStmt *) parsetree);
				break;
			default:
				break;
		}
		if (EnableDDLPropagation)
			job = PlanDistributedDDL(parsetree, context == PROCESS_UTILITY_TOPLEVEL);
	}

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);

	if (truncated != NIL)
		TruncateShards(truncated);
	if (IsA(parsetree, ConstraintsSetStmt) && ShardExtensionLoaded())
		SetForeignKeyCheckModes((ConstraintsSetStmt *) parsetree);
	if (job != NULL)
		FinishDistributedDDL(job);
	if (restoringCatalog)
		StopDDLPropagationForRestore();
}
