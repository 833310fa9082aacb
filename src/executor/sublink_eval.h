/*-------------------------------------------------------------------------
 * sublink_eval.h
 *	  Uncorrelated sublinks of an UPDATE or DELETE evaluated on the
 *	  coordinator before the statement is shipped.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_SUBLINK_EVAL_H
#define SHARD_SUBLINK_EVAL_H

#include "nodes/params.h"
#include "nodes/parsenodes.h"

extern bool SubLinkEvaluableHere(SubLink *sublink);
extern bool AllSubLinksEvaluableHere(Query *query);
extern Query *ReplaceSubLinksByPlaceholders(Query *query);
extern Query *EvaluateSubLinks(Query *query, ParamListInfo params);

#endif							/* SHARD_SUBLINK_EVAL_H */
