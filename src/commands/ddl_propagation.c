/*-------------------------------------------------------------------------
 * ddl_propagation.c
 *	  DDL on distributed tables, applied to every shard placement.
 *
 * Each supported statement is checked before anything runs (unsupported
 * forms throw FEATURE_NOT_SUPPORTED, nothing changed), then standard
 * ProcessUtility changes the coordinator's shell table, then each shard
 * placement gets the equivalent command.  Shard commands are generated from
 * the coordinator's catalog after the change (columns, defaults,
 * constraints, index definitions), with an empty search path so that every
 * name is qualified, never by editing the user's text.
 *
 * Transactional DDL runs in the remote transactions of the coordinator's
 * transaction, with two-phase commit: the shell and all shards change
 * together or not at all.  Statements that cannot run in a transaction
 * block (VACUUM, CREATE/DROP INDEX CONCURRENTLY) run one shard at a time in
 * autocommit on the nodes; what a failure leaves behind is said in the
 * error's hint, and rerunning the statement (or dropping the index)
 * converges.
 *
 * Names on the shards: a shard is <table>_<shard id>; its indexes and its
 * index-backed constraints (primary key, unique) are <name>_<shard id>
 * (ShardObjectName), since index names must be unique in a schema and a
 * node holds many shards of a table; CHECK and FOREIGN KEY constraints keep
 * their names.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "commands/ddl_propagation.h"
#include "commands/schema_commands.h"
#include "commands/shard_statistics.h"
#include "deparse/ddl_deparse.h"
#include "commands/table_privileges.h"
#include "deparse/deparse.h"
#include "executor/task_execution.h"
#include "metadata/foreign_keys.h"
#include "metadata/metadata.h"
#include "transaction/remote_xact.h"

typedef enum DDLKind
{
	DDL_ALTER_TABLE,
	DDL_CREATE_INDEX,
	DDL_CREATE_INDEX_CONCURRENTLY,
	DDL_TASKS					/* precomputed tasks only */
} DDLKind;

/* one ALTER TABLE subcommand */
typedef struct AlterCmd
{
	AlterTableCmd *cmd;
	char	   *sql;			/* precomputed shard action, or NULL */
	bool		skip;			/* IF [NOT] EXISTS made it a no-op */
} AlterCmd;

/* a constraint as seen before or after the statement */
typedef struct ConstraintRef
{
	Oid			oid;
	char	   *name;
	char		contype;
} ConstraintRef;

struct DDLJob
{
	DDLKind		kind;
	Oid			relid;			/* the distributed table, if one */
	MemoryContext context;		/* survives the statement's transactions */

	/* DDL_TASKS */
	List	   *tasks;
	bool		outsideTransaction; /* each task alone, in autocommit */
	List	   *analyzedRelids; /* shells to take the shards' statistics */

	/* DDL_ALTER_TABLE */
	List	   *cmds;			/* AlterCmd * */
	List	   *constraintsBefore;	/* ConstraintRef * */
	List	   *explicitDrops;	/* String nodes: DROP CONSTRAINT names */

	/* DDL_CREATE_INDEX* */
	List	   *indexesBefore;	/* index oids */
};

static DDLJob *NewJob(DDLKind kind, Oid relid);
static Oid	DistributedRelation(RangeVar *rv, LOCKMODE lockmode);
static char *DistributionColumnName(DistTableEntry *table);
static DDLJob *PlanAlterTable(AlterTableStmt *stmt);
static void CheckNewConstraint(DistTableEntry *table, Relation rel, Constraint *con,
							   const char *columnName);
static void CheckForeignKey(DistTableEntry *table, Relation rel, Constraint *con,
							const char *columnName);
static char *AlterColumnTypeAction(Relation rel, AlterTableCmd *cmd);
static List *ConstraintsOf(Oid relid);
static ConstraintRef *FindConstraint(List *constraints, const char *name);
static char *ShardConstraintName(const char *name, char contype, int64 shardId);
static char *ColumnAction(Relation rel, AlterCmd *alter);
static char *ShippedDefault(Relation rel, AttrNumber attnum, bool forNewColumn);
static char *ReferencedShardName(Oid referencedRelid, Oid constraintOid, DistTableEntry *table,
								 int shardIndex);
static void FinishAlterTable(DDLJob *job);
static DDLJob *PlanCreateIndex(IndexStmt *stmt);
static void FinishCreateIndex(DDLJob *job);
static DDLJob *PlanDropIndex(DropStmt *stmt, bool isTopLevel);
static DDLJob *PlanRename(RenameStmt *stmt);
static DDLJob *PlanVacuum(VacuumStmt *stmt, bool isTopLevel);
static DDLJob *TasksJob(List *tasks);
static void RunJobTasks(List *tasks, bool outsideTransaction, const char *failureHint);

/*
 * PushEmptySearchPath makes pg_catalog the only schema searched, so that
 * ruleutils qualifies every other name; pop with PopOverrideSearchPath.
 */
void
PushEmptySearchPath(void)
{
	OverrideSearchPath *path = GetOverrideSearchPath(CurrentMemoryContext);

	path->schemas = NIL;
	path->addCatalog = true;
	path->addTemp = false;
	PushOverrideSearchPath(path);
}

/*
 * NewJob returns a zeroed job in the current memory context.
 */
static DDLJob *
NewJob(DDLKind kind, Oid relid)
{
	DDLJob	   *job = palloc0(sizeof(DDLJob));

	job->kind = kind;
	job->relid = relid;
	job->context = CurrentMemoryContext;
	return job;
}

