/*-------------------------------------------------------------------------
 * foreign_key_checks.c
 *	  Enforces, for rows written to distributed and reference tables, the
 *	  foreign keys that the shards cannot check (metadata/foreign_keys.c).
 *
 * Rows written to a distributed table never reach its coordinator table,
 * so PostgreSQL's RI triggers on it never fire.  The coordinator does
 * their work instead, the way ri_triggers.c does it: for each new key,
 * once the statement's rows are on the shards,
 *     SELECT 1 FROM ONLY parent x WHERE pk = $1 ... FOR KEY SHARE OF x
 * through SPI, so that the planner routes it to the parent's shard (the
 * referenced key is unique, so it includes the parent's distribution
 * column) and the parent row stays locked until the transaction ends: a
 * concurrent delete of the parent waits and then sees the child, as on
 * one server.  The statement is prepared once per constraint and kept
 * while valid.  It runs as the referenced table's owner, as in
 * ri_triggers.c.  A missing key raises 23503 with PostgreSQL's message.
 *
 * Deleting (updating) referenced keys applies the constraint's ON DELETE
 * (ON UPDATE) action in the same way, with the queries of ri_triggers.c on the referencing
 * table (NO ACTION and RESTRICT: SELECT ... FOR KEY SHARE, an error when
 * a row is found; CASCADE: DELETE; SET NULL / SET DEFAULT: UPDATE), run
 * as the referencing table's owner.  The keys of UPDATEs and DELETEs come
 * from hidden RETURNING columns (planner/foreign_key_planner.c); those of
 * INSERTs from the rows the coordinator computes.
 *
 * Keys of INITIALLY DEFERRED constraints are queued in the transaction's
 * memory and checked at pre-commit (before the remote transactions are
 * prepared or committed: this callback is registered after theirs, and
 * callbacks run newest first), and forgotten when the subtransaction that
 * queued them rolls back.  SET CONSTRAINTS changes the mode of later
 * checks, and SET CONSTRAINTS ... IMMEDIATE runs the queued checks it
 * concerns (trigger.c's rules, without restoring modes when a
 * subtransaction rolls back).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_operator.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "executor/foreign_key_checks.h"
#include "metadata/foreign_keys.h"

/*
 * The work of one coordinator-enforced foreign key for the keys written by
 * one statement: KEY_CHECK for new referencing keys (they must exist in
 * the referenced table), or the ON DELETE action (FKCONSTR_ACTION_*) for
 * deleted referenced keys.
 */
#define KEY_CHECK 'k'

typedef struct KeyCheck
{
	Oid			constraintOid;
	char		action;
	Oid			childRelid;
	Oid			parentRelid;
	char		matchType;
	bool		deferrable;		/* DEFERRABLE */
	bool		deferred;		/* INITIALLY DEFERRED */
	int			nkeys;
	AttrNumber	fkAttnos[INDEX_MAX_KEYS];
	AttrNumber	pkAttnos[INDEX_MAX_KEYS];
	Oid			pfEqOps[INDEX_MAX_KEYS];
	AttrNumber	delSetCols[INDEX_MAX_KEYS];
	int			nDelSetCols;
	bool		onUpdate;		/* the ON UPDATE action of updated referenced keys */
	int			width;			/* values per recorded key: nkeys, or old and new
								 * keys (2 * nkeys) for onUpdate */
	/* where the written rows hold the key (then the new key for onUpdate) */
	AttrNumber	slotAttnos[2 * INDEX_MAX_KEYS];
	Oid			keyTypes[2 * INDEX_MAX_KEYS];	/* of the key columns written */
	bool		keyByVal[2 * INDEX_MAX_KEYS];
	int16		keyLen[2 * INDEX_MAX_KEYS];
	List	   *keys;			/* Datum arrays of width values */
	SubTransactionId subxid;	/* deferred: the subtransaction that queued it */
} KeyCheck;

