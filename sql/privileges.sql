-- privileges: functions that change the whole cluster are for superusers;
-- a table's owner distributes and drops it without being a superuser (its
-- rights are checked before any lock, the catalog is written with the
-- extension's rights, the shards belong to the owner on the nodes);
-- security_barrier views keep their barrier and row level security is
-- never bypassed.
SET client_min_messages TO warning;
CREATE SCHEMA privileges;
SET search_path TO privileges, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1960000;

-- priv_lonely exists on the coordinator only; priv_other may not create
-- in the schema on the nodes
CREATE ROLE priv_owner LOGIN;
CREATE ROLE priv_other LOGIN;
CREATE ROLE priv_lonely LOGIN;
GRANT USAGE, CREATE ON SCHEMA privileges TO priv_owner, priv_other, priv_lonely;
\c - - - :worker_1_port
CREATE ROLE priv_owner LOGIN;
CREATE ROLE priv_other LOGIN;
CREATE SCHEMA privileges;
GRANT USAGE ON SCHEMA privileges TO priv_owner, priv_other;
GRANT CREATE ON SCHEMA privileges TO priv_owner;
\c - - - :worker_2_port
CREATE ROLE priv_owner LOGIN;
CREATE ROLE priv_other LOGIN;
CREATE SCHEMA privileges;
GRANT USAGE ON SCHEMA privileges TO priv_owner, priv_other;
GRANT CREATE ON SCHEMA privileges TO priv_owner;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO privileges, public;

-- 1. functions that change the whole cluster: not executable by PUBLIC,
-- and checked in C too (before recovery takes its lock)
SELECT p.oid::regprocedure AS executable_by_public
FROM pg_proc p
WHERE p.pronamespace = 'shard'::regnamespace
  AND has_function_privilege('priv_other', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SET ROLE priv_other;
SELECT shard.recover_prepared_transactions();
SELECT shard.add_node('127.0.0.1', 1);
SELECT shard.remove_node(1);
SELECT shard.deparse_query('SELECT 1');
RESET ROLE;
GRANT EXECUTE ON FUNCTION shard.recover_prepared_transactions(), shard.deparse_query(text)
	TO priv_other;
SET ROLE priv_other;
SELECT shard.recover_prepared_transactions();
SELECT shard.deparse_query('SELECT 1');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION shard.recover_prepared_transactions(), shard.deparse_query(text)
	FROM priv_other;

-- 2. a table's owner distributes it without being a superuser
SET ROLE priv_owner;
CREATE TABLE owned (id int PRIMARY KEY, v text);
INSERT INTO owned SELECT g, 'v' || g FROM generate_series(1, 20) g;
CREATE TABLE owned_local AS SELECT * FROM owned;
SELECT shard.create_distributed_table('owned', 'id', shard_count => 4);
CREATE TABLE owned_2 (id int PRIMARY KEY, w int);
INSERT INTO owned_2 SELECT g, g * 10 FROM generate_series(1, 5) g;
SELECT shard.create_distributed_table('owned_2', 'id', colocate_with => 'owned');
CREATE TABLE owned_ref (code int PRIMARY KEY, name text);
INSERT INTO owned_ref VALUES (1, 'one'), (2, 'two');
SELECT shard.create_reference_table('owned_ref');
UPDATE owned SET v = 'changed' WHERE id = 3;
UPDATE owned_local SET v = 'changed' WHERE id = 3;
(SELECT * FROM owned EXCEPT ALL SELECT * FROM owned_local)
UNION ALL
(SELECT * FROM owned_local EXCEPT ALL SELECT * FROM owned);
SELECT count(*) FROM owned;
SELECT o.id, o.v, t.w FROM owned o JOIN owned_2 t USING (id) WHERE id = 3;
SELECT * FROM owned_ref ORDER BY code;
-- and changes it like a local table
ALTER TABLE owned_2 ADD COLUMN note text DEFAULT 'n';
CREATE INDEX owned_2_note ON owned_2 (note);
TRUNCATE owned_ref;
SELECT count(*) FROM owned_ref;
SELECT id, w, note FROM owned_2 WHERE id = 2;
-- the catalog stays read-only for the owner
INSERT INTO shard.dist_colocation VALUES (999, 1);
DELETE FROM shard.dist_table WHERE relid = 'owned'::regclass;
SELECT nextval('shard.shard_id_seq');
RESET ROLE;
SELECT table_name, method, shard_count, colocation_id = (SELECT colocation_id FROM shard.tables
	WHERE table_name = 'owned'::regclass) AS with_owned
FROM shard.tables
WHERE table_name::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'privileges'::regnamespace)
ORDER BY table_name::text COLLATE "C";