/*
 * DistributedRelation returns the relid rv names if it is a distributed
 * table (locking it with lockmode), else InvalidOid.
 */
static Oid
DistributedRelation(RangeVar *rv, LOCKMODE lockmode)
{
	Oid			relid;

	if (rv == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid) || !IsDistributedTable(relid))
		return InvalidOid;
	if (lockmode != NoLock)
	{
		/* a non-owner fails here, as in ALTER TABLE, not behind the lock */
		CheckTableOwner(relid);
		LockRelationOid(relid, lockmode);
	}
	return relid;
}

/*
 * DistributionColumnName returns the name of a hash table's distribution
 * column, or NULL for a reference table.
 */
static char *
DistributionColumnName(DistTableEntry *table)
{
	if (table->method != DIST_METHOD_HASH)
		return NULL;
	return get_attname(table->relid, table->distAttno, false);
}

/*
 * ShardObjectName returns <name>_<shardId>, shortening name (and adding a
 * hash of it, so that distinct long names stay distinct) when the result
 * would not fit in NAMEDATALEN.  Deterministic: CREATE, DROP and RENAME
 * compute the same name.
 */
char *
ShardObjectName(const char *name, int64 shardId)
{
	char		suffix[32];
	int			room;

	snprintf(suffix, sizeof(suffix), "_" INT64_FORMAT, shardId);
	if (strlen(name) + strlen(suffix) <= NAMEDATALEN - 1)
		return psprintf("%s%s", name, suffix);

	snprintf(suffix, sizeof(suffix), "_%08x_" INT64_FORMAT,
			 hash_bytes((const unsigned char *) name, strlen(name)), shardId);
	room = NAMEDATALEN - 1 - strlen(suffix);
	room = pg_mbcliplen(name, strlen(name), room);
	return psprintf("%.*s%s", room, name, suffix);
}

/*
 * AppendPlacementTasks appends one Task per placement of a shard.
 */
List *
AppendPlacementTasks(List *tasks, DistTableEntry *table, int shardIndex, const char *sql)
{
	ShardInfo  *shard = &table->shards[shardIndex];
	int			i;

	for (i = 0; i < shard->placementCount; i++)
	{
		Task	   *task = palloc0(sizeof(Task));

		task->shardIndex = shardIndex;
		task->nodeId = shard->placementNodeIds[i];
		task->sql = pstrdup(sql);
		tasks = lappend(tasks, task);
	}
	return tasks;
}

/*
 * ShardConstraintName returns the name of a constraint on a shard.
 */
static char *
ShardConstraintName(const char *name, char contype, int64 shardId)
{
	if (contype == CONSTRAINT_PRIMARY || contype == CONSTRAINT_UNIQUE ||
		contype == CONSTRAINT_EXCLUSION)
		return ShardObjectName(name, shardId);
	return pstrdup(name);
}

/*
 * ReferencedShardName returns the quoted, qualified name of the shard that
 * a foreign key of a distributed table references on one of its shards:
 * the referenced table's shard of the same index (co-located) or the copy
 * of a reference table on the same node.
 */
static char *
ReferencedShardName(Oid referencedRelid, Oid constraintOid, DistTableEntry *table,
					int shardIndex)
{
	DistTableEntry *ref = LookupDistTable(referencedRelid);

	if (ref == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign key \"%s\" of distributed table \"%s\" references local table \"%s\"",
						get_constraint_name(constraintOid), get_rel_name(table->relid),
						get_rel_name(referencedRelid))));
	return ShardRelationName(ref, ref->method == DIST_METHOD_HASH ? shardIndex : 0);
}

/*
 * ShardConstraintDefinition: see ddl_propagation.h.
 */
char *
ShardConstraintDefinition(Oid constraintOid, DistTableEntry *table, int shardIndex)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	Form_pg_constraint con;
	char	   *shardConstraintName;
	char	   *referencedShardName = NULL;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	shardConstraintName = ShardConstraintName(NameStr(con->conname), con->contype,
											  table->shards[shardIndex].shardId);
	if (con->contype == CONSTRAINT_FOREIGN)
		referencedShardName = ReferencedShardName(con->confrelid, constraintOid, table,
												  shardIndex);
	ReleaseSysCache(tuple);
	return DeparseShardConstraint(constraintOid, shardConstraintName, referencedShardName);
}

/*
 * ConstraintsOf returns the constraints of a table as ConstraintRefs.
 */
static List *
ConstraintsOf(Oid relid)
{
	List	   *result = NIL;
	Relation	conRel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(conRel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		ConstraintRef *ref = palloc0(sizeof(ConstraintRef));

		ref->oid = con->oid;
		ref->name = pstrdup(NameStr(con->conname));
		ref->contype = con->contype;
		result = lappend(result, ref);
	}
	systable_endscan(scan);
	table_close(conRel, AccessShareLock);
	return result;
}

/*
 * FindConstraint returns the constraint called name in constraints, or NULL.
 */
static ConstraintRef *
FindConstraint(List *constraints, const char *name)
{
	ListCell   *lc;

	foreach(lc, constraints)
	{
		ConstraintRef *ref = lfirst(lc);

		if (strcmp(ref->name, name) == 0)
			return ref;
	}
	return NULL;
}

/*
 * CheckForeignKey throws if a new foreign key of a distributed table has
 * an action that would change the referencing distribution column.  Keys
 * that the shards cannot check are enforced by the coordinator
 * (metadata/foreign_keys.c); FinishAlterTable sends the others to the
 * shards.
 */
