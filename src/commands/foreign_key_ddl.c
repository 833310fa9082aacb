/*-------------------------------------------------------------------------
 * foreign_key_ddl.c
 *	  Foreign keys of tables that become distributed or reference tables.
 *
 * create_distributed_table and create_reference_table keep every foreign
 * key of the table, in both directions.  Keys that one shard group can
 * check (metadata/foreign_keys.c) are added to the shards once the rows
 * are there; the others stay on the coordinator's table only and are
 * enforced by the coordinator.  The rows already satisfy every key (the
 * coordinator enforced them until now), and the shards check them again.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "commands/ddl_propagation.h"
#include "commands/foreign_key_ddl.h"
#include "executor/task_execution.h"
#include "metadata/foreign_keys.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

/*
 * CheckForeignKeyActions throws if foreign key constraintOid has an action
 * that would change the distribution column of its hash-distributed
 * referencing table: ON DELETE SET NULL/SET DEFAULT (on that column), ON
 * UPDATE SET NULL/SET DEFAULT/CASCADE.
 */
void
CheckForeignKeyActions(Oid constraintOid)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	Form_pg_constraint con;
	DistTableEntry *child;
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	AttrNumber	delSetCols[INDEX_MAX_KEYS];
	int			nkeys;
	int			nDelSetCols = 0;
	bool		hasDistColumn = false;
	bool		deleteSetsDistColumn;
	int			i;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	child = LookupDistTable(con->conrelid);
	if (child == NULL || child->method != DIST_METHOD_HASH)
	{
		ReleaseSysCache(tuple);
		return;
	}
	DeconstructFkConstraintRow(tuple, &nkeys, conkey, confkey, NULL, NULL, NULL,
							   &nDelSetCols, delSetCols);
	for (i = 0; i < nkeys; i++)
		if (conkey[i] == child->distAttno)
			hasDistColumn = true;
	deleteSetsDistColumn = (con->confdeltype == FKCONSTR_ACTION_SETNULL ||
							con->confdeltype == FKCONSTR_ACTION_SETDEFAULT);
	if (deleteSetsDistColumn && nDelSetCols > 0)
	{
		deleteSetsDistColumn = false;
		for (i = 0; i < nDelSetCols; i++)
			if (delSetCols[i] == child->distAttno)
				deleteSetsDistColumn = true;
	}
	if (hasDistColumn &&
		(deleteSetsDistColumn ||
		 con->confupdtype == FKCONSTR_ACTION_SETNULL ||
		 con->confupdtype == FKCONSTR_ACTION_SETDEFAULT ||
		 con->confupdtype == FKCONSTR_ACTION_CASCADE))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign key \"%s\" of \"%s\" would change distribution column \"%s\"",
						NameStr(con->conname), get_rel_name(con->conrelid),
						get_attname(con->conrelid, child->distAttno, false)),
				 errdetail("ON DELETE SET NULL/SET DEFAULT and ON UPDATE SET NULL/SET DEFAULT/CASCADE cannot change the distribution column.")));
	ReleaseSysCache(tuple);
}

/*
 * AddShardForeignKeys adds to the shards every foreign key that has or
 * references relid and that the shards can check, in the coordinator's
 * transaction (two-phase commit).  Call once relid's rows are on its
 * shards.
 */
void
AddShardForeignKeys(Oid relid)
{
	List	   *tasks = NIL;
	ListCell   *lc;

	PushEmptySearchPath();
	PG_TRY();
	{
		foreach(lc, ForeignKeysOf(relid))
		{
			Oid			constraintOid = lfirst_oid(lc);
			HeapTuple	tuple;
			DistTableEntry *child;
			int			i;

			if (!ForeignKeyInShards(constraintOid))
				continue;
			tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
			if (!HeapTupleIsValid(tuple))
				elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
			child = LookupDistTable(((Form_pg_constraint) GETSTRUCT(tuple))->conrelid);
			ReleaseSysCache(tuple);
			for (i = 0; i < child->shardCount; i++)
			{
				char	   *sql = psprintf("ALTER TABLE %s ADD %s",
										   ShardRelationName(child, i),
										   ShardConstraintDefinition(constraintOid, child, i));

				tasks = AppendPlacementTasks(tasks, child, i, sql);
			}
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();

	if (tasks != NIL)
	{
		RequireTwoPhaseCommit();
		RunWriteTasks(tasks);
	}
}
