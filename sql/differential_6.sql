-- differential_6: every plan that reads a distributed table reads its
-- shards, whatever PostgreSQL's planner does with the query: set
-- operations (UNION ALL branches become members of an append relation;
-- UNION / INTERSECT / EXCEPT), views, inlined SQL functions, CTEs,
-- pulled-up subqueries, prepared statements; mixing distributed,
-- reference and local tables, with and without filters, with aggregates on
-- top and ORDER BY / LIMIT.  Then values of anonymous record types (rows,
-- arrays of rows, nested rows) read from distributed and reference tables
-- on every path.  See differential_1.sql for how each line is checked.
-- Last, inheritance and partitioning with distributed tables are refused;
-- hierarchies that predate that (made here through the catalog) are read
-- correctly or refused.
SET client_min_messages TO warning;
ALTER SEQUENCE shard.shard_id_seq RESTART 1260000;
\t on
\a

-- a reference table (regions) on each side, and a local one read by both
SELECT diff_both($$CREATE TABLE regions (code text PRIMARY KEY, zone text, rank int)$$);
SELECT diff_both($$INSERT INTO regions VALUES ('DE', 'EU', 1), ('FR', 'EU', 2), ('SE', 'EU', 3),
	('JP', 'APAC', 4), ('US', 'NA', 5), ('BR', 'SA', 6), ('ZZ', NULL, 7)$$);
SELECT shard.create_reference_table('diff_dist.regions');

