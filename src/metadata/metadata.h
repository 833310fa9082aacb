/*-------------------------------------------------------------------------
 * metadata.h
 *	  Access to shard's catalog tables (shard.dist_*) through per-backend
 *	  caches that are invalidated by relcache invalidations.
 *
 * Entries returned by the lookup functions live in ShardCacheContext and
 * stay valid until the next invalidation is processed (which can happen at
 * any catalog access): copy what must outlive that.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_METADATA_H
#define SHARD_METADATA_H

#include "access/attnum.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/palloc.h"

#define DIST_METHOD_HASH		'h'
#define DIST_METHOD_REFERENCE	'r'

typedef struct NodeInfo
{
	int			nodeId;
	char	   *host;
	int			port;
	bool		isPrimary;
	int			primaryId;		/* 0 for primaries */
	bool		isActive;
} NodeInfo;

typedef struct ShardInfo
{
	int64		shardId;
	int			shardIndex;
	int32		hashMin;
	int32		hashMax;
	int			nodeId;			/* node of the (first) placement */
	int			placementCount; /* 1 for hash shards; one per node for a
								 * reference table's shard */
	int		   *placementNodeIds;	/* placementCount node ids, ascending */
} ShardInfo;

typedef struct DistTableEntry
{
	Oid			relid;			/* hash key */
	bool		isDistributed;	/* false: negative entry */
	bool		isValid;
	char		method;
	AttrNumber	distAttno;
	Oid			distType;
	Oid			distCollation;
	FmgrInfo	hashFunc;		/* hash support function of distType */
	int			colocationId;
	int			shardCount;
	ShardInfo  *shards;			/* shardCount entries, by shard index */
	Oid			hashOpfamily;	/* hash operator family of distType */
	char	   *schemaName;		/* unquoted, for shard names */
	char	   *relName;		/* unquoted relation name */
	MemoryContext context;		/* holds everything the entry points to */
} DistTableEntry;

/* GUC */
extern int	ShardCount;
extern uint64 DistTableGeneration;

extern void InitMetadataCache(void);
extern bool ShardExtensionLoaded(void);
extern Oid	ShardSchemaOid(void);
extern Oid	ShardCatalogRelid(const char *name);

/* tables and shards */
extern DistTableEntry *LookupDistTable(Oid relid);
extern bool IsDistributedTable(Oid relid);
extern int	ShardIndexForHash(DistTableEntry *table, int32 hash);
extern int32 HashDistValue(DistTableEntry *table, Datum value);
extern int	ShardIndexForValue(DistTableEntry *table, Datum value);
extern int	ShardIndexForTypedValue(DistTableEntry *table, Datum value, Oid valueType);
extern char *ShardRelationName(DistTableEntry *table, int shardIndex);
extern char *ShardNameForId(const char *schemaName, const char *relName, int64 shardId);
extern char *ShardTableName(const char *relName, int64 shardId);
extern Oid	DistTableOfShard(int64 shardId);
extern void InvalidateDistTable(Oid relid);

/* nodes */
extern List *ActiveNodeList(bool primariesOnly);
extern NodeInfo *LookupNode(int nodeId, bool missingOk);

#endif							/* SHARD_METADATA_H */
