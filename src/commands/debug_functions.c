/*-------------------------------------------------------------------------
 * debug_functions.c
 *	  SQL-callable debugging aids.
 *
 * shard.deparse_query(text) shows the SQL the deparser produces for a
 * statement, with relations under their own names.  It parses, analyzes
 * and rewrites like the main path does, so the tree it deparses has the
 * shape the planner hook sees.  It reads no data; parse analysis takes the
 * usual AccessShare-level locks on the relations named, so it is for
 * superusers only.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "deparse/deparse.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(shard_deparse_query);

/*
 * shard_deparse_query returns the deparsed text of exactly one SELECT,
 * INSERT, UPDATE or DELETE statement (after rewrite), or throws.
 */
Datum
shard_deparse_query(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *rawStatements;
	Query	   *query;
	List	   *rewritten;

	/* parse analysis locks every table named, whatever the caller's rights */
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers can call shard.deparse_query")));
	rawStatements = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(rawStatements) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shard.deparse_query expects exactly one statement, got %d",
						list_length(rawStatements))));

	query = parse_analyze_fixedparams(linitial_node(RawStmt, rawStatements),
									  sql, NULL, 0, NULL);
	if (query->commandType == CMD_UTILITY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("shard.deparse_query accepts only SELECT, INSERT, UPDATE and DELETE")));

	rewritten = QueryRewrite(query);
	if (list_length(rewritten) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("statement was rewritten into %d statements",
						list_length(rewritten)),
				 errdetail("shard.deparse_query shows a single statement only.")));

	PG_RETURN_TEXT_P(cstring_to_text(DeparseQuery(linitial_node(Query, rewritten),
												  NULL)));
}
