-- differential_4: the shapes the pushdown paths take (whole query per shard
-- group, partial aggregates combined on the coordinator, top-N per shard):
-- grouping by the distribution column, aggregates of every family without
-- it, HAVING after the combine, ORDER BY + LIMIT over aggregates, co-located
-- joins and window functions partitioned by the distribution column,
-- expressions of many kinds, and parameters.  See differential_1.sql for
-- how each line is checked; float8 results are rounded.
SET client_min_messages TO warning;
\t on
\a

-- grouped by the distribution column: everything can run in the shards
SELECT diff_check('k001', $$SELECT customer_id, count(DISTINCT status), count(DISTINCT note), string_agg(DISTINCT note, ',' ORDER BY note) FROM orders GROUP BY customer_id HAVING count(*) > 5$$);
SELECT diff_check('k002', $$SELECT customer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount), mode() WITHIN GROUP (ORDER BY qty) FROM orders GROUP BY customer_id HAVING count(*) > 6$$);
SELECT diff_check('k003', $$SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id ORDER BY sum(amount) DESC NULLS LAST, customer_id LIMIT 7$$, true);
SELECT diff_check('k004', $$SELECT customer_id, count(*) FROM orders GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 3 OFFSET 2$$, true);
SELECT diff_check('k005', $$SELECT c.id, c.name, count(o.id), max(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name HAVING count(o.id) >= 8$$);
SELECT diff_check('k006', $$SELECT c.id, sum(o.qty) FILTER (WHERE o.status = 'paid') FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id % 10 = 3 GROUP BY c.id$$);
SELECT diff_check('k007', $$SELECT sku, count(*), max(price) FROM items GROUP BY sku HAVING max(price) > 90$$);
SELECT diff_check('k008', $$SELECT id, kind, count(*) OVER (PARTITION BY id) FROM events WHERE id % 50 = 0$$);
SELECT diff_check('k009', $$SELECT customer_id, id, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST, id), sum(qty) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id BETWEEN 100 AND 130$$);
SELECT diff_check('k010', $$SELECT DISTINCT customer_id FROM orders WHERE qty = 9$$);
SELECT diff_check('k011', $$SELECT customer_id, jsonb_agg(id ORDER BY id), array_agg(DISTINCT meta->>'src') FROM orders WHERE customer_id < 25 GROUP BY customer_id$$);
SELECT diff_check('k012', $$SELECT customer_id, bool_and(qty > 2), bit_or(qty), round(stddev(weight)::numeric, 6) FROM orders GROUP BY customer_id HAVING count(*) > 7$$);
SELECT diff_check('k013', $$SELECT s.customer_id, s.n FROM (SELECT customer_id, count(*) n FROM orders GROUP BY customer_id) s WHERE s.n = (SELECT max(n) FROM (SELECT count(*) n FROM orders GROUP BY customer_id) t)$$);
SELECT diff_check('k014', $$SELECT n, count(*) FROM (SELECT customer_id, count(*) n FROM orders GROUP BY customer_id) s GROUP BY n$$);
SELECT diff_check('k015', $$SELECT c.country, sum(t.total) FROM customers c JOIN (SELECT customer_id, sum(amount) total FROM orders GROUP BY customer_id) t ON t.customer_id = c.id GROUP BY c.country$$);

