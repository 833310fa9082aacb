/*-------------------------------------------------------------------------
 * placement_choice.h
 *	  The one place that decides whether a task runs on its shard's
 *	  primary or on one of the primary's standbys (placement_choice.c).
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_PLACEMENT_CHOICE_H
#define SHARD_PLACEMENT_CHOICE_H

/* values of shard.read_from */
typedef enum ReadFromOption
{
	READ_FROM_PRIMARY,
	READ_FROM_STANDBY,
	READ_FROM_ANY
} ReadFromOption;

/* GUCs, defined in shard.c */
extern int	ReadFrom;
extern int	MaxStandbyLag;
extern char *StandbySafeFunctions;

/*
 * Why the statement being planned cannot run on a standby, or NULL when it
 * can (set by the planner hook around planning, copied into each
 * ShardScan by MakeShardScan).
 */
extern const char *PlanningStandbyReason;

extern const char *StandbyReadBlocker(const char *planReason);
extern int	ChooseTaskNode(int primaryNodeId, const char *planReason);

#endif							/* SHARD_PLACEMENT_CHOICE_H */
