-- differential_schema: the data of the differential suite (issue 3) and its
-- oracle.  The same tables exist twice: in diff_dist, distributed, and in
-- diff_local, plain local tables with the same rows.  Local-only tables live
-- in diff_common.  Every query of differential_N.sql is run by
-- public.diff_check twice, with search_path diff_dist and with diff_local,
-- so the distributed and the local query are one text and cannot drift.
--
-- Distributed tables:
--   customers  by id,           16 shards
--   orders     by customer_id,  co-located with customers
--   events     by id,           5 shards (not co-located)
--   items      by sku (text),   colocate_with => 'none', 3 shards
-- Data is deterministic (generate_series, no random()) with NULLs,
-- duplicates, skew (customer 7 holds about a third of the orders, kind
-- 'view' half of the events), unicode text, numeric, float8, timestamptz,
-- jsonb, arrays and booleans.  The schemas stay for differential_1..N;
-- differential_cleanup drops them.
SET client_min_messages TO warning;
ALTER SEQUENCE shard.shard_id_seq RESTART 1200000;
CREATE SCHEMA diff_dist;
CREATE SCHEMA diff_local;
CREATE SCHEMA diff_common;

-- diff_result: one line saying whether two results are the same: 'id ok (N
-- rows)', or what differs (rows only one side has, at most three each, or
-- the first position where an ordered result differs).  Rows are compared
-- as text, as a multiset unless ordered.
CREATE FUNCTION public.diff_result(id text, d text[], l text[], ordered boolean)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	onlyDist text[];
	onlyLocal text[];
	i int;
BEGIN
	IF d = l THEN
		RETURN format('%s ok (%s rows)', id, cardinality(l));
	END IF;
	onlyDist := ARRAY(SELECT x FROM (SELECT unnest(d) EXCEPT ALL SELECT unnest(l)) s(x)
					  ORDER BY x COLLATE "C" LIMIT 3);
	onlyLocal := ARRAY(SELECT x FROM (SELECT unnest(l) EXCEPT ALL SELECT unnest(d)) s(x)
					   ORDER BY x COLLATE "C" LIMIT 3);
	IF cardinality(onlyDist) > 0 OR cardinality(onlyLocal) > 0 THEN
		RETURN format('%s DIFFERENT: %s rows vs %s local rows; only distributed: %s; only local: %s',
					  id, cardinality(d), cardinality(l), onlyDist, onlyLocal);
	END IF;
	IF NOT ordered THEN
		RETURN format('%s ok (%s rows)', id, cardinality(l));
	END IF;
	FOR i IN 1 .. cardinality(l) LOOP
		EXIT WHEN d[i] IS DISTINCT FROM l[i];
	END LOOP;
	RETURN format('%s DIFFERENT order at row %s: %s vs local %s', id, i, d[i], l[i]);
END $$;

