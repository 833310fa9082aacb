/*-------------------------------------------------------------------------
 * deadlock.h
 *	  Detection of deadlocks that span nodes (deadlock.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_DEADLOCK_H
#define SHARD_DEADLOCK_H

/* GUC shard.deadlock_check_interval, in ms; <= 0 disables the check */
extern int	DeadlockCheckInterval;

extern void AssignDeadlockCheckInterval(int newval, void *extra);

#endif							/* SHARD_DEADLOCK_H */
