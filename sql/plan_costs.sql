-- plan_costs: no plan re-reads the shards once per outer row.  Correlated
-- subqueries on co-located distribution columns run inside the shards (one
-- pushed-down statement per shard group); otherwise the outer values are
-- shipped as parameters at each rescan, pruned to one shard when they
-- compare the distribution column; a remote scan that a plan reads again
-- with nothing changed is read once and kept.  EXPLAIN ANALYZE shows each
-- remote read (loops=1, or one task per outer row); results are compared
-- with local copies.
CREATE SCHEMA plan_costs;
SET search_path TO plan_costs;
ALTER SEQUENCE shard.shard_id_seq RESTART 1710000;
CREATE TABLE customers (id int PRIMARY KEY, credit numeric, segment text);
CREATE TABLE orders (id int, customer_id int, amount numeric, status text);
CREATE TABLE events (id int PRIMARY KEY, customer_id int, score int, note text);
CREATE TABLE l_customers (LIKE customers);
CREATE TABLE l_orders (LIKE orders);
CREATE TABLE l_events (LIKE events);
INSERT INTO l_customers SELECT i, (i * 37) % 500, CASE i % 3 WHEN 0 THEN 'smb' WHEN 1 THEN 'ent' END
FROM generate_series(1, 300) i;
INSERT INTO l_orders SELECT i, i % 290 + 1, (i * 53) % 700, CASE i % 4 WHEN 0 THEN 'ent' ELSE 'paid' END
FROM generate_series(1, 1200) i;
INSERT INTO l_events SELECT i, i % 250 + 1, i % 17, repeat(chr(97 + i % 26), 200) FROM generate_series(1, 600) i;
INSERT INTO customers SELECT * FROM l_customers;
INSERT INTO orders SELECT * FROM l_orders;
INSERT INTO events SELECT * FROM l_events;
SELECT shard.create_distributed_table('customers', 'id', shard_count => 4);
SELECT shard.create_distributed_table('orders', 'customer_id', shard_count => 4, colocate_with => 'customers');
SELECT shard.create_distributed_table('events', 'id', shard_count => 3, colocate_with => 'none');
ANALYZE customers, orders, events, l_customers, l_orders, l_events;

-- correlated scalar subquery on the distribution columns (BUG-2): one
-- statement per shard group, the subquery inside it
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id);
SELECT count(*) FROM (
  (SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id)
   EXCEPT ALL
   SELECT c.id FROM l_customers c WHERE c.credit > (SELECT avg(o.amount) FROM l_orders o WHERE o.customer_id = c.id))
  UNION ALL
  (SELECT c.id FROM l_customers c WHERE c.credit > (SELECT avg(o.amount) FROM l_orders o WHERE o.customer_id = c.id)
   EXCEPT ALL
   SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id))) d;

-- correlated EXISTS, NOT EXISTS and a scalar subquery in the select list
EXPLAIN (COSTS OFF)
SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 600);
EXPLAIN (COSTS OFF)
SELECT c.id, (SELECT max(o.amount) FROM orders o WHERE o.customer_id = c.id) FROM customers c
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'ent');
SELECT count(*) FROM (
  (SELECT c.id, (SELECT max(o.amount) FROM orders o WHERE o.customer_id = c.id) FROM customers c
   WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'ent')
   EXCEPT ALL
   SELECT c.id, (SELECT max(o.amount) FROM l_orders o WHERE o.customer_id = c.id) FROM l_customers c
   WHERE NOT EXISTS (SELECT 1 FROM l_orders o WHERE o.customer_id = c.id AND o.status = 'ent'))
  UNION ALL
  (SELECT c.id, (SELECT max(o.amount) FROM l_orders o WHERE o.customer_id = c.id) FROM l_customers c
   WHERE NOT EXISTS (SELECT 1 FROM l_orders o WHERE o.customer_id = c.id AND o.status = 'ent')
   EXCEPT ALL
   SELECT c.id, (SELECT max(o.amount) FROM orders o WHERE o.customer_id = c.id) FROM customers c
   WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'ent'))) d;

-- correlated on a column that is not the distribution column of both: the
-- subquery stays on the coordinator, and its outer value is sent as $1
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT c.id FROM customers c WHERE c.id < 6 AND (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 2;
-- ... and pruned to the one shard that holds it when it is the
-- distribution column: one task per outer row, on its shard
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT v.id FROM (VALUES (1), (2), (3), (4), (5)) v(id) WHERE (SELECT e.score FROM events e WHERE e.id = v.id) > 2;
SELECT count(*) FROM (
  (SELECT c.id FROM customers c WHERE (SELECT e.score FROM events e WHERE e.id = c.id) > 2
     AND (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 1
   EXCEPT ALL
   SELECT c.id FROM l_customers c WHERE (SELECT e.score FROM l_events e WHERE e.id = c.id) > 2
     AND (SELECT count(*) FROM l_events e WHERE e.customer_id = c.id) > 1)
  UNION ALL
  (SELECT c.id FROM l_customers c WHERE (SELECT e.score FROM l_events e WHERE e.id = c.id) > 2
     AND (SELECT count(*) FROM l_events e WHERE e.customer_id = c.id) > 1
   EXCEPT ALL
   SELECT c.id FROM customers c WHERE (SELECT e.score FROM events e WHERE e.id = c.id) > 2
     AND (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 1)) d;

-- an uncorrelated subquery's value (an initplan) is shipped too
EXPLAIN (COSTS OFF)
SELECT count(*) FROM events e WHERE e.score > (SELECT avg(score) FROM events);
SELECT (SELECT count(*) FROM events e WHERE e.score > (SELECT avg(score) FROM events)) =
       (SELECT count(*) FROM l_events e WHERE e.score > (SELECT avg(score) FROM l_events));

-- a statement parameter and an outer value in one pushed filter
PREPARE p(int) AS
SELECT c.id FROM customers c WHERE c.id < $1 AND (SELECT e.score FROM events e WHERE e.id = c.id AND e.score >= $1 - 20) > 2
ORDER BY 1;
EXPLAIN (COSTS OFF) EXECUTE p(10);
EXECUTE p(10);
SELECT c.id FROM l_customers c WHERE c.id < 10 AND (SELECT e.score FROM l_events e WHERE e.id = c.id AND e.score >= 10 - 20) > 2 ORDER BY 1;
DEALLOCATE p;

-- a nested loop whose inner side is a remote scan without parameters:
-- rescans cost a full read, so PostgreSQL keeps the rows in a Materialize
-- node; without it the scan keeps them itself: the shards are read once
-- (node streams without loops) while the scan runs once per outer row
SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 40;
SET enable_material = off;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 40;
-- kept rows beyond work_mem spill to disk and are read back alike
SET work_mem = 64;
SELECT (SELECT sum(length(e2.note)) FROM events e1 JOIN events e2 ON e2.score = e1.score - 1 WHERE e1.id < 30) =
       (SELECT sum(length(e2.note)) FROM l_events e1 JOIN l_events e2 ON e2.score = e1.score - 1 WHERE e1.id < 30);
RESET work_mem;
RESET enable_material;
SELECT (SELECT count(*) FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 40) =
       (SELECT count(*) FROM l_customers c JOIN l_events e ON e.customer_id = c.id + 1 WHERE c.id < 40);
RESET enable_hashjoin;
RESET enable_mergejoin;

DROP SCHEMA plan_costs CASCADE;
