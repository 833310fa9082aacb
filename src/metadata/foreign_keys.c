/*-------------------------------------------------------------------------
 * foreign_keys.c
 *	  Classifies the foreign keys of distributed and reference tables.
 *
 * The coordinator's table keeps every foreign key constraint (the catalog
 * is the truth for \d, pg_dump and DDL).  A key is enforced inside the
 * shards when one shard group can always check it: the referenced table is
 * a reference table (a copy on every node) and the referencing table is
 * distributed or a reference table, or both tables are hash-distributed,
 * co-located, and the key pairs the referencing distribution column with
 * the referenced distribution column.  Every other key that involves a
 * distributed or reference table is enforced by the coordinator
 * (executor/foreign_key_checks.c for writes to distributed tables,
 * PostgreSQL's own RI triggers, whose queries the planner routes, for
 * writes to local tables).  The classification is computed from the
 * catalogs each time, so it follows create_distributed_table and DDL.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "commands/trigger.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "metadata/foreign_keys.h"
#include "metadata/metadata.h"

/*
 * ForeignKeyInShards returns whether foreign key constraintOid is enforced
 * inside the shards (see the file comment).  False for keys between local
 * tables.
 */
bool
ForeignKeyInShards(Oid constraintOid)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	Form_pg_constraint con;
	DistTableEntry *child;
	DistTableEntry *parent;
	bool		result = false;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	child = LookupDistTable(con->conrelid);
	parent = LookupDistTable(con->confrelid);
	if (con->contype != CONSTRAINT_FOREIGN || child == NULL || parent == NULL)
		result = false;
	else if (parent->method == DIST_METHOD_REFERENCE)
		result = true;
	else if (child->method == DIST_METHOD_HASH &&
			 child->colocationId == parent->colocationId)
	{
		AttrNumber	conkey[INDEX_MAX_KEYS];
		AttrNumber	confkey[INDEX_MAX_KEYS];
		int			nkeys;
		int			i;

		DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL, NULL, NULL);
		for (i = 0; i < nkeys; i++)
			if (conkey[i] == child->distAttno && confkey[i] == parent->distAttno)
				result = true;
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * CoordinatorForeignKeys returns the OIDs of the foreign keys of rel
 * (referencing true: rel is the referencing table; false: rel is the
 * referenced one) that the coordinator enforces, from rel's RI triggers.
 * Empty when rel is not a distributed or reference table.
 */
List *
CoordinatorForeignKeys(Relation rel, bool referencing)
{
	TriggerDesc *trigdesc = rel->trigdesc;
	List	   *result = NIL;
	int			i;

	if (trigdesc == NULL || !IsDistributedTable(RelationGetRelid(rel)))
		return NIL;
	for (i = 0; i < trigdesc->numtriggers; i++)
	{
		Trigger    *trigger = &trigdesc->triggers[i];
		int			type = RI_FKey_trigger_type(trigger->tgfoid);

		if (type == RI_TRIGGER_NONE ||
			(type == RI_TRIGGER_FK) != referencing ||
			list_member_oid(result, trigger->tgconstraint))
			continue;
		if (!ForeignKeyInShards(trigger->tgconstraint))
			result = lappend_oid(result, trigger->tgconstraint);
	}
	return result;
}

/*
 * ForeignKeysOf returns the OIDs of every foreign key that references
 * relid or that relid has.
 */
List *
ForeignKeysOf(Oid relid)
{
	Relation	conRel = table_open(ConstraintRelationId, AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	scan = systable_beginscan(conRel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

		if (con->contype == CONSTRAINT_FOREIGN &&
			(con->conrelid == relid || con->confrelid == relid))
			result = lappend_oid(result, con->oid);
	}
	systable_endscan(scan);
	table_close(conRel, AccessShareLock);
	return result;
}
