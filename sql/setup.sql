-- setup: create shard on the coordinator and register the two workers.
-- Runs first in test/schedule (and in every subset run); the other tests
-- rely on it.
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', :worker_1_port);
SELECT shard.add_node('127.0.0.1', :worker_2_port);
SELECT node_id, host, port, role FROM shard.nodes ORDER BY 1;
