/*-------------------------------------------------------------------------
 * node_roles.c
 *	  What shard.add_node checks before it registers a secondary: the
 *	  server is a hot standby, of the same system as its primary (same
 *	  system identifier), streaming from it, and readable by the probe.
 *
 * "Streaming from it": the standby's WAL receiver is streaming from a
 * server on the primary's port (pg_stat_wal_receiver.sender_port; a
 * cascaded standby streams from another standby of the same system, on
 * another port) and the primary has a WAL sender streaming.  The probe of
 * the background worker (transaction/node_health.c) reads
 * pg_stat_wal_receiver on the standby and pg_stat_replication on the
 * primary, whose interesting columns need pg_read_all_stats (or
 * superuser): add_node checks that the connecting role has it on both.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq-fe.h"

#include "commands/node_roles.h"
#include "connection/connection.h"
#include "metadata/metadata.h"
#include "transaction/node_stats.h"

static void CheckReadsStats(NodeConnection *conn, const char *what);
static NodeIdentity *PrimaryIdentity(NodeInfo *primary);

/*
 * CheckReadsStats throws unless the role conn logged in as may read the
 * replication statistics (pg_read_all_stats, or superuser).
 */
static void
CheckReadsStats(NodeConnection *conn, const char *what)
{
	PGresult   *res;
	bool		allowed;
	char	   *user;

	res = ExecuteRemoteCommand(conn,
							   "SELECT pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE'),"
							   " current_user",
							   PGRES_TUPLES_OK);
	allowed = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	user = pstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!allowed)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot read the replication status on %s %s:%d",
						user, what, conn->host, conn->port),
				 errdetail("shard reads pg_stat_wal_receiver on standbys and pg_stat_replication on their primaries."),
				 errhint("Run GRANT pg_read_all_stats TO %s on the primary (it replicates to the standby).",
						 user)));
}

/*
 * PrimaryIdentity asks a registered primary who it is (its stored system
 * identifier may be missing on nodes added by older versions); palloc'd.
 * Also checks that the probe can read its pg_stat_replication.  Throws
 * when it does not answer.
 */
static NodeIdentity *
PrimaryIdentity(NodeInfo *primary)
{
	NodeConnection *conn = GetNodeSideConnection(primary->nodeId, primary->host,
												 primary->port);
	NodeIdentity *identity = FetchNodeIdentity(conn);

	CheckReadsStats(conn, "primary");
	CloseNodeConnection(conn);
	return identity;
}

/*
 * CheckStandbyOfPrimary throws unless the server behind conn (reached as
 * host:port, which says it is identity) is a hot standby of node
 * primaryId that streams from it and whose replication status the probe
 * can read.  Errors name host:port and the primary.
 */
void
CheckStandbyOfPrimary(NodeConnection *conn, NodeIdentity *identity,
					  const char *host, int port, int primaryId)
{
	NodeInfo   *primary = LookupNode(primaryId, false);
	char	   *primaryName = psprintf("node %d (%s:%d)", primaryId, primary->host,
									   primary->port);
	NodeIdentity *primaryIdentity;
	bool		inRecovery = identity->inRecovery;
	char	   *receiverStatus = identity->receiverStatus;
	int			senderPort = identity->senderPort;

	if (!inRecovery)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("node %s:%d is not a standby", host, port),
				 errdetail("pg_is_in_recovery() is false on it."),
				 errhint("Add a primary without role and primary_id; a secondary must be a hot standby of %s.",
						 primaryName)));

	primaryIdentity = PrimaryIdentity(primary);
	if (strcmp(primaryIdentity->systemIdentifier, identity->systemIdentifier) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("node %s:%d is not a standby of %s", host, port, primaryName),
				 errdetail("Its system identifier is %s, the primary's is %s.",
						   identity->systemIdentifier, primaryIdentity->systemIdentifier),
				 errhint("Pass primary_id => the node id of the server it replicates.")));

	CheckReadsStats(conn, "standby");
	if (receiverStatus == NULL || strcmp(receiverStatus, "streaming") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("standby %s:%d is not streaming from %s", host, port, primaryName),
				 errdetail("Its WAL receiver is %s.",
						   receiverStatus != NULL ? receiverStatus : "not running"),
				 errhint("Set primary_conninfo on the standby to reach the primary, then add it again.")));
	if (senderPort != primaryIdentity->serverPort)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("standby %s:%d is not streaming from %s", host, port, primaryName),
				 errdetail("It streams from a server on port %d, the primary listens on port %d.",
						   senderPort, primaryIdentity->serverPort),
				 errhint("A cascaded standby cannot be a secondary yet; add a standby that streams from the primary.")));
}