static void
CheckForeignKey(DistTableEntry *table, Relation rel, Constraint *con,
				const char *columnName)
{
	const char *relname = RelationGetRelationName(rel);
	char	   *distColumn = DistributionColumnName(table);
	List	   *fkColumns = con->fk_attrs;
	bool		deleteSetsDistColumn;
	int			position = -1;
	int			i;

	if (fkColumns == NIL && columnName != NULL)
		fkColumns = list_make1(makeString(pstrdup(columnName)));
	if (distColumn == NULL)
		return;

	for (i = 0; i < list_length(fkColumns); i++)
		if (strcmp(strVal(list_nth(fkColumns, i)), distColumn) == 0)
			position = i;

	/* ON DELETE SET NULL (columns) may leave the distribution column alone */
	deleteSetsDistColumn = (con->fk_del_action == FKCONSTR_ACTION_SETNULL ||
							con->fk_del_action == FKCONSTR_ACTION_SETDEFAULT) &&
		(con->fk_del_set_cols == NIL ||
		 list_member(con->fk_del_set_cols, makeString(distColumn)));
	if (position >= 0 &&
		(deleteSetsDistColumn ||
		 con->fk_upd_action == FKCONSTR_ACTION_SETNULL ||
		 con->fk_upd_action == FKCONSTR_ACTION_SETDEFAULT ||
		 con->fk_upd_action == FKCONSTR_ACTION_CASCADE))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign key of \"%s\" would change distribution column \"%s\"",
						relname, distColumn),
				 errdetail("ON DELETE SET NULL/SET DEFAULT and ON UPDATE SET NULL/SET DEFAULT/CASCADE cannot change the distribution column.")));
}

/*
 * CheckNewConstraint throws unless a constraint added to a distributed
 * table (as ADD CONSTRAINT, or inline in ADD COLUMN columnName) can be
 * enforced by the shards.
 */
static void
CheckNewConstraint(DistTableEntry *table, Relation rel, Constraint *con,
				   const char *columnName)
{
	const char *relname = RelationGetRelationName(rel);

	switch (con->contype)
	{
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
			{
				char	   *distColumn = DistributionColumnName(table);
				bool		found = false;
				ListCell   *lc;

				if (con->indexname != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("ADD CONSTRAINT ... USING INDEX is not supported on distributed table \"%s\"",
									relname),
							 errhint("Add the constraint with its column list instead.")));
				if (distColumn == NULL)
					break;
				if (columnName != NULL && strcmp(columnName, distColumn) == 0)
					found = true;
				foreach(lc, con->keys)
				{
					if (strcmp(strVal(lfirst(lc)), distColumn) == 0)
						found = true;
				}
				if (!found)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
							 errmsg("unique constraint on distributed table \"%s\" must include distribution column \"%s\"",
									relname, distColumn),
							 errdetail("Uniqueness can only be enforced within a shard.")));
				break;
			}
		case CONSTR_EXCLUSION:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("exclusion constraints are not supported on distributed table \"%s\"",
							relname)));
			break;
		case CONSTR_FOREIGN:
			CheckForeignKey(table, rel, con, columnName);
			break;
		case CONSTR_IDENTITY:
		case CONSTR_GENERATED:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("identity and generated columns are not supported on distributed table \"%s\"",
							relname)));
			break;
		default:
			break;
	}
}

/*
 * AlterColumnTypeAction returns the shard action of ALTER COLUMN ... TYPE,
 * computed before the coordinator changes the column: its USING expression
 * is analyzed against the old column types and deparsed.
 */
static char *
AlterColumnTypeAction(Relation rel, AlterTableCmd *cmd)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	Oid			typid;
	int32		typmod;
	Oid			collation = InvalidOid;
	StringInfoData buf;

	typenameTypeIdAndMod(NULL, def->typeName, &typid, &typmod);
	if (typid >= FirstNormalObjectId)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("type %s is not built in", format_type_be(typid)),
				 errdetail("Worker nodes only know PostgreSQL's built-in types.")));
	if (def->collClause != NULL)
	{
		collation = LookupCollation(NULL, def->collClause->collname, -1);
		if (collation >= FirstNormalObjectId)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("collation %s is not built in", NameListToString(def->collClause->collname))));
	}

	initStringInfo(&buf);
	PushEmptySearchPath();
	PG_TRY();
	{
		appendStringInfo(&buf, "ALTER COLUMN %s TYPE %s", quote_identifier(cmd->name),
						 format_type_with_typemod(typid, typmod));
		if (OidIsValid(collation))
			appendStringInfo(&buf, " COLLATE %s", generate_collation_name(collation));
		if (def->raw_default != NULL)
		{
			ParseState *pstate = make_parsestate(NULL);
			ParseNamespaceItem *nsitem;
			Node	   *expr;
			const char *reason;

			nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL,
												   false, true);
			addNSItemToQuery(pstate, nsitem, false, true, true);
			expr = transformExpr(pstate, copyObject(def->raw_default),
								 EXPR_KIND_ALTER_COL_TRANSFORM);
			assign_expr_collations(pstate, expr);
			reason = NotShippableReason(expr);
			if (reason != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("USING expression of column \"%s\" cannot run on the nodes: %s",
								cmd->name, reason)));
			appendStringInfo(&buf, " USING %s",
							 deparse_expression(expr,
												deparse_context_for(RelationGetRelationName(rel),
																	RelationGetRelid(rel)),
												false, false));
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
	return buf.data;
}

