-- dml_update_dist: UPDATEs that assign the distribution column, as ORMs
-- send on every save (all columns, the distribution column unchanged,
-- filtered by id only), and UPDATEs that move rows to the shard of a new
-- value; each compared with the same statement on a local copy (rows
-- afterwards, RETURNING rows, row counts).
SET client_min_messages TO warning;
CREATE SCHEMA dml_update_dist;
SET search_path TO dml_update_dist, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1900000;

CREATE TABLE shop_order (id int NOT NULL, user_id int NOT NULL, amount numeric, note text,
                         PRIMARY KEY (user_id, id));
INSERT INTO shop_order SELECT g, g % 20, g * 1.5, 'n' || g FROM generate_series(1, 200) g;
CREATE TABLE shop_order_local AS SELECT * FROM shop_order;
ALTER TABLE shop_order_local ADD PRIMARY KEY (user_id, id);
SELECT shard.create_distributed_table('shop_order', 'user_id');

-- same_rows: the distributed table and its local copy hold the same rows,
-- and each row is found by a query routed to the shard of its value
CREATE FUNCTION same_rows() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v int;
	n bigint;
	m bigint;
BEGIN
	FOR v IN SELECT DISTINCT user_id FROM shop_order_local LOOP
		SELECT count(*) INTO n FROM shop_order WHERE user_id = v;
		SELECT count(*) INTO m FROM shop_order_local WHERE user_id = v;
		IF n <> m THEN
			RETURN format('user_id %s: %s routed rows, %s local rows', v, n, m);
		END IF;
	END LOOP;
	RETURN compare_results('SELECT * FROM shop_order', 'SELECT * FROM shop_order_local');
END $$;

-- a Django save: every column, the distribution column unchanged, by id
UPDATE shop_order SET user_id = 10, amount = 99.5, note = 'saved' WHERE id = 10;
\set d :ROW_COUNT
UPDATE shop_order_local SET user_id = 10, amount = 99.5, note = 'saved' WHERE id = 10;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();
SELECT compare_results('UPDATE shop_order SET "user_id" = 11, "amount" = 1.25, "note" = ''r'' WHERE "shop_order"."id" = 11 RETURNING *',
                       'UPDATE shop_order_local SET "user_id" = 11, "amount" = 1.25, "note" = ''r'' WHERE "shop_order_local"."id" = 11 RETURNING *');
-- no row matches
UPDATE shop_order SET user_id = 3, amount = 0 WHERE id = 100000;
\set d :ROW_COUNT
UPDATE shop_order_local SET user_id = 3, amount = 0 WHERE id = 100000;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
-- SET dist_col = dist_col changes nothing and runs like any UPDATE
UPDATE shop_order SET user_id = user_id, amount = amount + 1 WHERE id < 30;
\set d :ROW_COUNT
UPDATE shop_order_local SET user_id = user_id, amount = amount + 1 WHERE id < 30;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();

-- prepared: custom and generic plans (the sixth execution)
PREPARE save(int, int, numeric) AS UPDATE shop_order SET user_id = $2, amount = $3 WHERE id = $1;
PREPARE save_local(int, int, numeric) AS UPDATE shop_order_local SET user_id = $2, amount = $3 WHERE id = $1;
EXECUTE save(21, 1, 7); EXECUTE save_local(21, 1, 7);
EXECUTE save(22, 2, 7); EXECUTE save_local(22, 2, 7);
EXECUTE save(23, 3, 7); EXECUTE save_local(23, 3, 7);
EXECUTE save(24, 4, 7); EXECUTE save_local(24, 4, 7);
EXECUTE save(25, 5, 7); EXECUTE save_local(25, 5, 7);
EXECUTE save(26, 6, 7);
\set d :ROW_COUNT
EXECUTE save_local(26, 6, 7);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
-- the generic plan moves a row too
EXECUTE save(27, 13, 8);
\set d :ROW_COUNT
EXECUTE save_local(27, 13, 8);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();

-- moves: one row, by id
SELECT compare_results('UPDATE shop_order SET user_id = 77, note = ''moved'' WHERE id = 40 RETURNING id, user_id, amount, note',
                       'UPDATE shop_order_local SET user_id = 77, note = ''moved'' WHERE id = 40 RETURNING id, user_id, amount, note');
SELECT same_rows();
-- many rows from many shards to one; RETURNING expressions over the new row
SELECT compare_results('UPDATE shop_order SET user_id = 5, amount = amount * 2 WHERE id % 7 = 0 RETURNING id, user_id * 100 + id, amount, shop_order',
                       'UPDATE shop_order_local SET user_id = 5, amount = amount * 2 WHERE id % 7 = 0 RETURNING id, user_id * 100 + id, amount, shop_order_local');
UPDATE shop_order SET user_id = 6 WHERE id % 5 = 0;
\set d :ROW_COUNT
UPDATE shop_order_local SET user_id = 6 WHERE id % 5 = 0;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();
-- pinned by the old value (one source shard)
SELECT compare_results('UPDATE shop_order SET user_id = 3 WHERE user_id = 4 RETURNING *',
                       'UPDATE shop_order_local SET user_id = 3 WHERE user_id = 4 RETURNING *');
