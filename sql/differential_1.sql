-- differential_1: filters, projections, aggregates of every family, GROUP
-- BY / HAVING, ORDER BY / LIMIT / OFFSET, DISTINCT and DISTINCT ON.  Each
-- line runs one query text on the distributed tables (search_path
-- diff_dist) and on their local copies (diff_local) and prints 'ok' or the
-- rows that differ; see diff_check in differential_schema.sql.  Results
-- are compared as multisets, except where the query has a total ORDER BY
-- (third argument true): then row by row in order.  Sums and averages of float8 columns are
-- rounded in the query: the order of summation differs between one table
-- and shards, which changes the last bits (as real users compare).
SET client_min_messages TO warning;
\t on
\a

-- filters and projections
SELECT diff_check('f001', $$SELECT * FROM customers WHERE id = 42$$);
SELECT diff_check('f002', $$SELECT * FROM customers WHERE id IN (1, 7, 1999, 5000)$$);
SELECT diff_check('f003', $$SELECT id, name FROM customers WHERE country = 'DE' AND credit > 100$$);
SELECT diff_check('f004', $$SELECT id FROM customers WHERE country IS NULL$$);
SELECT diff_check('f005', $$SELECT id, segment FROM customers WHERE segment IS DISTINCT FROM 'smb'$$);
SELECT diff_check('f006', $$SELECT id, credit FROM customers WHERE credit BETWEEN -10 AND 10$$);
SELECT diff_check('f007', $$SELECT id, name FROM customers WHERE name LIKE 'Ø%' OR name ILIKE 'ÉL%'$$);
SELECT diff_check('f008', $$SELECT id FROM customers WHERE name ~ '^[a-z]+ 1[0-9]$'$$);
SELECT diff_check('f009', $$SELECT id FROM customers WHERE tags @> '{"vip": true}'$$);
SELECT diff_check('f010', $$SELECT id, tags->>'tier' FROM customers WHERE (tags->'tier')::int >= 2$$);
SELECT diff_check('f011', $$SELECT id, tags->'langs' FROM customers WHERE tags ? 'langs' AND jsonb_array_length(tags->'langs') = 2$$);
SELECT diff_check('f012', $$SELECT id FROM customers WHERE active$$);
SELECT diff_check('f013', $$SELECT id, active FROM customers WHERE NOT active OR active IS NULL$$);
SELECT diff_check('f014', $$SELECT id FROM customers WHERE created_at >= '2023-06-01 00:00+02' AND created_at < '2023-07-01'$$);
SELECT diff_check('f015', $$SELECT id, date_trunc('month', created_at) FROM customers WHERE extract(dow FROM created_at) = 0$$);
SELECT diff_check('f016', $$SELECT id, flags FROM customers WHERE flags & 5 = 5$$);
SELECT diff_check('f017', $$SELECT id FROM customers WHERE id % 100 = 0 AND id <> ALL (ARRAY[100, 200])$$);
SELECT diff_check('f018', $$SELECT id, country FROM customers WHERE country = ANY ('{DE,JP}')$$);
SELECT diff_check('f019', $$SELECT id, amount FROM orders WHERE customer_id = 7 AND amount > 400$$);
SELECT diff_check('f020', $$SELECT count(*) FROM orders WHERE customer_id = 7$$);
SELECT diff_check('f021', $$SELECT id, amount * qty AS total, upper(status), coalesce(note, '-') FROM orders WHERE id < 200$$);
SELECT diff_check('f022', $$SELECT id, meta->>'src', (meta->>'n')::int + 1, meta - 'ok' FROM orders WHERE meta->>'src' = 'app' AND id < 3000$$);
SELECT diff_check('f023', $$SELECT id, length(note), octet_length(note), left(note, 3), reverse(note) FROM orders WHERE note LIKE '%🎁%' AND id < 1000$$);
SELECT diff_check('f024', $$SELECT id, round(weight::numeric, 3), weight > 100 FROM orders WHERE weight IS NULL OR weight < 1$$);
SELECT diff_check('f025', $$SELECT id, ordered_at::date, to_char(ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM orders WHERE id % 500 = 0$$);
SELECT diff_check('f026', $$SELECT id, CASE WHEN amount > 250 THEN 'big' WHEN amount IS NULL THEN 'none' ELSE 'small' END FROM orders WHERE customer_id < 50$$);
SELECT diff_check('f027', $$SELECT id, greatest(qty, 3), least(amount, 100), nullif(status, 'paid') FROM orders WHERE customer_id BETWEEN 100 AND 120$$);
SELECT diff_check('f028', $$SELECT e.id, e.labels, array_length(e.labels, 1), e.labels[1] FROM events e WHERE 'a' = ANY (e.labels) AND e.id < 500$$);
SELECT diff_check('f029', $$SELECT id, dur, justify_hours(dur * 10), extract(epoch FROM dur) FROM events WHERE id % 97 = 0$$);
SELECT diff_check('f030', $$SELECT id, payload #>> '{page}', payload->'ms' FROM events WHERE payload->>'ref' IS NULL AND payload IS NOT NULL AND id < 300$$);
SELECT diff_check('f031', $$SELECT sku, title, price FROM items WHERE sku = 'SKU-0042'$$);
SELECT diff_check('f032', $$SELECT sku FROM items WHERE sku IN ('SKU-0001', 'SKU-0299', 'nope')$$);
SELECT diff_check('f033', $$SELECT sku, price, stock FROM items WHERE price IS NULL OR stock = 0$$);
SELECT diff_check('f034', $$SELECT sku, attrs->>'color' FROM items WHERE attrs->>'color' IS NULL$$);
SELECT diff_check('f035', $$SELECT sku, title FROM items WHERE title ILIKE 'apple%'$$);
SELECT diff_check('f036', $$SELECT id FROM events WHERE kind IS NULL AND customer_id IS NULL$$);
SELECT diff_check('f037', $$SELECT id, score FROM events WHERE score > 14 OR score IS NULL$$);
SELECT diff_check('f038', $$SELECT id FROM customers WHERE false$$);
SELECT diff_check('f039', $$SELECT id FROM customers WHERE id = 42 AND id = 43$$);
SELECT diff_check('f040', $$SELECT 1 FROM orders WHERE customer_id = 3005$$);
SELECT diff_check('f041', $$SELECT o.*, o.amount IS NULL FROM orders o WHERE o.customer_id = 1000$$);
SELECT diff_check('f042', $$SELECT c FROM customers c WHERE c.id < 4$$);
SELECT diff_check('f043', $$SELECT id, name || '/' || coalesce(country, '?'), substr(name, 2, 3), position('a' IN name) FROM customers WHERE id < 40$$);
SELECT diff_check('f044', $$SELECT id, credit::int, credit::float8 / 3, -credit, abs(credit), ceil(credit), floor(credit), sign(credit) FROM customers WHERE id % 50 = 1$$);
SELECT diff_check('f045', $$SELECT id, to_jsonb(c) - 'created_at' FROM customers c WHERE id IN (3, 19, 20)$$);
SELECT diff_check('f046', $$SELECT id, kind FROM events WHERE kind IN ('login', 'Login') AND at < '2024-04-01'$$);
SELECT diff_check('f047', $$SELECT id, labels FROM events WHERE labels && ARRAY['ü'] AND id < 200$$);
SELECT diff_check('f048', $$SELECT id FROM events WHERE dur > interval '1 day 00:05' AND score < 1$$);
SELECT diff_check('f049', $$SELECT id, customer_id FROM orders WHERE (customer_id, qty) IN ((7, 3), (12, 1), (14, 9))$$);
SELECT diff_check('f050', $$SELECT id FROM orders WHERE note = '' OR note IS NULL AND customer_id < 30$$);

-- aggregates
SELECT diff_check('a001', $$SELECT count(*), count(country), count(DISTINCT country), count(DISTINCT segment) FROM customers$$);
SELECT diff_check('a002', $$SELECT sum(credit), avg(credit), min(credit), max(credit) FROM customers$$);
SELECT diff_check('a003', $$SELECT min(name), max(name), min(created_at), max(created_at) FROM customers$$);
SELECT diff_check('a004', $$SELECT bool_and(active), bool_or(active), every(flags > 0) FROM customers$$);
SELECT diff_check('a005', $$SELECT bit_and(flags), bit_or(flags), bit_and(flags) FILTER (WHERE flags > 32), bit_or(id::bigint) FROM customers$$);
SELECT diff_check('a006', $$SELECT stddev(credit), stddev_pop(credit), variance(credit), var_pop(credit), var_samp(credit), stddev_samp(credit) FROM customers$$);
SELECT diff_check('a007', $$SELECT round(stddev(weight)::numeric, 6), round(variance(weight)::numeric, 4), round(stddev_pop(weight)::numeric, 6) FROM orders$$);
SELECT diff_check('a008', $$SELECT round(sum(weight)::numeric, 6), round(avg(weight)::numeric, 9), min(weight), max(weight) FROM orders$$);
SELECT diff_check('a009', $$SELECT country, count(*), sum(credit), avg(credit) FROM customers GROUP BY country$$);
SELECT diff_check('a010', $$SELECT status, count(*), sum(amount), min(ordered_at), max(qty) FROM orders GROUP BY status$$);
SELECT diff_check('a011', $$SELECT customer_id, count(*), sum(amount), avg(qty) FROM orders GROUP BY customer_id$$);
SELECT diff_check('a012', $$SELECT customer_id, count(DISTINCT status), array_agg(DISTINCT qty ORDER BY qty) FROM orders GROUP BY customer_id HAVING count(*) > 8$$);
SELECT diff_check('a013', $$SELECT status, count(DISTINCT customer_id) FROM orders GROUP BY status$$);
SELECT diff_check('a014', $$SELECT count(DISTINCT (status, qty)), count(DISTINCT note) FROM orders$$);
SELECT diff_check('a015', $$SELECT string_agg(name, ', ' ORDER BY name, id) FROM customers WHERE id < 30$$);
SELECT diff_check('a016', $$SELECT country, string_agg(DISTINCT segment, '|' ORDER BY segment) FROM customers GROUP BY country$$);
SELECT diff_check('a017', $$SELECT customer_id, array_agg(id ORDER BY id) FROM orders WHERE customer_id < 20 GROUP BY customer_id$$);
SELECT diff_check('a018', $$SELECT array_agg(amount ORDER BY amount DESC NULLS LAST, id) FROM orders WHERE customer_id = 7 AND id < 300$$);
SELECT diff_check('a019', $$SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount), percentile_disc(0.9) WITHIN GROUP (ORDER BY amount) FROM orders$$);
SELECT diff_check('a020', $$SELECT status, percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY qty) FROM orders GROUP BY status$$);
SELECT diff_check('a021', $$SELECT mode() WITHIN GROUP (ORDER BY status), mode() WITHIN GROUP (ORDER BY qty) FROM orders$$);
SELECT diff_check('a022', $$SELECT kind, mode() WITHIN GROUP (ORDER BY customer_id) FROM events GROUP BY kind$$);
SELECT diff_check('a023', $$SELECT json_agg(id ORDER BY id), jsonb_agg(name ORDER BY id) FROM customers WHERE id < 15$$);
SELECT diff_check('a024', $$SELECT country, jsonb_object_agg(id::text, credit) FROM customers WHERE id < 60 GROUP BY country$$);
SELECT diff_check('a025', $$SELECT json_object_agg(sku, price ORDER BY sku) FROM items WHERE stock = 0$$);
SELECT diff_check('a026', $$SELECT rank(5) WITHIN GROUP (ORDER BY qty), dense_rank(5) WITHIN GROUP (ORDER BY qty), percent_rank(5) WITHIN GROUP (ORDER BY qty) FROM orders$$);
SELECT diff_check('a027', $$SELECT count(*) FILTER (WHERE status = 'paid'), sum(amount) FILTER (WHERE qty > 5) FROM orders$$);
SELECT diff_check('a028', $$SELECT customer_id % 10, count(*), sum(qty) FROM orders GROUP BY 1 HAVING sum(qty) > 1000$$);
SELECT diff_check('a029', $$SELECT country, segment, count(*) FROM customers GROUP BY country, segment HAVING count(*) > 50 OR country IS NULL$$);
SELECT diff_check('a030', $$SELECT date_trunc('month', ordered_at AT TIME ZONE 'UTC') m, count(*), sum(amount) FROM orders GROUP BY 1$$);
SELECT diff_check('a031', $$SELECT kind, round(avg(score)::numeric, 6), round(sum(score)::numeric, 6), count(score) FROM events GROUP BY kind$$);
SELECT diff_check('a032', $$SELECT kind, min(at), max(at), sum(dur), avg(dur) FROM events GROUP BY kind$$);
SELECT diff_check('a033', $$SELECT category, count(*), sum(price), avg(price), max(stock) FROM items GROUP BY category$$);
SELECT diff_check('a034', $$SELECT count(*) FROM items WHERE sku > 'SKU-0150'$$);
SELECT diff_check('a035', $$SELECT meta->>'src', count(*), bool_and((meta->>'ok')::boolean) FROM orders GROUP BY 1$$);
SELECT diff_check('a036', $$SELECT (tags->>'tier')::int AS tier, count(*), avg(credit) FROM customers GROUP BY 1 HAVING avg(credit) IS NOT NULL$$);
SELECT diff_check('a037', $$SELECT count(*), sum(qty) FROM orders WHERE customer_id = 7 GROUP BY status$$);
SELECT diff_check('a038', $$SELECT sum(amount) / count(*), max(amount) - min(amount) FROM orders$$);
SELECT diff_check('a039', $$SELECT round(corr(qty, amount)::numeric, 9), round(regr_slope(amount, qty)::numeric, 6), round(covar_pop(qty, amount)::numeric, 6), regr_count(qty, amount) FROM orders$$);
SELECT diff_check('a040', $$SELECT count(*) FROM orders HAVING count(*) > 0$$);
SELECT diff_check('a041', $$SELECT status, count(*) FROM orders GROUP BY status HAVING max(amount) > 499 AND min(qty) = 1$$);
SELECT diff_check('a042', $$SELECT 1 FROM customers HAVING count(*) > 100000$$);
SELECT diff_check('a043', $$SELECT max(id), min(id), count(*), sum(credit), bool_and(active) FROM customers WHERE false$$);
SELECT diff_check('a044', $$SELECT count(*), sum(credit) FROM customers WHERE id < 0 GROUP BY country$$);
SELECT diff_check('a045', $$SELECT array_agg(DISTINCT country ORDER BY country) FROM customers$$);
SELECT diff_check('a046', $$SELECT string_agg(DISTINCT note, ',' ORDER BY note) FROM orders$$);
SELECT diff_check('a047', $$SELECT customer_id, max(ordered_at) - min(ordered_at) FROM orders GROUP BY customer_id HAVING count(*) > 10$$);
SELECT diff_check('a048', $$SELECT sum(DISTINCT qty), avg(DISTINCT qty), count(DISTINCT note), max(DISTINCT status) FROM orders$$);
SELECT diff_check('a049', $$SELECT labels, count(*) FROM events GROUP BY labels$$);
SELECT diff_check('a050', $$SELECT payload->>'page', count(*) FROM events GROUP BY 1 HAVING count(*) > 100$$);
SELECT diff_check('a051', $$SELECT kind, bool_or(score > 14), bool_and(score IS NOT NULL) FROM events GROUP BY kind$$);
SELECT diff_check('a052', $$SELECT min(labels), max(payload::text), min(dur), max(kind) FROM events$$);
SELECT diff_check('a053', $$SELECT count(*) FROM (SELECT DISTINCT customer_id FROM orders) s$$);
SELECT diff_check('a054', $$SELECT avg(qty)::numeric(10,4), sum(qty)::bigint FROM orders WHERE status <> 'cancelled'$$);
SELECT diff_check('a055', $$SELECT count(*) AS n FROM orders GROUP BY customer_id, status HAVING count(*) > 200$$);
SELECT diff_check('a056', $$SELECT id % 3, array_agg(DISTINCT kind ORDER BY kind NULLS FIRST) FROM events GROUP BY 1$$);
SELECT diff_check('a057', $$SELECT country, max(credit) FILTER (WHERE active), min(name COLLATE "C") FROM customers GROUP BY country$$);
SELECT diff_check('a058', $$SELECT stock, count(*), string_agg(sku, ',' ORDER BY sku DESC) FROM items WHERE stock < 5 GROUP BY stock$$);
SELECT diff_check('a059', $$SELECT sum(qty * amount), avg(amount * 2), count(qty + 1) FROM orders WHERE customer_id <> 7$$);
SELECT diff_check('a060', $$SELECT jsonb_agg(DISTINCT meta->'src'), json_agg(note ORDER BY note NULLS FIRST, id) FILTER (WHERE id < 40) FROM orders$$);