struct ForeignKeyChecks
{
	List	   *checks;			/* KeyChecks */
	MemoryContext context;
};

/* saved plan of a constraint's check or action */
typedef struct CheckPlanKey
{
	Oid			constraintOid;
	char		action;
	bool		onUpdate;
} CheckPlanKey;

typedef struct CheckPlanEntry
{
	CheckPlanKey key;
	SPIPlanPtr	plan;
} CheckPlanEntry;

static HTAB *CheckPlans = NULL;

/* KeyChecks of deferred constraints, in TopTransactionContext */
static List *DeferredChecks = NIL;

/*
 * SET CONSTRAINTS of the current transaction: ALL (SET_ALL_*), then the
 * constraints named since (OIDs, in TopTransactionContext)
 */
#define SET_ALL_NONE 0
#define SET_ALL_DEFERRED 1
#define SET_ALL_IMMEDIATE 2
static int	SetAllMode = SET_ALL_NONE;
static List *SetDeferred = NIL;
static List *SetImmediate = NIL;

static KeyCheck *LoadKeyCheck(Oid constraintOid, char action, bool onUpdate,
							  MemoryContext context);
static ForeignKeyChecks *AddKeyCheck(ForeignKeyChecks *checks, KeyCheck *check);
static SPIPlanPtr CheckPlan(KeyCheck *check);
static char *CheckSql(KeyCheck *check);
static void AppendQual(StringInfo buf, const char *left, Oid leftType, Oid eqOp,
					   const char *right, Oid rightType);
static void RunKeyCheck(KeyCheck *check);
static void RunKeyCheckAsOwner(KeyCheck *check);
static void ReportMissingKey(KeyCheck *check, Datum *key, bool mixedNulls);
static void ReportReferencedKey(KeyCheck *check, Datum *key);
static char *KeyText(KeyCheck *check, Oid relid, AttrNumber *attnos, Datum *key);
static bool CheckDeferred(KeyCheck *check);
static List *NamedForeignKeys(List *names);
static void ForeignKeyXactCallback(XactEvent event, void *arg);
static void ForeignKeySubXactCallback(SubXactEvent event, SubTransactionId mySubid,
									  SubTransactionId parentSubid, void *arg);

/*
 * InitForeignKeyChecks registers the pre-commit check of deferred keys.
 * Call from _PG_init after InitRemoteTransactions.
 */
void
InitForeignKeyChecks(void)
{
	RegisterXactCallback(ForeignKeyXactCallback, NULL);
	RegisterSubXactCallback(ForeignKeySubXactCallback, NULL);
}

/*
 * AddKeyCheck appends check to checks (made when NULL) and returns them.
 */
static ForeignKeyChecks *
AddKeyCheck(ForeignKeyChecks *checks, KeyCheck *check)
{
	if (checks == NULL)
	{
		checks = palloc0(sizeof(ForeignKeyChecks));
		checks->context = CurrentMemoryContext;
	}
	checks->checks = lappend(checks->checks, check);
	return checks;
}

/*
 * StartForeignKeyChecks returns the checks for rows inserted into the
 * distributed table relid (values in the table's attribute order), in the
 * current memory context, or NULL when the coordinator enforces none of
 * its foreign keys (the usual case, so callers pay nothing else).
 */
ForeignKeyChecks *
StartForeignKeyChecks(Oid relid)
{
	Relation	rel = RelationIdGetRelation(relid);
	ForeignKeyChecks *result = NULL;
	ListCell   *lc;

	if (!RelationIsValid(rel))
		elog(ERROR, "could not open relation %u", relid);
	foreach(lc, CoordinatorForeignKeys(rel, true))
	{
		KeyCheck   *check = LoadKeyCheck(lfirst_oid(lc), KEY_CHECK, false,
										 CurrentMemoryContext);

		memcpy(check->slotAttnos, check->fkAttnos, sizeof(check->slotAttnos));
		result = AddKeyCheck(result, check);
	}
	RelationClose(rel);
	return result;
}

