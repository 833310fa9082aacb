/*-------------------------------------------------------------------------
 * catalog.h
 *	  Column numbers and index names of shard's catalog tables, as created
 *	  by src/extension/shard--0.1.sql.  Keep the two in step.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_CATALOG_H
#define SHARD_CATALOG_H

#define Natts_dist_node					9
#define Anum_dist_node_node_id			1
#define Anum_dist_node_host				2
#define Anum_dist_node_port				3
#define Anum_dist_node_role				4
#define Anum_dist_node_primary_id		5
#define Anum_dist_node_is_active		6
#define Anum_dist_node_system_identifier	7
#define Anum_dist_node_server_port		8
#define Anum_dist_node_server_started_at	9

#define Natts_dist_colocation			4
#define Anum_dist_colocation_colocation_id	1
#define Anum_dist_colocation_shard_count	2
#define Anum_dist_colocation_dist_type		3
#define Anum_dist_colocation_dist_collation	4

#define Natts_dist_table				4
#define Anum_dist_table_relid			1
#define Anum_dist_table_method			2
#define Anum_dist_table_dist_attnum		3
#define Anum_dist_table_colocation_id	4

#define Natts_dist_shard				5
#define Anum_dist_shard_shard_id		1
#define Anum_dist_shard_relid			2
#define Anum_dist_shard_shard_index		3
#define Anum_dist_shard_hash_min		4
#define Anum_dist_shard_hash_max		5

#define Natts_dist_placement			3
#define Anum_dist_placement_placement_id	1
#define Anum_dist_placement_shard_id	2
#define Anum_dist_placement_node_id		3

/* indexes used by the caches (names as PostgreSQL generated them) */
#define DistTablePkeyIndex			"dist_table_pkey"
#define DistColocationPkeyIndex		"dist_colocation_pkey"
#define DistShardRelidIndex			"dist_shard_relid_shard_index_key"
#define DistShardPkeyIndex			"dist_shard_pkey"
#define DistPlacementShardIndex		"dist_placement_shard_id_node_id_key"

#endif							/* SHARD_CATALOG_H */
