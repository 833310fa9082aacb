/*-------------------------------------------------------------------------
 * reference_table_copy.h
 *	  Copying every reference table to a primary node being added.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_REFERENCE_TABLE_COPY_H
#define SHARD_REFERENCE_TABLE_COPY_H

extern void CopyReferenceTablesToNode(int nodeId);

#endif							/* SHARD_REFERENCE_TABLE_COPY_H */
