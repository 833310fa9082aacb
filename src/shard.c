/*-------------------------------------------------------------------------
 * shard.c
 *	  Module initialization: settings, hooks and callbacks of the shard
 *	  extension.  Nothing else lives here.
 *
 * shard must be in shared_preload_libraries: its hooks and transaction
 * callbacks have to be in place before any backend touches a distributed
 * table, and its settings must be defined before postgresql.conf is read.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "commands/remote_error_names.h"
#include "commands/utility_hook.h"
#include "connection/connection.h"
#include "connection/remote_error.h"
#include "executor/foreign_key_checks.h"
#include "executor/placement_choice.h"
#include "executor/shard_scan.h"
#include "executor/shell_guard.h"
#include "metadata/metadata.h"
#include "planner/planner.h"
#include "transaction/deadlock.h"
#include "transaction/node_health.h"
#include "transaction/node_stats.h"
#include "transaction/moved_rows.h"
#include "transaction/session_position.h"
#include "transaction/recovery.h"
#include "transaction/remote_xact.h"

PG_MODULE_MAGIC;

static const struct config_enum_entry DebugFailAtOptions[] = {
	{"none", DEBUG_FAIL_NONE, false},
	{"after_prepare", DEBUG_FAIL_AFTER_PREPARE, false},
	{"after_decision", DEBUG_FAIL_AFTER_DECISION, false},
	{"skip_commit_prepared", DEBUG_FAIL_SKIP_COMMIT_PREPARED, false},
	{"skip_remote_scan", DEBUG_FAIL_SKIP_REMOTE_SCAN, false},
	{NULL, 0, false}
};

static const struct config_enum_entry ReadFromOptions[] = {
	{"primary", READ_FROM_PRIMARY, false},
	{"standby", READ_FROM_STANDBY, false},
	{"any", READ_FROM_ANY, false},
	{NULL, 0, false}
};

static const struct config_enum_entry ReadConsistencyOptions[] = {
	{"session", READ_CONSISTENCY_SESSION, false},
	{"eventual", READ_CONSISTENCY_EVENTUAL, false},
	{NULL, 0, false}
};

void		_PG_init(void);

/*
 * _PG_init defines the settings and installs the hooks.  Refuses to load
 * outside shared_preload_libraries.
 */
void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shard must be loaded via shared_preload_libraries"),
				 errhint("Add shard to shared_preload_libraries in postgresql.conf and restart the server.")));

	/* settings, alphabetically */
	DefineCustomIntVariable("shard.deadlock_check_interval",
							"Time a command waits on a node before shard checks for a deadlock across nodes.",
							"The check repeats at this interval while the command waits. -1 disables it.",
							&DeadlockCheckInterval,
							1000, -1, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, AssignDeadlockCheckInterval, NULL);

	DefineCustomEnumVariable("shard.debug_fail_at",
							 "For tests only: makes two-phase commit or planning fail at the given point.",
							 "after_prepare and after_decision crash the whole coordinator "
							 "(PANIC); skip_commit_prepared leaves the prepared transactions "
							 "to recovery; skip_remote_scan plans scans of the empty shells. "
							 "Never set it on a server that matters.",
							 &DebugFailAt,
							 DEBUG_FAIL_NONE,
							 DebugFailAtOptions,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("shard.enable_ddl_propagation",
							 "Applies DDL on distributed and reference tables to their shards.",
							 "When off, DDL changes the coordinator's tables only, and the shards "
							 "no longer match them unless they already did: meant for restoring a "
							 "dump of the coordinator (see README.md), which turns it off by itself "
							 "when it restores shard's catalog.",
							 &EnableDDLPropagation,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("shard.enable_pushdown",
							 "Runs multi-shard SELECTs inside the shards when they decompose per shard.",
							 "When off, such statements read the shards through remote scans and "
							 "the coordinator computes joins and aggregates.",
							 &EnablePushdown,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("shard.health_check_interval",
							"Time between probes of every node's health and replication lag.",
							"The recovery background worker records them in "
							"shard.dist_node_stats; shard.nodes shows them and reads choose "
							"standbys by them. -1 disables it.",
							&HealthCheckInterval,
							1000, -1, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("shard.max_standby_lag",
							"Replay lag beyond which a standby serves no reads.",
							"As measured by the last health probe (shard.nodes.lag_time).",
							&MaxStandbyLag,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomStringVariable("shard.node_conninfo",
							   "Extra libpq connection options for connections to nodes.",
							   "For example \"sslmode=require connect_timeout=5\". Host, port, "
							   "database and user are set by shard; passwords come from .pgpass.",
							   &NodeConnInfo,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("shard.node_timeout",
							"Time a command waits on a node without an answer before shard checks that the node is alive.",
							"A node that then does not answer a new connection within this time "
							"fails the command. It also bounds connecting to a node and the "
							"cleanup at the end of a transaction.",
							&NodeTimeout,
							30000, 1000, INT_MAX / 2,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("shard.read_consistency",
							 "Whether reads from standbys see the session's own commits.",
							 "session: a standby serves a read only once it has replayed the "
							 "session's last commit on its primary (else, after "
							 "shard.standby_wait, the primary does); eventual: no such check.",
							 &ReadConsistency,
							 READ_CONSISTENCY_SESSION,
							 ReadConsistencyOptions,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("shard.read_from",
							 "Servers that read-only statements read from.",
							 "primary: the primaries; standby: an eligible standby of each "
							 "primary, else the primary; any: balanced over the primary and its "
							 "eligible standbys.",
							 &ReadFrom,
							 READ_FROM_PRIMARY,
							 ReadFromOptions,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("shard.recovery_interval",
							"Time between automatic recoveries of prepared transactions left on the nodes.",
							"A background worker resolves them in every database that has the "
							"extension. -1 disables it; shard.recover_prepared_transactions() "
							"still works.",
							&RecoveryInterval,
							5000, -1, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("shard.shard_count",
							"Number of shards of a new distributed table.",
							"Used when create_distributed_table is called without shard_count.",
							&ShardCount,
							32, 1, 64000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("shard.size_collection_interval",
							"Time between collections of the nodes' shard sizes for the catalog views.",
							"The recovery background worker measures every shard on every node "
							"into shard.dist_placement_stats; shard.nodes, shard.tables and "
							"shard.shards show the figures with their time. -1 disables it; "
							"shard.collect_sizes() still works.",
							&SizeCollectionInterval,
							60000, -1, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomStringVariable("shard.standby_safe_functions",
							   "Volatile functions that a read sent to a standby may call.",
							   "A comma-separated list of function names, optionally "
							   "schema-qualified; any other volatile function keeps a statement "
							   "on the primaries.",
							   &StandbySafeFunctions,
							   "",
							   PGC_USERSET,
							   GUC_LIST_INPUT,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("shard.standby_wait",
							"Time a read waits for a standby to replay the session's own commits.",
							"After it, the read goes to the primary (shard.read_consistency = session).",
							&StandbyWait,
							20, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("shard");

	InitMetadataCache();
	InitConnectionCache();
	InitRemoteTransactions();
	InitForeignKeyChecks();
	InstallMovedRowsShmem();
	RegisterRecoveryLauncher();
	RegisterShardScanMethods();
	InstallPlannerHooks();
	InstallShellScanGuard();
	InstallUtilityHook();
	RemoteErrorNamesHook = RenameShardObjectsInError;
}