/*
 * StartReturnedKeyChecks returns the work for the hidden RETURNING columns
 * of a scan tuple described by scanTlist (planner/foreign_key_planner.c):
 * "shard_fk_<oid>_<n>" new referencing keys of an UPDATE or deleted
 * referenced keys of a DELETE; "shard_fko_<oid>_<n>" / "shard_fkn_<oid>_<n>"
 * old and new referenced keys of an UPDATE.  NULL when there are none.
 */
ForeignKeyChecks *
StartReturnedKeyChecks(CmdType commandType, List *scanTlist)
{
	ForeignKeyChecks *result = NULL;
	ListCell   *lc;

	foreach(lc, scanTlist)
	{
		TargetEntry *tle = lfirst(lc);
		Oid			constraintOid;
		int			position;
		bool		onUpdate = false;
		bool		newKey = false;
		KeyCheck   *check = NULL;
		ListCell   *cc;

		if (tle->resname == NULL)
			continue;
		if (sscanf(tle->resname, "shard_fko_%u_%d", &constraintOid, &position) == 2)
			onUpdate = true;
		else if (sscanf(tle->resname, "shard_fkn_%u_%d", &constraintOid, &position) == 2)
			onUpdate = newKey = true;
		else if (sscanf(tle->resname, "shard_fk_%u_%d", &constraintOid, &position) != 2)
			continue;
		if (result != NULL)
		{
			foreach(cc, result->checks)
			{
				KeyCheck   *other = lfirst(cc);

				if (other->constraintOid == constraintOid && other->onUpdate == onUpdate)
					check = other;
			}
		}
		if (check == NULL)
		{
			HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
			Form_pg_constraint con;
			char		action = KEY_CHECK;

			if (!HeapTupleIsValid(tuple))
				elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
			con = (Form_pg_constraint) GETSTRUCT(tuple);
			if (onUpdate)
				action = con->confupdtype;
			else if (commandType == CMD_DELETE)
				action = con->confdeltype;
			ReleaseSysCache(tuple);
			check = LoadKeyCheck(constraintOid, action, onUpdate, CurrentMemoryContext);
			result = AddKeyCheck(result, check);
		}
		if (position < 0 || position >= check->nkeys)
			elog(ERROR, "unexpected foreign key column \"%s\"", tle->resname);
		check->slotAttnos[position + (newKey ? check->nkeys : 0)] = tle->resno;
	}
	return result;
}

/*
 * LoadKeyCheck reads constraint constraintOid from the catalog.
 */
static KeyCheck *
LoadKeyCheck(Oid constraintOid, char action, bool onUpdate, MemoryContext context)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	Form_pg_constraint con;
	KeyCheck   *check = MemoryContextAllocZero(context, sizeof(KeyCheck));
	int			i;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	check->constraintOid = constraintOid;
	check->action = action;
	check->onUpdate = onUpdate;
	check->childRelid = con->conrelid;
	check->parentRelid = con->confrelid;
	check->matchType = con->confmatchtype;
	check->deferrable = con->condeferrable;
	check->deferred = con->condeferred;
	DeconstructFkConstraintRow(tuple, &check->nkeys, check->fkAttnos, check->pkAttnos,
							   check->pfEqOps, NULL, NULL, &check->nDelSetCols,
							   check->delSetCols);
	ReleaseSysCache(tuple);
	for (i = 0; i < check->nkeys; i++)
	{
		Oid			relid = (action == KEY_CHECK) ? check->childRelid : check->parentRelid;
		AttrNumber	attno = (action == KEY_CHECK) ? check->fkAttnos[i] : check->pkAttnos[i];

		check->keyTypes[i] = get_atttype(relid, attno);
		get_typlenbyval(check->keyTypes[i], &check->keyLen[i], &check->keyByVal[i]);
	}
	check->width = onUpdate ? 2 * check->nkeys : check->nkeys;
	for (i = check->nkeys; i < check->width; i++)
	{
		check->keyTypes[i] = check->keyTypes[i - check->nkeys];
		check->keyLen[i] = check->keyLen[i - check->nkeys];
		check->keyByVal[i] = check->keyByVal[i - check->nkeys];
	}
	return check;
}

