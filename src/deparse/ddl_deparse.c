/*-------------------------------------------------------------------------
 * ddl_deparse.c
 *	  Writes the CREATE INDEX commands and constraint definitions that give
 *	  a shard the indexes and constraints of its distributed table.
 *
 * Every command is assembled from catalog fields: names through
 * quote_identifier (or the quoted, qualified shard names the caller
 * passes), option values through quote_literal_cstr, and each expression
 * (an index column expression, an index predicate, a CHECK body) deparsed
 * by PostgreSQL from its node tree as a whole.  No text that holds a
 * user-chosen name is ever searched or edited: such a name can contain
 * any SQL.
 *
 * Callers run with an empty search path, so that ruleutils qualifies every
 * function, type, operator and collation outside pg_catalog; worker
 * sessions run with search_path = pg_catalog.  No I/O.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "deparse/ddl_deparse.h"

/* what a CREATE INDEX or an index-backed constraint is made of */
typedef struct IndexParts
{
	Oid			indexOid;
	Oid			relid;			/* the indexed table */
	Form_pg_index index;		/* in indexTuple */
	HeapTuple	indexTuple;		/* copy of the pg_index row */
	oidvector  *collations;
	oidvector  *opclasses;
	int2vector *options;		/* INDOPTION_* per key column */
	List	   *exprs;			/* expressions of the 0 entries of indkey */
	Node	   *predicate;		/* or NULL */
	Oid			amOid;
	bool		amCanOrder;
	Oid			tablespace;		/* or InvalidOid: the database's */
	Datum		reloptions;		/* text[], or (Datum) 0 */
	List	   *context;		/* deparse context of the table */
} IndexParts;

static void ReadIndexParts(Oid indexOid, IndexParts *parts);
static void AppendIndexKey(StringInfo buf, IndexParts *parts, int keyno,
						   ListCell **nextExpr);
static void AppendIndexElements(StringInfo buf, IndexParts *parts, bool namesOnly,
								Datum exclusionOps);
static void AppendIndexTail(StringInfo buf, IndexParts *parts, bool forConstraint);
static void AppendReloptions(StringInfo buf, Datum reloptions);
static void AppendColumnList(StringInfo buf, Oid relid, HeapTuple conTuple,
							 AttrNumber attribute);
static void AppendIndexConstraint(StringInfo buf, Form_pg_constraint con,
								  HeapTuple conTuple);
static void AppendCheckConstraint(StringInfo buf, Form_pg_constraint con,
								  HeapTuple conTuple);
static void AppendForeignKey(StringInfo buf, Form_pg_constraint con, HeapTuple conTuple,
							 const char *referencedShardName);
static const char *ForeignKeyActionName(char action);

/*
 * ReadIndexParts fills parts from the catalog rows of the index indexOid
 * (copied: nothing stays pinned).  Throws if the index is gone.
 */
static void
ReadIndexParts(Oid indexOid, IndexParts *parts)
{
	HeapTuple	tuple;
	Form_pg_class classForm;
	Datum		datum;
	bool		isnull;

	memset(parts, 0, sizeof(IndexParts));
	parts->indexOid = indexOid;

	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexOid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for index %u", indexOid);
	parts->indexTuple = heap_copytuple(tuple);
	ReleaseSysCache(tuple);
	parts->index = (Form_pg_index) GETSTRUCT(parts->indexTuple);
	parts->relid = parts->index->indrelid;
	parts->collations = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, parts->indexTuple,
																	  Anum_pg_index_indcollation,
																	  &isnull));
	parts->opclasses = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, parts->indexTuple,
																	 Anum_pg_index_indclass,
																	 &isnull));
	parts->options = (int2vector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, parts->indexTuple,
																	Anum_pg_index_indoption,
																	&isnull));
	datum = SysCacheGetAttr(INDEXRELID, parts->indexTuple, Anum_pg_index_indexprs, &isnull);
	if (!isnull)
		parts->exprs = (List *) stringToNode(TextDatumGetCString(datum));
	datum = SysCacheGetAttr(INDEXRELID, parts->indexTuple, Anum_pg_index_indpred, &isnull);
	if (!isnull)
	{
		parts->predicate = (Node *) stringToNode(TextDatumGetCString(datum));
		if (IsA(parts->predicate, List))
			parts->predicate = (Node *) make_ands_explicit((List *) parts->predicate);
	}

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(indexOid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", indexOid);
	classForm = (Form_pg_class) GETSTRUCT(tuple);
	parts->amOid = classForm->relam;
	parts->tablespace = classForm->reltablespace;
	datum = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
		parts->reloptions = datumCopy(datum, false, -1);
	ReleaseSysCache(tuple);

	parts->amCanOrder = GetIndexAmRoutineByAmId(parts->amOid, false)->amcanorder;
	parts->context = deparse_context_for(get_rel_name(parts->relid), parts->relid);
}