-- UNION ALL without filters: the branches are members of an append rel
SELECT diff_check('u001', $$SELECT count(*) FROM (SELECT id FROM customers UNION ALL SELECT id FROM events) s$$);
SELECT diff_check('u002', $$SELECT id FROM customers UNION ALL SELECT id FROM events$$);
SELECT diff_check('u003', $$SELECT count(*), count(v), sum(v), min(v), max(v) FROM (SELECT customer_id AS v FROM orders UNION ALL SELECT id FROM customers UNION ALL SELECT customer_id FROM events) s$$);
SELECT diff_check('u004', $$SELECT code FROM regions UNION ALL SELECT code FROM countries$$);
SELECT diff_check('u005', $$SELECT country FROM customers UNION ALL SELECT code FROM regions UNION ALL SELECT code FROM countries$$);
SELECT diff_check('u006', $$SELECT count(*), count(DISTINCT v), sum(v) FROM (SELECT id AS v FROM customers UNION ALL SELECT customer_id FROM orders) s$$);
SELECT diff_check('u007', $$SELECT v, count(*) FROM (SELECT country AS v FROM customers UNION ALL SELECT code FROM regions) s GROUP BY v$$);
SELECT diff_check('u008', $$SELECT v FROM (SELECT id AS v FROM customers UNION ALL SELECT id FROM events) s ORDER BY v DESC LIMIT 7$$, true);
SELECT diff_check('u009', $$SELECT * FROM (SELECT id, name AS t FROM customers UNION ALL SELECT id, kind FROM events) s ORDER BY id, t LIMIT 10 OFFSET 3$$, true);
SELECT diff_check('u010', $$SELECT sku, title FROM items UNION ALL SELECT code, zone FROM regions$$);
SELECT diff_check('u011', $$SELECT count(*) FROM (SELECT id FROM ONLY customers UNION ALL SELECT id FROM ONLY events) s$$);
SELECT diff_check('u012', $$SELECT count(*) FROM (SELECT * FROM customers UNION ALL SELECT * FROM customers) s$$);
SELECT diff_check('u013', $$SELECT s.k, count(*) FROM (SELECT customer_id AS k FROM orders UNION ALL SELECT customer_id FROM events) s JOIN customers c ON c.id = s.k GROUP BY s.k HAVING count(*) > 10$$);
SELECT diff_check('u014', $$SELECT count(*) FROM customers c WHERE c.id IN (SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events)$$);
SELECT diff_check('u015', $$SELECT c.id, (SELECT count(*) FROM (SELECT id FROM orders o WHERE o.customer_id = c.id UNION ALL SELECT id FROM events e WHERE e.customer_id = c.id) s) FROM customers c WHERE c.id < 8$$);
SELECT diff_check('u016', $$SELECT c.id, l.n FROM customers c, LATERAL (SELECT count(*) n FROM (SELECT id FROM orders WHERE customer_id = c.id UNION ALL SELECT id FROM events WHERE customer_id = c.id) s) l WHERE c.id BETWEEN 5 AND 11$$);
-- with filters in the branches, and over the whole
SELECT diff_check('u020', $$SELECT count(*) FROM (SELECT id FROM customers WHERE country = 'DE' UNION ALL SELECT id FROM events WHERE kind = 'buy') s$$);
SELECT diff_check('u021', $$SELECT * FROM (SELECT id, country AS t FROM customers UNION ALL SELECT id, kind FROM events) s WHERE id < 40$$);
SELECT diff_check('u022', $$SELECT * FROM (SELECT id, 'c' AS src FROM customers UNION ALL SELECT id, 'e' FROM events) s WHERE src = 'e' AND id % 100 = 1$$);
SELECT diff_check('u023', $$SELECT * FROM (SELECT customer_id AS k, amount FROM orders UNION ALL SELECT id, credit FROM customers) s WHERE k = 7 ORDER BY amount NULLS FIRST LIMIT 5$$, true);
SELECT diff_check('u024', $$SELECT count(*) FROM (SELECT id FROM customers WHERE id = 17 UNION ALL SELECT id FROM customers WHERE id = 18) s$$);
SELECT diff_check('u025', $$SELECT count(*) FROM (SELECT code FROM regions WHERE zone = 'EU' UNION ALL SELECT country FROM customers WHERE id < 100) s$$);
-- relations proven empty (a constant-false qual) stay empty
SELECT diff_check('u030', $$SELECT * FROM (SELECT id, 'c' AS src FROM customers UNION ALL SELECT id, 'e' FROM events) s WHERE src = 'c' AND id < 20$$);
SELECT diff_check('u031', $$SELECT c.id, e.id FROM customers c LEFT JOIN events e ON e.customer_id = c.id AND 1 = 0 WHERE c.id < 9$$);
SELECT diff_check('u032', $$SELECT count(*) FROM customers c JOIN events e ON e.customer_id = c.id WHERE e.kind = 'x' AND false$$);
SELECT diff_check('u033', $$SELECT c.id, (SELECT count(*) FROM events e WHERE e.customer_id = c.id AND 'a' = 'b') FROM customers c WHERE c.id < 9$$);
-- UNION, INTERSECT, EXCEPT (and ALL)
SELECT diff_check('s001', $$SELECT country FROM customers UNION SELECT code FROM regions$$);
SELECT diff_check('s002', $$SELECT customer_id FROM orders UNION SELECT id FROM customers$$);
SELECT diff_check('s003', $$SELECT id FROM customers INTERSECT SELECT customer_id FROM events$$);
SELECT diff_check('s004', $$SELECT id FROM customers EXCEPT SELECT customer_id FROM orders$$);
SELECT diff_check('s005', $$SELECT count(*), sum(customer_id), count(DISTINCT customer_id) FROM (SELECT customer_id FROM orders EXCEPT ALL SELECT customer_id FROM events) s$$);
SELECT diff_check('s006', $$SELECT customer_id FROM orders WHERE customer_id < 300 INTERSECT ALL SELECT customer_id FROM events$$);
SELECT diff_check('s007', $$SELECT code FROM countries EXCEPT SELECT code FROM regions$$);
SELECT diff_check('s008', $$SELECT code FROM regions INTERSECT SELECT country FROM customers$$);
SELECT diff_check('s009', $$SELECT count(*) FROM (SELECT id FROM customers UNION SELECT id FROM events) s$$);
SELECT diff_check('s010', $$SELECT count(*) FROM (SELECT customer_id FROM orders INTERSECT SELECT id FROM customers) s$$);
SELECT diff_check('s011', $$(SELECT id FROM customers EXCEPT SELECT customer_id FROM orders) ORDER BY 1 DESC LIMIT 4$$, true);
SELECT diff_check('s012', $$SELECT id FROM customers WHERE id < 50 UNION SELECT customer_id FROM orders WHERE customer_id < 60 EXCEPT SELECT id FROM events WHERE id < 30$$);
SELECT diff_check('s013', $$(SELECT id FROM customers UNION ALL SELECT id FROM events) INTERSECT (SELECT customer_id FROM orders UNION SELECT code::int FROM (VALUES ('1'), ('2')) v(code))$$);
SELECT diff_check('s014', $$SELECT kind, count(*) FROM (SELECT kind FROM events UNION ALL SELECT status FROM orders EXCEPT ALL SELECT zone FROM regions) s GROUP BY kind$$);
SELECT diff_check('s015', $$SELECT sku FROM items WHERE sku < 'SKU-0010' UNION SELECT code FROM regions ORDER BY 1$$, true);