/*
 * PlanAlterTable checks an ALTER TABLE on a distributed table and records
 * what the shards need.
 */
static DDLJob *
PlanAlterTable(AlterTableStmt *stmt)
{
	Oid			relid = DistributedRelation(stmt->relation, AlterTableGetLockLevel(stmt->cmds));
	DistTableEntry *table;
	Relation	rel;
	DDLJob	   *job;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return NULL;
	if (stmt->objtype != OBJECT_TABLE)
		return NULL;

	table = LookupDistTable(relid);
	job = NewJob(DDL_ALTER_TABLE, relid);
	rel = relation_open(relid, NoLock);
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);
		AlterCmd   *alter = palloc0(sizeof(AlterCmd));
		AttrNumber	attnum = InvalidAttrNumber;

		alter->cmd = cmd;
		if (cmd->name != NULL)
			attnum = get_attnum(relid, cmd->name);
		switch (cmd->subtype)
		{
			case AT_AddColumn:
				{
					ColumnDef  *def = (ColumnDef *) cmd->def;
					ListCell   *cc;

					if (get_attnum(relid, def->colname) != InvalidAttrNumber && cmd->missing_ok)
						alter->skip = true;
					foreach(cc, def->constraints)
						CheckNewConstraint(table, rel, lfirst(cc), def->colname);
					break;
				}
			case AT_DropColumn:
				if (attnum == InvalidAttrNumber && cmd->missing_ok)
					alter->skip = true;
				else if (attnum == table->distAttno && table->method == DIST_METHOD_HASH)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot drop distribution column \"%s\" of table \"%s\"",
									cmd->name, RelationGetRelationName(rel)),
							 errhint("Create a table distributed by another column, copy the rows into it with INSERT ... SELECT, and drop this one.")));
				break;
			case AT_AlterColumnType:
				if (attnum == table->distAttno && table->method == DIST_METHOD_HASH)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot change the type of distribution column \"%s\" of table \"%s\"",
									cmd->name, RelationGetRelationName(rel)),
							 errdetail("Rows are placed by the hash of the column's value.")));
				alter->sql = AlterColumnTypeAction(rel, cmd);
				break;
			case AT_ColumnDefault:
			case AT_SetNotNull:
			case AT_DropNotNull:
			case AT_ValidateConstraint:
				break;
			case AT_AddConstraint:
				CheckNewConstraint(table, rel, (Constraint *) cmd->def, NULL);
				break;
			case AT_DropConstraint:
				job->explicitDrops = lappend(job->explicitDrops, makeString(pstrdup(cmd->name)));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("this form of ALTER TABLE is not supported on distributed table \"%s\"",
								RelationGetRelationName(rel)),
						 errdetail("Supported are ADD/DROP/RENAME COLUMN, ALTER COLUMN TYPE, SET/DROP DEFAULT, SET/DROP NOT NULL, ADD/DROP/VALIDATE CONSTRAINT and RENAME.")));
		}
		job->cmds = lappend(job->cmds, alter);
	}
	relation_close(rel, NoLock);
	job->constraintsBefore = ConstraintsOf(relid);
	return job;
}

/*
 * ShippedDefault returns the default of a column as shard SQL, or NULL
 * when the shards should not have it: defaults that only the coordinator
 * can evaluate (sequences, volatile or non-built-in functions) stay there,
 * as the coordinator fills in defaults of the rows it routes.  For a new
 * column such a default would have to fill existing rows: that throws.
 */
static char *
ShippedDefault(Relation rel, AttrNumber attnum, bool forNewColumn)
{
	Node	   *expr = build_column_default(rel, attnum);

	if (expr == NULL)
		return NULL;
	if (NotShippableReason(expr) == NULL && !contain_volatile_functions(expr))
		return deparse_expression(expr, NIL, false, false);
	if (forNewColumn)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot add column \"%s\" with a volatile or non-built-in default to distributed table \"%s\"",
						get_attname(RelationGetRelid(rel), attnum, false),
						RelationGetRelationName(rel)),
				 errdetail("The nodes would have to compute the default for the existing rows."),
				 errhint("Add the column without a default, fill it with UPDATE, then use ALTER COLUMN ... SET DEFAULT.")));
	return NULL;
}

/*
 * ColumnAction returns the shard action for one column subcommand after
 * the coordinator ran it, from the coordinator's catalog; NULL when the
 * subcommand needs no action of its own.
 */