-- diff_run: runs q_local with search_path diff_local and q_dist with
-- diff_dist (each followed by diff_common, public) and compares the rows
-- with diff_result; an error of the distributed query is reported in the
-- line.  An error of the local query is a mistake in the test and aborts.
-- Prepared statements need the path too: a changed search_path re-analyzes
-- them.
CREATE FUNCTION public.diff_run(id text, q_dist text, q_local text, ordered boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	saved text := current_setting('search_path');
	r record;
	d text[] := '{}';
	l text[] := '{}';
BEGIN
	PERFORM set_config('search_path', 'diff_local, diff_common, public', false);
	FOR r IN EXECUTE q_local LOOP l := l || r::text; END LOOP;
	PERFORM set_config('search_path', 'diff_dist, diff_common, public', false);
	BEGIN
		FOR r IN EXECUTE q_dist LOOP d := d || r::text; END LOOP;
	EXCEPTION WHEN OTHERS THEN
		PERFORM set_config('search_path', saved, false);
		RETURN format('%s ERROR on distributed tables: %s', id, SQLERRM);
	END;
	PERFORM set_config('search_path', saved, false);
	RETURN public.diff_result(id, d, l, ordered);
END $$;

-- diff_check: one query text, run on both sides (see diff_run).
CREATE FUNCTION public.diff_check(id text, query text, ordered boolean DEFAULT false)
RETURNS text LANGUAGE sql AS $$
	SELECT public.diff_run(id, query, query, ordered)
$$;

-- diff_both: runs a statement (DDL, PREPARE) once with each search path, so
-- views and prepared statements are defined by one text for both sides.
-- '%s' in the statement is replaced by 'd' and 'l' (names of prepared
-- statements).
CREATE FUNCTION public.diff_both(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	saved text := current_setting('search_path');
BEGIN
	PERFORM set_config('search_path', 'diff_local, diff_common, public', false);
	EXECUTE replace(stmt, '%s', 'l');
	PERFORM set_config('search_path', 'diff_dist, diff_common, public', false);
	EXECUTE replace(stmt, '%s', 'd');
	PERFORM set_config('search_path', saved, false);
END $$;

-- diff_execute: EXECUTEs prepared statements NAME_d and NAME_l (made by
-- diff_both) with the same arguments and compares the rows.
CREATE FUNCTION public.diff_execute(id text, name text, args text, ordered boolean DEFAULT false)
RETURNS text LANGUAGE sql AS $$
	SELECT public.diff_run(id, format('EXECUTE %I(%s)', name || '_d', args),
						   format('EXECUTE %I(%s)', name || '_l', args), ordered)
$$;

-- local-only tables, read by both sides
CREATE TABLE diff_common.countries (code text PRIMARY KEY, name text, region text, vat numeric(4,2));
INSERT INTO diff_common.countries VALUES
	('DE', 'Deutschland', 'EU', 19), ('FR', 'France', 'EU', 20), ('SE', 'Sverige', 'EU', 25),
	('JP', '日本', 'APAC', 10), ('US', 'United States', 'NA', NULL), ('BR', 'Brasil', 'SA', 17.5),
	('IS', 'Ísland', NULL, 24);
CREATE TABLE diff_common.statuses (status text, rank int, final boolean);
INSERT INTO diff_common.statuses VALUES
	('new', 1, false), ('paid', 2, false), ('shipped', 3, true), ('cancelled', 4, true),
	('paid', 5, true);	-- a duplicate key on purpose

-- customers: 2000 rows; country, segment, credit and tags with NULLs
CREATE TABLE diff_local.customers (
	id int PRIMARY KEY,
	name text,
	country text,
	segment text,
	credit numeric(12,2),
	created_at timestamptz,
	tags jsonb,
	active boolean,
	flags int
);
INSERT INTO diff_local.customers
SELECT g,
	   (ARRAY['Ælfred', 'zoë', 'Émile', 'bob', 'Bob', '日本語', 'Ñandú', 'straße', 'Ørjan', 'élan'])[g % 10 + 1]
		   || CASE WHEN g % 7 = 0 THEN '' ELSE ' ' || (g % 97)::text END,
	   CASE WHEN g % 17 = 0 THEN NULL
			ELSE (ARRAY['DE', 'FR', 'SE', 'JP', 'US', 'BR', 'XX'])[g % 7 + 1] END,
	   CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['retail', 'smb', 'enterprise'])[g % 3 + 1] END,
	   CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 7919) % 100000) / 100.0 - 150 END,
	   timestamptz '2023-01-01 00:00:00+00' + (g * 4513 % 525600) * interval '1 minute',
	   CASE WHEN g % 19 = 0 THEN NULL
			ELSE jsonb_build_object('tier', g % 4, 'vip', g % 5 = 0,
									'langs', (ARRAY['["de"]', '["fr", "en"]', '[]'])[g % 3 + 1]::jsonb) END,
	   CASE WHEN g % 23 = 0 THEN NULL ELSE g % 3 <> 0 END,
	   (g * 13) % 64
FROM generate_series(1, 2000) g;

-- orders: 12000 rows; customer 7 holds a third of them (skew); customers
-- 1991..2000 have none, and some orders belong to customers that do not
-- exist (3001..3010)
CREATE TABLE diff_local.orders (
	id bigint NOT NULL,
	customer_id int NOT NULL,
	status text,
	amount numeric(12,2),
	qty int,
	ordered_at timestamptz,
	note text,
	meta jsonb,
	weight float8,
	PRIMARY KEY (customer_id, id)
);
INSERT INTO diff_local.orders
SELECT g,
	   CASE WHEN g % 3 = 0 THEN 7
			WHEN g % 101 = 0 THEN 3001 + g % 10
			ELSE 1 + (g * 31) % 1990 END,
	   CASE WHEN g % 29 = 0 THEN NULL
			ELSE (ARRAY['new', 'paid', 'shipped', 'cancelled', 'paid'])[g % 5 + 1] END,
	   CASE WHEN g % 37 = 0 THEN NULL ELSE ((g * 104729) % 50000) / 100.0 END,
	   CASE WHEN g % 41 = 0 THEN NULL ELSE 1 + g % 9 END,
	   timestamptz '2024-01-01 00:00:00+00' + (g * 7 % 8760) * interval '1 hour'
		   + (g % 60) * interval '1 second',
	   CASE WHEN g % 5 = 0 THEN NULL
			ELSE (ARRAY['fragile', 'gift 🎁', 'express', 'Ünïcödé', 'gift 🎁', ''])[g % 6 + 1] END,
	   jsonb_build_object('src', (ARRAY['web', 'app', 'phone'])[g % 3 + 1], 'n', g % 10,
						  'ok', g % 4 <> 0),
	   CASE WHEN g % 43 = 0 THEN NULL ELSE (g % 1000) / 3.0 END
FROM generate_series(1, 12000) g;

