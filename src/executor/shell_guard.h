/*-------------------------------------------------------------------------
 * shell_guard.h
 *	  The ExecutorStart check that no plan reads the coordinator's empty
 *	  shell of a distributed or reference table.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SHELL_GUARD_H
#define SHARD_SHELL_GUARD_H

extern void InstallShellScanGuard(void);

#endif							/* SHARD_SHELL_GUARD_H */