-- 3. a superuser distributes another role's table: the shards belong to
-- the table's owner on the nodes, who can use them
SET ROLE priv_owner;
CREATE TABLE given (id int PRIMARY KEY, v text);
INSERT INTO given VALUES (1, 'a'), (2, 'b');
RESET ROLE;
SELECT shard.create_distributed_table('given', 'id', shard_count => 2);
SET ROLE priv_owner;
INSERT INTO given VALUES (3, 'c');
SELECT * FROM given ORDER BY id;
CREATE INDEX given_v ON given (v);
RESET ROLE;
\c - - - :worker_1_port
SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'privileges' ORDER BY 1;
\c - - - :worker_2_port
SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'privileges' ORDER BY 1;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO privileges, public;

-- 4. others fail on rights before any lock (the waits themselves are in
-- the isolation test privilege_locks)
SET ROLE priv_other;
SELECT shard.create_distributed_table('owned_local', 'id');
SELECT shard.create_reference_table('owned_local');
ALTER TABLE owned ADD COLUMN x int;
CREATE TABLE other_t (id int PRIMARY KEY);
SELECT shard.create_distributed_table('other_t', 'id', colocate_with => 'owned');
SELECT shard.create_distributed_table('other_t', 'id', shard_count => 4,
									  colocate_with => 'privileges.owned');
RESET ROLE;

-- 5. the owner's role must exist on every node, with CREATE on the
-- schema: checked before anything is created or recorded
SET ROLE priv_lonely;
CREATE TABLE lonely (id int PRIMARY KEY);
SELECT shard.create_distributed_table('lonely', 'id');
RESET ROLE;
SELECT shard.create_distributed_table('lonely', 'id');
SET ROLE priv_other;
SELECT shard.create_distributed_table('other_t', 'id');
RESET ROLE;
CREATE SCHEMA priv_elsewhere;
CREATE TABLE priv_elsewhere.t (id int PRIMARY KEY);
ALTER TABLE priv_elsewhere.t OWNER TO priv_owner;
SELECT shard.create_distributed_table('priv_elsewhere.t', 'id');
SELECT count(*) AS recorded FROM shard.dist_table
WHERE relid IN ('lonely'::regclass, 'other_t'::regclass, 'priv_elsewhere.t'::regclass);
\c - - - :worker_1_port
SELECT count(*) AS created FROM pg_class
WHERE relname ~ '^(lonely|other_t|t)_' OR relname = 'priv_elsewhere';
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'priv_elsewhere';
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO privileges, public;

-- 6. security_barrier views over a distributed table: a leaky function
-- in the outer WHERE never sees the rows the view hides, whatever the
-- shape of the query (one shard, per-shard aggregate, join, scan)
CREATE TABLE accounts (id int PRIMARY KEY, owner_name text, secret text);
-- one visible row, so that the notices of rows read in parallel from the
-- shards come in a stable order
INSERT INTO accounts VALUES (1, 'priv_other', '1'), (2, 'priv_owner', 'hidden 2'),
	(3, 'priv_owner', 'hidden 3'), (4, 'priv_owner', 'hidden 4'), (5, 'priv_owner', 'hidden 5'),
	(6, 'priv_owner', 'hidden 6');
CREATE TABLE accounts_local AS SELECT * FROM accounts;
SELECT shard.create_distributed_table('accounts', 'id', shard_count => 4);
CREATE TABLE notes (id int PRIMARY KEY, note text);
INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 6) g;
SELECT shard.create_distributed_table('notes', 'id', colocate_with => 'accounts');
CREATE VIEW my_accounts WITH (security_barrier) AS
	SELECT id, secret FROM accounts WHERE owner_name = current_user;
CREATE VIEW my_accounts_local WITH (security_barrier) AS
	SELECT id, secret FROM accounts_local WHERE owner_name = current_user;
CREATE FUNCTION leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001
	AS $$ BEGIN RAISE NOTICE 'leak: %', $1; RETURN true; END $$;
