/*-------------------------------------------------------------------------
 * recovery_worker.c
 *	  Automatic two-phase commit recovery, node health probes and size
 *	  collection: a launcher background worker, registered at load time,
 *	  that every shard.recovery_interval (or shard.health_check_interval or
 *	  shard.size_collection_interval, when shorter) starts a short-lived
 *	  worker in each database; the worker runs RecoverPreparedTransactions
 *	  there when the extension exists and recovery is due (the launcher
 *	  says so in bgw_extra), quietly for nodes not up yet, then
 *	  ProbeNodeHealth, then CollectSizes when it is due.
 *
 * Why short-lived workers: a backend serves one database for its life, and
 * a process that stays connected to a database blocks DROP DATABASE and
 * CREATE DATABASE ... TEMPLATE of it.  Template databases and databases
 * that do not allow connections are skipped.  The launcher itself is
 * connected to no database and reads only pg_database (a shared catalog).
 * One database is handled at a time, so at most two worker slots
 * (max_worker_processes) are used.
 *
 * The workers connect as the bootstrap superuser, so that user must be
 * able to reach every node (see shard.node_conninfo and .pgpass).  Their
 * node connections carry application_name "shard recovery".  Recovery
 * leaves transactions prepared less than RECOVERY_MIN_AGE_MS ago alone:
 * their own commit callback is about to finish them, and racing it would
 * only give its session a warning.  Nothing runs during hot standby.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "connection/connection.h"
#include "transaction/node_health.h"
#include "transaction/node_stats.h"
#include "transaction/recovery.h"

/* how old a prepared transaction must be before the workers resolve it */
#define RECOVERY_MIN_AGE_MS		2000

/* GUC shard.recovery_interval, defined in shard.c */
int			RecoveryInterval = 5000;

/* entry points, looked up by name by the postmaster */
extern PGDLLEXPORT void shard_recovery_launcher_main(Datum arg);
extern PGDLLEXPORT void shard_recovery_worker_main(Datum arg);

/* what a worker does, in its bgw_extra */
typedef struct WorkerDuties
{
	bool		recover;		/* shard.recovery_interval has passed */
} WorkerDuties;

static long RoundInterval(void);
static List *ListRecoveryDatabases(void);
static void RunRecoveryWorker(Oid databaseId, WorkerDuties *duties);


/*
 * RegisterRecoveryLauncher registers the launcher background worker.
 * Called from _PG_init, which runs in the postmaster while
 * shared_preload_libraries are loaded.
 */
void
RegisterRecoveryLauncher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "shard");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "shard_recovery_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "shard recovery launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "shard recovery launcher");
	RegisterBackgroundWorker(&worker);
}


/*
 * shard_recovery_launcher_main is the launcher's main loop: every
 * shard.recovery_interval, one recovery worker per database, one after the
 * other.  Reloads the configuration on SIGHUP; exits on SIGTERM.
 */
