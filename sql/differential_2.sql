-- differential_2: joins (co-located, not co-located, with local tables,
-- outer, lateral, USING/NATURAL), subqueries (IN, EXISTS, scalar,
-- ANY/ALL, correlated and not) and CTEs (materialized, inlined,
-- recursive).  See differential_1.sql for how each line is checked.
-- Comparisons that involve float8 averages are rounded first.  Correlated
-- subqueries keep their outer side small: each outer row re-reads the inner
-- table from every shard (BUGS.md, BUG-2).
SET client_min_messages TO warning;
\t on
\a

-- joins
SELECT diff_check('j001', $$SELECT c.id, o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 100$$);
SELECT diff_check('j002', $$SELECT c.country, count(*), sum(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.country$$);
SELECT diff_check('j003', $$SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id HAVING count(o.id) = 0$$);
SELECT diff_check('j004', $$SELECT o.customer_id, o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL$$);
SELECT diff_check('j005', $$SELECT c.id, o.id FROM customers c FULL JOIN orders o ON o.customer_id = c.id WHERE c.id IS NULL OR o.id IS NULL$$);
SELECT diff_check('j006', $$SELECT c.id, o.id FROM customers c RIGHT JOIN orders o ON o.customer_id = c.id AND c.active WHERE o.id < 300$$);
SELECT diff_check('j007', $$SELECT count(*), sum(o1.qty) FROM orders o1 JOIN orders o2 USING (customer_id, id)$$);
SELECT diff_check('j008', $$SELECT o1.customer_id, count(*) FROM orders o1 JOIN orders o2 ON o1.customer_id = o2.customer_id AND o1.id < o2.id WHERE o1.customer_id <> 7 GROUP BY 1$$);
SELECT diff_check('j009', $$SELECT e.id, c.name FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.id < 500$$);
SELECT diff_check('j010', $$SELECT c.country, e.kind, count(*) FROM events e JOIN customers c ON c.id = e.customer_id GROUP BY 1, 2$$);
SELECT diff_check('j011', $$SELECT e.id, e.customer_id FROM events e LEFT JOIN customers c ON c.id = e.customer_id WHERE c.id IS NULL$$);
SELECT diff_check('j012', $$SELECT count(*), count(e.id), count(c.id) FROM events e FULL JOIN customers c ON c.id = e.customer_id$$);
SELECT diff_check('j013', $$SELECT c.id, i.sku FROM customers c JOIN items i ON i.stock = c.flags WHERE c.id < 50$$);
SELECT diff_check('j014', $$SELECT o.id, i.sku FROM orders o JOIN items i ON i.price = o.amount$$);
SELECT diff_check('j015', $$SELECT o.status, s.rank, count(*) FROM orders o JOIN statuses s ON s.status = o.status GROUP BY 1, 2$$);
SELECT diff_check('j016', $$SELECT c.id, k.name FROM customers c JOIN countries k ON k.code = c.country WHERE c.id < 200$$);
SELECT diff_check('j017', $$SELECT k.region, count(c.id) FROM countries k LEFT JOIN customers c ON c.country = k.code GROUP BY k.region$$);
SELECT diff_check('j018', $$SELECT c.id, c.country, k.name FROM customers c LEFT JOIN countries k ON k.code = c.country WHERE k.code IS NULL$$);
SELECT diff_check('j019', $$SELECT c.id, count(DISTINCT o.id), count(DISTINCT e.id) FROM customers c JOIN orders o ON o.customer_id = c.id JOIN events e ON e.customer_id = c.id WHERE c.id < 300 GROUP BY c.id$$);
SELECT diff_check('j020', $$SELECT c.id, o.id, s.final FROM customers c JOIN orders o ON o.customer_id = c.id LEFT JOIN statuses s ON s.status = o.status AND s.final WHERE c.id BETWEEN 10 AND 40$$);
SELECT diff_check('j021', $$SELECT i.sku, k.code FROM items i CROSS JOIN countries k WHERE i.stock = 0 AND k.vat > 20$$);
SELECT diff_check('j022', $$SELECT count(*) FROM customers c, orders o WHERE o.customer_id = c.id AND c.segment = 'smb' AND o.status = 'paid'$$);
SELECT diff_check('j023', $$SELECT c.id, o.id FROM customers c JOIN orders o ON o.customer_id = c.id AND o.amount > c.credit WHERE c.id < 100$$);
SELECT diff_check('j024', $$SELECT c.id, count(*) FROM customers c JOIN customers d ON d.id BETWEEN c.id - 2 AND c.id + 2 WHERE c.id < 20 GROUP BY c.id$$);
SELECT diff_check('j025', $$SELECT c.id, x.id, x.amount FROM customers c, LATERAL (SELECT o.id, o.amount FROM orders o WHERE o.customer_id = c.id ORDER BY o.amount DESC NULLS LAST, o.id LIMIT 2) x WHERE c.id < 40$$);
SELECT diff_check('j026', $$SELECT i.sku, e.n FROM items i, LATERAL (SELECT count(*) n FROM events e WHERE e.payload->>'ms' = i.stock::text) e WHERE i.sku < 'SKU-0020'$$);
SELECT diff_check('j027', $$SELECT c.id, l.last FROM customers c LEFT JOIN LATERAL (SELECT max(ordered_at) AS last FROM orders o WHERE o.customer_id = c.id AND o.status = 'new') l ON true WHERE c.id > 1980$$);
SELECT diff_check('j028', $$SELECT e.id, l FROM events e, LATERAL unnest(e.labels) l WHERE e.id < 100$$);
SELECT diff_check('j029', $$SELECT c.id, j.key, j.value FROM customers c, jsonb_each(c.tags) j WHERE c.id < 10$$);
SELECT diff_check('j030', $$SELECT a.id, b.id FROM events a JOIN events b ON a.customer_id = b.customer_id AND a.id < b.id WHERE a.id < 2000 AND b.id < 4000$$);
SELECT diff_check('j031', $$SELECT v.x, c.name FROM (VALUES (1), (2), (4000)) v(x) LEFT JOIN customers c ON c.id = v.x$$);
SELECT diff_check('j032', $$SELECT count(*) FROM orders o JOIN items i ON i.attrs->>'size' = o.meta->>'n'$$);
SELECT diff_check('j033', $$SELECT * FROM orders o JOIN statuses USING (status) WHERE o.customer_id = 12$$);
SELECT diff_check('j034', $$SELECT count(*) FROM customers c NATURAL JOIN (SELECT id, country FROM customers) x$$);
SELECT diff_check('j035', $$SELECT customer_id, count(*) FROM (SELECT customer_id FROM events WHERE id < 100) e FULL JOIN (SELECT customer_id FROM orders WHERE id < 100) o USING (customer_id) GROUP BY 1$$);
SELECT diff_check('j036', $$SELECT c.id, t.total FROM customers c JOIN (SELECT customer_id, sum(amount) total FROM orders GROUP BY customer_id) t ON t.customer_id = c.id WHERE t.total > 5000$$);
SELECT diff_check('j037', $$SELECT o.id, e.id, e.kind FROM orders o JOIN events e ON e.id = o.id WHERE o.customer_id = 7 AND o.id < 100$$);
SELECT diff_check('j038', $$SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.qty > 8 WHERE c.id < 50 AND (o.id IS NULL OR o.amount > 100)$$);
SELECT diff_check('j039', $$SELECT c.id, i.sku FROM customers c JOIN items i ON i.sku = 'SKU-' || lpad(c.id::text, 4, '0') ORDER BY c.id LIMIT 20$$, true);
SELECT diff_check('j040', $$SELECT t.id, t.n_orders, k.name FROM customer_totals t JOIN countries k ON k.code = t.country WHERE t.n_orders > 5$$);
SELECT diff_check('j041', $$SELECT c.id, o.id, e.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id LEFT JOIN events e ON e.customer_id = o.customer_id AND e.kind = 'buy' WHERE c.id IN (5, 8, 1995)$$);
SELECT diff_check('j042', $$SELECT c.segment, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id JOIN statuses s ON s.status = o.status WHERE s.final GROUP BY 1$$);
SELECT diff_check('j043', $$SELECT o.id, k.code FROM orders o JOIN customers c ON c.id = o.customer_id RIGHT JOIN countries k ON k.code = c.country AND o.qty = 9 AND o.customer_id < 100$$);
SELECT diff_check('j044', $$SELECT c1.id, c2.id FROM customers c1 JOIN customers c2 ON c1.name = c2.name AND c1.id < c2.id WHERE c1.id < 300 AND c2.id < 300$$);
SELECT diff_check('j045', $$SELECT e.kind, i.category, count(*) FROM events e JOIN items i ON i.stock = e.customer_id % 50 WHERE e.id < 300 GROUP BY 1, 2$$);

-- subqueries
SELECT diff_check('s001', $$SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 490)$$);
SELECT diff_check('s002', $$SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)$$);
SELECT diff_check('s003', $$SELECT id FROM customers WHERE country NOT IN (SELECT code FROM countries WHERE region = 'EU')$$);
SELECT diff_check('s004', $$SELECT id FROM customers WHERE country IN (SELECT code FROM countries WHERE vat IS NULL)$$);
SELECT diff_check('s005', $$SELECT id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE id < 60$$);
SELECT diff_check('s006', $$SELECT id, (SELECT max(at) FROM events e WHERE e.customer_id = c.id) FROM customers c WHERE id < 60$$);
SELECT diff_check('s007', $$SELECT id FROM orders WHERE amount > (SELECT avg(amount) FROM orders) AND customer_id < 100$$);
SELECT diff_check('s008', $$SELECT id, amount - (SELECT min(amount) FROM orders) FROM orders WHERE customer_id = 12$$);
SELECT diff_check('s009', $$SELECT id FROM orders WHERE amount > ALL (SELECT credit FROM customers WHERE credit IS NOT NULL AND id < 50)$$);
SELECT diff_check('s010', $$SELECT id, amount FROM orders WHERE amount = ANY (SELECT price FROM items)$$);
SELECT diff_check('s011', $$SELECT id FROM orders WHERE qty < ANY (SELECT stock FROM items WHERE sku < 'SKU-0005') AND customer_id < 30$$);
SELECT diff_check('s012', $$SELECT sku FROM items WHERE price > ALL (SELECT amount FROM orders WHERE customer_id = 12)$$);
SELECT diff_check('s013', $$SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 450) AND c.id < 500$$);
SELECT diff_check('s014', $$SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id)$$);
SELECT diff_check('s015', $$SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(o.amount) FROM orders o WHERE o.customer_id = c.id) AND c.id < 150$$);
SELECT diff_check('s016', $$SELECT e.id FROM events e WHERE e.score::numeric > (SELECT round(avg(score)::numeric, 6) FROM events e2 WHERE e2.kind = e.kind) AND e.id < 100$$);
SELECT diff_check('s017', $$SELECT id FROM orders WHERE (customer_id, amount) IN (SELECT customer_id, max(amount) FROM orders GROUP BY customer_id) AND customer_id < 200$$);
SELECT diff_check('s018', $$SELECT count(*) FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE country = 'JP')$$);
SELECT diff_check('s019', $$SELECT count(*) FROM events WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'cancelled')$$);
SELECT diff_check('s020', $$SELECT id, name FROM customers WHERE id = (SELECT max(customer_id) FROM orders WHERE customer_id < 2000)$$);
SELECT diff_check('s021', $$SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events), (SELECT sum(stock) FROM items)$$);
SELECT diff_check('s022', $$SELECT * FROM (SELECT customer_id, count(*) n FROM orders GROUP BY 1) s WHERE n > 15$$);
SELECT diff_check('s023', $$SELECT s.kind, s.n FROM (SELECT kind, count(*) n FROM events WHERE score > 5 GROUP BY kind) s JOIN (SELECT kind FROM events WHERE id < 20) t USING (kind)$$);
SELECT diff_check('s024', $$SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE customer_id = 7)$$);
SELECT diff_check('s025', $$SELECT sku FROM items i WHERE EXISTS (SELECT 1 FROM orders o WHERE o.qty = i.stock AND o.customer_id = 7 AND o.status = 'new')$$);
SELECT diff_check('s026', $$SELECT c.id FROM customers c WHERE c.id IN (SELECT e.customer_id FROM events e WHERE e.kind = 'Login') AND c.id NOT IN (SELECT o.customer_id FROM orders o WHERE o.status = 'paid')$$);
SELECT diff_check('s027', $$SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > (SELECT count(*) / 10 FROM orders)$$);
SELECT diff_check('s028', $$SELECT id FROM customers WHERE id < 20 ORDER BY (SELECT count(*) FROM orders o WHERE o.customer_id = customers.id), id$$, true);
SELECT diff_check('s029', $$SELECT id, EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE id > 1980$$);
SELECT diff_check('s030', $$SELECT id, ARRAY(SELECT o.id FROM orders o WHERE o.customer_id = c.id ORDER BY o.id) FROM customers c WHERE id < 15$$);
SELECT diff_check('s031', $$SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE id IN (SELECT id FROM events WHERE kind = 'buy'))$$);
SELECT diff_check('s032', $$SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND EXISTS (SELECT 1 FROM events e WHERE e.id = o.id AND e.customer_id = c.id))$$);
SELECT diff_check('s033', $$SELECT id FROM orders o WHERE o.amount > ALL (SELECT o2.amount FROM orders o2 WHERE o2.customer_id = o.customer_id AND o2.id <> o.id) AND o.customer_id BETWEEN 100 AND 130$$);
SELECT diff_check('s034', $$SELECT count(*) FROM customers WHERE segment NOT IN (SELECT segment FROM customers WHERE id < 20)$$);
SELECT diff_check('s035', $$SELECT count(*) FROM events WHERE customer_id NOT IN (SELECT id FROM customers)$$);
SELECT diff_check('s036', $$SELECT id, (SELECT o.id FROM orders o WHERE o.customer_id = c.id ORDER BY o.amount DESC NULLS LAST, o.id LIMIT 1) FROM customers c WHERE id < 40$$);
SELECT diff_check('s037', $$SELECT * FROM (SELECT id, amount FROM orders ORDER BY amount DESC NULLS LAST, id LIMIT 50) t WHERE t.id % 2 = 0$$);
SELECT diff_check('s038', $$SELECT count(*) FROM (SELECT customer_id FROM orders UNION SELECT customer_id FROM events) u$$);
SELECT diff_check('s039', $$SELECT id FROM customers WHERE credit > ANY (ARRAY(SELECT amount FROM orders WHERE customer_id = 12))$$);
SELECT diff_check('s040', $$SELECT id FROM customers c WHERE c.id < 200 AND (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 2$$);
SELECT diff_check('s041', $$SELECT id FROM events WHERE customer_id = ANY (SELECT id FROM customers WHERE flags = 0) AND kind <> ALL (SELECT status FROM statuses)$$);
SELECT diff_check('s042', $$SELECT k.code, (SELECT count(*) FROM customers c WHERE c.country = k.code) FROM countries k$$);

-- CTEs
SELECT diff_check('c001', $$WITH t AS (SELECT customer_id, sum(amount) s FROM orders GROUP BY 1) SELECT c.country, sum(t.s) FROM t JOIN customers c ON c.id = t.customer_id GROUP BY 1$$);
SELECT diff_check('c002', $$WITH t AS MATERIALIZED (SELECT * FROM events WHERE kind = 'buy') SELECT count(*), min(id), max(at) FROM t$$);
SELECT diff_check('c003', $$WITH t AS NOT MATERIALIZED (SELECT * FROM orders WHERE customer_id = 7) SELECT status, count(*) FROM t GROUP BY status$$);
SELECT diff_check('c004', $$WITH a AS (SELECT id FROM customers WHERE country = 'SE'), b AS (SELECT customer_id FROM orders WHERE status = 'new') SELECT count(*) FROM a JOIN b ON a.id = b.customer_id$$);
SELECT diff_check('c005', $$WITH t AS (SELECT id, kind FROM events) SELECT t1.kind, count(*) FROM t t1 JOIN t t2 ON t1.id = t2.id + 1 GROUP BY 1$$);
SELECT diff_check('c006', $$WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT r.n, c.name FROM r JOIN customers c ON c.id = r.n$$);
SELECT diff_check('c007', $$WITH RECURSIVE chain(id, depth) AS (SELECT id, 0 FROM customers WHERE id = 1 UNION ALL SELECT c.id, ch.depth + 1 FROM chain ch JOIN customers c ON c.id = ch.id * 2 + 1 WHERE ch.depth < 12) SELECT * FROM chain$$);
SELECT diff_check('c008', $$WITH RECURSIVE h(cid, n) AS (SELECT 5, 0 UNION SELECT (c.flags * 31) % 2000 + 1, h.n + 1 FROM h JOIN customers c ON c.id = h.cid WHERE h.n < 20) SELECT * FROM h$$);
SELECT diff_check('c009', $$WITH RECURSIVE e(id, path) AS (SELECT id, ARRAY[id] FROM events WHERE id = 4096 UNION ALL SELECT ev.id, e.path || ev.id FROM e JOIN events ev ON ev.id = e.id / 2 WHERE e.id > 1) SELECT id, path FROM e$$);
SELECT diff_check('c010', $$WITH RECURSIVE t(cid, total) AS (SELECT 1, 0::numeric UNION ALL SELECT t.cid + 1, t.total + coalesce((SELECT sum(amount) FROM orders o WHERE o.customer_id = t.cid), 0) FROM t WHERE t.cid < 15) SELECT * FROM t$$);
SELECT diff_check('c011', $$WITH t AS (SELECT kind, count(*) n FROM events GROUP BY kind) SELECT kind, n, round(n * 100.0 / sum(n) OVER (), 6) FROM t$$);
SELECT diff_check('c012', $$WITH a AS (SELECT * FROM orders WHERE qty = 9), b AS (SELECT customer_id, count(*) n FROM a GROUP BY 1) SELECT n, count(*) FROM b GROUP BY n$$);
SELECT diff_check('c013', $$SELECT id FROM customers WHERE id IN (WITH x AS (SELECT customer_id FROM orders WHERE amount < 5) SELECT customer_id FROM x)$$);
SELECT diff_check('c014', $$WITH eu AS (SELECT code FROM countries WHERE region = 'EU') SELECT c.country, count(*) FROM customers c JOIN eu ON eu.code = c.country GROUP BY 1$$);
SELECT diff_check('c015', $$WITH t AS (SELECT * FROM items WHERE stock > 40) SELECT t.sku, o.id FROM t JOIN orders o ON o.qty = t.stock % 10 WHERE o.customer_id = 12$$);
SELECT diff_check('c016', $$WITH RECURSIVE d(day) AS (SELECT date '2024-01-01' UNION ALL SELECT day + 1 FROM d WHERE day < '2024-01-10') SELECT d.day, count(o.id) FROM d LEFT JOIN orders o ON (o.ordered_at AT TIME ZONE 'UTC')::date = d.day GROUP BY d.day$$);
SELECT diff_check('c017', $$WITH t AS (SELECT customer_id, id FROM orders) SELECT count(*) FROM t WHERE customer_id = 7$$);
SELECT diff_check('c018', $$WITH a AS (WITH b AS (SELECT id FROM customers WHERE id < 100) SELECT id FROM b WHERE id % 2 = 0) SELECT count(*), sum(id) FROM a$$);
SELECT diff_check('c019', $$WITH RECURSIVE s(x) AS (SELECT qty FROM orders WHERE customer_id = 12 UNION SELECT x + 1 FROM s WHERE x < 12) SELECT x FROM s$$);
SELECT diff_check('c020', $$WITH t AS MATERIALIZED (SELECT customer_id, amount FROM orders WHERE amount IS NOT NULL) SELECT customer_id FROM t GROUP BY 1 HAVING sum(amount) > 2000$$);
SELECT diff_check('c021', $$WITH x AS (SELECT e.customer_id, count(*) n FROM events e GROUP BY 1), y AS (SELECT o.customer_id, count(*) n FROM orders o GROUP BY 1) SELECT x.customer_id, x.n, y.n FROM x FULL JOIN y ON x.customer_id = y.customer_id WHERE coalesce(x.n, 0) + coalesce(y.n, 0) > 9$$);
SELECT diff_check('c022', $$WITH t AS (SELECT * FROM orders WHERE customer_id = 7 ORDER BY id DESC LIMIT 10) SELECT id, amount FROM t ORDER BY id$$, true);
