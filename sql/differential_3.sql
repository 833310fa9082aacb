-- differential_3: window functions (partitioned by the distribution column
-- and not), GROUPING SETS / ROLLUP / CUBE, set operations, set-returning
-- functions, VALUES, views over distributed tables, session settings that
-- change output (TimeZone, DateStyle, IntervalStyle, extra_float_digits),
-- collation-sensitive ORDER BY, now()/current_date semantics, and prepared
-- statements with generic and custom plans.  See differential_1.sql for how
-- each line is checked.  Window aggregates over float8 are rounded (the
-- order of rows within a frame peer group is not fixed).
SET client_min_messages TO warning;
\t on
\a

-- window functions
SELECT diff_check('w001', $$SELECT id, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY id) FROM orders WHERE customer_id < 50$$);
SELECT diff_check('w002', $$SELECT customer_id, id, sum(amount) OVER (PARTITION BY customer_id ORDER BY id) FROM orders WHERE customer_id IN (7, 12, 3001)$$);
SELECT diff_check('w003', $$SELECT id, rank() OVER (ORDER BY amount DESC NULLS LAST) FROM orders WHERE customer_id < 200$$);
SELECT diff_check('w004', $$SELECT status, id, dense_rank() OVER (PARTITION BY status ORDER BY qty NULLS FIRST) FROM orders WHERE id < 500$$);
SELECT diff_check('w005', $$SELECT id, lag(amount) OVER w, lead(amount, 2, 0) OVER w FROM orders WHERE customer_id = 7 AND id < 600 WINDOW w AS (ORDER BY id)$$);
SELECT diff_check('w006', $$SELECT kind, id, ntile(4) OVER (PARTITION BY kind ORDER BY id) FROM events WHERE id < 300$$);
SELECT diff_check('w007', $$SELECT id, count(*) OVER (), sum(credit) OVER () FROM customers WHERE id < 30$$);
SELECT diff_check('w008', $$SELECT id, first_value(name) OVER (PARTITION BY country ORDER BY id), last_value(name) OVER (PARTITION BY country ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM customers WHERE id < 100$$);
SELECT diff_check('w009', $$SELECT id, avg(amount) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM orders WHERE customer_id = 12$$);
SELECT diff_check('w010', $$SELECT id, sum(qty) OVER (PARTITION BY customer_id ORDER BY ordered_at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW) FROM orders WHERE customer_id < 20$$);
SELECT diff_check('w011', $$SELECT country, count(*), rank() OVER (ORDER BY count(*) DESC) FROM customers GROUP BY country$$);
SELECT diff_check('w012', $$SELECT customer_id, sum(amount), sum(sum(amount)) OVER (ORDER BY customer_id) FROM orders WHERE customer_id < 30 GROUP BY customer_id$$);
SELECT diff_check('w013', $$SELECT * FROM (SELECT id, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST, id) rn FROM orders) t WHERE rn <= 2 AND customer_id < 300$$);
SELECT diff_check('w014', $$SELECT id, percent_rank() OVER (ORDER BY credit), cume_dist() OVER (ORDER BY credit) FROM customers WHERE country = 'SE'$$);
SELECT diff_check('w015', $$SELECT id, nth_value(id, 3) OVER (PARTITION BY kind ORDER BY id ROWS UNBOUNDED PRECEDING) FROM events WHERE id < 60$$);
SELECT diff_check('w016', $$SELECT e.id, c.country, row_number() OVER (PARTITION BY c.country ORDER BY e.id) FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.id < 400$$);
SELECT diff_check('w017', $$SELECT id, count(*) FILTER (WHERE qty > 4) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id < 40$$);
SELECT diff_check('w018', $$SELECT sku, price, sum(price) OVER (PARTITION BY category ORDER BY sku GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM items$$);
SELECT diff_check('w019', $$SELECT id, round(stddev(score) OVER (PARTITION BY kind)::numeric, 6) FROM events WHERE id < 200$$);
SELECT diff_check('w020', $$SELECT DISTINCT customer_id, count(*) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id > 1900$$);
SELECT diff_check('w021', $$SELECT id, row_number() OVER (ORDER BY id DESC) FROM customers ORDER BY id LIMIT 5$$, true);
SELECT diff_check('w022', $$SELECT id, sum(amount) OVER (PARTITION BY customer_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) FROM orders WHERE customer_id BETWEEN 8 AND 20$$);
SELECT diff_check('w023', $$SELECT customer_id, max(amount) OVER (PARTITION BY customer_id), min(ordered_at) OVER (PARTITION BY customer_id, status) FROM orders WHERE customer_id BETWEEN 7 AND 9$$);
SELECT diff_check('w024', $$SELECT kind, round(avg(score) OVER (PARTITION BY kind ORDER BY id ROWS 3 PRECEDING)::numeric, 6) FROM events WHERE id < 100$$);

-- GROUPING SETS, ROLLUP, CUBE
SELECT diff_check('g001', $$SELECT country, segment, count(*) FROM customers GROUP BY GROUPING SETS ((country), (segment), ())$$);
SELECT diff_check('g002', $$SELECT country, segment, count(*), sum(credit), GROUPING(country, segment) FROM customers GROUP BY ROLLUP (country, segment)$$);
SELECT diff_check('g003', $$SELECT status, qty, count(*) FROM orders GROUP BY CUBE (status, qty)$$);
SELECT diff_check('g004', $$SELECT customer_id, status, sum(amount) FROM orders WHERE customer_id < 30 GROUP BY ROLLUP (customer_id, status)$$);
SELECT diff_check('g005', $$SELECT kind, date_trunc('day', at AT TIME ZONE 'UTC'), count(*) FROM events GROUP BY GROUPING SETS (kind, 2)$$);
SELECT diff_check('g006', $$SELECT c.country, o.status, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY CUBE (1, 2) HAVING count(*) > 100$$);
SELECT diff_check('g007', $$SELECT category, stock > 0, count(*), avg(price) FROM items GROUP BY ROLLUP (1, 2)$$);
SELECT diff_check('g008', $$SELECT segment, active, count(*) FROM customers GROUP BY GROUPING SETS ((segment, active), (active))$$);
SELECT diff_check('g009', $$SELECT status, count(DISTINCT customer_id), array_agg(DISTINCT qty ORDER BY qty) FROM orders GROUP BY ROLLUP (status)$$);
SELECT diff_check('g010', $$SELECT country, percentile_disc(0.5) WITHIN GROUP (ORDER BY credit) FROM customers GROUP BY ROLLUP (country)$$);
SELECT diff_check('g011', $$SELECT status, meta->>'src', count(*) FROM orders GROUP BY ROLLUP (status, meta->>'src') ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3$$, true);
SELECT diff_check('g012', $$SELECT customer_id % 3, qty % 2, sum(qty), GROUPING(customer_id % 3) FROM orders GROUP BY CUBE (customer_id % 3, qty % 2)$$);

-- set operations
SELECT diff_check('u001', $$SELECT customer_id FROM orders UNION SELECT id FROM customers$$);
SELECT diff_check('u002', $$SELECT customer_id FROM orders WHERE id < 100 UNION ALL SELECT customer_id FROM events WHERE id < 100$$);
SELECT diff_check('u003', $$SELECT id FROM customers INTERSECT SELECT customer_id FROM events$$);
SELECT diff_check('u004', $$SELECT id FROM customers EXCEPT SELECT customer_id FROM orders$$);
SELECT diff_check('u005', $$SELECT customer_id FROM events INTERSECT ALL SELECT customer_id FROM orders$$);
SELECT diff_check('u006', $$SELECT customer_id FROM events EXCEPT ALL SELECT customer_id FROM orders$$);
SELECT diff_check('u007', $$SELECT id, 'c' FROM customers WHERE id < 5 UNION ALL SELECT id, 'e' FROM events WHERE id < 5 ORDER BY 1, 2$$, true);
SELECT diff_check('u008', $$(SELECT id FROM customers ORDER BY id DESC LIMIT 3) UNION ALL (SELECT id FROM events ORDER BY id LIMIT 3) ORDER BY 1$$, true);
SELECT diff_check('u009', $$SELECT code FROM countries UNION SELECT country FROM customers$$);
SELECT diff_check('u010', $$SELECT status FROM orders EXCEPT SELECT status FROM statuses$$);
SELECT diff_check('u011', $$SELECT kind FROM events UNION SELECT status FROM orders UNION SELECT category FROM items$$);
SELECT diff_check('u012', $$SELECT count(*) FROM (SELECT customer_id, status FROM orders INTERSECT SELECT id, segment FROM customers) x$$);
SELECT diff_check('u013', $$SELECT sku, price FROM items WHERE stock = 0 UNION SELECT sku, price FROM items WHERE price IS NULL$$);
SELECT diff_check('u014', $$SELECT * FROM (SELECT id FROM customers UNION SELECT id FROM events) u ORDER BY id DESC LIMIT 7$$, true);
SELECT diff_check('u015', $$SELECT x FROM (VALUES (1), (7), (NULL)) v(x) EXCEPT SELECT customer_id FROM orders$$);
SELECT diff_check('u016', $$SELECT customer_id, count(*) FROM (SELECT customer_id FROM orders WHERE qty = 1 UNION ALL SELECT customer_id FROM orders WHERE qty = 2) s GROUP BY 1 HAVING count(*) > 3$$);

-- set-returning functions and VALUES
SELECT diff_check('r001', $$SELECT g, c.name FROM generate_series(1, 20) g JOIN customers c ON c.id = g$$);
SELECT diff_check('r002', $$SELECT id, unnest(labels) FROM events WHERE id < 50$$);
SELECT diff_check('r003', $$SELECT id, generate_series(1, qty) FROM orders WHERE customer_id = 12$$);
SELECT diff_check('r004', $$SELECT id, jsonb_array_elements_text(tags->'langs') FROM customers WHERE id < 40$$);
SELECT diff_check('r005', $$SELECT id, jsonb_object_keys(payload) FROM events WHERE id < 20$$);
SELECT diff_check('r006', $$SELECT d::date, count(o.id) FROM generate_series(timestamptz '2024-02-01 00:00+00', '2024-02-07', '1 day') d LEFT JOIN orders o ON o.ordered_at >= d AND o.ordered_at < d + interval '1 day' GROUP BY 1$$);
SELECT diff_check('r007', $$SELECT * FROM unnest(ARRAY[1, 2, 3], ARRAY['a', 'b']) WITH ORDINALITY u(n, s, i) JOIN customers c ON c.id = u.n$$);
SELECT diff_check('r008', $$SELECT regexp_split_to_table(name, ' '), id FROM customers WHERE id < 12$$);
SELECT diff_check('r009', $$SELECT id, regexp_matches(note, '([a-z]+)', 'g') FROM orders WHERE customer_id = 12$$);
SELECT diff_check('r010', $$SELECT v.k, count(o.id) FROM (VALUES ('new'), ('paid'), ('lost')) v(k) LEFT JOIN orders o ON o.status = v.k GROUP BY v.k$$);
SELECT diff_check('r011', $$SELECT * FROM (VALUES (1, 'one'), (7, 'seven'), (3001, 'dangling')) v(id, label) WHERE v.id IN (SELECT customer_id FROM orders)$$);
SELECT diff_check('r012', $$SELECT * FROM customers c JOIN (VALUES (1, 'x'), (2, 'y')) v(id, tag) USING (id)$$);
SELECT diff_check('r013', $$SELECT id, string_to_table(note, ' ') FROM orders WHERE customer_id = 12 AND note IS NOT NULL$$);
SELECT diff_check('r014', $$SELECT c.id, x.* FROM customers c, jsonb_to_record(c.tags) AS x(tier int, vip boolean) WHERE c.id < 15$$);
SELECT diff_check('r015', $$SELECT count(*) FROM orders o, generate_series(1, 3) g WHERE o.customer_id = 7 AND g <= o.qty$$);
SELECT diff_check('r016', $$VALUES (1, 'a'), (2, NULL)$$);
SELECT diff_check('r017', $$SELECT id, (SELECT array_agg(x ORDER BY x) FROM unnest(labels) x) FROM events WHERE id BETWEEN 100 AND 120$$);

-- views over distributed tables
SELECT diff_check('v001', $$SELECT * FROM customer_totals WHERE id < 50$$);
SELECT diff_check('v002', $$SELECT country, sum(n_orders), sum(total) FROM customer_totals GROUP BY country$$);
SELECT diff_check('v003', $$SELECT * FROM paid_orders WHERE customer_id = 7 AND id < 100$$);
SELECT diff_check('v004', $$SELECT count(*), sum(amount) FROM paid_orders$$);
SELECT diff_check('v005', $$SELECT * FROM event_kinds$$);
SELECT diff_check('v006', $$SELECT p.id, c.name FROM paid_orders p JOIN customers c ON c.id = p.customer_id WHERE p.amount > 495$$);
SELECT diff_check('v007', $$SELECT id, total FROM customer_totals ORDER BY total DESC NULLS LAST, id LIMIT 5$$, true);
SELECT diff_check('v008', $$SELECT k.kind, k.n, e.id FROM event_kinds k JOIN events e ON e.kind = k.kind WHERE e.id < 20$$);

-- session settings that change output text or the reading of literals
SET TimeZone = 'Asia/Kathmandu';
SELECT diff_check('t001', $$SELECT id, created_at, created_at::text, created_at::date, date_trunc('day', created_at) FROM customers WHERE id < 20$$);
SELECT diff_check('t002', $$SELECT date_trunc('day', ordered_at), count(*) FROM orders GROUP BY 1$$);
SELECT diff_check('t003', $$SELECT id FROM orders WHERE ordered_at::date = '2024-03-10'$$);
SELECT diff_check('t004', $$SELECT extract(hour FROM at), count(*) FROM events GROUP BY 1$$);
SELECT diff_check('t005', $$SELECT to_char(ordered_at, 'YYYY-MM-DD HH24:MI TZ'), id FROM orders WHERE customer_id = 12$$);
SET TimeZone = 'America/New_York';
SELECT diff_check('t006', $$SELECT id, ordered_at::timestamp, ordered_at AT TIME ZONE 'UTC' FROM orders WHERE ordered_at BETWEEN '2024-03-10 01:00' AND '2024-03-10 04:00'$$);
SELECT diff_check('t007', $$SELECT date_trunc('month', at)::date, count(*) FROM events GROUP BY 1$$);
SET DateStyle = 'SQL, DMY';
SELECT diff_check('t008', $$SELECT id, created_at::text, created_at::date::text FROM customers WHERE id < 10$$);
SELECT diff_check('t009', $$SELECT id FROM orders WHERE ordered_at < '05/01/2024' AND customer_id = 12$$);
SELECT diff_check('t010', $$SELECT string_agg(ordered_at::text, ';' ORDER BY id) FROM orders WHERE customer_id = 12$$);
SET DateStyle = 'German';
SELECT diff_check('t011', $$SELECT (SELECT min(created_at) FROM customers)::text, (SELECT max(at) FROM events)::text$$);
SET IntervalStyle = 'sql_standard';
SELECT diff_check('t012', $$SELECT id, dur::text, (dur * 2)::text FROM events WHERE id < 10$$);
SELECT diff_check('t013', $$SELECT kind, sum(dur)::text FROM events GROUP BY kind$$);
SET IntervalStyle = 'iso_8601';
SELECT diff_check('t014', $$SELECT id, (ordered_at - timestamptz '2024-01-01')::text FROM orders WHERE customer_id = 12$$);
SET extra_float_digits = 0;
SELECT diff_check('t016', $$SELECT id, weight::text FROM orders WHERE customer_id = 12$$);
SELECT diff_check('t018', $$SELECT id, score::text FROM events WHERE id = 14$$);
SELECT diff_check('t015', $$SELECT id, score::text, (score * 3)::text FROM events WHERE id < 30$$);
SET extra_float_digits = -3;
SELECT diff_check('t017', $$SELECT id, (score / 3)::text FROM events WHERE id < 30$$);
-- the same arithmetic on the coordinator-side path (a join, a sublink, a
-- partial sum) is in differential_5.sql (BUGS.md, BUG-1, fixed)
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;

-- collation-sensitive ordering and comparison
SELECT diff_check('l001', $$SELECT id, name FROM customers WHERE id < 60 ORDER BY name COLLATE "und-x-icu", id$$, true);
SELECT diff_check('l002', $$SELECT id, name FROM customers WHERE id < 60 ORDER BY name COLLATE "C" DESC, id$$, true);
SELECT diff_check('l003', $$SELECT sku, title FROM items ORDER BY title COLLATE "de-x-icu", sku LIMIT 20$$, true);
SELECT diff_check('l004', $$SELECT id FROM customers WHERE name COLLATE "und-x-icu" < 'b' AND id < 200$$);
SELECT diff_check('l005', $$SELECT min(name COLLATE "und-x-icu"), max(name COLLATE "und-x-icu") FROM customers$$);
SELECT diff_check('l006', $$SELECT country, string_agg(name, ',' ORDER BY name COLLATE "sv-x-icu", id) FROM customers WHERE id < 40 GROUP BY country ORDER BY country$$, true);
SELECT diff_check('l007', $$SELECT note, count(*) FROM orders GROUP BY note ORDER BY note COLLATE "und-x-icu" NULLS FIRST$$, true);
SELECT diff_check('l008', $$SELECT name FROM customers WHERE id < 30 ORDER BY upper(name COLLATE "tr-x-icu"), name$$, true);
SELECT diff_check('l009', $$SELECT id, name FROM customers WHERE id < 300 ORDER BY name COLLATE "und-x-icu" DESC, id LIMIT 10$$, true);
SELECT diff_check('l010', $$SELECT id FROM customers WHERE id = 40 AND name COLLATE "und-x-icu" < 'b'$$);
SELECT diff_check('l011', $$SELECT id FROM customers WHERE (name || '') COLLATE "und-x-icu" BETWEEN 'a' AND 'c' AND id < 100$$);
SELECT diff_check('l012', $$SELECT count(*) FROM orders WHERE customer_id = 7 AND note COLLATE "und-x-icu" < 'f'$$);
SELECT diff_check('l013', $$SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.note < c.name COLLATE "und-x-icu"$$);

-- now(), current_date and friends: one value per transaction, as locally
SELECT diff_check('n001', $$SELECT id FROM orders WHERE ordered_at < now() AND customer_id = 12$$);
SELECT diff_check('n002', $$SELECT id, now() - created_at > interval '1 day' FROM customers WHERE id < 20$$);
SELECT diff_check('n003', $$SELECT count(*) FROM events WHERE at < current_date + 365$$);
SELECT diff_check('n004', $$SELECT id, current_timestamp = now(), transaction_timestamp() = now(), statement_timestamp() >= now() FROM customers WHERE id < 5$$);
SELECT diff_check('n005', $$SELECT count(*) FROM orders WHERE ordered_at > now() - interval '100 years' AND ordered_at < localtimestamp + interval '1 year'$$);
SELECT diff_check('n006', $$SELECT id, age(timestamptz '2025-01-01 00:00+00', created_at) FROM customers WHERE id < 10$$);
SELECT diff_check('n007', $$SELECT count(*) FROM events WHERE random() < 2$$);
SELECT diff_check('n008', $$SELECT id, clock_timestamp() > created_at FROM customers WHERE id < 10$$);
SELECT diff_check('n009', $$SELECT current_date - ordered_at::date > 0, count(*) FROM orders GROUP BY 1$$);
SELECT diff_check('n010', $$SELECT id FROM customers WHERE created_at < now() - (id || ' days')::interval AND id < 50$$);
SELECT diff_check('n011', $$SELECT id, created_at < now(), now() FROM customers WHERE id IN (1, 2)$$);
-- nextval(): once per row, on the coordinator (each side has its own seq)
SELECT diff_check('n012', $$SELECT count(*), count(DISTINCT v), min(v), max(v) FROM (SELECT nextval('seq') AS v FROM customers WHERE id < 100) s$$);
SELECT diff_check('n013', $$SELECT id, nextval('seq'), currval('seq') FROM customers WHERE id = 42$$);
SELECT diff_check('n014', $$SELECT count(DISTINCT v), max(v) - min(v) FROM (SELECT o.id, nextval('seq') AS v FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id < 20) s$$);
SELECT diff_check('n015', $$SELECT count(*) FROM (SELECT random() AS r FROM events) s WHERE r >= 0 AND r < 1$$);

-- prepared statements, generic and custom plans
SELECT diff_both($$PREPARE p1_%s(int) AS SELECT id, amount FROM orders WHERE customer_id = $1$$);
SELECT diff_both($$PREPARE p2_%s(text, numeric) AS SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.amount > $2 WHERE c.country = $1 GROUP BY c.id$$);
SELECT diff_both($$PREPARE p3_%s(int, int) AS SELECT id FROM events WHERE id BETWEEN $1 AND $2 ORDER BY id LIMIT 5$$);
SELECT diff_both($$PREPARE p4_%s(timestamptz) AS SELECT status, count(*) FROM orders WHERE ordered_at < $1 GROUP BY status$$);
SELECT diff_both($$PREPARE p5_%s(text) AS SELECT sku, title FROM items WHERE sku = $1$$);
SELECT diff_both($$PREPARE p6_%s(int) AS WITH t AS (SELECT customer_id, sum(amount) s FROM orders WHERE customer_id < $1 GROUP BY 1) SELECT count(*), sum(s) FROM t$$);
SELECT diff_both($$PREPARE p7_%s(int[]) AS SELECT id, name FROM customers WHERE id = ANY ($1)$$);
SELECT diff_both($$PREPARE p8_%s(int) AS SELECT id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.qty = $1) FROM customers c WHERE c.id < 20$$);
SELECT diff_both($$PREPARE p9_%s(int, text) AS SELECT e.id, c.name FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.customer_id = $1 OR e.kind = $2$$);
SELECT diff_both($$PREPARE p10_%s(int) AS SELECT status, sum(amount) FROM orders WHERE customer_id = $1 GROUP BY ROLLUP (status)$$);
SET plan_cache_mode = force_generic_plan;
SELECT diff_execute('pg01', 'p1', '7');
SELECT diff_execute('pg02', 'p1', '12');
SELECT diff_execute('pg03', 'p1', '3001');
SELECT diff_execute('pg04', 'p2', $$'SE', 100$$);
SELECT diff_execute('pg05', 'p2', $$'JP', NULL$$);
SELECT diff_execute('pg06', 'p3', '100, 200', true);
SELECT diff_execute('pg07', 'p4', $$'2024-02-01 00:00+00'$$);
SELECT diff_execute('pg08', 'p5', $$'SKU-0007'$$);
SELECT diff_execute('pg09', 'p6', '500');
SELECT diff_execute('pg10', 'p7', $$'{1,2,3,2001}'$$);
SELECT diff_execute('pg11', 'p8', '3');
SELECT diff_execute('pg12', 'p9', $$12, 'buy'$$);
SELECT diff_execute('pg13', 'p10', '7');
SET plan_cache_mode = force_custom_plan;
SELECT diff_execute('pc01', 'p1', '7');
SELECT diff_execute('pc02', 'p1', '12');
SELECT diff_execute('pc03', 'p1', '3001');
SELECT diff_execute('pc04', 'p2', $$'SE', 100$$);
SELECT diff_execute('pc05', 'p2', $$'JP', NULL$$);
SELECT diff_execute('pc06', 'p3', '100, 200', true);
SELECT diff_execute('pc07', 'p4', $$'2024-02-01 00:00+00'$$);
SELECT diff_execute('pc08', 'p5', $$'SKU-0007'$$);
SELECT diff_execute('pc09', 'p6', '500');
SELECT diff_execute('pc10', 'p7', $$'{1,2,3,2001}'$$);
SELECT diff_execute('pc11', 'p8', '3');
SELECT diff_execute('pc12', 'p9', $$12, 'buy'$$);
SELECT diff_execute('pc13', 'p10', '7');
RESET plan_cache_mode;
DEALLOCATE ALL;
