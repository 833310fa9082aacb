/*-------------------------------------------------------------------------
 * coordinator_eval.h
 *	  Evaluation on the coordinator of the parts of a statement whose value
 *	  must not depend on where it runs (now(), current_user, stable
 *	  functions of constants and parameters), before it is shipped.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_COORDINATOR_EVAL_H
#define SHARD_COORDINATOR_EVAL_H

#include "nodes/execnodes.h"
#include "nodes/parsenodes.h"

extern Query *EvaluateCoordinatorExpressions(Query *query, ExprContext *econtext);

#endif							/* SHARD_COORDINATOR_EVAL_H */
