-- dml_subqueries: UPDATE and DELETE on a distributed table whose WHERE,
-- SET or RETURNING holds uncorrelated subqueries over local tables or
-- distributed tables that are not co-located (as ORMs write an update of
-- rows filtered through a join): the subqueries run on the coordinator,
-- the statement on every shard.  Each compared with the same statement on
-- local copies (rows afterwards, RETURNING rows, row counts).
SET client_min_messages TO warning;
CREATE SCHEMA dml_subqueries;
SET search_path TO dml_subqueries, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1920000;

CREATE TABLE item (id int PRIMARY KEY, owner int, v int, tags text[]);
INSERT INTO item SELECT g, g % 13, g % 7, NULL FROM generate_series(1, 300) g;
CREATE TABLE item_local AS SELECT * FROM item;
SELECT shard.create_distributed_table('item', 'id');
-- distributed on another column type: not co-located with item
CREATE TABLE person (name text PRIMARY KEY, pid int, vip boolean);
INSERT INTO person SELECT 'p' || g, g, g % 3 = 0 FROM generate_series(0, 12) g;
CREATE TABLE person_local AS SELECT * FROM person;
SELECT shard.create_distributed_table('person', 'name');
-- a local table (not distributed): the oracle uses it too
CREATE TABLE picked (id int);
INSERT INTO picked VALUES (1), (5), (9), (200), (NULL);

CREATE FUNCTION same_rows() RETURNS text LANGUAGE sql AS
$$ SELECT compare_results('SELECT * FROM item', 'SELECT * FROM item_local') $$;

-- IN over a local table
UPDATE item SET v = v + 100 WHERE id IN (SELECT id FROM picked);
\set d :ROW_COUNT
UPDATE item_local SET v = v + 100 WHERE id IN (SELECT id FROM picked);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
-- an ORM's update through a join with a table that is not co-located
SELECT compare_results(
  'UPDATE item SET v = 0 WHERE item.id IN (SELECT U0.id FROM item U0 INNER JOIN person U1 ON U0.owner = U1.pid WHERE U1.vip) RETURNING id, owner, v',
  'UPDATE item_local SET v = 0 WHERE item_local.id IN (SELECT U0.id FROM item_local U0 INNER JOIN person_local U1 ON U0.owner = U1.pid WHERE U1.vip) RETURNING id, owner, v');
SELECT same_rows();
-- NOT IN with a NULL in the list changes nothing; without, it does
DELETE FROM item WHERE id NOT IN (SELECT id FROM picked);
\set d :ROW_COUNT
DELETE FROM item_local WHERE id NOT IN (SELECT id FROM picked);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
DELETE FROM item WHERE id > 290 AND id NOT IN (SELECT id FROM picked WHERE id IS NOT NULL);
\set d :ROW_COUNT
DELETE FROM item_local WHERE id > 290 AND id NOT IN (SELECT id FROM picked WHERE id IS NOT NULL);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
-- EXISTS, a scalar subquery in SET and RETURNING, ALL, ARRAY
UPDATE item SET v = v + 1 WHERE owner = 3 AND EXISTS (SELECT 1 FROM person WHERE vip AND pid = 3);
\set d :ROW_COUNT
UPDATE item_local SET v = v + 1 WHERE owner = 3 AND EXISTS (SELECT 1 FROM person_local WHERE vip AND pid = 3);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT compare_results(
  'UPDATE item SET v = (SELECT max(pid) FROM person) WHERE id < 20 RETURNING id, v, (SELECT count(*) FROM picked)',
  'UPDATE item_local SET v = (SELECT max(pid) FROM person_local) WHERE id < 20 RETURNING id, v, (SELECT count(*) FROM picked)');
SELECT compare_results(
  'DELETE FROM item WHERE v > ALL (SELECT pid FROM person WHERE pid < 6) RETURNING *',
  'DELETE FROM item_local WHERE v > ALL (SELECT pid FROM person_local WHERE pid < 6) RETURNING *');
UPDATE item SET tags = ARRAY(SELECT name FROM person WHERE vip ORDER BY name) WHERE owner = 4;
UPDATE item_local SET tags = ARRAY(SELECT name FROM person_local WHERE vip ORDER BY name) WHERE owner = 4;
SELECT same_rows();
-- a subquery without rows gives NULL; several rows fail as on one server
UPDATE item SET v = (SELECT pid FROM person WHERE pid < 0) WHERE id = 30;
UPDATE item_local SET v = (SELECT pid FROM person_local WHERE pid < 0) WHERE id = 30;
UPDATE item SET v = (SELECT pid FROM person) WHERE id = 31;
UPDATE item_local SET v = (SELECT pid FROM person_local) WHERE id = 31;
SELECT same_rows();
-- parameters inside the subquery: custom and generic plans
PREPARE drop_picked(int) AS DELETE FROM item WHERE id IN (SELECT id + $1 FROM picked);
PREPARE drop_picked_local(int) AS DELETE FROM item_local WHERE id IN (SELECT id + $1 FROM picked);
EXECUTE drop_picked(1); EXECUTE drop_picked_local(1);
EXECUTE drop_picked(2); EXECUTE drop_picked_local(2);
EXECUTE drop_picked(3); EXECUTE drop_picked_local(3);
EXECUTE drop_picked(4); EXECUTE drop_picked_local(4);
EXECUTE drop_picked(5); EXECUTE drop_picked_local(5);
EXECUTE drop_picked(6);
\set d :ROW_COUNT
EXECUTE drop_picked_local(6);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();
-- in a transaction that rolls back
BEGIN;
DELETE FROM item WHERE owner IN (SELECT pid FROM person);
SELECT count(*) FROM item;
ROLLBACK;
SELECT same_rows();

-- not evaluable on the coordinator: correlated, row comparison
UPDATE item SET v = (SELECT count(*) FROM picked p WHERE p.id = item.id);
UPDATE item SET v = 1 WHERE (id, v) IN (SELECT id, 1 FROM picked);

EXPLAIN (COSTS OFF) DELETE FROM item WHERE id IN (SELECT id FROM picked);

SET client_min_messages TO warning;
DROP SCHEMA dml_subqueries CASCADE;
