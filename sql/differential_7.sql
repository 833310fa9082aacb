-- differential_7: the shapes that used to re-read the shards once per
-- outer row (issue 11, BUG-2), now with their whole outer side:
-- correlated scalar subqueries and EXISTS / NOT EXISTS on the
-- distribution columns (one pushed-down statement per shard group), the
-- same over a table that is not co-located (outer values shipped as
-- parameters, pruned when they compare its distribution column),
-- uncorrelated subqueries whose value is shipped, nested IN, joins on
-- expressions and on non-distribution text keys, joins with a reference
-- table, nested loops forced over remote scans.  See differential_1.sql
-- for how each line is checked.
SET client_min_messages TO warning;
ALTER SEQUENCE shard.shard_id_seq RESTART 1270000;
\t on
\a

-- a reference table on each side
SELECT diff_both($$CREATE TABLE zones7 (country text PRIMARY KEY, zone text, weight int)$$);
SELECT diff_both($$INSERT INTO zones7 VALUES ('DE', 'EU', 3), ('FR', 'EU', 2), ('SE', 'EU', 1),
	('JP', 'APAC', 5), ('US', 'NA', 4), ('BR', 'SA', 2)$$);
SELECT shard.create_reference_table('diff_dist.zones7');

-- BUG-2 with every customer: correlated on both distribution columns
SELECT diff_check('k001', $$SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id)$$);
SELECT diff_check('k002', $$SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id), (SELECT max(o.amount) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') FROM customers c$$);
SELECT diff_check('k003', $$SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 450)$$);
SELECT diff_check('k004', $$SELECT c.id, c.country FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status IS NOT DISTINCT FROM 'new')$$);
SELECT diff_check('k005', $$SELECT c.country, count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) GROUP BY c.country$$);
SELECT diff_check('k006', $$SELECT c.segment, sum((SELECT count(*) FROM orders o WHERE o.customer_id = c.id)) FROM customers c GROUP BY c.segment$$);
SELECT diff_check('k007', $$SELECT c.id FROM customers c WHERE (SELECT o.amount FROM orders o WHERE o.customer_id = c.id ORDER BY o.amount DESC NULLS LAST, o.id LIMIT 1) > 490$$);
SELECT diff_check('k008', $$SELECT c.id FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.customer_id = c.id AND o.qty > 8)$$);
SELECT diff_check('k009', $$SELECT c.id FROM customers c WHERE c.credit < ALL (SELECT o.amount FROM orders o WHERE o.customer_id = c.id)$$);
SELECT diff_check('k010', $$SELECT c.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.id < 100 WHERE (SELECT count(*) FROM orders o2 WHERE o2.customer_id = o.customer_id) > 3$$);
SELECT diff_check('k011', $$SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND EXISTS (SELECT 1 FROM orders o2 WHERE o2.customer_id = o.customer_id AND o2.id <> o.id AND o2.status = o.status AND o2.qty = o.qty + 1))$$);
SELECT diff_check('k012', $$SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id) ORDER BY c.credit DESC NULLS LAST, c.id LIMIT 15$$, true);
SELECT diff_check('k013', $$SELECT c.id, (SELECT z.zone FROM zones7 z WHERE z.country = c.country) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o JOIN zones7 z ON z.country = c.country WHERE o.customer_id = c.id AND o.qty > z.weight + 5)$$);
-- correlated on something else: not pushed down, still right
SELECT diff_check('k014', $$SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.qty = c.id % 10 AND o.customer_id = c.id + 1)$$);
SELECT diff_check('k015', $$SELECT c.id FROM customers c WHERE c.id < 300 AND (SELECT count(*) FROM orders o WHERE o.customer_id > c.id AND o.customer_id < c.id + 3) > 2$$);