GRANT SELECT ON my_accounts, my_accounts_local, notes TO priv_other;
-- the nodes check the shards' rights of the session's user
\c - - - :worker_1_port
GRANT SELECT ON ALL TABLES IN SCHEMA privileges TO priv_other;
\c - - - :worker_2_port
GRANT SELECT ON ALL TABLES IN SCHEMA privileges TO priv_other;
\c - - - :coordinator_port
SET search_path TO privileges, public;
SET ROLE priv_other;
SET client_min_messages TO notice;
SELECT * FROM my_accounts WHERE leak(secret) ORDER BY id;
SELECT * FROM my_accounts WHERE id = 2 AND leak(secret);
SELECT id, count(*) FROM my_accounts WHERE leak(secret) GROUP BY id ORDER BY id;
SELECT m.id, n.note FROM my_accounts m JOIN notes n ON n.id = m.id
WHERE leak(m.secret) ORDER BY 1;
SELECT id FROM notes WHERE id IN (SELECT id FROM my_accounts WHERE leak(secret)) ORDER BY 1;
-- built-in functions that raise errors naming their argument ship to the
-- nodes: the barrier still holds (the hidden secrets are not numbers)
SELECT * FROM my_accounts WHERE secret::int > 0 ORDER BY id;
SELECT * FROM my_accounts WHERE id = 2 AND secret::int > 0;
SELECT id, count(*) FROM my_accounts WHERE secret::int > 0 GROUP BY id ORDER BY id;
SELECT m.id, n.note FROM my_accounts m JOIN notes n USING (id) WHERE m.secret::int > 0 ORDER BY 1;
SET client_min_messages TO warning;
EXPLAIN (COSTS OFF) SELECT id, count(*) FROM my_accounts WHERE secret::int > 0 GROUP BY id;
EXPLAIN (COSTS OFF) SELECT * FROM my_accounts WHERE id = 2 AND secret::int > 0;
(SELECT m.id, m.secret, n.note FROM my_accounts m JOIN notes n USING (id) WHERE m.secret::int > 0
 EXCEPT ALL
 SELECT m.id, m.secret, 'note ' || m.id FROM my_accounts_local m WHERE m.secret::int > 0)
UNION ALL
(SELECT m.id, m.secret, 'note ' || m.id FROM my_accounts_local m WHERE m.secret::int > 0
 EXCEPT ALL
 SELECT m.id, m.secret, n.note FROM my_accounts m JOIN notes n USING (id) WHERE m.secret::int > 0);
RESET ROLE;

-- 7. row level security is refused on distributed tables, never bypassed
CREATE TABLE rls_t (id int PRIMARY KEY, owner_name text);
ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
SELECT shard.create_distributed_table('rls_t', 'id');
ALTER TABLE rls_t DISABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON rls_t USING (owner_name = current_user);
SELECT shard.create_distributed_table('rls_t', 'id');
ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
ALTER TABLE rls_t FORCE ROW LEVEL SECURITY;
CREATE POLICY all_rows ON rls_t USING (true);
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'rls_t'::regclass;
-- a local table's policy holds in a query that reads distributed tables
CREATE TABLE rls_local (id int, owner_name text);
INSERT INTO rls_local VALUES (1, 'priv_other'), (2, 'priv_owner'), (3, 'priv_other');
ALTER TABLE rls_local ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON rls_local USING (owner_name = current_user);
GRANT SELECT ON rls_local TO priv_other;
SET ROLE priv_other;
SELECT l.id, n.note FROM rls_local l JOIN notes n USING (id) ORDER BY 1;
RESET ROLE;

-- 8. DROP TABLE by the owner removes the catalog rows and the shards
SET ROLE priv_owner;
DROP TABLE owned_2;
DROP TABLE owned, owned_ref, given;
RESET ROLE;
SELECT count(*) AS left_in_catalog FROM shard.dist_table t
WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.relid);
SELECT table_name FROM shard.tables
WHERE table_name::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'privileges'::regnamespace)
ORDER BY table_name::text COLLATE "C";

DROP SCHEMA privileges, priv_elsewhere CASCADE;
\c - - - :worker_1_port
SELECT tablename FROM pg_tables WHERE schemaname = 'privileges' ORDER BY 1;
DROP SCHEMA privileges;
DROP OWNED BY priv_owner, priv_other;
DROP ROLE priv_owner, priv_other;
\c - - - :worker_2_port
SELECT tablename FROM pg_tables WHERE schemaname = 'privileges' ORDER BY 1;
DROP SCHEMA privileges;
DROP OWNED BY priv_owner, priv_other;
DROP ROLE priv_owner, priv_other;
\c - - - :coordinator_port
DROP OWNED BY priv_owner, priv_other, priv_lonely;
DROP ROLE priv_owner, priv_other, priv_lonely;