static char *
ColumnAction(Relation rel, AlterCmd *alter)
{
	AlterTableCmd *cmd = alter->cmd;
	Oid			relid = RelationGetRelid(rel);

	if (alter->skip)
		return NULL;
	if (alter->sql != NULL)
		return alter->sql;

	switch (cmd->subtype)
	{
		case AT_AddColumn:
			{
				ColumnDef  *def = (ColumnDef *) cmd->def;
				AttrNumber	attnum = get_attnum(relid, def->colname);
				Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
				StringInfoData buf;
				char	   *defaultSql;

				if (attr->atttypid >= FirstNormalObjectId)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("column \"%s\" has type %s, which is not built in",
									def->colname, format_type_be(attr->atttypid)),
							 errdetail("Worker nodes only know PostgreSQL's built-in types.")));
				if (OidIsValid(attr->attcollation) && attr->attcollation >= FirstNormalObjectId)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("column \"%s\" uses a collation that is not built in",
									def->colname)));
				initStringInfo(&buf);
				appendStringInfo(&buf, "ADD COLUMN %s %s", quote_identifier(def->colname),
								 format_type_with_typemod(attr->atttypid, attr->atttypmod));
				if (OidIsValid(attr->attcollation) &&
					attr->attcollation != get_typcollation(attr->atttypid))
					appendStringInfo(&buf, " COLLATE %s", generate_collation_name(attr->attcollation));
				if (attr->attnotnull)
					appendStringInfoString(&buf, " NOT NULL");
				if (attr->atthasdef &&
					(defaultSql = ShippedDefault(rel, attnum, true)) != NULL)
					appendStringInfo(&buf, " DEFAULT %s", defaultSql);
				return buf.data;
			}
		case AT_DropColumn:
			return psprintf("DROP COLUMN %s%s", quote_identifier(cmd->name),
							cmd->behavior == DROP_CASCADE ? " CASCADE" : "");
		case AT_ColumnDefault:
			{
				AttrNumber	attnum = get_attnum(relid, cmd->name);
				char	   *defaultSql = NULL;

				if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atthasdef)
					defaultSql = ShippedDefault(rel, attnum, false);
				if (defaultSql != NULL)
					return psprintf("ALTER COLUMN %s SET DEFAULT %s",
									quote_identifier(cmd->name), defaultSql);
				return psprintf("ALTER COLUMN %s DROP DEFAULT", quote_identifier(cmd->name));
			}
		case AT_SetNotNull:
			return psprintf("ALTER COLUMN %s SET NOT NULL", quote_identifier(cmd->name));
		case AT_DropNotNull:
			return psprintf("ALTER COLUMN %s DROP NOT NULL", quote_identifier(cmd->name));
		default:
			return NULL;
	}
}

/*
 * FinishAlterTable sends each shard the column actions in statement order,
 * between the drops of the constraints the statement removed and the
 * additions of those it created (found by comparing the constraint names
 * before and after; ALTER COLUMN TYPE rebuilds constraints under their old
 * names, and so do the nodes).
 */
static void
FinishAlterTable(DDLJob *job)
{
	DistTableEntry *table = LookupDistTable(job->relid);
	Relation	rel = relation_open(job->relid, NoLock);
	List	   *after = ConstraintsOf(job->relid);
	List	   *dropped = NIL;
	List	   *added = NIL;
	List	   *actions = NIL;
	List	   *validated = NIL;
	List	   *tasks = NIL;
	ListCell   *lc;
	int			pass;
	int			i;

	foreach(lc, job->constraintsBefore)
	{
		ConstraintRef *ref = lfirst(lc);

		if (FindConstraint(after, ref->name) == NULL ||
			list_member(job->explicitDrops, makeString(ref->name)))
			dropped = lappend(dropped, ref);
	}
	/* primary keys and unique constraints first: foreign keys may need them */
	for (pass = 0; pass < 2; pass++)
	{
		foreach(lc, after)
		{
			ConstraintRef *ref = lfirst(lc);
			bool		keyFirst = (ref->contype == CONSTRAINT_PRIMARY ||
									ref->contype == CONSTRAINT_UNIQUE);

			if (keyFirst != (pass == 0))
				continue;
			if (ref->contype == CONSTRAINT_FOREIGN && !ForeignKeyInShards(ref->oid))
				continue;		/* enforced by the coordinator */
			if (FindConstraint(job->constraintsBefore, ref->name) == NULL ||
				list_member(job->explicitDrops, makeString(ref->name)))
				added = lappend(added, ref);
		}
	}

	PushEmptySearchPath();
	PG_TRY();
	{
		foreach(lc, job->cmds)
		{
			AlterCmd   *alter = lfirst(lc);
			char	   *action = ColumnAction(rel, alter);

			if (action != NULL)
				actions = lappend(actions, action);
			if (alter->cmd->subtype == AT_ValidateConstraint && !alter->skip)
			{
				ConstraintRef *ref = FindConstraint(after, alter->cmd->name);

				/* PostgreSQL validated coordinator-enforced keys through the planner */
				if (ref != NULL && (ref->contype != CONSTRAINT_FOREIGN ||
									ForeignKeyInShards(ref->oid)))
					validated = lappend(validated, ref);
			}
		}

		for (i = 0; i < table->shardCount; i++)
		{
			int64		shardId = table->shards[i].shardId;
			char	   *shardName = ShardRelationName(table, i);
			StringInfoData sql;
			ListCell   *ac;

			initStringInfo(&sql);
			foreach(ac, dropped)
			{
				ConstraintRef *ref = lfirst(ac);

				appendStringInfo(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;", shardName,
								 quote_identifier(ShardConstraintName(ref->name, ref->contype, shardId)));
			}
			foreach(ac, actions)
				appendStringInfo(&sql, "ALTER TABLE %s %s;", shardName, (char *) lfirst(ac));
			foreach(ac, added)
				appendStringInfo(&sql, "ALTER TABLE %s ADD %s;", shardName,
								 ShardConstraintDefinition(((ConstraintRef *) lfirst(ac))->oid,
														   table, i));
			foreach(ac, validated)
			{
				ConstraintRef *ref = lfirst(ac);

				if (ref != NULL)
					appendStringInfo(&sql, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", shardName,
									 quote_identifier(ShardConstraintName(ref->name, ref->contype,
																		  shardId)));
			}
			if (sql.len > 0)
			{
				sql.data[--sql.len] = '\0';
				tasks = AppendPlacementTasks(tasks, table, i, sql.data);
			}
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
	relation_close(rel, NoLock);
	RunJobTasks(tasks, false, NULL);
}

/*
 * PlanCreateIndex checks CREATE INDEX on a distributed table: a unique
 * index must contain the distribution column as a plain column.
 */
static DDLJob *
PlanCreateIndex(IndexStmt *stmt)
{
	Oid			relid = DistributedRelation(stmt->relation, NoLock);
	DistTableEntry *table;
	DDLJob	   *job;
	Relation	rel;

	if (!OidIsValid(relid))
		return NULL;
	table = LookupDistTable(relid);
	if (stmt->excludeOpNames != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("exclusion constraints are not supported on distributed table \"%s\"",
						get_rel_name(relid))));
	if (stmt->unique && table->method == DIST_METHOD_HASH)
	{
		char	   *distColumn = DistributionColumnName(table);
		bool		found = false;
		ListCell   *lc;

		foreach(lc, stmt->indexParams)
		{
			IndexElem  *elem = lfirst(lc);

			if (elem->name != NULL && strcmp(elem->name, distColumn) == 0)
				found = true;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("unique index on distributed table \"%s\" must include distribution column \"%s\"",
							get_rel_name(relid), distColumn),
					 errdetail("Uniqueness can only be enforced within a shard.")));
	}

	job = NewJob(stmt->concurrent ? DDL_CREATE_INDEX_CONCURRENTLY : DDL_CREATE_INDEX, relid);
	rel = relation_open(relid, AccessShareLock);
	job->indexesBefore = list_copy(RelationGetIndexList(rel));
	relation_close(rel, AccessShareLock);
	return job;
}