-- a new value of the same shard as the pinned old one stays in place
SELECT compare_results('UPDATE shop_order SET user_id = 8 WHERE user_id = 8 AND id < 100 RETURNING *',
                       'UPDATE shop_order_local SET user_id = 8 WHERE user_id = 8 AND id < 100 RETURNING *');
SELECT same_rows();
-- a value computed on the coordinator when the statement runs
UPDATE shop_order SET user_id = 30 + length(current_user) * 0, note = current_user WHERE id IN (1, 2, 3);
\set d :ROW_COUNT
UPDATE shop_order_local SET user_id = 30 + length(current_user) * 0, note = current_user WHERE id IN (1, 2, 3);
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();

-- in a transaction: the move is rolled back with it, or kept with it
BEGIN;
UPDATE shop_order SET user_id = 50 WHERE id BETWEEN 100 AND 120;
SELECT count(*) FROM shop_order WHERE user_id = 50;
ROLLBACK;
SELECT same_rows();
BEGIN;
UPDATE shop_order SET user_id = 51 WHERE id BETWEEN 100 AND 120;
UPDATE shop_order SET amount = -1 WHERE user_id = 51;
COMMIT;
UPDATE shop_order_local SET user_id = 51 WHERE id BETWEEN 100 AND 120;
UPDATE shop_order_local SET amount = -1 WHERE user_id = 51;
SELECT same_rows();

-- a moved row that collides with a key of its new shard fails as on one server
INSERT INTO shop_order VALUES (101, 52, 0, 'other');
INSERT INTO shop_order_local VALUES (101, 52, 0, 'other');
UPDATE shop_order SET user_id = 52 WHERE id = 101 AND user_id = 51;
UPDATE shop_order_local SET user_id = 52 WHERE id = 101 AND user_id = 51;
SELECT same_rows();

-- UPDATE ... FROM a co-located table, RETURNING columns of both
CREATE TABLE users (user_id int PRIMARY KEY, name text);
INSERT INTO users SELECT g, 'u' || g FROM generate_series(0, 99) g;
CREATE TABLE users_local AS SELECT * FROM users;
SELECT shard.create_distributed_table('users', 'user_id', colocate_with => 'shop_order');
SELECT compare_results('UPDATE shop_order o SET user_id = 9, note = u.name FROM users u WHERE u.user_id = o.user_id AND u.name IN (''u3'', ''u12'') RETURNING o.id, o.user_id, u.name, o.note',
                       'UPDATE shop_order_local o SET user_id = 9, note = u.name FROM users_local u WHERE u.user_id = o.user_id AND u.name IN (''u3'', ''u12'') RETURNING o.id, o.user_id, u.name, o.note');
SELECT same_rows();
-- NULL: no row matched, nothing to do; a row matched: refused like NOT NULL
UPDATE shop_order SET user_id = NULL WHERE id = -5;
UPDATE shop_order SET user_id = NULL WHERE id = 150;
-- a value computed per row cannot name one shard
UPDATE shop_order SET user_id = user_id + 1 WHERE id = 150;
UPDATE shop_order SET user_id = (random() * 10)::int WHERE id = 150;
SELECT same_rows();

EXPLAIN (COSTS OFF) UPDATE shop_order SET user_id = 10, amount = 1 WHERE id = 10;

-- foreign keys the coordinator enforces (fk_child is not co-located with
-- fk_parent): moving rows would bypass their checks, so an UPDATE that
-- moves referenced rows or changes referencing keys is refused; one that
-- keeps the referencing key moves, and in-place UPDATEs still run
CREATE TABLE fk_parent (id int PRIMARY KEY);
CREATE TABLE fk_child (id int PRIMARY KEY, pid int REFERENCES fk_parent (id));
INSERT INTO fk_parent VALUES (1), (2), (3);
INSERT INTO fk_child VALUES (1, 1), (2, 2);
SELECT shard.create_distributed_table('fk_parent', 'id', shard_count => 4, colocate_with => 'none');
SELECT shard.create_distributed_table('fk_child', 'id', shard_count => 4, colocate_with => 'none');
-- (range filters: the plan moves rows, whatever shards the values hash to)
UPDATE fk_parent SET id = 7 WHERE id > 2;
UPDATE fk_child SET id = 5, pid = 3 WHERE id < 2;
UPDATE fk_child SET id = 5, pid = 9 WHERE id < 2;
WITH d AS (DELETE FROM fk_parent WHERE id = 1 RETURNING id) SELECT * FROM d;
UPDATE fk_child SET id = 6 WHERE id < 2 RETURNING *;
UPDATE fk_parent SET id = 3 WHERE id = 3 RETURNING *;
UPDATE fk_child SET pid = 9 WHERE id = 2;
SELECT * FROM fk_child ORDER BY id;
SELECT * FROM fk_parent ORDER BY id;

SET client_min_messages TO warning;
DROP SCHEMA dml_update_dist CASCADE;
