/*-------------------------------------------------------------------------
 * deparse.h
 *	  Query trees and expressions to SQL text for one shard, and the test of
 *	  whether an expression may be shipped at all.  No I/O here.
 *
 * The text is meant for a worker session whose search_path is pg_catalog
 * only, with standard_conforming_strings on: every object outside pg_catalog
 * is schema-qualified, every identifier and literal quoted.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_DEPARSE_H
#define SHARD_DEPARSE_H

#include "lib/stringinfo.h"
#include "nodes/params.h"
#include "nodes/parsenodes.h"

/*
 * Maps a relation of the query to the quoted, schema-qualified name under
 * which it is shipped (for a distributed table: the shard of the task).
 * Returns NULL to use the relation's own name.
 */
typedef char *(*DeparseRelationNameFn) (Oid relid, void *arg);

typedef struct DeparseOptions
{
	DeparseRelationNameFn relationName; /* NULL: every relation by its name */
	void	   *relationNameArg;

	/*
	 * If set, PARAM_EXTERN parameters with a value in this list are shipped
	 * as typed literals; other parameters are shipped as $n.
	 */
	ParamListInfo params;

	/*
	 * If set, non-null constants of built-in types (not object-name types)
	 * are shipped as parameters $1, $2, ... and appended (Const *) to
	 * *shippedConsts, so that statements that differ only in constants
	 * share one text.  Only for statements without parameters of their own,
	 * and without grouping, aggregates, windows, DISTINCT or sublinks (a
	 * GROUP BY expression and its select-list twin must stay equal()).
	 */
	List	  **shippedConsts;
} DeparseOptions;

/* Whole statement: SELECT, INSERT, UPDATE or DELETE (after rewrite). */
extern char *DeparseQuery(Query *query, DeparseOptions *options);
extern void DeparseQueryInto(StringInfo buf, Query *query, DeparseOptions *options);

/*
 * Shippability: NULL when every node of expr (walked into sublinks and
 * subqueries) has the same meaning on a worker, else a reason for a message.
 */
extern const char *NotShippableReason(Node *expr);
extern bool IsShippableFunction(Oid funcid);
extern const char *OutputNotReadableReason(List *targetList);
extern bool IsObjectNameType(Oid typid);
extern bool IsCollationRelabel(Node *node);

/* Text of a value that a worker reads back as the same value. */
extern char *TransmissionValueText(Oid typid, Datum value);
extern bool TransmissionModesNeeded(Oid typid);
extern int	SetTransmissionModes(void);
extern void ResetTransmissionModes(int nestLevel);

/* Text of a constant as a quoted, typed literal ('...'::type). */
extern void DeparseConstValue(StringInfo buf, Oid typid, int32 typmod,
							  Datum value, bool isnull);

#endif							/* SHARD_DEPARSE_H */