-- ORDER BY, LIMIT, OFFSET, DISTINCT
SELECT diff_check('o001', $$SELECT id, name FROM customers ORDER BY id LIMIT 10$$, true);
SELECT diff_check('o002', $$SELECT id, credit FROM customers ORDER BY credit DESC NULLS LAST, id LIMIT 15$$, true);
SELECT diff_check('o003', $$SELECT id, credit FROM customers ORDER BY credit NULLS FIRST, id LIMIT 15$$, true);
SELECT diff_check('o004', $$SELECT id FROM customers ORDER BY id OFFSET 1990$$, true);
SELECT diff_check('o005', $$SELECT id FROM customers ORDER BY id DESC LIMIT 5 OFFSET 100$$, true);
SELECT diff_check('o006', $$SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 20$$, true);
SELECT diff_check('o007', $$SELECT customer_id, id FROM orders WHERE customer_id = 7 ORDER BY id DESC LIMIT 5$$, true);
SELECT diff_check('o008', $$SELECT status, count(*) FROM orders GROUP BY status ORDER BY count(*) DESC, status NULLS FIRST$$, true);
SELECT diff_check('o009', $$SELECT customer_id, sum(amount) s FROM orders GROUP BY customer_id ORDER BY s DESC NULLS LAST, customer_id LIMIT 10$$, true);
SELECT diff_check('o010', $$SELECT country, count(*) FROM customers GROUP BY country ORDER BY 2 DESC, 1 LIMIT 3$$, true);
SELECT diff_check('o011', $$SELECT id FROM customers ORDER BY id LIMIT 0$$, true);
SELECT diff_check('o012', $$SELECT id FROM customers ORDER BY id LIMIT ALL OFFSET 1995$$, true);
SELECT diff_check('o013', $$SELECT id FROM customers ORDER BY id FETCH FIRST 3 ROWS ONLY$$, true);
SELECT diff_check('o014', $$SELECT id, qty FROM orders ORDER BY qty NULLS FIRST FETCH FIRST 5 ROWS WITH TIES$$);
SELECT diff_check('o015', $$SELECT DISTINCT country FROM customers$$);
SELECT diff_check('o016', $$SELECT DISTINCT country, segment FROM customers ORDER BY 1, 2$$, true);
SELECT diff_check('o017', $$SELECT DISTINCT ON (country) country, id, credit FROM customers ORDER BY country, credit DESC NULLS LAST, id$$, true);
SELECT diff_check('o018', $$SELECT DISTINCT ON (customer_id) customer_id, id, amount FROM orders ORDER BY customer_id, amount, id$$, true);
SELECT diff_check('o019', $$SELECT DISTINCT ON (status) status, customer_id FROM orders ORDER BY status, customer_id DESC$$, true);
SELECT diff_check('o020', $$SELECT DISTINCT qty FROM orders ORDER BY qty DESC NULLS LAST LIMIT 4$$, true);
SELECT diff_check('o021', $$SELECT DISTINCT kind FROM events$$);
SELECT diff_check('o022', $$SELECT DISTINCT ON (kind) kind, id, at FROM events ORDER BY kind, at DESC, id$$, true);
SELECT diff_check('o023', $$SELECT sku, price FROM items ORDER BY price DESC NULLS LAST, sku LIMIT 7$$, true);
SELECT diff_check('o024', $$SELECT sku FROM items ORDER BY sku DESC LIMIT 3 OFFSET 2$$, true);
SELECT diff_check('o025', $$SELECT id, created_at FROM customers ORDER BY created_at, id LIMIT 5$$, true);
SELECT diff_check('o026', $$SELECT id, tags FROM customers WHERE tags IS NOT NULL ORDER BY tags, id LIMIT 5$$, true);
SELECT diff_check('o027', $$SELECT id, note FROM orders WHERE note IS NOT NULL ORDER BY note DESC, id LIMIT 8$$, true);
SELECT diff_check('o028', $$SELECT id, score FROM events ORDER BY score DESC NULLS FIRST, id LIMIT 10$$, true);
SELECT diff_check('o029', $$SELECT id, labels FROM events ORDER BY labels NULLS FIRST, id LIMIT 6$$, true);
SELECT diff_check('o030', $$SELECT customer_id, count(*) FROM orders GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5 OFFSET 1$$, true);
SELECT diff_check('o031', $$SELECT id, amount FROM orders ORDER BY amount * qty DESC NULLS LAST, id LIMIT 5$$, true);
SELECT diff_check('o032', $$SELECT id FROM orders WHERE status = 'new' ORDER BY ordered_at DESC, id LIMIT 3$$, true);
SELECT diff_check('o033', $$SELECT DISTINCT customer_id % 5 FROM orders$$);
SELECT diff_check('o034', $$SELECT DISTINCT meta->'src' FROM orders$$);
SELECT diff_check('o035', $$SELECT count(DISTINCT customer_id) FROM events$$);
SELECT diff_check('o036', $$SELECT id, name FROM customers ORDER BY lower(name), id DESC LIMIT 10$$, true);
SELECT diff_check('o037', $$SELECT customer_id, id FROM orders ORDER BY customer_id, id LIMIT 10 OFFSET 3995$$, true);
SELECT diff_check('o038', $$SELECT id FROM events WHERE kind = 'view' ORDER BY at, id LIMIT 5 OFFSET 5$$, true);
SELECT diff_check('o039', $$SELECT DISTINCT ON (customer_id % 4) customer_id % 4, id FROM orders ORDER BY customer_id % 4, id DESC$$, true);
SELECT diff_check('o040', $$SELECT DISTINCT status, qty FROM orders WHERE qty > 7 ORDER BY status NULLS FIRST, qty$$, true);