-- events: not co-located (5 shards); kind 'view' is half of the rows,
-- customer_id is NULL or dangling for some
CREATE TABLE diff_local.events (
	id int PRIMARY KEY,
	customer_id int,
	kind text,
	at timestamptz,
	payload jsonb,
	score float8,
	dur interval,
	labels text[]
);
INSERT INTO diff_local.events
SELECT g,
	   CASE WHEN g % 9 = 0 THEN NULL ELSE 1 + (g * 17) % 2100 END,
	   CASE WHEN g % 2 = 0 THEN 'view'
			WHEN g % 31 = 0 THEN NULL
			ELSE (ARRAY['click', 'buy', 'login', 'Login'])[g / 2 % 4 + 1] END,
	   timestamptz '2024-03-30 12:00:00+00' + (g * 53 % 20000) * interval '1 minute',
	   CASE WHEN g % 25 = 0 THEN NULL
			ELSE jsonb_build_object('page', '/p/' || (g % 40), 'ms', g % 700,
									'ref', CASE WHEN g % 3 = 0 THEN NULL ELSE 'r' || g % 5 END) END,
	   CASE WHEN g % 47 = 0 THEN NULL ELSE (g * 37 % 101) / 7.0 END,
	   (g % 500) * interval '1 second' + (g % 3) * interval '1 day',
	   CASE WHEN g % 10 = 0 THEN NULL
			ELSE string_to_array((ARRAY['a,b', 'b', 'c,a,ü', ''])[g % 4 + 1], ',') END
FROM generate_series(1, 6000) g;

-- items: distributed by a text column, colocate_with => 'none'
CREATE TABLE diff_local.items (
	sku text PRIMARY KEY,
	title text,
	price numeric(10,2),
	stock int,
	category text,
	attrs jsonb
);
INSERT INTO diff_local.items
SELECT 'SKU-' || lpad(g::text, 4, '0'),
	   (ARRAY['Café crème', 'çà et là', 'Zürich map', 'apple', 'Apple', 'éclair', '🐘 plush'])[g % 7 + 1]
		   || ' #' || g,
	   CASE WHEN g % 14 = 0 THEN NULL ELSE (g * 389 % 10000) / 100.0 END,
	   CASE WHEN g % 6 = 0 THEN 0 ELSE g % 50 END,
	   CASE WHEN g % 9 = 0 THEN NULL ELSE (ARRAY['food', 'books', 'toys'])[g % 3 + 1] END,
	   jsonb_build_object('color', (ARRAY['red', 'green', NULL])[g % 3 + 1], 'size', g % 5)
FROM generate_series(1, 300) g;

-- the distributed copies: same definition, same rows
CREATE TABLE diff_dist.customers (LIKE diff_local.customers INCLUDING ALL);
CREATE TABLE diff_dist.orders (LIKE diff_local.orders INCLUDING ALL);
CREATE TABLE diff_dist.events (LIKE diff_local.events INCLUDING ALL);
CREATE TABLE diff_dist.items (LIKE diff_local.items INCLUDING ALL);
INSERT INTO diff_dist.customers SELECT * FROM diff_local.customers;
INSERT INTO diff_dist.orders SELECT * FROM diff_local.orders;
INSERT INTO diff_dist.events SELECT * FROM diff_local.events;
INSERT INTO diff_dist.items SELECT * FROM diff_local.items;
SELECT shard.create_distributed_table('diff_dist.customers', 'id', shard_count => 16);
SELECT shard.create_distributed_table('diff_dist.orders', 'customer_id', colocate_with => 'diff_dist.customers');
SELECT shard.create_distributed_table('diff_dist.events', 'id', shard_count => 5);
SELECT shard.create_distributed_table('diff_dist.items', 'sku', shard_count => 3, colocate_with => 'none');
SELECT table_name, count(*) AS shards, count(DISTINCT node_id) AS nodes
FROM shard.shards WHERE table_name::text LIKE 'diff_dist.%' GROUP BY 1 ORDER BY 1;
ANALYZE diff_local.customers, diff_local.orders, diff_local.events, diff_local.items,
	diff_common.countries, diff_common.statuses;
\t on
\a

-- a sequence on each side, for nextval() in queries
SELECT diff_both($$CREATE SEQUENCE seq$$);

-- views over the tables, one text for both sides
SELECT diff_both($$CREATE VIEW customer_totals AS
	SELECT c.id, c.name, c.country, count(o.id) AS n_orders, sum(o.amount) AS total
	FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
	GROUP BY c.id, c.name, c.country$$);
SELECT diff_both($$CREATE VIEW paid_orders AS
	SELECT id, customer_id, amount, ordered_at FROM orders WHERE status = 'paid'$$);
SELECT diff_both($$CREATE VIEW event_kinds AS
	SELECT kind, count(*) AS n, max(at) AS last_at FROM events GROUP BY kind$$);

-- both sides hold the same rows
SELECT diff_check('rows customers', 'SELECT * FROM customers');
SELECT diff_check('rows orders', 'SELECT * FROM orders');
SELECT diff_check('rows events', 'SELECT * FROM events');
SELECT diff_check('rows items', 'SELECT * FROM items');
SELECT diff_check('skew', $$SELECT customer_id, count(*) FROM orders GROUP BY 1 HAVING count(*) > 100$$);
