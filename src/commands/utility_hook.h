/*-------------------------------------------------------------------------
 * utility_hook.h
 *	  The ProcessUtility hook: DDL and other utility statements on
 *	  distributed tables.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_UTILITY_HOOK_H
#define SHARD_UTILITY_HOOK_H

/* GUC shard.enable_ddl_propagation: DDL on distributed tables reaches the shards */
extern bool EnableDDLPropagation;

extern void InstallUtilityHook(void);

#endif							/* SHARD_UTILITY_HOOK_H */