/*
 * FinishCreateIndex creates the index the coordinator just created on
 * every shard.  CONCURRENTLY: the coordinator's index is marked invalid
 * (and that committed) while the shards build theirs one at a time, and
 * valid again when all succeeded; on failure it stays invalid, so that
 * neither the planner nor the user takes it for complete.
 */
static void
FinishCreateIndex(DDLJob *job)
{
	bool		concurrently = (job->kind == DDL_CREATE_INDEX_CONCURRENTLY);
	DistTableEntry *table = LookupDistTable(job->relid);
	Relation	rel;
	List	   *newIndexes = NIL;
	List	   *tasks = NIL;
	ListCell   *lc;
	MemoryContext oldContext;
	char	   *hint = NULL;
	Oid			indexOid;

	if (table == NULL)
		return;
	rel = relation_open(job->relid, AccessShareLock);
	foreach(lc, RelationGetIndexList(rel))
	{
		if (!list_member_oid(job->indexesBefore, lfirst_oid(lc)))
			newIndexes = lappend_oid(newIndexes, lfirst_oid(lc));
	}
	relation_close(rel, AccessShareLock);
	if (newIndexes == NIL)
		return;					/* IF NOT EXISTS */

	/* the tasks must survive the transaction commits of CONCURRENTLY */
	oldContext = MemoryContextSwitchTo(job->context);
	PushEmptySearchPath();
	PG_TRY();
	{
		foreach(lc, newIndexes)
		{
			Oid			newIndex = lfirst_oid(lc);
			char	   *indexName = get_rel_name(newIndex);
			int			i;

			for (i = 0; i < table->shardCount; i++)
				tasks = AppendPlacementTasks(tasks, table, i,
											 ShardIndexCommand(newIndex, ShardRelationName(table, i),
															   ShardObjectName(indexName,
																			   table->shards[i].shardId),
															   concurrently));
			if (concurrently)
				hint = psprintf("Index \"%s\" is left invalid on the coordinator and may exist on some shards; "
								"DROP INDEX CONCURRENTLY %s removes it everywhere, then create it again.",
								indexName,
								quote_qualified_identifier(get_namespace_name(get_rel_namespace(newIndex)),
														   indexName));
		}
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldContext);

	if (!concurrently)
	{
		RunJobTasks(tasks, false, NULL);
		return;
	}

	/*
	 * CONCURRENTLY makes one index.  Only job->context survives the commit
	 * (current memory is the transaction's).
	 */
	indexOid = linitial_oid(newIndexes);
	index_set_state_flags(indexOid, INDEX_DROP_CLEAR_VALID);
	CacheInvalidateRelcacheByRelid(job->relid);
	CommitTransactionCommand();
	StartTransactionCommand();

	RunJobTasks(tasks, true, hint);

	index_set_state_flags(indexOid, INDEX_CREATE_SET_VALID);
	CacheInvalidateRelcacheByRelid(job->relid);
}

/*
 * PlanDropIndex collects the shard indexes of dropped indexes of
 * distributed tables.  DROP INDEX CONCURRENTLY drops them right away, one
 * at a time, before the coordinator's index, so that a failure leaves the
 * coordinator's index in place and a rerun finishes the job.
 */
