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
 * in its output.  An UPDATE of referenced columns of such a key returns
 * old and new keys ("shard_fko_..." and "shard_fkn_..."): RETURNING only
 * sees new values, so the statement joins a second reference to its
 * target, "shard_old", on the referenced key and the distribution column:
 * in the shards the join reads the row version the update replaces.  The
 * referenced key's columns must be NOT NULL for that join to find every
 * row.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "metadata/foreign_keys.h"
#include "planner/planner.h"

#define HIDDEN_PREFIX "shard_fk"

static bool ColumnAssigned(Query *query, AttrNumber attno);
static bool ReferencingKeyAssigned(Query *query, Oid constraintOid);
static int	ForeignKeyColumns(Oid constraintOid, AttrNumber *conkey, AttrNumber *confkey);
static void AppendUpdatedKeyColumns(Query *query, Relation rel, Oid constraintOid);
static bool ExcludedSameColumn(OnConflictExpr *oc, Node *expr, AttrNumber attno);
static bool ArbiterHasColumn(OnConflictExpr *oc, AttrNumber attno);
static void AppendKeyColumns(Query *query, Relation rel, Oid constraintOid,
							 bool referencing);
static Index AddOldRowJoin(Query *query, Relation rel, AttrNumber *keyAttnos, int nkeys,
						   Oid constraintOid);

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
 * ReferencingKeyAssigned returns whether UPDATE query sets a referencing
 * column of foreign key constraintOid.
 */
static bool
ReferencingKeyAssigned(Query *query, Oid constraintOid)
{
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	int			nkeys = ForeignKeyColumns(constraintOid, conkey, confkey);
	int			i;

	for (i = 0; i < nkeys; i++)
		if (ColumnAssigned(query, conkey[i]))
			return true;
	return false;
}

/*
 * RowMoveForeignKey returns a coordinator-enforced foreign key that an
 * UPDATE of rel moving rows to other shards would bypass, or InvalidOid:
 * the move deletes the rows from their shards and inserts them into
 * another, which the key checks (built for one UPDATE's old and new keys)
 * do not see.  Those are the keys that reference rel and the keys of rel
 * whose referencing columns query assigns.
 */
Oid
RowMoveForeignKey(Query *query, Relation rel)
{
	List	   *referenced = CoordinatorForeignKeys(rel, false);
	ListCell   *lc;

	if (referenced != NIL)
		return linitial_oid(referenced);
	foreach(lc, CoordinatorForeignKeys(rel, true))
		if (ReferencingKeyAssigned(query, lfirst_oid(lc)))
			return lfirst_oid(lc);
	return InvalidOid;
}

/*
 * AppendKeyColumns appends the key columns of constraintOid on rel (the
 * referencing ones when referencing, else the referenced ones) to the
 * RETURNING list of query as hidden columns.
 */
static void
AppendKeyColumns(Query *query, Relation rel, Oid constraintOid, bool referencing)
{
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	int			nkeys = ForeignKeyColumns(constraintOid, conkey, confkey);
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		AttrNumber	attno = referencing ? conkey[i] : confkey[i];
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		Var		   *var = makeVar(query->resultRelation, attno, attr->atttypid,
								  attr->atttypmod, attr->attcollation, 0);

		query->returningList =
			lappend(query->returningList,
					makeTargetEntry((Expr *) var, list_length(query->returningList) + 1,
									psprintf(HIDDEN_PREFIX "_%u_%d", constraintOid, i), false));
	}
}

/*
 * AddOldRowJoin adds "shard_old", a second reference to the UPDATE's
 * target joined on keyAttnos and the distribution column, unless the
 * query has it already, and returns its range table index.  Throws when a
 * key column may be NULL (the join would skip the row).
 */