/*
 * AppendIndexKey appends key column keyno of an index: the column name or
 * the parenthesized expression (taking the next of *nextExpr), then a
 * COLLATE that differs from the key's own, a non-default operator class
 * with its options, and the ordering.
 */
static void
AppendIndexKey(StringInfo buf, IndexParts *parts, int keyno, ListCell **nextExpr)
{
	AttrNumber	attno = parts->index->indkey.values[keyno];
	Oid			opclass = parts->opclasses->values[keyno];
	Oid			collation = parts->collations->values[keyno];
	int16		option = parts->options->values[keyno];
	Oid			keyType;
	int32		keyTypmod;
	Oid			keyCollation;
	Datum		opclassOptions;

	if (attno != 0)
	{
		appendStringInfoString(buf, quote_identifier(get_attname(parts->relid, attno, false)));
		get_atttypetypmodcoll(parts->relid, attno, &keyType, &keyTypmod, &keyCollation);
	}
	else
	{
		Node	   *expr;

		if (*nextExpr == NULL)
			elog(ERROR, "too few expressions in index %u", parts->indexOid);
		expr = (Node *) lfirst(*nextExpr);
		*nextExpr = lnext(parts->exprs, *nextExpr);
		appendStringInfo(buf, "(%s)", deparse_expression(expr, parts->context, false, false));
		keyType = exprType(expr);
		keyCollation = exprCollation(expr);
	}

	if (OidIsValid(collation) && collation != keyCollation)
		appendStringInfo(buf, " COLLATE %s", generate_collation_name(collation));

	opclassOptions = get_attoptions(parts->indexOid, keyno + 1);
	if (GetDefaultOpClass(keyType, parts->amOid) != opclass || opclassOptions != (Datum) 0)
	{
		HeapTuple	tuple = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
		Form_pg_opclass opclassForm;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for operator class %u", opclass);
		opclassForm = (Form_pg_opclass) GETSTRUCT(tuple);
		appendStringInfo(buf, " %s",
						 quote_qualified_identifier(get_namespace_name(opclassForm->opcnamespace),
													NameStr(opclassForm->opcname)));
		ReleaseSysCache(tuple);
		if (opclassOptions != (Datum) 0)
		{
			appendStringInfoString(buf, " (");
			AppendReloptions(buf, opclassOptions);
			appendStringInfoChar(buf, ')');
		}
	}

	if (parts->amCanOrder && (option & INDOPTION_DESC) != 0)
		appendStringInfoString(buf, (option & INDOPTION_NULLS_FIRST) != 0 ? " DESC" :
							   " DESC NULLS LAST");
	else if (parts->amCanOrder && (option & INDOPTION_NULLS_FIRST) != 0)
		appendStringInfoString(buf, " NULLS FIRST");
}

/*
 * AppendIndexElements appends "(key, ...)" of an index: full elements, or
 * only the column names (PRIMARY KEY and UNIQUE constraints).  With
 * exclusionOps (an oid[] of pg_constraint.conexclop), each element gets
 * its WITH operator.
 */