-- not co-located: the outer value is sent as a parameter, pruned to one
-- shard when it compares the distribution column (s040 with every customer)
SELECT diff_check('k020', $$SELECT id FROM customers c WHERE (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 2$$);
SELECT diff_check('k021', $$SELECT c.id FROM customers c WHERE (SELECT e.score FROM events e WHERE e.id = c.id) > 10$$);
SELECT diff_check('k022', $$SELECT c.id, (SELECT e.kind FROM events e WHERE e.id = c.id * 2) FROM customers c WHERE c.id < 500$$);
SELECT diff_check('k023', $$SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = c.id AND e.kind = 'view')$$);
SELECT diff_check('k024', $$SELECT i.sku FROM items i WHERE i.stock < (SELECT count(*) FROM events e WHERE e.id = i.stock * 10 AND e.kind IS NOT NULL)$$);
SELECT diff_check('k025', $$SELECT c.id FROM customers c WHERE c.id < 400 AND (SELECT count(*) FROM events e WHERE e.customer_id = c.id AND e.at < c.created_at + interval '1 year') > 0$$);
SELECT diff_check('k026', $$SELECT e.id FROM events e WHERE e.id < 1500 AND e.customer_id IS NOT NULL AND (SELECT c.segment FROM customers c WHERE c.id = e.customer_id) IS NULL$$);
SELECT diff_check('k027', $$SELECT i.sku, (SELECT count(*) FROM items i2 WHERE i2.sku = 'SKU-' || lpad((i.stock + 1)::text, 4, '0')) FROM items i$$);
-- uncorrelated values (initplans) shipped as parameters
SELECT diff_check('k030', $$SELECT id FROM events WHERE score > (SELECT avg(score) FROM events) + 3$$);
SELECT diff_check('k031', $$SELECT id FROM customers WHERE credit > (SELECT max(amount) FROM orders WHERE status = 'new') - 10$$);
SELECT diff_check('k032', $$SELECT count(*) FROM events WHERE customer_id = (SELECT min(id) FROM customers WHERE country = 'SE')$$);
SELECT diff_check('k033', $$SELECT id FROM events WHERE id = (SELECT max(customer_id) FROM orders WHERE customer_id < 2000)$$);

-- ORM shapes: nested IN, joins on expressions and on text keys
SELECT diff_check('k040', $$SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE id IN (SELECT id FROM events WHERE score > 10))$$);
SELECT diff_check('k041', $$SELECT id FROM customers WHERE id IN (SELECT customer_id FROM events WHERE id IN (SELECT id::int FROM orders WHERE qty > 7))$$);
SELECT diff_check('k042', $$SELECT c.id, count(*) FROM customers c JOIN events e ON lower(e.kind) = CASE WHEN c.id % 2 = 0 THEN 'view' ELSE 'login' END WHERE c.id < 60 GROUP BY c.id$$);
SELECT diff_check('k043', $$SELECT c.country, o.status, count(*) FROM customers c JOIN orders o ON o.status = CASE c.segment WHEN 'smb' THEN 'paid' WHEN 'retail' THEN 'new' END WHERE c.id < 300 AND o.customer_id < 500 GROUP BY c.country, o.status$$);
SELECT diff_check('k044', $$SELECT c.id, e.id FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 200$$);
SELECT diff_check('k045', $$SELECT i.sku, count(e.id) FROM items i LEFT JOIN events e ON e.payload->>'page' = '/p/' || (i.stock % 40)::text WHERE i.sku < 'SKU-0040' GROUP BY i.sku$$);
SELECT diff_check('k046', $$SELECT z.zone, count(*), sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id JOIN zones7 z ON z.country = c.country GROUP BY z.zone$$);
SELECT diff_check('k047', $$SELECT c.id, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id JOIN events e ON e.id = o.id::int WHERE e.kind = 'view' GROUP BY c.id ORDER BY total DESC NULLS LAST, c.id LIMIT 10$$, true);

-- nested loops forced over remote scans: each read once
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT diff_check('k050', $$SELECT c.id, e.id FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 300$$);
SET enable_material = off;
SELECT diff_check('k051', $$SELECT c.id, e.id FROM customers c JOIN events e ON e.customer_id = c.id + 1 WHERE c.id < 300$$);
SELECT diff_check('k052', $$SELECT i.sku, e.id FROM items i JOIN events e ON e.score::int = i.stock WHERE i.sku < 'SKU-0030' AND e.id < 400$$);
RESET enable_material;
RESET enable_hashjoin;
RESET enable_mergejoin;

\t off
\a