/*
 * ForeignKeyChecksAddRow records the keys of one written row (values and
 * isnull indexed by the checks' slot attribute numbers).  Keys with a NULL
 * are not checked (MATCH SIMPLE), except that MATCH FULL refuses a mix of
 * NULL and non-NULL on insert and update.
 */
void
ForeignKeyChecksAddRow(ForeignKeyChecks *checks, Datum *values, bool *isnull)
{
	ListCell   *lc;

	foreach(lc, checks->checks)
	{
		KeyCheck   *check = lfirst(lc);
		Datum	   *key;
		Datum	   *last = check->keys != NIL ? llast(check->keys) : NULL;
		int			nulls = 0;
		bool		same = (last != NULL);
		int			i;

		for (i = 0; i < check->nkeys; i++)
			if (isnull[check->slotAttnos[i] - 1])
				nulls++;
		if (nulls > 0)
		{
			if (check->action == KEY_CHECK && check->matchType == FKCONSTR_MATCH_FULL &&
				nulls < check->nkeys)
				ReportMissingKey(check, NULL, true);
			continue;
		}
		if (check->onUpdate)
		{
			bool		changed = false;

			/* a referenced key that keeps its value needs no action */
			for (i = 0; i < check->nkeys && !changed; i++)
				changed = isnull[check->slotAttnos[i + check->nkeys] - 1] ||
					!datumIsEqual(values[check->slotAttnos[i] - 1],
								  values[check->slotAttnos[i + check->nkeys] - 1],
								  check->keyByVal[i], check->keyLen[i]);
			if (!changed)
				continue;
		}
		for (i = 0; i < check->width && same; i++)
			same = !isnull[check->slotAttnos[i] - 1] &&
				datumIsEqual(values[check->slotAttnos[i] - 1], last[i],
							 check->keyByVal[i], check->keyLen[i]);
		if (same)
			continue;			/* the previous row's key */
		key = MemoryContextAlloc(checks->context, sizeof(Datum) * check->width);
		for (i = 0; i < check->width; i++)
			key[i] = isnull[check->slotAttnos[i] - 1] ? (Datum) 0 :
				datumCopy(values[check->slotAttnos[i] - 1], check->keyByVal[i],
						  check->keyLen[i]);
		check->keys = lappend(check->keys, key);
	}
}

/*
 * FinishForeignKeyChecks does the work of the recorded keys: now, or at
 * commit for deferred constraints (new referencing keys, NO ACTION).
 * Throws 23503 for a new key that the referenced table does not have or a
 * deleted key that is still referenced.
 */
void
FinishForeignKeyChecks(ForeignKeyChecks *checks)
{
	ListCell   *lc;

	foreach(lc, checks->checks)
	{
		KeyCheck   *check = lfirst(lc);

		if (check->keys == NIL)
			continue;
		if (CheckDeferred(check) &&
			(check->action == KEY_CHECK || check->action == FKCONSTR_ACTION_NOACTION))
		{
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
			KeyCheck   *copy = palloc(sizeof(KeyCheck));
			ListCell   *kc;

			memcpy(copy, check, sizeof(KeyCheck));
			copy->keys = NIL;
			copy->subxid = GetCurrentSubTransactionId();
			foreach(kc, check->keys)
			{
				Datum	   *key = palloc(sizeof(Datum) * check->width);
				int			i;

				for (i = 0; i < check->width; i++)
					key[i] = datumCopy(((Datum *) lfirst(kc))[i], check->keyByVal[i],
									   check->keyLen[i]);
				copy->keys = lappend(copy->keys, key);
			}
			DeferredChecks = lappend(DeferredChecks, copy);
			MemoryContextSwitchTo(old);
		}
		else
			RunKeyCheckAsOwner(check);
		check->keys = NIL;
	}
}

