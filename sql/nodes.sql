-- nodes: registering and removing worker nodes, and the errors around it.
SET client_min_messages TO warning;
-- the same node twice
SELECT shard.add_node('127.0.0.1', :worker_1_port);
-- nothing listens there
SELECT shard.add_node('127.0.0.1', 1);
-- the coordinator itself
SELECT shard.add_node('127.0.0.1', :coordinator_port);
-- bad arguments
SELECT shard.add_node('127.0.0.1', 70000);
SELECT shard.add_node('', 5432);
SELECT shard.add_node(NULL, 5432);
SELECT shard.add_node('127.0.0.1', :worker_1_port, role => 'leader');
SELECT shard.add_node('127.0.0.1', :worker_1_port, role => 'secondary');
SELECT shard.remove_node(999);
-- a node reached under another name is the same server: refused (the
-- detail, with the system identifier and start time, varies)
\set VERBOSITY terse
SELECT shard.add_node('localhost', :worker_2_port);
\set VERBOSITY default
SELECT count(*) FROM shard.nodes;
-- what add_node recorded about each server, and that it matches it
SELECT count(DISTINCT system_identifier) AS servers,
       bool_and(server_port = port) AS ports_match,
       bool_and(server_started_at IS NOT NULL) AS started_known
  FROM shard.dist_node;
\c - - - :worker_2_port
SELECT pg_postmaster_start_time() AS w2_started,
       (SELECT system_identifier FROM pg_control_system()) AS w2_sysid \gset
\c - - - :coordinator_port
SET client_min_messages TO warning;
SELECT server_started_at = :'w2_started'::timestamptz AS same_start,
       system_identifier = :'w2_sysid'::bigint AS same_sysid
  FROM shard.dist_node WHERE port = :worker_2_port;
-- the identity is what counts, not the stored start time: after a restart
-- (simulated by an older stored time) the node is asked again
UPDATE shard.dist_node SET server_started_at = server_started_at - interval '1 day'
 WHERE port = :worker_2_port;
\set VERBOSITY terse
SELECT shard.add_node('localhost', :worker_2_port);
\set VERBOSITY default
UPDATE shard.dist_node SET server_started_at = :'w2_started'::timestamptz
 WHERE port = :worker_2_port;
-- a node that holds shards cannot be removed
CREATE SCHEMA nodes;
ALTER SEQUENCE shard.shard_id_seq RESTART 1010000;
CREATE TABLE nodes.t (id int PRIMARY KEY);
SELECT shard.create_distributed_table('nodes.t', 'id', shard_count => 2);
SELECT shard.remove_node(1);
-- non-superusers cannot manage nodes
CREATE ROLE nodes_user;
SET ROLE nodes_user;
SELECT shard.add_node('127.0.0.1', :worker_1_port);
SELECT shard.remove_node(1);
RESET ROLE;
DROP ROLE nodes_user;
DROP SCHEMA nodes CASCADE;
SELECT node_id, host, port, role, is_active FROM shard.nodes ORDER BY node_id;
