/*-------------------------------------------------------------------------
 * session_position.h
 *	  Read-your-writes on standbys (session_position.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SESSION_POSITION_H
#define SHARD_SESSION_POSITION_H

#include "access/xlogdefs.h"
#include "datatype/timestamp.h"

/* values of shard.read_consistency */
typedef enum ReadConsistencyOption
{
	READ_CONSISTENCY_SESSION,
	READ_CONSISTENCY_EVENTUAL
} ReadConsistencyOption;

/* GUCs, defined in shard.c */
extern int	ReadConsistency;
extern int	StandbyWait;

extern void NoteSessionWrite(int primaryId);
extern bool SessionPositionForRead(int primaryId, XLogRecPtr *position);
extern bool StandbyHasReplayed(int nodeId, int primaryId, XLogRecPtr position,
							   TimestampTz deadline);

#endif							/* SHARD_SESSION_POSITION_H */