/*
 * CheckPlan returns the saved SPI plan of check's query, prepared when
 * missing or invalidated.  Call between SPI_connect and SPI_finish.
 */
static SPIPlanPtr
CheckPlan(KeyCheck *check)
{
	CheckPlanEntry *entry;
	CheckPlanKey key;
	bool		found;
	char	   *sql;
	SPIPlanPtr	plan;

	if (CheckPlans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(CheckPlanKey);
		ctl.entrysize = sizeof(CheckPlanEntry);
		CheckPlans = hash_create("shard foreign key checks", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.constraintOid = check->constraintOid;
	key.action = check->action;
	key.onUpdate = check->onUpdate;
	entry = hash_search(CheckPlans, &key, HASH_ENTER, &found);
	if (found && entry->plan != NULL && SPI_plan_is_valid(entry->plan))
		return entry->plan;
	if (found && entry->plan != NULL)
		SPI_freeplan(entry->plan);
	entry->plan = NULL;

	sql = CheckSql(check);
	plan = SPI_prepare(sql, (check->onUpdate && check->action == FKCONSTR_ACTION_CASCADE) ?
					   check->width : check->nkeys, check->keyTypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	entry->plan = plan;
	return plan;
}

/*
 * CheckSql returns the query of check, as ri_triggers.c builds it: the
 * referenced row of a new key, locked FOR KEY SHARE; or for a deleted key
 * the referencing rows (locked FOR KEY SHARE), deleted (CASCADE) or set to
 * NULL / their default.
 */
static char *
CheckSql(KeyCheck *check)
{
	bool		keyCheck = (check->action == KEY_CHECK);
	/* ON DELETE SET NULL / SET DEFAULT may name the columns to set */
	bool		useSetCols = (check->nDelSetCols > 0 && !check->onUpdate);
	Oid			relid = keyCheck ? check->parentRelid : check->childRelid;
	AttrNumber *attnos = keyCheck ? check->pkAttnos : check->fkAttnos;
	char	   *relname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													 get_rel_name(relid));
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	switch (check->action)
	{
		case FKCONSTR_ACTION_CASCADE:
			if (!check->onUpdate)
			{
				appendStringInfo(&sql, "DELETE FROM ONLY %s x WHERE ", relname);
				break;
			}
			appendStringInfo(&sql, "UPDATE ONLY %s x SET ", relname);
			for (i = 0; i < check->nkeys; i++)
				appendStringInfo(&sql, "%s%s = $%d", i > 0 ? ", " : "",
								 quote_identifier(get_attname(relid, check->fkAttnos[i], false)),
								 check->nkeys + i + 1);
			appendStringInfoString(&sql, " WHERE ");
			break;
		case FKCONSTR_ACTION_SETNULL:
		case FKCONSTR_ACTION_SETDEFAULT:
			appendStringInfo(&sql, "UPDATE ONLY %s x SET ", relname);
			for (i = 0; i < (useSetCols ? check->nDelSetCols : check->nkeys); i++)
				appendStringInfo(&sql, "%s%s = %s", i > 0 ? ", " : "",
								 quote_identifier(get_attname(relid,
															  useSetCols ?
															  check->delSetCols[i] :
															  check->fkAttnos[i], false)),
								 check->action == FKCONSTR_ACTION_SETNULL ? "NULL" : "DEFAULT");
			appendStringInfoString(&sql, " WHERE ");
			break;
		default:
			appendStringInfo(&sql, "SELECT 1 FROM ONLY %s x WHERE ", relname);
			break;
	}
	for (i = 0; i < check->nkeys; i++)
	{
		char	   *column = psprintf("x.%s", quote_identifier(get_attname(relid, attnos[i], false)));
		char	   *param = psprintf("$%d", i + 1);

		if (i > 0)
			appendStringInfoString(&sql, " AND ");
		/* pf_eq_opr takes the referenced type on the left */
		if (keyCheck)
			AppendQual(&sql, column, get_atttype(relid, attnos[i]), check->pfEqOps[i],
					   param, check->keyTypes[i]);
		else
			AppendQual(&sql, param, check->keyTypes[i], check->pfEqOps[i],
					   column, get_atttype(relid, attnos[i]));
	}
	if (keyCheck || check->action == FKCONSTR_ACTION_NOACTION ||
		check->action == FKCONSTR_ACTION_RESTRICT)
		appendStringInfoString(&sql, " FOR KEY SHARE OF x");
	return sql.data;
}

/*
 * AppendQual appends "left OPERATOR(eqOp) right", with casts where the
 * operator's input types differ from the operands' (as ri_GenerateQual
 * does).
 */
static void
AppendQual(StringInfo buf, const char *left, Oid leftType, Oid eqOp, const char *right,
		   Oid rightType)
{
	HeapTuple	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(eqOp));
	Form_pg_operator op;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", eqOp);
	op = (Form_pg_operator) GETSTRUCT(tuple);
	appendStringInfoString(buf, left);
	if (leftType != op->oprleft)
		appendStringInfo(buf, "::%s", format_type_be_qualified(op->oprleft));
	appendStringInfo(buf, " OPERATOR(%s.%s) %s",
					 quote_identifier(get_namespace_name(op->oprnamespace)),
					 NameStr(op->oprname), right);
	if (rightType != op->oprright)
		appendStringInfo(buf, "::%s", format_type_be_qualified(op->oprright));
	ReleaseSysCache(tuple);
}

/*
 * RunKeyCheckAsOwner runs check as the owner of the table its queries
 * read (the referenced table for new keys, the referencing table for
 * actions), as ri_triggers.c does.
 */
static void
RunKeyCheckAsOwner(KeyCheck *check)
{
	Oid			relid = (check->action == KEY_CHECK) ? check->parentRelid : check->childRelid;
	HeapTuple	classTuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			saveUserId;
	int			saveSecContext;
	Oid			owner;

	if (!HeapTupleIsValid(classTuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(classTuple))->relowner;
	ReleaseSysCache(classTuple);

	GetUserIdAndSecContext(&saveUserId, &saveSecContext);
	SetUserIdAndSecContext(owner, saveSecContext | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	PG_TRY();
	{
		RunKeyCheck(check);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(saveUserId, saveSecContext);
	}
	PG_END_TRY();
}

/*
 * RunKeyCheck runs check's query for every recorded key.  Throws 23503
 * for the first new key that is missing or deleted key still referenced.
 */
static void
RunKeyCheck(KeyCheck *check)
{
	SPIPlanPtr	plan;
	char		nulls[2 * INDEX_MAX_KEYS];
	ListCell   *lc;
	bool		select = (check->action == KEY_CHECK ||
						  check->action == FKCONSTR_ACTION_NOACTION ||
						  check->action == FKCONSTR_ACTION_RESTRICT);

	memset(nulls, ' ', sizeof(nulls));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = CheckPlan(check);
	foreach(lc, check->keys)
	{
		Datum	   *key = lfirst(lc);
		int			rc;

		CHECK_FOR_INTERRUPTS();
		rc = SPI_execute_plan(plan, key, nulls, false, select ? 1 : 0);
		if (rc < 0)
			elog(ERROR, "foreign key work of constraint %u failed: %s", check->constraintOid,
				 SPI_result_code_string(rc));
		if (check->action == KEY_CHECK && SPI_processed == 0)
			ReportMissingKey(check, key, false);
		if (select && check->action != KEY_CHECK && SPI_processed > 0)
			ReportReferencedKey(check, key);
	}
	SPI_finish();
}

/*
 * KeyText returns "(col, ...)=(value, ...)" for key on columns attnos of
 * relid.
 */
static char *
KeyText(KeyCheck *check, Oid relid, AttrNumber *attnos, Datum *key)
{
	StringInfoData columns;
	StringInfoData values;
	int			i;

	initStringInfo(&columns);
	initStringInfo(&values);
	for (i = 0; i < check->nkeys; i++)
	{
		Oid			outFunc;
		bool		isVarlena;

		getTypeOutputInfo(check->keyTypes[i], &outFunc, &isVarlena);
		appendStringInfo(&columns, "%s%s", i > 0 ? ", " : "",
						 get_attname(relid, attnos[i], false));
		appendStringInfo(&values, "%s%s", i > 0 ? ", " : "",
						 OidOutputFunctionCall(outFunc, key[i]));
	}
	return psprintf("(%s)=(%s)", columns.data, values.data);
}

/*
 * ReportMissingKey throws PostgreSQL's foreign key violation for a new
 * key (or for a MATCH FULL mix of NULL and non-NULL values).
 */
static void
ReportMissingKey(KeyCheck *check, Datum *key, bool mixedNulls)
{
	Relation	child = table_open(check->childRelid, AccessShareLock);
	char	   *conname = get_constraint_name(check->constraintOid);

	if (mixedNulls)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
						RelationGetRelationName(child), conname),
				 errdetail("MATCH FULL does not allow mixing of null and nonnull key values."),
				 errtableconstraint(child, conname)));
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
					RelationGetRelationName(child), conname),
			 errdetail("Key %s is not present in table \"%s\".",
					   KeyText(check, check->childRelid, check->fkAttnos, key),
					   get_rel_name(check->parentRelid)),
			 errtableconstraint(child, conname)));
}