static void
AppendIndexElements(StringInfo buf, IndexParts *parts, bool namesOnly, Datum exclusionOps)
{
	ListCell   *nextExpr = list_head(parts->exprs);
	Datum	   *operators = NULL;
	int			operatorCount = 0;
	int			keyno;

	if (exclusionOps != (Datum) 0)
		deconstruct_array(DatumGetArrayTypeP(exclusionOps), OIDOID, sizeof(Oid), true,
						  TYPALIGN_INT, &operators, NULL, &operatorCount);

	appendStringInfoChar(buf, '(');
	for (keyno = 0; keyno < parts->index->indnkeyatts; keyno++)
	{
		if (keyno > 0)
			appendStringInfoString(buf, ", ");
		if (namesOnly)
		{
			AttrNumber	attno = parts->index->indkey.values[keyno];

			if (attno <= 0)
				elog(ERROR, "constraint index %u has an expression", parts->indexOid);
			appendStringInfoString(buf, quote_identifier(get_attname(parts->relid, attno, false)));
		}
		else
			AppendIndexKey(buf, parts, keyno, &nextExpr);
		if (keyno < operatorCount)
		{
			HeapTuple	tuple = SearchSysCache1(OPEROID, operators[keyno]);
			Form_pg_operator operForm;

			if (!HeapTupleIsValid(tuple))
				elog(ERROR, "cache lookup failed for operator %u", DatumGetObjectId(operators[keyno]));
			operForm = (Form_pg_operator) GETSTRUCT(tuple);
			appendStringInfo(buf, " WITH OPERATOR(%s.%s)",
							 quote_identifier(get_namespace_name(operForm->oprnamespace)),
							 NameStr(operForm->oprname));
			ReleaseSysCache(tuple);
		}
	}
	appendStringInfoChar(buf, ')');
}

/*
 * AppendIndexTail appends what follows an index's elements: INCLUDE
 * columns, NULLS NOT DISTINCT (an index; a UNIQUE constraint has it before
 * its columns), storage parameters, tablespace and predicate.
 */
static void
AppendIndexTail(StringInfo buf, IndexParts *parts, bool forConstraint)
{
	int			keyno;

	for (keyno = parts->index->indnkeyatts; keyno < parts->index->indnatts; keyno++)
		appendStringInfo(buf, "%s%s", keyno == parts->index->indnkeyatts ? " INCLUDE (" : ", ",
						 quote_identifier(get_attname(parts->relid,
													  parts->index->indkey.values[keyno],
													  false)));
	if (parts->index->indnatts > parts->index->indnkeyatts)
		appendStringInfoChar(buf, ')');
	if (!forConstraint && parts->index->indnullsnotdistinct)
		appendStringInfoString(buf, " NULLS NOT DISTINCT");
	if (parts->reloptions != (Datum) 0)
	{
		appendStringInfoString(buf, " WITH (");
		AppendReloptions(buf, parts->reloptions);
		appendStringInfoChar(buf, ')');
	}
	if (OidIsValid(parts->tablespace))
		appendStringInfo(buf, "%s %s", forConstraint ? " USING INDEX TABLESPACE" : " TABLESPACE",
						 quote_identifier(get_tablespace_name(parts->tablespace)));
	if (parts->predicate != NULL)
		appendStringInfo(buf, " WHERE (%s)",
						 deparse_expression(parts->predicate, parts->context, false, false));
}

/*
 * AppendReloptions appends "name = 'value', ..." for a text[] of
 * "name=value" entries (pg_class.reloptions, pg_attribute.attoptions).
 */
