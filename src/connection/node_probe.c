/*-------------------------------------------------------------------------
 * node_probe.c
 *	  Liveness of nodes.  A node whose server hangs (stopped, swapping to
 *	  death) or whose host vanished without closing its sockets leaves a
 *	  command waiting for ever: the socket stays silent, keepalives and
 *	  tcp_user_timeout do not fire while the host's kernel still answers, and
 *	  a cancel request (PQcancel) blocks on a postmaster that does not run.
 *	  So a wait that has heard nothing from a node for shard.node_timeout
 *	  asks the node something on a new connection, non-blocking, within
 *	  shard.node_timeout; a node that does not answer fails the command.
 *
 * Invariants:
 * - A probe connection lives only inside AskNode: it holds one
 *	 AcquireExternalFD slot and is closed on every path, interrupts
 *	 included.
 * - A probe reads no catalog (connection options come from the
 *	 NodeConnection), so it works in transaction callbacks, where it is
 *	 bounded by the caller's deadline and by NodeWaitInterrupted.
 * - A node "answers" when it says anything: a refused connection ("too
 *	 many clients") is an answer, since a hung server says nothing.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/string.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/timestamp.h"

#include "connection/connection.h"
#include "connection/node_probe.h"

static NodeAnswer RunProbeStatement(PGconn *pgconn, const char *sql,
									TimestampTz deadline, char **detail);


/*
 * AskNode runs sql (one short statement) on a new connection to conn's
 * node, as conn's user in conn's database, before deadline, and closes that
 * connection again.  Returns NODE_ANSWERED when it ran, NODE_REFUSED when
 * the node answered with a refusal or an error, NODE_SILENT when it said
 * nothing (see NodeAnswer).  *detail (palloc'd) says why it was not
 * answered, or is NULL for a node that just said nothing in time.
 * Throws only on interrupt where interrupts can be processed.
 */
NodeAnswer
AskNode(NodeConnection *conn, const char *sql, TimestampTz deadline,
		char **detail)
{
	const char **keywords;
	const char **values;
	int			connectTimeoutMs;
	PGconn	   *volatile pgconn;
	volatile NodeAnswer answer = NODE_REFUSED;

	*detail = NULL;
	if (conn->dbName == NULL ||
		!NodeConnectionOptions(conn, DEBUG1, &keywords, &values, &connectTimeoutMs))
	{
		*detail = pstrdup("The connection options are not valid.");
		return NODE_REFUSED;
	}
	if (!AcquireExternalFD())
	{
		*detail = pstrdup("There are too many open files on the local server.");
		return NODE_REFUSED;
	}
	pgconn = PQconnectStartParams(keywords, values, false);
	if (pgconn == NULL)
	{
		ReleaseExternalFD();
		*detail = pstrdup("Out of memory.");
		return NODE_REFUSED;
	}

	PG_TRY();
	{
		/* connect_timeout bounds the connecting part, as for any connection */
		answer = PollNodeConnection(pgconn,
									Min(deadline,
										TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
																	connectTimeoutMs)));
		if (answer == NODE_ANSWERED)
			answer = RunProbeStatement(pgconn, sql, deadline, detail);
		else if (PQstatus(pgconn) == CONNECTION_BAD)
			*detail = pchomp(PQerrorMessage(pgconn));
	}
	PG_FINALLY();
	{
		(void) PQsetnonblocking(pgconn, 1);
		PQfinish(pgconn);
		ReleaseExternalFD();
	}
	PG_END_TRY();

	return answer;
}


/*
 * RunProbeStatement sends sql on the established pgconn and reads its
 * results before deadline.  Returns as AskNode; does not close pgconn.
 */
static NodeAnswer
RunProbeStatement(PGconn *pgconn, const char *sql, TimestampTz deadline,
				  char **detail)
{
	NodeAnswer	answer = NODE_ANSWERED;
	PGresult   *res;

	if (!PQsendQuery(pgconn, sql))
	{
		*detail = pchomp(PQerrorMessage(pgconn));
		return NODE_SILENT;
	}
	for (;;)
	{
		while (PQisBusy(pgconn))
		{
			int			rc = NodeWaitSocket(PQsocket(pgconn), WL_SOCKET_READABLE,
											deadline);

			if (rc == 0)
				return NODE_SILENT;
			if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(pgconn))
			{
				*detail = pchomp(PQerrorMessage(pgconn));
				return NODE_SILENT;
			}
		}
		res = PQgetResult(pgconn);
		if (res == NULL)
			return answer;
		if (PQresultStatus(res) != PGRES_TUPLES_OK &&
			PQresultStatus(res) != PGRES_COMMAND_OK && answer == NODE_ANSWERED)
		{
			answer = NODE_REFUSED;
			*detail = pchomp(PQresultErrorMessage(res));
		}
		PQclear(res);
	}
}


/*
 * CheckNodeAnswers is called when a command has waited shard.node_timeout
 * on conn without hearing from its node: it probes the node ("SELECT 1" on
 * a new connection, within shard.node_timeout) and returns when the node
 * answers, so a command that is merely slow (or waits for a lock) goes on
 * waiting.  When the node does not answer, conn is closed (its remote
 * transaction becomes failed, so transaction end does not wait for it
 * again) and ERRCODE_CONNECTION_FAILURE naming the node is thrown.
 */
void
CheckNodeAnswers(NodeConnection *conn)
{
	char	   *detail;

	if (AskNode(conn, "SELECT 1", NodeWaitDeadline(), &detail) != NODE_SILENT)
		return;

	CloseNodeConnection(conn);
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("node %s:%d does not answer", conn->host, conn->port),
			 detail != NULL ?
			 errdetail("No result came for %d ms (\"shard.node_timeout\"), and a new connection to the node failed: %s",
					   NodeTimeout, detail) :
			 errdetail("No result came for %d ms (\"shard.node_timeout\"), and a new connection to the node got no answer in that time either.",
					   NodeTimeout),
			 errhint("Check that the server and the host of the node are running.")));
}
