/*-------------------------------------------------------------------------
 * keyed_rows.h
 *	  Rows of a remote scan kept on the coordinator, found by one column.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_KEYED_ROWS_H
#define SHARD_KEYED_ROWS_H

#include "executor/tuptable.h"

typedef struct KeyedRows KeyedRows;

extern KeyedRows *CreateKeyedRows(MemoryContext parent, Oid keyHashFunc, Oid valueHashFunc,
								  Oid collation, Size maxBytes);
extern bool AddKeyedRow(KeyedRows *rows, TupleTableSlot *slot, Datum key, bool keyIsNull);
extern void FindKeyedRows(KeyedRows *rows, Datum value, bool valueIsNull);
extern MinimalTuple NextKeyedRow(KeyedRows *rows);
extern void FreeKeyedRows(KeyedRows *rows);

#endif