static void
AppendReloptions(StringInfo buf, Datum reloptions)
{
	Datum	   *options;
	int			count;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(reloptions), TEXTOID, -1, false, TYPALIGN_INT,
					  &options, NULL, &count);
	for (i = 0; i < count; i++)
	{
		char	   *name = TextDatumGetCString(options[i]);
		char	   *separator = strchr(name, '=');
		char	   *value = "";

		if (separator != NULL)
		{
			*separator = '\0';
			value = separator + 1;
		}
		appendStringInfo(buf, "%s%s = %s", i > 0 ? ", " : "", quote_identifier(name),
						 quote_literal_cstr(value));
	}
}

/*
 * ShardIndexCommand: see ddl_deparse.h.
 */
char *
ShardIndexCommand(Oid indexOid, const char *shardName, const char *shardIndexName,
				  bool concurrently)
{
	IndexParts	parts;
	StringInfoData buf;

	ReadIndexParts(indexOid, &parts);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sINDEX %s%s ON %s USING %s ",
					 parts.index->indisunique ? "UNIQUE " : "",
					 concurrently ? "CONCURRENTLY " : "",
					 quote_identifier(shardIndexName), shardName,
					 quote_identifier(get_am_name(parts.amOid)));
	AppendIndexElements(&buf, &parts, false, (Datum) 0);
	AppendIndexTail(&buf, &parts, false);
	return buf.data;
}

/*
 * AppendColumnList appends "(a, b)": the names of relid's columns whose
 * numbers are in the int2[] attribute of the pg_constraint row conTuple.
 */
static void
AppendColumnList(StringInfo buf, Oid relid, HeapTuple conTuple, AttrNumber attribute)
{
	Datum	   *keys;
	int			count;
	bool		isnull;
	Datum		datum = SysCacheGetAttr(CONSTROID, conTuple, attribute, &isnull);
	int			i;

	if (isnull)
		elog(ERROR, "constraint has no column list %d", attribute);
	deconstruct_array(DatumGetArrayTypeP(datum), INT2OID, sizeof(int16), true, TYPALIGN_SHORT,
					  &keys, NULL, &count);
	appendStringInfoChar(buf, '(');
	for (i = 0; i < count; i++)
		appendStringInfo(buf, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(get_attname(relid, DatumGetInt16(keys[i]), false)));
	appendStringInfoChar(buf, ')');
}

/*
 * AppendIndexConstraint appends PRIMARY KEY (...), UNIQUE [NULLS NOT
 * DISTINCT] (...) or EXCLUDE USING am (...), from the constraint's index.
 */
static void
AppendIndexConstraint(StringInfo buf, Form_pg_constraint con, HeapTuple conTuple)
{
	IndexParts	parts;
	Datum		exclusionOps = (Datum) 0;
	bool		isnull;

	ReadIndexParts(con->conindid, &parts);
	if (con->contype == CONSTRAINT_PRIMARY)
		appendStringInfoString(buf, "PRIMARY KEY ");
	else if (con->contype == CONSTRAINT_UNIQUE)
		appendStringInfo(buf, "UNIQUE %s",
						 parts.index->indnullsnotdistinct ? "NULLS NOT DISTINCT " : "");
	else
	{
		appendStringInfo(buf, "EXCLUDE USING %s ", quote_identifier(get_am_name(parts.amOid)));
		exclusionOps = SysCacheGetAttr(CONSTROID, conTuple, Anum_pg_constraint_conexclop,
									   &isnull);
		if (isnull)
			elog(ERROR, "exclusion constraint %u has no operators", con->oid);
	}
	AppendIndexElements(buf, &parts, con->contype != CONSTRAINT_EXCLUSION, exclusionOps);
	AppendIndexTail(buf, &parts, true);
}

/*
 * AppendCheckConstraint appends CHECK (body) [NO INHERIT]: the body is
 * deparsed as a whole from its node tree.
 */