-- aggregates without the distribution column: partial results combined
SELECT diff_check('k020', $$SELECT count(*), count(qty), sum(qty), avg(qty), min(qty), max(qty), sum(amount), avg(amount) FROM orders$$);
SELECT diff_check('k021', $$SELECT status, avg(qty), stddev(qty), variance(qty), stddev_pop(amount), var_samp(amount) FROM orders GROUP BY status$$);
SELECT diff_check('k022', $$SELECT status, round(avg(weight)::numeric, 8), round(stddev_samp(weight)::numeric, 6), round(var_pop(weight)::numeric, 4), round(sum(weight)::numeric, 6) FROM orders GROUP BY status$$);
SELECT diff_check('k023', $$SELECT qty, bool_and(amount > 10), bool_or(amount > 490), bit_and(customer_id), bit_or(customer_id) FROM orders GROUP BY qty$$);
SELECT diff_check('k024', $$SELECT kind, count(*), sum(dur), avg(dur), min(at), max(at), min(labels), max(score) FROM events GROUP BY kind$$);
SELECT diff_check('k025', $$SELECT country, count(*) FROM customers GROUP BY country HAVING count(*) > 250 AND avg(credit) > 200$$);
SELECT diff_check('k026', $$SELECT status, count(*), sum(amount) FROM orders GROUP BY status ORDER BY sum(amount) DESC NULLS LAST LIMIT 2$$, true);
SELECT diff_check('k027', $$SELECT qty, count(*) FROM orders GROUP BY qty ORDER BY qty NULLS FIRST LIMIT 4 OFFSET 1$$, true);
SELECT diff_check('k028', $$SELECT count(*) + 1, sum(qty) * 2, max(amount) - min(amount), avg(qty)::int, count(DISTINCT qty) FROM orders WHERE customer_id <> 7$$);
SELECT diff_check('k029', $$SELECT status, sum(amount) / nullif(count(amount), 0), max(ordered_at) - min(ordered_at) FROM orders GROUP BY status$$);
SELECT diff_check('k030', $$SELECT (meta->>'n')::int % 3, count(*), sum(qty) FILTER (WHERE qty > 4), avg(amount) FILTER (WHERE status = 'paid') FROM orders GROUP BY 1$$);
SELECT diff_check('k031', $$SELECT category, count(*), count(DISTINCT stock), sum(price), avg(price), max(title) FROM items GROUP BY category$$);
SELECT diff_check('k032', $$SELECT count(*), count(DISTINCT customer_id), count(DISTINCT kind) FROM events WHERE at >= '2024-04-01'$$);
SELECT diff_check('k033', $$SELECT date_part('dow', ordered_at AT TIME ZONE 'UTC'), count(*), min(id), max(id) FROM orders GROUP BY 1$$);
SELECT diff_check('k034', $$SELECT avg(credit), sum(credit), min(created_at), max(name), count(tags), bool_and(active) FROM customers WHERE country = 'JP'$$);
SELECT diff_check('k035', $$SELECT count(*) FROM orders WHERE status = 'nonexistent'$$);
SELECT diff_check('k036', $$SELECT sum(qty), avg(amount), stddev(qty), bool_and(qty > 0), bit_or(qty) FROM orders WHERE status = 'nonexistent'$$);
SELECT diff_check('k037', $$SELECT status, count(*) FROM orders WHERE status = 'nonexistent' GROUP BY status$$);
SELECT diff_check('k038', $$SELECT c.segment, count(*), avg(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.segment HAVING avg(o.amount) > 240$$);
SELECT diff_check('k039', $$SELECT o.status, count(DISTINCT c.country) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY o.status$$);
SELECT diff_check('k040', $$SELECT c.id, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 5$$, true);

-- top-N and DISTINCT across shards
SELECT diff_check('k050', $$SELECT id, customer_id, amount FROM orders WHERE status = 'paid' ORDER BY amount DESC NULLS LAST, id LIMIT 12$$, true);
SELECT diff_check('k051', $$SELECT id FROM orders ORDER BY ordered_at DESC, id DESC LIMIT 5 OFFSET 20$$, true);
SELECT diff_check('k052', $$SELECT DISTINCT status FROM orders ORDER BY status NULLS FIRST LIMIT 3$$, true);
SELECT diff_check('k053', $$SELECT DISTINCT ON (status) status, id, amount FROM orders ORDER BY status, amount DESC NULLS LAST, id$$, true);
SELECT diff_check('k054', $$SELECT c.id, o.id FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.amount DESC NULLS LAST, o.id LIMIT 6$$, true);
SELECT diff_check('k055', $$SELECT id, score FROM events WHERE kind = 'view' ORDER BY score DESC NULLS LAST, id LIMIT 4$$, true);
SELECT diff_check('k056', $$SELECT sku, stock FROM items ORDER BY stock DESC, sku LIMIT 5$$, true);
SELECT diff_check('k057', $$SELECT id, name FROM customers ORDER BY name DESC, id LIMIT 5 OFFSET 10$$, true);

-- grouped results combined with windows, ROLLUP, DISTINCT, LIMIT and
-- HAVING on the coordinator
SELECT diff_check('x01', $$SELECT customer_id, count(*), rank() OVER (ORDER BY count(*) DESC, customer_id) FROM orders GROUP BY customer_id ORDER BY 3 LIMIT 10$$, true);
SELECT diff_check('x02', $$SELECT customer_id, count(*) FROM orders GROUP BY ROLLUP (customer_id) HAVING count(*) > 10$$);
SELECT diff_check('x03', $$SELECT customer_id, status, count(*) FROM orders WHERE customer_id < 20 GROUP BY GROUPING SETS ((customer_id), (status), ())$$);
SELECT diff_check('x04', $$SELECT customer_id, count(*) OVER () FROM orders GROUP BY customer_id$$);
SELECT diff_check('x05', $$SELECT customer_id, sum(count(*)) OVER (ORDER BY customer_id) FROM orders WHERE customer_id < 100 GROUP BY customer_id$$);
SELECT diff_check('x06', $$SELECT sum(x), count(*) FROM (SELECT customer_id, count(*) x FROM orders GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10) s$$);
SELECT diff_check('x07', $$SELECT customer_id, id, row_number() OVER (PARTITION BY customer_id ORDER BY id) FROM orders ORDER BY 3 DESC, 1, 2 LIMIT 5$$, true);
SELECT diff_check('x08', $$SELECT customer_id, id, row_number() OVER (PARTITION BY customer_id ORDER BY id), count(*) OVER () FROM orders WHERE customer_id < 10$$);
SELECT diff_check('x09', $$SELECT customer_id, count(*) FROM orders GROUP BY customer_id + 0, customer_id HAVING count(*) > 9$$);
SELECT diff_check('x10', $$SELECT id FROM orders WHERE customer_id = 7 OR customer_id = 12 ORDER BY id LIMIT 3$$, true);
SELECT diff_check('x11', $$SELECT customer_id, array_agg(id ORDER BY id) FROM orders GROUP BY customer_id ORDER BY customer_id LIMIT 3$$, true);
SELECT diff_check('x12', $$SELECT meta, count(*) FROM orders GROUP BY meta HAVING count(*) > 300$$);
SELECT diff_check('x13', $$SELECT sum(DISTINCT amount), count(DISTINCT amount) FROM orders$$);
SELECT diff_check('x14', $$SELECT count(*) FROM (SELECT DISTINCT customer_id, status FROM orders) s$$);
SELECT diff_check('x15', $$SELECT customer_id, count(*) FROM orders WHERE random() < 2 GROUP BY customer_id HAVING count(*) > 100$$);
SELECT diff_check('x16', $$SELECT customer_id, now() > min(ordered_at) FROM orders GROUP BY 1 HAVING count(*) > 10$$);
SELECT diff_check('x17', $$SELECT customer_id, generate_series(1, 2), count(*) FROM orders WHERE customer_id < 5 GROUP BY customer_id$$);
SELECT diff_check('x18', $$SELECT customer_id, count(*) FROM orders GROUP BY customer_id HAVING count(*) > (SELECT count(*) / 1500 FROM orders)$$);
SELECT diff_check('x19', $$SELECT DISTINCT count(*) FROM orders GROUP BY customer_id$$);
SELECT diff_check('x20', $$SELECT count(*) FROM orders GROUP BY customer_id HAVING customer_id > 1980$$);
SELECT diff_check('x21', $$SELECT DISTINCT customer_id FROM orders ORDER BY customer_id DESC LIMIT 4$$, true);
SELECT diff_check('x22', $$SELECT customer_id, count(*), nextval_dummy FROM (SELECT customer_id, 1 AS nextval_dummy FROM orders) s GROUP BY customer_id, nextval_dummy HAVING count(*) > 9$$);
SELECT diff_check('x23', $$SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id), count(*) OVER () FROM customers c WHERE c.id IN (7, 12)$$);
SELECT diff_check('x24', $$SELECT customer_id, max(id) FILTER (WHERE status = 'new'), percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM orders GROUP BY customer_id HAVING customer_id IN (7, 12, 3003)$$);
SELECT diff_check('x25', $$SELECT customer_id, count(*), lag(count(*)) OVER (ORDER BY customer_id) FROM orders WHERE customer_id BETWEEN 5 AND 15 GROUP BY customer_id$$);
SELECT diff_check('x26', $$SELECT count(*), sum(c) FROM (SELECT customer_id, count(*) c FROM orders GROUP BY customer_id OFFSET 5) s$$);
SELECT diff_check('x27', $$SELECT o.customer_id, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY o.customer_id HAVING count(*) > 9$$);
SELECT diff_check('x28', $$SELECT customer_id FROM orders GROUP BY customer_id HAVING bool_and(qty IS NOT NULL) AND count(*) > 8$$);
SELECT diff_check('x29', $$SELECT customer_id, count(*) FROM orders GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1$$);
SELECT diff_check('x30', $$SELECT customer_id, id FROM orders WHERE customer_id = 7 ORDER BY id FETCH FIRST 2 ROWS WITH TIES$$);
SELECT diff_check('x31', $$SELECT status, count(*) FROM orders GROUP BY status, customer_id HAVING count(*) > 300$$);
SELECT diff_check('x32', $$SELECT count(*) FROM orders o1 JOIN orders o2 ON o1.customer_id = o2.customer_id WHERE o1.customer_id < 1000 AND o1.qty = o2.qty$$);
SELECT diff_check('x33', $$SELECT e.id, e.kind, count(*) OVER (PARTITION BY e.id) FROM events e WHERE e.id < 30$$);
SELECT diff_check('x34', $$SELECT id, sum(score) OVER (PARTITION BY id) = score FROM events WHERE id < 30$$);
SELECT diff_check('x35', $$SELECT id, count(*) FROM events GROUP BY id HAVING count(*) > 1$$);
SELECT diff_check('x36', $$SELECT count(*), count(id) FROM (SELECT id FROM events GROUP BY id) s$$);
SELECT diff_check('x37', $$SELECT kind, sum(c) FROM (SELECT id, kind, count(*) c FROM events GROUP BY id, kind) s GROUP BY kind$$);