void
shard_recovery_launcher_main(Datum arg)
{
	MemoryContext roundContext;
	TimestampTz lastRecovery = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	roundContext = AllocSetContextCreate(TopMemoryContext,
										 "shard recovery launcher",
										 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		long		timeoutMs = -1;
		int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		if (RecoveryInterval > 0 || SizeCollectionInterval > 0 || HealthCheckInterval > 0)
		{
			MemoryContext oldContext = MemoryContextSwitchTo(roundContext);
			List	   *databases = ListRecoveryDatabases();
			ListCell   *lc;
			WorkerDuties duties;
			TimestampTz now = GetCurrentTimestamp();

			/* health probes may run far more often than recovery */
			duties.recover = RecoveryInterval > 0 &&
				TimestampDifferenceExceeds(lastRecovery, now, RecoveryInterval);
			if (duties.recover)
				lastRecovery = now;
			foreach(lc, databases)
			{
				CHECK_FOR_INTERRUPTS();
				RunRecoveryWorker(lfirst_oid(lc), &duties);
			}
			MemoryContextSwitchTo(oldContext);
			MemoryContextReset(roundContext);

			timeoutMs = RoundInterval();
			events |= WL_TIMEOUT;
		}

		(void) WaitLatch(MyLatch, events, timeoutMs, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}


/*
 * RoundInterval returns the launcher's time between rounds, in ms: the
 * shortest of shard.recovery_interval, shard.size_collection_interval and
 * shard.health_check_interval that is enabled (at least one is).
 */
static long
RoundInterval(void)
{
	long		interval = LONG_MAX;

	if (RecoveryInterval > 0)
		interval = Min(interval, RecoveryInterval);
	if (SizeCollectionInterval > 0)
		interval = Min(interval, SizeCollectionInterval);
	if (HealthCheckInterval > 0)
		interval = Min(interval, HealthCheckInterval);
	return interval;
}


/*
 * ListRecoveryDatabases returns the OIDs of the databases a recovery worker
 * may connect to (not templates, connections allowed, not half-dropped), in
 * CurrentMemoryContext.
 */
static List *
ListRecoveryDatabases(void)
{
	MemoryContext resultContext = CurrentMemoryContext;
	List	   *result = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database database = (Form_pg_database) GETSTRUCT(tuple);
		MemoryContext oldContext;

		if (database->datistemplate || !database->datallowconn ||
			database_is_invalid_form(database))
			continue;
		oldContext = MemoryContextSwitchTo(resultContext);
		result = lappend_oid(result, database->oid);
		MemoryContextSwitchTo(oldContext);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	CommitTransactionCommand();
	return result;
}


/*
 * RunRecoveryWorker starts the recovery worker for databaseId and waits for
 * it to exit.  A worker that cannot be started (no free slot) is retried in
 * the next round.  Exits with the postmaster.
 */
static void
RunRecoveryWorker(Oid databaseId, WorkerDuties *duties)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	worker.bgw_main_arg = ObjectIdGetDatum(databaseId);
	worker.bgw_notify_pid = MyProcPid;
	StaticAssertStmt(sizeof(WorkerDuties) <= BGW_EXTRALEN, "WorkerDuties too large");
	memcpy(worker.bgw_extra, duties, sizeof(WorkerDuties));
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "shard");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "shard_recovery_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "shard recovery worker for database %u",
			 databaseId);
	snprintf(worker.bgw_type, BGW_MAXLEN, "shard recovery worker");

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(DEBUG1,
				(errmsg("could not start a shard recovery worker: no free background worker slot")));
		return;
	}
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_POSTMASTER_DIED ||
		WaitForBackgroundWorkerShutdown(handle) == BGWH_POSTMASTER_DIED)
		proc_exit(1);
	pfree(handle);
}


/*
 * shard_recovery_worker_main connects to the database given as argument
 * and, when the shard extension exists there, resolves the prepared
 * transactions left on its nodes (RecoverPreparedTransactions), then, in a
 * transaction of its own, collects the nodes' sizes when they are due
 * (node_stats.c), and exits.  An error ends the worker; the next round
 * tries again.
 */
void
shard_recovery_worker_main(Datum arg)
{
	Oid			databaseId = DatumGetObjectId(arg);
	bool		extensionExists;
	WorkerDuties duties;

	memcpy(&duties, MyBgworkerEntry->bgw_extra, sizeof(WorkerDuties));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(databaseId, InvalidOid, 0);
	SetNodeApplicationName("shard recovery");

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	extensionExists = !RecoveryInProgress() &&
		OidIsValid(get_extension_oid("shard", true));
	if (extensionExists && RecoveryInterval > 0 && duties.recover)
	{
		pgstat_report_activity(STATE_RUNNING, "shard: recover prepared transactions");
		(void) RecoverPreparedTransactions(RECOVERY_MIN_AGE_MS, true);
	}
	PopActiveSnapshot();
	CommitTransactionCommand();

	if (extensionExists && HealthCheckInterval > 0)
	{
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "shard: probe node health");
		ProbeNodeHealth();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}

	if (extensionExists && SizeCollectionInterval > 0)
	{
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SizeCollectionDue())
		{
			pgstat_report_activity(STATE_RUNNING, "shard: collect sizes");
			(void) CollectSizes();
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	pgstat_report_activity(STATE_IDLE, NULL);

	proc_exit(0);
}
