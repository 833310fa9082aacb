/*-------------------------------------------------------------------------
 * foreign_key_checks.h
 *	  The coordinator's checks of foreign keys that the shards cannot
 *	  check, for rows written to distributed tables.
 *-------------------------------------------------------------------------
 */
#ifndef SHARD_FOREIGN_KEY_CHECKS_H
#define SHARD_FOREIGN_KEY_CHECKS_H

#include "nodes/nodes.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

typedef struct ForeignKeyChecks ForeignKeyChecks;

extern void InitForeignKeyChecks(void);
extern ForeignKeyChecks *StartForeignKeyChecks(Oid relid);
extern ForeignKeyChecks *StartReturnedKeyChecks(CmdType commandType, List *scanTlist);
extern void ForeignKeyChecksAddRow(ForeignKeyChecks *checks, Datum *values, bool *isnull);
extern void FinishForeignKeyChecks(ForeignKeyChecks *checks);
extern void SetForeignKeyCheckModes(ConstraintsSetStmt *stmt);

#endif							/* SHARD_FOREIGN_KEY_CHECKS_H */
