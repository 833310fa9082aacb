-- roles: a node keeps one remote transaction per coordinator transaction,
-- whoever the current user is.  After SET ROLE, statements still see the
-- transaction's earlier writes and commit or roll back with them, and
-- privileges are still checked on the coordinator as for a local table.
SET client_min_messages TO warning;
CREATE SCHEMA roles;
SET search_path TO roles, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1095000;

CREATE TABLE items (id int PRIMARY KEY, v text);
SELECT shard.create_distributed_table('items', 'id', shard_count => 4);
INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 20) g;
CREATE TABLE secret (id int PRIMARY KEY, v text);
SELECT shard.create_distributed_table('secret', 'id', shard_count => 4);

-- the roles exist everywhere and may read the shards on the workers, so a
-- separate worker session for them would run, but see none of the
-- transaction's uncommitted rows
CREATE ROLE shard_reader LOGIN;
GRANT USAGE ON SCHEMA roles TO shard_reader;
GRANT SELECT ON items TO shard_reader;
\c - - - :worker_1_port
CREATE ROLE shard_reader LOGIN;
GRANT USAGE ON SCHEMA roles TO shard_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA roles TO shard_reader;
\c - - - :worker_2_port
CREATE ROLE shard_reader LOGIN;
GRANT USAGE ON SCHEMA roles TO shard_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA roles TO shard_reader;
\c - - - :coordinator_port
SET search_path TO roles, public;

BEGIN;
INSERT INTO items VALUES (101, 'written before SET ROLE'), (102, 'too');
UPDATE items SET v = 'updated before SET ROLE' WHERE id = 1;
SET ROLE shard_reader;
SELECT current_user;
SELECT id, v FROM items WHERE id IN (1, 101, 102) ORDER BY id;
SELECT count(*) FROM items;
SELECT v FROM items WHERE id = 101;
-- privileges: the coordinator's, as for a local table
SELECT count(*) FROM secret;
ROLLBACK;
SELECT current_user;
SELECT count(*), count(*) FILTER (WHERE v LIKE '%SET ROLE%') AS changed FROM items;

-- committed with the writes of the first user
BEGIN;
INSERT INTO items VALUES (103, 'kept');
SET ROLE shard_reader;
SELECT v FROM items WHERE id = 103;
RESET ROLE;
UPDATE items SET v = v || ' and updated' WHERE id = 103;
COMMIT;
SET ROLE shard_reader;
SELECT id, v FROM items WHERE id = 103;
RESET ROLE;

DROP SCHEMA roles CASCADE;
DROP ROLE shard_reader;
\c - - - :worker_1_port
DROP OWNED BY shard_reader;
DROP ROLE shard_reader;
\c - - - :worker_2_port
DROP OWNED BY shard_reader;
DROP ROLE shard_reader;
\c - - - :coordinator_port