/*
 * ReportReferencedKey throws PostgreSQL's foreign key violation for a
 * deleted key that referencing rows still hold.
 */
static void
ReportReferencedKey(KeyCheck *check, Datum *key)
{
	Relation	child = table_open(check->childRelid, AccessShareLock);
	char	   *conname = get_constraint_name(check->constraintOid);

	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
					get_rel_name(check->parentRelid), conname,
					RelationGetRelationName(child)),
			 errdetail("Key %s is still referenced from table \"%s\".",
					   KeyText(check, check->parentRelid, check->pkAttnos, key),
					   RelationGetRelationName(child)),
			 errtableconstraint(child, conname)));
}

/*
 * ForeignKeyXactCallback does the deferred work before commit (throwing
 * aborts the transaction) and forgets it at the transaction's end.
 */
static void
ForeignKeyXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			while (DeferredChecks != NIL)
			{
				KeyCheck   *check = linitial(DeferredChecks);

				DeferredChecks = list_delete_first(DeferredChecks);
				/* portals are closed: the queries need a snapshot of their own */
				PushActiveSnapshot(GetTransactionSnapshot());
				RunKeyCheckAsOwner(check);
				PopActiveSnapshot();
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			DeferredChecks = NIL;
			SetAllMode = SET_ALL_NONE;
			SetDeferred = NIL;
			SetImmediate = NIL;
			break;
		default:
			break;
	}
}