static Index
AddOldRowJoin(Query *query, Relation rel, AttrNumber *keyAttnos, int nkeys,
			  Oid constraintOid)
{
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	DistTableEntry *table = LookupDistTable(target->relid);
	RangeTblEntry *old;
	RangeTblRef *ref;
	List	   *quals = NIL;
	List	   *joinAttnos = NIL;
	Index		oldIndex;
	ListCell   *lc;
	int			i;

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->alias != NULL && strcmp(rte->alias->aliasname, "shard_old") == 0)
			return foreach_current_index(lc) + 1;
	}
	for (i = 0; i < nkeys; i++)
		if (!TupleDescAttr(RelationGetDescr(rel), keyAttnos[i] - 1)->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("UPDATE of column \"%s\" of distributed table \"%s\" is not supported: foreign key \"%s\" references it and it may be NULL",
							NameStr(TupleDescAttr(RelationGetDescr(rel), keyAttnos[i] - 1)->attname),
							RelationGetRelationName(rel), get_constraint_name(constraintOid)),
					 errhint("Make the referenced columns NOT NULL.")));

	old = copyObject(target);
	old->alias = makeAlias("shard_old", NIL);
	old->eref = makeAlias("shard_old", copyObject(target->eref->colnames));
	old->requiredPerms = 0;		/* read for the coordinator's work */
	old->rellockmode = AccessShareLock;
	old->selectedCols = NULL;
	old->insertedCols = NULL;
	old->updatedCols = NULL;
	old->inFromCl = true;
	query->rtable = lappend(query->rtable, old);
	oldIndex = list_length(query->rtable);
	ref = makeNode(RangeTblRef);
	ref->rtindex = oldIndex;
	query->jointree->fromlist = lappend(query->jointree->fromlist, ref);

	/* the key, and the distribution column unless the key has it */
	for (i = 0; i < nkeys; i++)
		joinAttnos = lappend_int(joinAttnos, keyAttnos[i]);
	if (table->distAttno != InvalidAttrNumber)
		joinAttnos = list_append_unique_int(joinAttnos, table->distAttno);
	foreach(lc, joinAttnos)
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		TypeCacheEntry *typentry = lookup_type_cache(attr->atttypid, TYPECACHE_EQ_OPR);
		OpExpr	   *eq;

		if (!OidIsValid(typentry->eq_opr))
			elog(ERROR, "no equality operator for type %u", attr->atttypid);
		eq = (OpExpr *) make_opclause(typentry->eq_opr, BOOLOID, false,
									  (Expr *) makeVar(oldIndex, attno, attr->atttypid,
													   attr->atttypmod, attr->attcollation, 0),
									  (Expr *) makeVar(query->resultRelation, attno,
													   attr->atttypid, attr->atttypmod,
													   attr->attcollation, 0),
									  InvalidOid, attr->attcollation);
		set_opfuncid(eq);
		quals = lappend(quals, eq);
	}
	if (query->jointree->quals != NULL)
		quals = lcons(query->jointree->quals, quals);
	query->jointree->quals = (Node *) make_ands_explicit(quals);
	return oldIndex;
}

/*
 * ForeignKeyColumns sets conkey and confkey to the referencing and
 * referenced columns of foreign key constraintOid and returns their count.
 */
static int
ForeignKeyColumns(Oid constraintOid, AttrNumber *conkey, AttrNumber *confkey)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	int			nkeys;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL, NULL, NULL);
	ReleaseSysCache(tuple);
	return nkeys;
}

/*
 * AppendUpdatedKeyColumns appends, when UPDATE query sets a column of the
 * referenced key of constraintOid, the hidden old ("shard_fko_") and new
 * ("shard_fkn_") key columns, joining "shard_old" for the old ones.
 */
static void
AppendUpdatedKeyColumns(Query *query, Relation rel, Oid constraintOid)
{
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	int			nkeys = ForeignKeyColumns(constraintOid, conkey, confkey);
	bool		assigned = false;
	Index		oldIndex;
	int			i;

	for (i = 0; i < nkeys; i++)
		assigned |= ColumnAssigned(query, confkey[i]);
	if (!assigned)
		return;
	oldIndex = AddOldRowJoin(query, rel, confkey, nkeys, constraintOid);
	for (i = 0; i < 2 * nkeys; i++)
	{
		AttrNumber	attno = confkey[i % nkeys];
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		Var		   *var = makeVar(i < nkeys ? oldIndex : query->resultRelation, attno,
								  attr->atttypid, attr->atttypmod, attr->attcollation, 0);

		query->returningList =
			lappend(query->returningList,
					makeTargetEntry((Expr *) var, list_length(query->returningList) + 1,
									psprintf(HIDDEN_PREFIX "%c_%u_%d", i < nkeys ? 'o' : 'n',
											 constraintOid, i % nkeys), false));
	}
}

/*
 * AddForeignKeyReturning adds the hidden RETURNING columns (and for an
 * UPDATE of referenced keys the "shard_old" join) that an UPDATE or DELETE
 * of a distributed table needs for its coordinator-enforced foreign keys,
 * in place.  Returns whether it changed the query.
 */
bool
AddForeignKeyReturning(Query *query)
{
	int			returningLength = list_length(query->returningList);
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	Relation	rel = table_open(target->relid, NoLock);
	ListCell   *lc;

	foreach(lc, CoordinatorForeignKeys(rel, false))
	{
		if (query->commandType == CMD_DELETE)
			AppendKeyColumns(query, rel, lfirst_oid(lc), false);
		else
			AppendUpdatedKeyColumns(query, rel, lfirst_oid(lc));
	}
	if (query->commandType == CMD_UPDATE)
	{
		foreach(lc, CoordinatorForeignKeys(rel, true))
		{
			if (ReferencingKeyAssigned(query, lfirst_oid(lc)))
				AppendKeyColumns(query, rel, lfirst_oid(lc), true);
		}
	}
	table_close(rel, NoLock);
	return list_length(query->returningList) != returningLength;
}

