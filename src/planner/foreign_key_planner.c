/*-------------------------------------------------------------------------
 * foreign_key_planner.c
 *	  Hidden RETURNING columns that give the coordinator the keys its
 *	  foreign key work needs (executor/foreign_key_checks.c).
 *
 * An UPDATE of the referencing columns of a coordinator-enforced foreign
 * key of a distributed table returns the new keys; a DELETE of a
 * distributed table that coordinator-enforced foreign keys reference
 * returns the deleted keys.  Each such column is a RETURNING entry named
 * "shard_fk_<constraint oid>_<key position>" after the user's entries: it
 * is shipped to the shards and kept in the ShardScan's scan tuple, never
 * in its output.  An UPDATE of referenced columns of such a key is
 * refused: RETURNING gives no old values.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "nodes/makefuncs.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "metadata/foreign_keys.h"
#include "planner/planner.h"

#define HIDDEN_PREFIX "shard_fk_"

static bool ColumnAssigned(Query *query, AttrNumber attno);
static void AppendKeyColumns(Query *query, Relation rel, Oid constraintOid,
							 bool referencing);

/*
 * IsForeignKeyReturning returns whether tle is a hidden RETURNING column.
 */
bool
IsForeignKeyReturning(TargetEntry *tle)
{
	return tle->resname != NULL &&
		strncmp(tle->resname, HIDDEN_PREFIX, strlen(HIDDEN_PREFIX)) == 0;
}

/*
 * ColumnAssigned returns whether UPDATE query sets column attno.
 */
static bool
ColumnAssigned(Query *query, AttrNumber attno)
{
	ListCell   *lc;

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk && tle->resno == attno)
			return true;
	}
	return false;
}

/*
 * AppendKeyColumns appends the key columns of constraintOid on rel (the
 * referencing ones when referencing, else the referenced ones) to the
 * RETURNING list of query as hidden columns.
 */
static void
AppendKeyColumns(Query *query, Relation rel, Oid constraintOid, bool referencing)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	int			nkeys;
	int			i;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL, NULL, NULL);
	ReleaseSysCache(tuple);
	for (i = 0; i < nkeys; i++)
	{
		AttrNumber	attno = referencing ? conkey[i] : confkey[i];
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		Var		   *var = makeVar(query->resultRelation, attno, attr->atttypid,
								  attr->atttypmod, attr->attcollation, 0);

		query->returningList =
			lappend(query->returningList,
					makeTargetEntry((Expr *) var, list_length(query->returningList) + 1,
									psprintf(HIDDEN_PREFIX "%u_%d", constraintOid, i), false));
	}
}

/*
 * AddForeignKeyReturning adds the hidden RETURNING columns that an UPDATE
 * or DELETE of a distributed table needs for its coordinator-enforced
 * foreign keys, in place.  Throws for an UPDATE of a referenced column of
 * such a key.
 */
void
AddForeignKeyReturning(Query *query)
{
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	Relation	rel = table_open(target->relid, NoLock);
	ListCell   *lc;

	foreach(lc, CoordinatorForeignKeys(rel, false))
	{
		Oid			constraintOid = lfirst_oid(lc);
		HeapTuple	tuple;
		AttrNumber	conkey[INDEX_MAX_KEYS];
		AttrNumber	confkey[INDEX_MAX_KEYS];
		int			nkeys;
		int			i;

		if (query->commandType == CMD_DELETE)
		{
			AppendKeyColumns(query, rel, constraintOid, false);
			continue;
		}
		tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
		DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL, NULL, NULL);
		ReleaseSysCache(tuple);
		for (i = 0; i < nkeys; i++)
			if (ColumnAssigned(query, confkey[i]))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("UPDATE of column \"%s\" of distributed table \"%s\" is not supported: foreign key \"%s\" references it",
								get_attname(target->relid, confkey[i], false),
								RelationGetRelationName(rel), get_constraint_name(constraintOid)),
						 errdetail("The coordinator enforces this foreign key and needs the old key values."),
						 errhint("Delete the row and insert it again with the new key.")));
	}
	if (query->commandType == CMD_UPDATE)
	{
		foreach(lc, CoordinatorForeignKeys(rel, true))
		{
			Oid			constraintOid = lfirst_oid(lc);
			HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
			AttrNumber	conkey[INDEX_MAX_KEYS];
			AttrNumber	confkey[INDEX_MAX_KEYS];
			int			nkeys;
			bool		assigned = false;
			int			i;

			if (!HeapTupleIsValid(tuple))
				elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
			DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL,
									   NULL, NULL);
			ReleaseSysCache(tuple);
			for (i = 0; i < nkeys; i++)
				assigned |= ColumnAssigned(query, conkey[i]);
			if (assigned)
				AppendKeyColumns(query, rel, constraintOid, true);
		}
	}
	table_close(rel, NoLock);
}
