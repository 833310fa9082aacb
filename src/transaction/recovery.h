/*-------------------------------------------------------------------------
 * recovery.h
 *	  Resolution of prepared transactions left on the nodes (recovery.c),
 *	  on demand and by the recovery background workers (recovery_worker.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_RECOVERY_H
#define SHARD_RECOVERY_H

/* GUC shard.recovery_interval, in ms; <= 0 disables automatic recovery */
extern int	RecoveryInterval;

extern int	RecoverPreparedTransactions(int minAgeMs, bool quiet);
extern void RegisterRecoveryLauncher(void);

#endif							/* SHARD_RECOVERY_H */