static void
AppendCheckConstraint(StringInfo buf, Form_pg_constraint con, HeapTuple conTuple)
{
	bool		isnull;
	Datum		datum = SysCacheGetAttr(CONSTROID, conTuple, Anum_pg_constraint_conbin, &isnull);
	Node	   *expr;

	if (isnull)
		elog(ERROR, "check constraint %u has no expression", con->oid);
	expr = (Node *) stringToNode(TextDatumGetCString(datum));
	appendStringInfo(buf, "CHECK (%s)%s",
					 deparse_expression(expr,
										deparse_context_for(get_rel_name(con->conrelid),
															con->conrelid),
										false, false),
					 con->connoinherit ? " NO INHERIT" : "");
}

/*
 * ForeignKeyActionName returns the SQL of a referential action, or NULL
 * for NO ACTION (the default).
 */
static const char *
ForeignKeyActionName(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "RESTRICT";
		case FKCONSTR_ACTION_CASCADE:
			return "CASCADE";
		case FKCONSTR_ACTION_SETNULL:
			return "SET NULL";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "SET DEFAULT";
		default:
			return NULL;
	}
}

/*
 * AppendForeignKey appends FOREIGN KEY (...) REFERENCES referencedShardName
 * (...) with the match type and the actions; ON DELETE SET NULL/SET
 * DEFAULT keep their column list (confdelsetcols).
 */
static void
AppendForeignKey(StringInfo buf, Form_pg_constraint con, HeapTuple conTuple,
				 const char *referencedShardName)
{
	const char *updateAction = ForeignKeyActionName(con->confupdtype);
	const char *deleteAction = ForeignKeyActionName(con->confdeltype);
	bool		isnull;

	if (referencedShardName == NULL)
		elog(ERROR, "foreign key %u needs the referenced shard", con->oid);
	appendStringInfoString(buf, "FOREIGN KEY ");
	AppendColumnList(buf, con->conrelid, conTuple, Anum_pg_constraint_conkey);
	appendStringInfo(buf, " REFERENCES %s ", referencedShardName);
	AppendColumnList(buf, con->confrelid, conTuple, Anum_pg_constraint_confkey);
	if (con->confmatchtype == FKCONSTR_MATCH_FULL)
		appendStringInfoString(buf, " MATCH FULL");
	if (updateAction != NULL)
		appendStringInfo(buf, " ON UPDATE %s", updateAction);
	if (deleteAction != NULL)
	{
		appendStringInfo(buf, " ON DELETE %s", deleteAction);
		(void) SysCacheGetAttr(CONSTROID, conTuple, Anum_pg_constraint_confdelsetcols, &isnull);
		if (!isnull)
		{
			appendStringInfoChar(buf, ' ');
			AppendColumnList(buf, con->conrelid, conTuple, Anum_pg_constraint_confdelsetcols);
		}
	}
}

/*
 * DeparseShardConstraint: see ddl_deparse.h.
 */
char *
DeparseShardConstraint(Oid constraintOid, const char *shardConstraintName,
					   const char *referencedShardName)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraintOid));
	Form_pg_constraint con;
	StringInfoData buf;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", constraintOid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CONSTRAINT %s ", quote_identifier(shardConstraintName));
	switch (con->contype)
	{
		case CONSTRAINT_CHECK:
			AppendCheckConstraint(&buf, con, tuple);
			break;
		case CONSTRAINT_PRIMARY:
		case CONSTRAINT_UNIQUE:
		case CONSTRAINT_EXCLUSION:
			AppendIndexConstraint(&buf, con, tuple);
			break;
		case CONSTRAINT_FOREIGN:
			AppendForeignKey(&buf, con, tuple, referencedShardName);
			break;
		default:
			elog(ERROR, "constraint %u of type '%c' cannot be deparsed", constraintOid,
				 con->contype);
	}
	if (con->condeferrable)
		appendStringInfoString(&buf, " DEFERRABLE");
	if (con->condeferred)
		appendStringInfoString(&buf, " INITIALLY DEFERRED");
	if (!con->convalidated)
		appendStringInfoString(&buf, " NOT VALID");
	ReleaseSysCache(tuple);
	return buf.data;
}