/*
 * AddUpsertForeignKeyReturning adds to an INSERT ... ON CONFLICT into a
 * distributed table hidden RETURNING columns with the referencing keys of
 * its coordinator-enforced foreign keys: the rows the nodes inserted or
 * updated are checked, not the proposed ones (a conflicting row that DO
 * NOTHING skips needs no check).  Returns whether it added any.
 */
bool
AddUpsertForeignKeyReturning(Query *query)
{
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	Relation	rel = table_open(target->relid, NoLock);
	List	   *constraints = CoordinatorForeignKeys(rel, true);
	ListCell   *lc;

	foreach(lc, constraints)
		AppendKeyColumns(query, rel, lfirst_oid(lc), true);
	table_close(rel, NoLock);
	return constraints != NIL;
}

/*
 * ExcludedSameColumn returns whether expr is EXCLUDED.attno of oc.
 */
static bool
ExcludedSameColumn(OnConflictExpr *oc, Node *expr, AttrNumber attno)
{
	Var		   *var = (Var *) strip_implicit_coercions(expr);

	return IsA(var, Var) && var->varno == oc->exclRelIndex && var->varattno == attno &&
		var->varlevelsup == 0;
}

/*
 * ArbiterHasColumn returns whether the conflict target of oc includes
 * column attno.
 */
static bool
ArbiterHasColumn(OnConflictExpr *oc, AttrNumber attno)
{
	ListCell   *lc;
	bool		found = false;

	foreach(lc, oc->arbiterElems)
	{
		InferenceElem *elem = lfirst_node(InferenceElem, lc);

		if (IsA(elem->expr, Var) && ((Var *) elem->expr)->varattno == attno)
			found = true;
	}
	if (OidIsValid(oc->constraint))
	{
		HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(oc->constraint));
		Datum		conkey;
		bool		isnull;
		int			i;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for constraint %u", oc->constraint);
		conkey = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conkey, &isnull);
		if (!isnull)
		{
			ArrayType  *keys = DatumGetArrayTypeP(conkey);

			for (i = 0; i < ARR_DIMS(keys)[0]; i++)
				if (((int16 *) ARR_DATA_PTR(keys))[i] == attno)
					found = true;
		}
		ReleaseSysCache(tuple);
	}
	return found;
}

/*
 * CheckOnConflictForeignKeys throws when INSERT ... ON CONFLICT DO UPDATE
 * on a distributed table sets a column of a coordinator-enforced foreign
 * key to something the coordinator does not check: a referencing column
 * to anything but EXCLUDED's value (the value checked), or a referenced
 * column to anything but EXCLUDED's value of a conflict target column
 * (which leaves it unchanged).
 */
void
CheckOnConflictForeignKeys(Query *query)
{
	OnConflictExpr *oc = query->onConflict;
	RangeTblEntry *target = rt_fetch(query->resultRelation, query->rtable);
	Relation	rel;
	int			side;

	if (oc == NULL || oc->action != ONCONFLICT_UPDATE)
		return;
	rel = table_open(target->relid, NoLock);
	for (side = 0; side < 2; side++)
	{
		bool		referencing = (side == 0);
		ListCell   *lc;

		foreach(lc, CoordinatorForeignKeys(rel, referencing))
		{
			Oid			constraintOid = lfirst_oid(lc);
			AttrNumber	conkey[INDEX_MAX_KEYS];
			AttrNumber	confkey[INDEX_MAX_KEYS];
			int			nkeys = ForeignKeyColumns(constraintOid, conkey, confkey);
			ListCell   *tc;
			int			i;

			foreach(tc, oc->onConflictSet)
			{
				TargetEntry *tle = lfirst_node(TargetEntry, tc);

				for (i = 0; i < nkeys; i++)
				{
					AttrNumber	attno = referencing ? conkey[i] : confkey[i];

					if (tle->resjunk || tle->resno != attno)
						continue;
					if (ExcludedSameColumn(oc, (Node *) tle->expr, attno) &&
						(referencing || ArbiterHasColumn(oc, attno)))
						continue;
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("ON CONFLICT DO UPDATE of column \"%s\" of distributed table \"%s\" is not supported: the coordinator enforces foreign key \"%s\" on it",
									get_attname(target->relid, attno, false),
									RelationGetRelationName(rel),
									get_constraint_name(constraintOid)),
							 errhint("Set the column to EXCLUDED.%s, or update it with UPDATE.",
									 quote_identifier(get_attname(target->relid, attno, false)))));
				}
			}
		}
	}
	table_close(rel, NoLock);
}