-- expressions the deparser writes for the shards: subscripts, row
-- comparisons, LIKE/SIMILAR, text search (regconfig stays on the
-- coordinator), quoting, special values, records, jsonpath, intervals,
-- money, bytea, XML, collations (builtin "C" shipped, ICU ones not)
SELECT diff_check('e01', $$SELECT id, labels[1:2], labels[2], tags['tier'], tags['langs'][0] FROM customers c JOIN events e USING (id) WHERE id < 20$$);
SELECT diff_check('e02', $$SELECT id FROM orders WHERE (customer_id, id) > (1990, 0) AND (qty, amount) IS DISTINCT FROM (1, NULL)$$);
SELECT diff_check('e03', $$SELECT id, CASE status WHEN 'paid' THEN 1 WHEN 'new' THEN 2 ELSE 0 END FROM orders WHERE customer_id = 12$$);
SELECT diff_check('e04', $$SELECT id FROM orders WHERE note LIKE 'g%\_%' ESCAPE '\' OR note SIMILAR TO '%(fragile|express)%' AND customer_id < 100$$);
SELECT diff_check('e05', $$SELECT id, name FROM customers WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'bob') AND id < 300$$);
SELECT diff_check('e06', $$SELECT id, pg_typeof(credit), pg_typeof(tags) FROM customers WHERE id < 4$$);
SELECT diff_check('e07', $$SELECT id, 'O''Brien' || name, E'tab\there', U&'\0441\043B\043E\043D', $q$dollar 'quoted'$q$ FROM customers WHERE id < 4$$);
SELECT diff_check('e08', $$SELECT id, 'infinity'::timestamptz > created_at, 'NaN'::numeric > credit, '-0'::float8, 1e100::numeric + credit FROM customers WHERE id < 4$$);
SELECT diff_check('e09', $$SELECT id, ARRAY[]::int[], ARRAY[id, flags], ROW(id, name), (id, name)::text FROM customers WHERE id < 4$$);
SELECT diff_check('e10', $$SELECT id, format('%s-%s', id, name), concat_ws('|', name, country, NULL, segment), to_char(credit, 'FM999G990D00') FROM customers WHERE id < 10$$);
SELECT diff_check('e11', $$SELECT id, (created_at, interval '1 day') OVERLAPS (timestamptz '2023-06-01 00:00+00', interval '100 days') FROM customers WHERE id < 30$$);
SELECT diff_check('e12', $$SELECT id, created_at AT TIME ZONE 'America/Sao_Paulo', extract(epoch FROM created_at), created_at::date + 7 FROM customers WHERE id < 10$$);
SELECT diff_check('e13', $$SELECT c::text FROM customers c WHERE id < 4$$);
SELECT diff_check('e14', $$SELECT id FROM customers WHERE name = ANY ('{bob 4,zoë 1}') OR name IN ('Bob 6', 'élan 9')$$);
SELECT diff_check('e15', $$SELECT upper(name COLLATE "tr-x-icu"), lower(name COLLATE "tr-x-icu") FROM customers WHERE id = 41$$);
SELECT diff_check('e16', $$SELECT upper(name COLLATE "tr-x-icu") FROM customers WHERE id < 50$$);
SELECT diff_check('e17', $$SELECT id, tags #> '{langs}', tags->'langs'->>0, jsonb_path_query_array(tags, '$.langs[*]'), tags @? '$.tier ? (@ > 2)' FROM customers WHERE id < 20$$);
SELECT diff_check('e18', $$SELECT id, num_nonnulls(country, segment, credit), coalesce(tags, '{}') FROM customers WHERE id < 20$$);
SELECT diff_check('e19', $$SELECT id, interval '1 year 2 mons 3 days 04:05:06' + created_at, dur * 1.5, dur / 4 FROM customers c JOIN events e USING (id) WHERE id < 10$$);
SELECT diff_check('e20', $$SELECT id, amount::money::numeric, round(amount, 1), trunc(amount), amount % 7, div(amount, 7), power(qty, 2), sqrt(qty) FROM orders WHERE customer_id = 12$$);
SELECT diff_check('e21', $$SELECT id, md5(name), encode(convert_to(name, 'UTF8'), 'hex'), length(name::bytea), name::bytea FROM customers WHERE id < 6$$);
SELECT diff_check('e22', $$SELECT xmlelement(name c, xmlattributes(id AS id), name) FROM customers WHERE id < 4$$);
SELECT diff_check('e23', $$SELECT id, regexp_replace(name, '[^a-z]', '_', 'g'), split_part(name, ' ', 2), translate(name, 'oe', '03'), initcap(name) FROM customers WHERE id < 15$$);
SELECT diff_check('e24', $$SELECT id, 'a' || id::text COLLATE "C" < 'a5' FROM customers WHERE id < 10$$);
SELECT diff_check('e25', $$SELECT id, name FROM customers WHERE name COLLATE "C" > 'Z' AND id < 40$$);
SELECT diff_check('e26', $$SELECT count(*) FROM customers WHERE id = 42 AND name COLLATE "tr-x-icu" ILIKE 'É%'$$);
SELECT diff_check('e27', $$SELECT id, created_at::time, created_at::timetz, date_part('isodow', created_at), justify_interval(created_at - timestamptz '2020-01-01 00:00+00') FROM customers WHERE id < 6$$);
SELECT diff_check('e28', $$SELECT id, width_bucket(credit, -150, 850, 10), int4range(id, id + flags), numrange(credit, credit + 1) @> credit FROM customers WHERE id < 10$$);
SELECT diff_check('e29', $$SELECT id, gen_random_uuid() IS NOT NULL, octet_length(gen_random_uuid()::text) FROM customers WHERE id < 5$$);
SELECT diff_check('e30', $$SELECT id, current_user = session_user, current_database(), version() = version() FROM customers WHERE id < 3$$);

-- the same with parameters, generic plans
SELECT diff_both($$PREPARE k1_%s(int) AS SELECT customer_id, count(*), sum(amount) FROM orders WHERE qty > $1 GROUP BY customer_id HAVING count(*) > 3$$);
SELECT diff_both($$PREPARE k2_%s(text, int) AS SELECT status, count(*), avg(qty), stddev(qty) FROM orders WHERE status <> $1 AND customer_id > $2 GROUP BY status$$);
SELECT diff_both($$PREPARE k3_%s(int) AS SELECT id, amount FROM orders ORDER BY amount DESC NULLS LAST, id LIMIT $1$$);
SELECT diff_both($$PREPARE k4_%s(int) AS SELECT c.id, count(o.id) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = $1 GROUP BY c.id$$);
SET plan_cache_mode = force_generic_plan;
SELECT diff_execute('kg1', 'k1', '5');
SELECT diff_execute('kg2', 'k2', $$'paid', 100$$);
SELECT diff_execute('kg3', 'k3', '8', true);
SELECT diff_execute('kg4', 'k4', '7');
SELECT diff_execute('kg5', 'k4', '3001');
SET plan_cache_mode = force_custom_plan;
SELECT diff_execute('kc1', 'k1', '5');
SELECT diff_execute('kc2', 'k2', $$'paid', 100$$);
SELECT diff_execute('kc3', 'k3', '8', true);
SELECT diff_execute('kc4', 'k4', '7');
RESET plan_cache_mode;
DEALLOCATE ALL;