-- views (one of them a UNION ALL) and inlined SQL functions
SELECT diff_both($$CREATE VIEW all_ids AS SELECT id, 'c' AS src FROM customers UNION ALL SELECT id, 'e' FROM events UNION ALL SELECT customer_id, 'o' FROM orders$$);
SELECT diff_both($$CREATE VIEW eu_customers AS SELECT c.* FROM customers c JOIN regions r ON r.code = c.country WHERE r.zone = 'EU'$$);
SELECT diff_both($$CREATE FUNCTION ids_of(src text) RETURNS SETOF int LANGUAGE sql STABLE AS 'SELECT id FROM all_ids WHERE all_ids.src = ids_of.src'$$);
SELECT diff_both($$CREATE FUNCTION orders_of(k int) RETURNS SETOF orders LANGUAGE sql STABLE AS 'SELECT * FROM orders WHERE customer_id = k'$$);
SELECT diff_both($$CREATE FUNCTION every_customer() RETURNS SETOF customers LANGUAGE sql STABLE AS 'SELECT * FROM customers'$$);
SELECT diff_both($$CREATE FUNCTION order_count(k int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM orders WHERE customer_id = k'$$);
SELECT diff_check('v001', $$SELECT src, count(*), sum(id) FROM all_ids GROUP BY src$$);
SELECT diff_check('v002', $$SELECT * FROM all_ids WHERE id = 8$$);
SELECT diff_check('v003', $$SELECT count(*) FROM all_ids a JOIN regions r ON r.rank = a.id$$);
SELECT diff_check('v004', $$SELECT id, name, country FROM eu_customers WHERE id < 200$$);
SELECT diff_check('v005', $$SELECT country, count(*) FROM eu_customers GROUP BY country ORDER BY 1$$, true);
SELECT diff_check('v006', $$SELECT count(*) FROM ids_of('e')$$);
SELECT diff_check('v007', $$SELECT * FROM ids_of('c') i ORDER BY 1 LIMIT 5$$, true);
SELECT diff_check('v008', $$SELECT id, amount FROM orders_of(7) WHERE amount > 300$$);
SELECT diff_check('v009', $$SELECT count(*), max(id) FROM every_customer()$$);
SELECT diff_check('v010', $$SELECT c.id, order_count(c.id) FROM customers c WHERE c.id < 25$$);
SELECT diff_check('v011', $$SELECT r.code, (SELECT count(*) FROM every_customer() c WHERE c.country = r.code) FROM regions r$$);
SELECT diff_check('v012', $$SELECT count(*) FROM every_customer() c JOIN orders_of(7) o ON o.customer_id = c.id$$);

-- CTEs (inlined or materialized, recursive) and pulled-up subqueries
SELECT diff_check('c001', $$WITH u AS (SELECT id FROM customers UNION ALL SELECT id FROM events) SELECT count(*) FROM u$$);
SELECT diff_check('c002', $$WITH u AS MATERIALIZED (SELECT id FROM customers UNION ALL SELECT id FROM events) SELECT count(*), max(id) FROM u$$);
SELECT diff_check('c003', $$WITH c AS (SELECT * FROM customers), r AS (SELECT * FROM regions) SELECT r.zone, count(*) FROM c JOIN r ON r.code = c.country GROUP BY r.zone$$);
SELECT diff_check('c004', $$WITH c AS MATERIALIZED (SELECT * FROM customers) SELECT count(*) FROM c a JOIN c b ON a.id = b.id + 1$$);
SELECT diff_check('c005', $$WITH RECURSIVE t(n) AS (SELECT min(id) FROM customers UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT n, (SELECT name FROM customers WHERE id = n) FROM t$$);
SELECT diff_check('c006', $$WITH RECURSIVE t(k, depth) AS (SELECT id, 0 FROM customers WHERE id = 3 UNION ALL SELECT o.qty, t.depth + 1 FROM t JOIN orders o ON o.customer_id = t.k WHERE t.depth < 2) SELECT k, depth, count(*) FROM t GROUP BY 1, 2$$);
SELECT diff_check('c007', $$SELECT * FROM (SELECT id, name FROM customers) s WHERE id < 10$$);
SELECT diff_check('c008', $$SELECT s.id, s.n FROM (SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) n FROM customers c WHERE c.id < 40) s WHERE s.n > 9$$);
SELECT diff_check('c009', $$SELECT count(*) FROM (SELECT * FROM (SELECT * FROM customers) a) b$$);
SELECT diff_check('c010', $$SELECT count(*) FROM customers c LEFT JOIN (SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events) s ON s.customer_id = c.id WHERE s.customer_id IS NULL$$);
SELECT diff_check('c011', $$SELECT x.code, x.n FROM regions r CROSS JOIN LATERAL (SELECT r.code, count(*) n FROM customers c WHERE c.country = r.code) x$$);
SELECT diff_check('c012', $$SELECT count(*) FROM customers WHERE EXISTS (SELECT 1 FROM regions WHERE code = country) AND NOT EXISTS (SELECT 1 FROM countries WHERE code = country AND vat > 20)$$);

-- prepared statements (custom plans, then generic plans)
SELECT diff_both($$PREPARE q1_%s(int) AS SELECT count(*) FROM (SELECT id FROM customers WHERE id < $1 UNION ALL SELECT id FROM events WHERE id < $1) s$$);
SELECT diff_both($$PREPARE q2_%s(int) AS SELECT v FROM (SELECT customer_id AS v FROM orders UNION ALL SELECT id FROM customers) s WHERE v = $1$$);
SELECT diff_both($$PREPARE q3_%s(text) AS SELECT id FROM customers WHERE country = $1 UNION SELECT rank FROM regions WHERE code = $1$$);
SELECT diff_both($$PREPARE q4_%s(int) AS SELECT count(*) + $1 FROM (SELECT id FROM customers UNION ALL SELECT id FROM events) s$$);
SELECT diff_execute('q1 a', 'q1', '100');
SELECT diff_execute('q1 b', 'q1', '1000');
SELECT diff_execute('q1 c', 'q1', '10');
SELECT diff_execute('q1 d', 'q1', '3000');
SELECT diff_execute('q1 e', 'q1', '50');
SELECT diff_execute('q1 f', 'q1', '7000');
SELECT diff_execute('q2 a', 'q2', '11');
SELECT diff_execute('q2 b', 'q2', '8');
SELECT diff_execute('q2 c', 'q2', '9');
SELECT diff_execute('q2 d', 'q2', '10');
SELECT diff_execute('q2 e', 'q2', '3001');
SELECT diff_execute('q2 f', 'q2', '2000');
SELECT diff_execute('q3 a', 'q3', $$'DE'$$);
SELECT diff_execute('q3 b', 'q3', $$'JP'$$);
SELECT diff_execute('q3 c', 'q3', $$'ZZ'$$);
SELECT diff_execute('q3 d', 'q3', $$'SE'$$);
SELECT diff_execute('q3 e', 'q3', $$'US'$$);
SELECT diff_execute('q3 f', 'q3', $$'BR'$$);
SELECT diff_execute('q4 a', 'q4', '0');
SELECT diff_execute('q4 b', 'q4', '1');
SELECT diff_execute('q4 c', 'q4', '2');
SELECT diff_execute('q4 d', 'q4', '3');
SELECT diff_execute('q4 e', 'q4', '4');
SELECT diff_execute('q4 f', 'q4', '5');

-- anonymous records: whole rows of subqueries, ROW(...), arrays of rows,
-- rows in rows; from reference tables (router), one shard (router), all
-- shards (pushdown shapes) and remote scans
SELECT diff_check('r001', $$SELECT r FROM (SELECT zone, count(*) FROM regions GROUP BY zone) r$$);
SELECT diff_check('r002', $$SELECT r FROM (SELECT code, rank FROM regions) r WHERE (r).rank > 2$$);
SELECT diff_check('r003', $$SELECT array_agg(r ORDER BY r) FROM (SELECT zone, count(*) FROM regions GROUP BY zone) r$$);
SELECT diff_check('r004', $$SELECT ROW(code, ROW(zone, rank)) FROM regions$$);
SELECT diff_check('r005', $$SELECT (r).f1, (r).f2 FROM (SELECT ROW(code, rank) r FROM regions) s WHERE (r).f2 > 3$$);
SELECT diff_check('r006', $$SELECT r FROM (SELECT customer_id, count(*) FROM orders WHERE customer_id = 7 GROUP BY customer_id) r$$);
SELECT diff_check('r007', $$SELECT ROW(id, name), ARRAY[ROW(id, 1), ROW(id, 2)] FROM customers WHERE id = 5$$);
SELECT diff_check('r008', $$SELECT r FROM (SELECT customer_id, count(*) FROM orders GROUP BY customer_id) r$$);
SELECT diff_check('r009', $$SELECT customer_id, array_agg(ROW(id, status) ORDER BY id) FROM orders WHERE customer_id < 40 GROUP BY customer_id$$);
SELECT diff_check('r010', $$SELECT status, array_agg(ROW(customer_id, id) ORDER BY customer_id, id) FILTER (WHERE qty = 9 AND customer_id < 200) FROM orders GROUP BY status$$);
SELECT diff_check('r011', $$SELECT c.id, (SELECT array_agg(o ORDER BY o.id) FROM (SELECT id, amount FROM orders o WHERE o.customer_id = c.id ORDER BY id LIMIT 2) o) FROM customers c WHERE c.id < 20$$);
SELECT diff_check('r012', $$SELECT ROW(id, ROW(kind, labels), ARRAY[ROW(score, dur)]) FROM events WHERE id < 50$$);
SELECT diff_check('r013', $$SELECT r FROM (SELECT id FROM customers WHERE id < 5 UNION ALL SELECT id FROM events WHERE id < 5) r$$);
SELECT diff_check('r014', $$WITH x AS (SELECT country, count(*) FROM customers GROUP BY country) SELECT x FROM x$$);
SELECT diff_check('r015', $$SELECT (r).* FROM (SELECT ROW(id, name) r FROM customers WHERE id < 30) s$$);
SELECT diff_check('r016', $$SELECT (r).f1, (r).f2 FROM (SELECT ROW(code, zone) r FROM regions) s$$);
SELECT diff_check('r017', $$SELECT a FROM all_ids a WHERE a.id < 4$$);
SELECT diff_check('r018', $$SELECT s.k, array_agg(s ORDER BY s) FROM (SELECT customer_id k, status FROM orders WHERE customer_id IN (3, 4, 5)) s GROUP BY s.k$$);
SELECT diff_check('r019', $$SELECT c, r FROM customers c JOIN regions r ON r.code = c.country WHERE c.id < 40$$);
SELECT diff_check('r020', $$SELECT ROW(c.id, r) FROM customers c JOIN regions r ON r.code = c.country WHERE c.id = 3$$);
SELECT diff_both($$PREPARE rq_%s(int) AS SELECT r FROM (SELECT customer_id, sum(qty) FROM orders WHERE customer_id = $1 GROUP BY 1) r$$);
SELECT diff_execute('rq a', 'rq', '7');
SELECT diff_execute('rq b', 'rq', '8');
SELECT diff_execute('rq c', 'rq', '9');
SELECT diff_execute('rq d', 'rq', '10');
SELECT diff_execute('rq e', 'rq', '11');
SELECT diff_execute('rq f', 'rq', '12');

-- modifications returning anonymous records: computed on the coordinator
-- for INSERT, refused where the nodes would have to send them
BEGIN;
INSERT INTO diff_dist.regions VALUES ('NO', 'EU', 8) RETURNING ROW(code, rank);
INSERT INTO diff_dist.customers (id, name) VALUES (9001, 'x') RETURNING ROW(id, name);
UPDATE diff_dist.regions SET rank = rank WHERE code = 'NO' RETURNING ROW(code, rank);
ROLLBACK;
BEGIN;
DELETE FROM diff_dist.customers WHERE id = 1 RETURNING ROW(id, country);
ROLLBACK;
BEGIN;
INSERT INTO diff_dist.regions VALUES ('DE', 'EU', 1) ON CONFLICT (code) DO UPDATE SET rank = 0 RETURNING ROW(code, rank);
ROLLBACK;
UPDATE diff_dist.regions SET rank = rank WHERE code = 'DE' RETURNING regions;

-- inheritance and partitioning: a distributed table takes no part
CREATE TABLE diff_dist.child () INHERITS (diff_dist.customers);
CREATE FOREIGN DATA WRAPPER diff_fdw;
CREATE SERVER diff_server FOREIGN DATA WRAPPER diff_fdw;
CREATE FOREIGN TABLE diff_common.remote_child () INHERITS (diff_dist.customers) SERVER diff_server;
DROP SERVER diff_server;
DROP FOREIGN DATA WRAPPER diff_fdw;
CREATE TABLE diff_common.parent (id int);
ALTER TABLE diff_dist.customers INHERIT diff_common.parent;
CREATE TABLE diff_common.other (LIKE diff_local.customers);
ALTER TABLE diff_common.other INHERIT diff_dist.customers;
CREATE TABLE diff_common.parts (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE diff_dist.part1 (id int, v text);
SELECT shard.create_distributed_table('diff_dist.part1', 'id', shard_count => 2);
ALTER TABLE diff_common.parts ATTACH PARTITION diff_dist.part1 FOR VALUES FROM (0) TO (100);
CREATE TABLE diff_common.part2 PARTITION OF diff_common.parts FOR VALUES FROM (100) TO (200);
SELECT shard.create_distributed_table('diff_common.part2', 'id');
CREATE TABLE diff_common.kid () INHERITS (diff_common.parent);
SELECT shard.create_distributed_table('diff_common.parent', 'id');

-- hierarchies made before these checks existed (simulated in the catalog):
-- a local parent reads its distributed child's shards; modifying the
-- parent, locking the child's rows and reading a distributed table that
-- has children are refused
SELECT diff_both($$CREATE TABLE kin_parent (id int, v text)$$);
SELECT diff_both($$INSERT INTO kin_parent VALUES (1, 'parent'), (2, 'parent')$$);
CREATE TABLE diff_local.kin_child () INHERITS (diff_local.kin_parent);
CREATE TABLE diff_dist.kin_child (id int, v text);
SELECT shard.create_distributed_table('diff_dist.kin_child', 'id', shard_count => 2);
SELECT diff_both($$INSERT INTO kin_child SELECT g, 'child' FROM generate_series(3, 40) g$$);
INSERT INTO pg_inherits VALUES ('diff_dist.kin_child'::regclass, 'diff_dist.kin_parent'::regclass, 1, false);
UPDATE pg_class SET relhassubclass = true WHERE oid = 'diff_dist.kin_parent'::regclass;
SELECT diff_check('h001', $$SELECT * FROM kin_parent$$);
SELECT diff_check('h002', $$SELECT v, count(*), sum(id) FROM kin_parent GROUP BY v$$);
SELECT diff_check('h003', $$SELECT p.id, c.name FROM kin_parent p JOIN customers c ON c.id = p.id WHERE p.v = 'child'$$);
SELECT diff_check('h004', $$SELECT * FROM kin_parent WHERE id % 7 = 0 UNION ALL SELECT id, name FROM customers WHERE id < 3$$);
SELECT diff_check('h005', $$SELECT count(*) FROM ONLY kin_parent$$);
UPDATE diff_dist.kin_parent SET v = 'x';
DELETE FROM diff_dist.kin_parent WHERE id = 5;
SELECT * FROM diff_dist.kin_parent WHERE id = 5 FOR UPDATE;
UPDATE ONLY diff_dist.kin_parent SET v = 'first' WHERE id = 1;
SELECT * FROM diff_dist.kin_parent WHERE id < 5 ORDER BY id;
CREATE TABLE diff_common.kin_grandchild (id int, v text);
INSERT INTO pg_inherits VALUES ('diff_common.kin_grandchild'::regclass, 'diff_dist.kin_child'::regclass, 1, false);
UPDATE pg_class SET relhassubclass = true WHERE oid = 'diff_dist.kin_child'::regclass;
SELECT count(*) FROM diff_dist.kin_child;
SELECT count(*) FROM ONLY diff_dist.kin_child;
DELETE FROM pg_inherits WHERE inhrelid IN ('diff_dist.kin_child'::regclass, 'diff_common.kin_grandchild'::regclass);