/*
 * ForeignKeySubXactCallback forgets the deferred work queued inside a
 * subtransaction that rolls back: every subtransaction with an id at
 * least mySubid began inside it.
 */
static void
ForeignKeySubXactCallback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	foreach(lc, DeferredChecks)
	{
		KeyCheck   *check = lfirst(lc);

		if (check->subxid >= mySubid)
			DeferredChecks = foreach_delete_current(DeferredChecks, lc);
	}
}

/*
 * CheckDeferred returns whether check waits for commit: a DEFERRABLE
 * constraint named by SET CONSTRAINTS takes that mode, else the mode of
 * SET CONSTRAINTS ALL, else INITIALLY DEFERRED or not (as trigger.c does).
 */
static bool
CheckDeferred(KeyCheck *check)
{
	if (!check->deferrable)
		return false;
	if (list_member_oid(SetImmediate, check->constraintOid))
		return false;
	if (list_member_oid(SetDeferred, check->constraintOid))
		return true;
	if (SetAllMode != SET_ALL_NONE)
		return SetAllMode == SET_ALL_DEFERRED;
	return check->deferred;
}

/*
 * NamedForeignKeys returns the OIDs of the foreign keys that SET
 * CONSTRAINTS names (RangeVars): in the given schema, or in the first
 * schema of the search path that has a constraint of that name.
 */