static DDLJob *
PlanDropIndex(DropStmt *stmt, bool isTopLevel)
{
	DDLJob	   *job = NULL;
	List	   *tasks = NIL;
	ListCell   *lc;
	char	   *indexName = NULL;

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid			indexOid = RangeVarGetRelid(rv, NoLock, true);
		DistTableEntry *table;
		char	   *schemaName;
		int			i;

		if (!OidIsValid(indexOid) || get_rel_relkind(indexOid) != RELKIND_INDEX)
			continue;
		table = LookupDistTable(IndexGetRelation(indexOid, false));
		if (table == NULL)
			continue;
		if (stmt->concurrent)
		{
			/* PostgreSQL's own checks first: nothing may be dropped before them */
			if (list_length(stmt->objects) != 1 ||
				OidIsValid(get_index_constraint(indexOid)))
				return NULL;
			PreventInTransactionBlock(isTopLevel, "DROP INDEX CONCURRENTLY");
			if (!pg_class_ownercheck(indexOid, GetUserId()))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, get_rel_name(indexOid));
		}
		indexName = get_rel_name(indexOid);
		schemaName = get_namespace_name(get_rel_namespace(indexOid));
		for (i = 0; i < table->shardCount; i++)
			tasks = AppendPlacementTasks(tasks, table, i,
										 psprintf("DROP INDEX %sIF EXISTS %s%s",
												  stmt->concurrent ? "CONCURRENTLY " : "",
												  quote_qualified_identifier(schemaName,
																			 ShardObjectName(indexName,
																							 table->shards[i].shardId)),
												  stmt->behavior == DROP_CASCADE ? " CASCADE" : ""));
	}
	if (tasks == NIL)
		return NULL;
	if (stmt->concurrent)
	{
		RunJobTasks(tasks, true,
					psprintf("Index \"%s\" still exists on the coordinator; run DROP INDEX CONCURRENTLY again.",
							 indexName));
		return NULL;
	}
	job = NewJob(DDL_TASKS, InvalidOid);
	job->tasks = tasks;
	return job;
}

/*
 * PlanRename prepares the shard commands of renaming a distributed table,
 * one of its columns, constraints or indexes.  Old shard names are
 * computed now, before the coordinator's names change.
 */
static DDLJob *
PlanRename(RenameStmt *stmt)
{
	Oid			relid;
	Oid			tableOid;
	DistTableEntry *table;
	List	   *tasks = NIL;
	int			i;
	DDLJob	   *job;

	if (stmt->relation == NULL)
		return NULL;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid))
		return NULL;
	tableOid = relid;
	if (get_rel_relkind(relid) == RELKIND_INDEX)
		tableOid = IndexGetRelation(relid, false);
	table = LookupDistTable(tableOid);
	if (table == NULL)
		return NULL;

	for (i = 0; i < table->shardCount; i++)
	{
		int64		shardId = table->shards[i].shardId;
		char	   *shardName = ShardRelationName(table, i);
		char	   *sql;

		switch (stmt->renameType)
		{
			case OBJECT_TABLE:
			case OBJECT_INDEX:
				if (tableOid != relid)
				{
					char	   *schemaName = get_namespace_name(get_rel_namespace(relid));

					sql = psprintf("ALTER INDEX %s RENAME TO %s",
								   quote_qualified_identifier(schemaName,
															  ShardObjectName(get_rel_name(relid), shardId)),
								   quote_identifier(ShardObjectName(stmt->newname, shardId)));
				}
				else
				{
					char		newName[NAMEDATALEN * 2];

					if (strlen(stmt->newname) > NAMEDATALEN - 1 - 21)
						ereport(ERROR,
								(errcode(ERRCODE_NAME_TOO_LONG),
								 errmsg("table name \"%s\" is too long for a distributed table",
										stmt->newname),
								 errdetail("Shard names append an underscore and the shard id to the table name."),
								 errhint("Use at most %d characters.", NAMEDATALEN - 1 - 21)));
					snprintf(newName, sizeof(newName), "%s_" INT64_FORMAT, stmt->newname, shardId);
					sql = psprintf("ALTER TABLE %s RENAME TO %s", shardName,
								   quote_identifier(newName));
				}
				break;
			case OBJECT_COLUMN:
				if (tableOid != relid)
					return NULL;
				sql = psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", shardName,
							   quote_identifier(stmt->subname), quote_identifier(stmt->newname));
				break;
			case OBJECT_TABCONSTRAINT:
				{
					Oid			conOid = get_relation_constraint_oid(tableOid, stmt->subname, true);
					HeapTuple	tuple;
					char		contype;

					if (!OidIsValid(conOid))
						return NULL;	/* PostgreSQL reports it */
					tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conOid));
					if (!HeapTupleIsValid(tuple))
						elog(ERROR, "cache lookup failed for constraint %u", conOid);
					contype = ((Form_pg_constraint) GETSTRUCT(tuple))->contype;
					ReleaseSysCache(tuple);
					sql = psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", shardName,
								   quote_identifier(ShardConstraintName(stmt->subname, contype, shardId)),
								   quote_identifier(ShardConstraintName(stmt->newname, contype, shardId)));
					break;
				}
			default:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("this rename is not supported on distributed table \"%s\"",
								get_rel_name(tableOid))));
				sql = NULL;		/* keep the compiler quiet */
		}
		tasks = AppendPlacementTasks(tasks, table, i, sql);
	}
	job = NewJob(DDL_TASKS, tableOid);
	job->tasks = tasks;
	return job;
}

/*
 * PlanVacuum prepares VACUUM or ANALYZE of every shard of the distributed
 * tables named (a bare VACUUM or ANALYZE covers the coordinator only).
 * Options are passed on as given.  VACUUM, and ANALYZE outside a
 * transaction block, run shard by shard in autocommit on the nodes.  With
 * ANALYZE, the tables' shells then take the shards' statistics.
 */
