-- differential_5: values travel from the workers exactly, whatever the
-- session's settings: workers print dates and timestamps in ISO form and
-- floats exactly, and expressions that print such values as text run on
-- the coordinator, under the user's DateStyle and extra_float_digits.
SET client_min_messages TO warning;
\t on
\a

-- float8 values read by a remote scan or as partial aggregate results
-- with extra_float_digits below 1 (they once arrived rounded)
SET extra_float_digits = 0;
SELECT diff_check('z01', $$SELECT e.id, (e.score * 3)::text FROM events e JOIN countries k ON k.code = 'DE' WHERE e.id < 30$$);
SELECT diff_check('z02', $$SELECT e.id, (e.score * 3)::text, c.name FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.id < 60$$);
SELECT diff_check('z03', $$SELECT e.id, (e.score / 3)::text FROM events e WHERE e.id < 30 AND e.customer_id IN (SELECT id FROM customers)$$);
SELECT diff_check('z04', $$SELECT kind, (sum(score) * 1)::text FROM events WHERE id < 100 GROUP BY kind$$);
RESET extra_float_digits;
RESET extra_float_digits;
SELECT diff_check('z05', $$SELECT id, 'score ' || score, format('%s|%s', score, at), to_json(score), concat(score, '/', at) FROM events WHERE id < 40$$);

-- timestamps under a non-ISO DateStyle, in zones whose abbreviation names
-- another offset in the default abbreviation table (IST, CST)
SET DateStyle TO 'SQL, DMY';
SET TimeZone TO 'Asia/Kolkata';
SELECT diff_check('z06', $$SELECT id, at FROM events WHERE id < 40$$);
SELECT diff_check('z07', $$SELECT kind, min(at), max(at) FROM events GROUP BY kind$$);
SELECT diff_check('z08', $$SELECT e.id, e.at, c.created_at FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.id < 50$$);
SELECT diff_check('z09', $$SELECT id, at::text, at::date, 'at ' || at FROM events WHERE id < 40$$);
SELECT diff_check('z10', $$SELECT count(*) FROM events WHERE at::text LIKE '%IST%'$$);
SET TimeZone TO 'Asia/Shanghai';
SET DateStyle TO 'Postgres, MDY';
SELECT diff_check('z11', $$SELECT c.id, c.created_at, o.ordered_at FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 20$$);
SELECT diff_check('z12', $$SELECT customer_id, max(ordered_at)::text FROM orders GROUP BY customer_id HAVING customer_id < 30$$);
SELECT diff_check('z13', $$SELECT id, created_at FROM customers WHERE id = 17$$);
SELECT diff_check('z14', $$SELECT id, created_at::text FROM customers WHERE id = 18$$);
RESET DateStyle;
RESET TimeZone;
