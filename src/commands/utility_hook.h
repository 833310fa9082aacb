/*-------------------------------------------------------------------------
 * utility_hook.h
 *	  The ProcessUtility hook: DDL and other utility statements on
 *	  distributed tables.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_UTILITY_HOOK_H
#define SHARD_UTILITY_HOOK_H

extern void InstallUtilityHook(void);

#endif							/* SHARD_UTILITY_HOOK_H */