static DDLJob *
PlanVacuum(VacuumStmt *stmt, bool isTopLevel)
{
	StringInfoData options;
	List	   *tasks = NIL;
	List	   *analyzedRelids = NIL;
	bool		analyze = !stmt->is_vacuumcmd;
	ListCell   *lc;
	DDLJob	   *job;

	initStringInfo(&options);
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst(lc);

		if (strcmp(opt->defname, "analyze") == 0)
			analyze = defGetBoolean(opt);

		appendStringInfoString(&options, options.len == 0 ? " (" : ", ");
		appendStringInfoString(&options, quote_identifier(opt->defname));
		if (opt->arg == NULL)
			continue;
		if (IsA(opt->arg, Integer) || IsA(opt->arg, Float))
			appendStringInfo(&options, " %s", defGetString(opt));
		else
			appendStringInfo(&options, " %s", quote_literal_cstr(defGetString(opt)));
	}
	if (options.len > 0)
		appendStringInfoChar(&options, ')');

	foreach(lc, stmt->rels)
	{
		VacuumRelation *vrel = lfirst(lc);
		Oid			relid = DistributedRelation(vrel->relation, NoLock);
		DistTableEntry *table;
		StringInfoData columns;
		ListCell   *cc;
		int			i;

		if (!OidIsValid(relid))
			continue;
		table = LookupDistTable(relid);
		initStringInfo(&columns);
		foreach(cc, vrel->va_cols)
			appendStringInfo(&columns, "%s%s", columns.len == 0 ? " (" : ", ",
							 quote_identifier(strVal(lfirst(cc))));
		if (columns.len > 0)
			appendStringInfoChar(&columns, ')');
		if (analyze)
			analyzedRelids = lappend_oid(analyzedRelids, relid);
		for (i = 0; i < table->shardCount; i++)
			tasks = AppendPlacementTasks(tasks, table, i,
										 psprintf("%s%s %s%s",
												  stmt->is_vacuumcmd ? "VACUUM" : "ANALYZE",
												  options.data, ShardRelationName(table, i),
												  columns.data));
	}
	if (tasks == NIL)
		return NULL;
	job = NewJob(DDL_TASKS, InvalidOid);
	job->tasks = tasks;
	job->outsideTransaction = stmt->is_vacuumcmd || !IsInTransactionBlock(isTopLevel);
	job->analyzedRelids = analyzedRelids;
	return job;
}

/*
 * RunJobTasks runs shard commands: in the coordinator's transaction with
 * two-phase commit (the coordinator's catalog changed too), or one at a
 * time in autocommit on the nodes, adding failureHint to an error.
 */
static void
RunJobTasks(List *tasks, bool outsideTransaction, const char *failureHint)
{
	ListCell   *lc;

	if (tasks == NIL)
		return;
	if (!outsideTransaction)
	{
		RequireTwoPhaseCommit();
		RunWriteTasks(tasks);
		return;
	}

	foreach(lc, tasks)
	{
		Task	   *task = lfirst(lc);
		MemoryContext context = CurrentMemoryContext;

		CHECK_FOR_INTERRUPTS();
		PG_TRY();
		{
			NodeConnection *conn = ConnectionForNode(task->nodeId);

			RunRemotePrefix(conn, false);
			ExecuteRemoteCommandNoResult(conn, task->sql);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			if (failureHint == NULL)
				PG_RE_THROW();
			MemoryContextSwitchTo(context);
			edata = CopyErrorData();
			FlushErrorState();
			edata->hint = edata->hint ? psprintf("%s\n%s", edata->hint, failureHint)
				: pstrdup(failureHint);
			ReThrowError(edata);
		}
		PG_END_TRY();
	}
}

/*
 * TasksJob returns a job that runs tasks in the coordinator's transaction,
 * or NULL when there are none.
 */
static DDLJob *
TasksJob(List *tasks)
{
	DDLJob	   *job;

	if (tasks == NIL)
		return NULL;
	job = NewJob(DDL_TASKS, InvalidOid);
	job->tasks = tasks;
	return job;
}

/*
 * PlanDistributedDDL: see ddl_propagation.h.
 */
DDLJob *
PlanDistributedDDL(Node *parsetree, bool isTopLevel)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			return PlanAlterTable((AlterTableStmt *) parsetree);
		case T_IndexStmt:
			return PlanCreateIndex((IndexStmt *) parsetree);
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_INDEX)
				return PlanDropIndex((DropStmt *) parsetree, isTopLevel);
			return NULL;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_SCHEMA)
				return TasksJob(PlanSchemaRename((RenameStmt *) parsetree));
			return PlanRename((RenameStmt *) parsetree);
		case T_AlterObjectSchemaStmt:
			return TasksJob(PlanSetSchema((AlterObjectSchemaStmt *) parsetree));
		case T_VacuumStmt:
			return PlanVacuum((VacuumStmt *) parsetree, isTopLevel);
		default:
			return NULL;
	}
}

/*
 * FinishDistributedDDL: see ddl_propagation.h.
 */
void
FinishDistributedDDL(DDLJob *job)
{
	ListCell   *lc;

	switch (job->kind)
	{
		case DDL_ALTER_TABLE:
			FinishAlterTable(job);
			break;
		case DDL_CREATE_INDEX:
		case DDL_CREATE_INDEX_CONCURRENTLY:
			FinishCreateIndex(job);
			break;
		case DDL_TASKS:
			RunJobTasks(job->tasks, job->outsideTransaction, NULL);
			foreach(lc, job->analyzedRelids)
				PullShardStatistics(lfirst_oid(lc));
			break;
	}
}
