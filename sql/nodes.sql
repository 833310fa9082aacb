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
-- a node reached under another name can be added and removed again
SELECT shard.add_node('localhost', :worker_2_port) AS extra_node \gset
SELECT host, port, role, shard_count FROM shard.nodes WHERE node_id = :extra_node;
SELECT shard.remove_node(:extra_node);
SELECT count(*) FROM shard.nodes WHERE node_id = :extra_node;
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