static List *
NamedForeignKeys(List *names)
{
	Relation	conRel = table_open(ConstraintRelationId, AccessShareLock);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, names)
	{
		RangeVar   *name = lfirst(lc);
		List	   *namespaces;
		ListCell   *nc;

		if (name->schemaname != NULL)
			namespaces = list_make1_oid(LookupExplicitNamespace(name->schemaname, false));
		else
			namespaces = fetch_search_path(true);
		foreach(nc, namespaces)
		{
			ScanKeyData keys[2];
			SysScanDesc scan;
			HeapTuple	tuple;
			bool		found = false;

			ScanKeyInit(&keys[0], Anum_pg_constraint_conname, BTEqualStrategyNumber, F_NAMEEQ,
						CStringGetDatum(name->relname));
			ScanKeyInit(&keys[1], Anum_pg_constraint_connamespace, BTEqualStrategyNumber,
						F_OIDEQ, ObjectIdGetDatum(lfirst_oid(nc)));
			scan = systable_beginscan(conRel, ConstraintNameNspIndexId, true, NULL, 2, keys);
			while (HeapTupleIsValid(tuple = systable_getnext(scan)))
			{
				Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

				found = true;
				if (con->contype == CONSTRAINT_FOREIGN)
					result = lappend_oid(result, con->oid);
			}
			systable_endscan(scan);
			if (found)
				break;
		}
	}
	table_close(conRel, AccessShareLock);
	return result;
}

/*
 * SetForeignKeyCheckModes applies SET CONSTRAINTS (after PostgreSQL did)
 * to the coordinator's foreign key checks: later writes follow the new
 * modes, and queued checks of constraints now IMMEDIATE run at once.
 * Throws 23503 as those checks do.
 */
void
SetForeignKeyCheckModes(ConstraintsSetStmt *stmt)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	List	   *pending = DeferredChecks;
	ListCell   *lc;

	if (stmt->constraints == NIL)
	{
		SetAllMode = stmt->deferred ? SET_ALL_DEFERRED : SET_ALL_IMMEDIATE;
		SetDeferred = NIL;
		SetImmediate = NIL;
	}
	else
	{
		foreach(lc, NamedForeignKeys(stmt->constraints))
		{
			Oid			constraintOid = lfirst_oid(lc);

			SetDeferred = list_delete_oid(SetDeferred, constraintOid);
			SetImmediate = list_delete_oid(SetImmediate, constraintOid);
			if (stmt->deferred)
				SetDeferred = lappend_oid(SetDeferred, constraintOid);
			else
				SetImmediate = lappend_oid(SetImmediate, constraintOid);
		}
	}
	if (!stmt->deferred)
	{
		DeferredChecks = NIL;
		foreach(lc, pending)
		{
			KeyCheck   *check = lfirst(lc);

			if (CheckDeferred(check))
				DeferredChecks = lappend(DeferredChecks, check);
		}
	}
	MemoryContextSwitchTo(old);

	if (stmt->deferred)
		return;
	foreach(lc, pending)
	{
		KeyCheck   *check = lfirst(lc);

		if (!CheckDeferred(check))
			RunKeyCheckAsOwner(check);
	}
}
