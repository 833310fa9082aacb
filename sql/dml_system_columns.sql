-- dml_system_columns: system columns of distributed tables.  tableoid is
-- the coordinator table's OID (NULL for rows an outer join NULL-extends),
-- xmin and xmax are the shard row's own (an ORM's optimistic concurrency
-- token: the token changes when the row changes), ctid, cmin and cmax are
-- refused (a shard row's position means nothing on the coordinator).
SET client_min_messages TO warning;
CREATE SCHEMA dml_sys;
SET search_path TO dml_sys, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1980000;

CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t SELECT g, g FROM generate_series(1, 50) g;
CREATE TABLE t_local AS SELECT * FROM t;
SELECT shard.create_distributed_table('t', 'id');
CREATE TABLE u (id int PRIMARY KEY, w int);
INSERT INTO u SELECT g, g FROM generate_series(1, 60, 3) g;
CREATE TABLE u_local AS SELECT * FROM u;
SELECT shard.create_distributed_table('u', 'id', colocate_with => 't');

-- tableoid: routed, over all shards, in joins (NULL when NULL-extended),
-- in RETURNING and WHERE
SELECT tableoid::regclass, id FROM t WHERE id = 5;
SELECT compare_results('SELECT id, tableoid = ''dml_sys.t''::regclass FROM t',
                       'SELECT id, tableoid = ''dml_sys.t_local''::regclass FROM t_local');
SELECT compare_results('SELECT t.id, u.tableoid = ''dml_sys.u''::regclass, u.tableoid IS NULL FROM t LEFT JOIN u ON u.id = t.id',
                       'SELECT t.id, u.tableoid = ''dml_sys.u_local''::regclass, u.tableoid IS NULL FROM t_local t LEFT JOIN u_local u ON u.id = t.id');
SELECT tableoid::regclass, count(*) FROM t GROUP BY 1;
SELECT count(*) FROM t WHERE tableoid = 'dml_sys.t'::regclass;
SELECT 'dml_sys.t'::regclass::oid AS t_oid \gset
UPDATE t SET v = v + 1 WHERE id IN (7, 8) RETURNING tableoid = :t_oid AS is_t, id, v;
UPDATE t_local SET v = v + 1 WHERE id IN (7, 8);
DELETE FROM t WHERE id = 50 RETURNING tableoid = :t_oid AS is_t, id;
DELETE FROM t_local WHERE id = 50;

-- xmin as a concurrency token: an update guarded by the token applies
-- once; the old token matches no row afterwards
SELECT xmin AS token FROM t WHERE id = 9 \gset
UPDATE t SET v = 90 WHERE id = 9 AND xmin = :'token';
\set d :ROW_COUNT
UPDATE t SET v = 91 WHERE id = 9 AND xmin = :'token';
SELECT :d AS first_update, :ROW_COUNT AS second_update;
UPDATE t_local SET v = 90 WHERE id = 9;
SELECT xmin = :'token' AS token_unchanged FROM t WHERE id = 9;
-- over all shards: every row has a token; an unlocked row has no xmax
SELECT count(*), bool_and(xmin <> '0'::xid), bool_and(xmax = '0'::xid) FROM t;
SELECT compare_results('SELECT id FROM t WHERE xmin <> ''0''::xid AND xmax = ''0''::xid',
                       'SELECT id FROM t_local WHERE xmin <> ''0''::xid AND xmax = ''0''::xid');
BEGIN;
SELECT id FROM t WHERE id = 10 FOR UPDATE;
SELECT xmax <> '0'::xid AS locked FROM t WHERE id = 10;
COMMIT;
SELECT compare_results('SELECT * FROM t', 'SELECT * FROM t_local');

-- ctid, cmin, cmax are refused
SELECT ctid FROM t WHERE id = 1;
SELECT cmin, id FROM t;
SELECT id FROM t WHERE cmax::text = '0';
UPDATE t SET v = 1 WHERE id = 1 RETURNING ctid;
DELETE FROM t WHERE ctid = '(0,1)';
SELECT compare_results('SELECT * FROM t', 'SELECT * FROM t_local');

SET client_min_messages TO warning;
DROP SCHEMA dml_sys CASCADE;
