-- pushdown_variance: numeric and integer variance and standard deviation
-- combined across shards (count, sum, sum of squares per shard) give
-- exactly one server's results, display scale included.
CREATE SCHEMA pushdown_variance;
SET search_path TO pushdown_variance;
ALTER SEQUENCE shard.shard_id_seq RESTART 1730000;
CREATE TABLE v (id int, g int, x numeric, i2 smallint, i4 int, i8 bigint);
INSERT INTO v
	SELECT i, i % 7,
		CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN (i * 1.5) WHEN 2 THEN (i / 8.0)::numeric(12,5)
			WHEN 3 THEN round(i * 3.14159265358979, 11) ELSE i * 100 END,
		(i % 300)::smallint, i * 7919 % 100003, i::bigint * 1000000007
	FROM generate_series(1, 700) i;
INSERT INTO v VALUES (701, 7, 2.5, 1, 1, 1);                 -- one-row group
INSERT INTO v VALUES (702, 8, 3.25, 2, 2, 2), (703, 8, 3.25, 2, 2, 2);  -- zero variance
INSERT INTO v VALUES (704, 9, 1, 1, 1, 1), (705, 9, 'NaN', 1, 1, 1);  -- NaN
INSERT INTO v VALUES (706, 10, 1, 1, 1, 1), (707, 10, 'Infinity', 1, 1, 1), (708, 10, 5, 1, 1, 1);
INSERT INTO v VALUES (709, 11, 0.000000000001, 1, 1, 1), (710, 11, 0.000000000003, 2, 5, 9), (711, 11, 123456789012345678.9, 3, 7, 11);
CREATE TABLE v_local AS SELECT * FROM v;
SELECT shard.create_distributed_table('v', 'id', shard_count => 4);
CREATE FUNCTION check_query(q text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN public.compare_results(q, regexp_replace(q, '\mv\M', 'v_local', 'g'), false);
END $$;

-- partial aggregates: count, sum and sum of squares per shard
EXPLAIN (COSTS OFF, VERBOSE) SELECT g, stddev(x), var_pop(i4) FROM v GROUP BY g;
SELECT check_query('SELECT g, var_samp(x), var_pop(x), variance(x), stddev_samp(x), stddev_pop(x), stddev(x) FROM v GROUP BY g');
SELECT check_query('SELECT g, var_samp(i2), var_pop(i2), stddev_samp(i2), stddev_pop(i2) FROM v GROUP BY g');
SELECT check_query('SELECT g, var_samp(i4), var_pop(i4), stddev_samp(i4), stddev_pop(i4) FROM v GROUP BY g');
SELECT check_query('SELECT g, var_samp(i8), var_pop(i8), stddev_samp(i8), stddev_pop(i8) FROM v GROUP BY g');
SELECT check_query('SELECT id % 97, stddev_samp(x), stddev_pop(x), stddev_samp(i4 * 0.001), stddev_pop(i8 % 1000) FROM v GROUP BY id % 97');
SELECT check_query('SELECT variance(x), stddev(x), variance(i8), stddev(i8), stddev_pop(i4) FROM v');
SELECT check_query('SELECT g % 2, stddev(x) FILTER (WHERE i4 > 500), var_pop(x) FILTER (WHERE id > 10000) FROM v GROUP BY g % 2');
SELECT check_query('SELECT g, stddev(x) FROM v WHERE g IN (7, 8, 9, 10, 11) GROUP BY g HAVING var_samp(x) IS NULL OR var_samp(x) >= 0');
-- the values themselves, display scale included
SELECT g, var_samp(x), stddev_samp(x), stddev_pop(i8) FROM v WHERE g >= 5 GROUP BY g ORDER BY g;
SELECT g, var_samp(x), stddev_samp(x), stddev_pop(i8) FROM v_local WHERE g >= 5 GROUP BY g ORDER BY g;
DROP SCHEMA pushdown_variance CASCADE;
