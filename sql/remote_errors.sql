-- remote_errors: an error raised on a worker reads as on one server.  Its
-- SQLSTATE, message, detail, hint and object fields (schema, table, column,
-- data type, constraint: what psycopg2's e.diag reads) name the
-- coordinator's objects, never the shards' (t_2000000, t_pkey_2000000);
-- only CONTEXT differs ("while executing on node host:port").  Every
-- failing statement runs first while the tables are local (the oracle),
-- then again once they are distributed, and the fields are compared.
SET client_min_messages TO warning;
CREATE SCHEMA remote_errors;
SET search_path TO remote_errors, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 2000000;

CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE shop_user (id bigint PRIMARY KEY, email text NOT NULL,
	score int CONSTRAINT shop_user_score_check CHECK (score >= 0),
	age information_schema.cardinal_number, country text);
CREATE TABLE account (email text PRIMARY KEY, user_id bigint);
CREATE TABLE orders (id bigint, user_id bigint, amount int, PRIMARY KEY (user_id, id));
CREATE TABLE tag (user_id bigint, label text);
CREATE UNIQUE INDEX tag_label_idx ON tag (user_id, label);
CREATE TABLE booking (id int, CONSTRAINT booking_no_overlap EXCLUDE USING btree (id WITH =));
CREATE TABLE dup (id int, v int);
INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany');
INSERT INTO shop_user VALUES (1, 'a@x', 10, 30, 'fr'), (2, 'b@x', 3, 40, 'de'),
	(3, 'c@x', 20, 50, NULL), (4, 'd@x', 30, 60, 'fr');
INSERT INTO account VALUES ('a@x', 1), ('b@x', 2);
INSERT INTO orders VALUES (1, 1, 5), (2, 2, 7);
INSERT INTO tag VALUES (1, 'vip');
INSERT INTO booking VALUES (1);
INSERT INTO dup VALUES (1, 1), (1, 1), (2, 5);

-- foreign keys are added with the same names before each run
CREATE PROCEDURE add_foreign_keys() LANGUAGE sql AS $$
	ALTER TABLE shop_user ADD CONSTRAINT shop_user_country_fk FOREIGN KEY (country) REFERENCES countries (code);
	ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES shop_user (id);
$$;
CALL add_foreign_keys();

-- error_fields runs a statement that must fail and returns every field of
-- its error but the context; shard_name_shown tells whether any text the
-- client sees (message, detail, hint, context, fields) holds a shard name.
CREATE FUNCTION error_fields(stmt text, OUT fields text, OUT shard_name_shown boolean)
LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text; ctx text;
	sch text; tbl text; col text; typ text; con text;
BEGIN
	EXECUTE stmt;
	fields := 'no error';
	shard_name_shown := false;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT,
		sch = SCHEMA_NAME, tbl = TABLE_NAME, col = COLUMN_NAME,
		typ = PG_DATATYPE_NAME, con = CONSTRAINT_NAME;
	fields := format(E'sqlstate %s\nmessage %s\ndetail %s\nhint %s\nschema %s\ntable %s\ncolumn %s\ndatatype %s\nconstraint %s',
					 st, msg, det, hnt, sch, tbl, col, typ, con);
	shard_name_shown := concat_ws(' ', msg, det, hnt, ctx, sch, tbl, col, typ, con) ~ '_[0-9]{6,}';
END $$;

-- the failing statements, by path: routed, multi-row, multi-shard,
-- INSERT ... SELECT, reference table, DDL
CREATE TABLE failing (n int PRIMARY KEY, stmt text NOT NULL);
INSERT INTO failing VALUES
(1, $$INSERT INTO shop_user VALUES (1, 'z@x', 1, 1, 'fr')$$),
(2, $$INSERT INTO account VALUES ('a@x', 9)$$),
(3, $$INSERT INTO tag VALUES (1, 'vip')$$),
(4, $$INSERT INTO booking VALUES (1)$$),
(5, $$INSERT INTO shop_user VALUES (5, 'e@x', -1, 1, 'fr')$$),
(6, $$INSERT INTO shop_user (id, email) VALUES (6, NULL)$$),
(7, $$UPDATE shop_user SET email = NULL WHERE id = 3$$),
(8, $$INSERT INTO orders VALUES (3, 99, 1)$$),
(9, $$DELETE FROM shop_user WHERE id = 1$$),
(11, $$INSERT INTO shop_user VALUES (7, 'f@x', 1, 1, 'zz')$$),
(12, $$INSERT INTO shop_user (id, email) VALUES (8, 'g@x'), (9, 'h@x'), (4, 'dup@x'), (10, 'i@x')$$),
(13, $$UPDATE shop_user SET score = score - 5$$),
(14, $$UPDATE shop_user SET age = age - 100$$),
(15, $$UPDATE shop_user SET score = CASE WHEN id = 3 THEN email::int ELSE score END$$),
(16, $$INSERT INTO shop_user (id, email) SELECT user_id, 'copy' FROM orders WHERE user_id = 2$$),
(17, $$INSERT INTO orders (user_id, id) SELECT id + 1000, id FROM shop_user WHERE id = 3$$),
(18, $$INSERT INTO countries VALUES ('fr', 'again')$$),
(19, $$UPDATE countries SET name = NULL WHERE code = 'de'$$),
(20, $$DELETE FROM countries WHERE code = 'de'$$),
(22, $$INSERT INTO shop_user VALUES (1, 'k@x', 1, 1, 'fr') ON CONFLICT (id) DO UPDATE SET score = -1$$),
(23, $$CREATE UNIQUE INDEX dup_id_v_idx ON dup (id, v)$$),
(24, $$ALTER TABLE dup ADD CONSTRAINT dup_uniq UNIQUE (id, v)$$),
(25, $$ALTER TABLE dup ADD CONSTRAINT dup_v_check CHECK (v < 3)$$),
(26, $$ALTER TABLE dup ALTER COLUMN v TYPE int2 USING (v * 100000)::int2$$);

CREATE TABLE local_errors AS
SELECT n, (error_fields(stmt)).* FROM failing;

-- what psql shows with every field, local
\set VERBOSITY verbose
\set SHOW_CONTEXT never
INSERT INTO shop_user VALUES (1, 'z@x', 1, 1, 'fr');
INSERT INTO account VALUES ('a@x', 9);
INSERT INTO booking VALUES (1);
INSERT INTO shop_user VALUES (5, 'e@x', -1, 1, 'fr');
INSERT INTO shop_user (id, email) VALUES (6, NULL);
INSERT INTO orders VALUES (3, 99, 1);
DELETE FROM shop_user WHERE id = 1;
UPDATE shop_user SET age = age - 100;
UPDATE shop_user SET score = CASE WHEN id = 3 THEN email::int ELSE score END;
DELETE FROM countries WHERE code = 'de';
\set SHOW_CONTEXT errors
COPY shop_user (id, email, score) FROM STDIN;
20	l@x	1
1	dup@x	1
\.
COPY shop_user (id, email, score) FROM STDIN;
21	m@x	-4
\.
\set SHOW_CONTEXT never
COPY countries FROM STDIN;
it	\N
\.
\set VERBOSITY default

-- the same tables, distributed (the rows move to the shards)
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;
ALTER TABLE shop_user DROP CONSTRAINT shop_user_country_fk;
SELECT shard.create_reference_table('countries');
SELECT shard.create_distributed_table('shop_user', 'id', shard_count => 4);
SELECT shard.create_distributed_table('account', 'email', shard_count => 4);
SELECT shard.create_distributed_table('orders', 'user_id', colocate_with => 'shop_user');
SELECT shard.create_distributed_table('tag', 'user_id', colocate_with => 'shop_user');
SELECT shard.create_distributed_table('booking', 'id', shard_count => 4);
SELECT shard.create_distributed_table('dup', 'id', shard_count => 4);
CALL add_foreign_keys();

-- every field is the local table's; no shard name reaches the client
\x on
SELECT f.n, f.stmt, e.fields, e.fields = l.fields AS same_as_local,
	   e.shard_name_shown
FROM failing f JOIN local_errors l USING (n),
	 LATERAL error_fields(f.stmt) e
ORDER BY f.n;
\x off

-- what psql shows with every field, distributed (SHOW_CONTEXT never: the
-- rest is the local table's error above, letter for letter; COPY into
-- shop_user shows its context: the line of the input, then the node)
\set VERBOSITY verbose
\set SHOW_CONTEXT never
INSERT INTO shop_user VALUES (1, 'z@x', 1, 1, 'fr');
INSERT INTO account VALUES ('a@x', 9);
INSERT INTO booking VALUES (1);
INSERT INTO shop_user VALUES (5, 'e@x', -1, 1, 'fr');
INSERT INTO shop_user (id, email) VALUES (6, NULL);
INSERT INTO orders VALUES (3, 99, 1);
DELETE FROM shop_user WHERE id = 1;
UPDATE shop_user SET age = age - 100;
UPDATE shop_user SET score = CASE WHEN id = 3 THEN email::int ELSE score END;
DELETE FROM countries WHERE code = 'de';
\set SHOW_CONTEXT errors
COPY shop_user (id, email, score) FROM STDIN;
20	l@x	1
1	dup@x	1
\.
COPY shop_user (id, email, score) FROM STDIN;
21	m@x	-4
\.
\set SHOW_CONTEXT never
COPY countries FROM STDIN;
it	\N
\.
\set VERBOSITY default

-- the context names the node (the shipped SQL goes to the server log only)
\set SHOW_CONTEXT errors
INSERT INTO shop_user VALUES (1, 'z@x', 1, 1, 'fr');
BEGIN;
INSERT INTO shop_user VALUES (30, 'n@x', 1, 1, 'fr');
INSERT INTO shop_user VALUES (30, 'n@x', 1, 1, 'fr');
ROLLBACK;

DROP SCHEMA remote_errors CASCADE;
