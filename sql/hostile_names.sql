-- hostile_names: names a table owner chooses never become SQL on the
-- workers.  Schema, table, column, index, constraint, sequence and role
-- names with quotes, ON, ;, --, $$, backslashes, dots, unicode and 63 bytes
-- go through create_reference_table, add_node's copy of the reference
-- tables, create_distributed_table, DDL, COPY and routed DML; then each
-- worker holds exactly the intended objects (listed from its own catalogs
-- through views in schema hostile_check there) and the rows match local
-- copies (EXCEPT ALL both ways).  Runs in a database of its own (same name
-- on the coordinator and both workers), where worker 2 is added after the
-- reference tables exist.
SET client_min_messages TO warning;
CREATE DATABASE hostile_names;
CREATE ROLE "r ""ON""; --$$\ü" LOGIN;
\c - - - :worker_1_port
CREATE DATABASE hostile_names;
CREATE ROLE "r ""ON""; --$$\ü" LOGIN;
\c hostile_names - - :worker_1_port
CREATE SCHEMA hostile_check;
CREATE VIEW hostile_check.relations AS
SELECT c.oid::regclass::text AS relation, c.relkind AS kind,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attcollation <> t.typcollation
                                  THEN ' collate ' || a.attcollation::regcollation ELSE '' END
                          || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                          || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''),
                          ', ' ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r') AS columns
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
  AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind <> 'i'
ORDER BY 1;
CREATE VIEW hostile_check.constraints AS
SELECT co.conrelid::regclass::text AS relation, co.conname AS name, pg_get_constraintdef(co.oid) AS definition
FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
ORDER BY 1, 2;
CREATE VIEW hostile_check.indexes AS
SELECT pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1;
\c regression - - :worker_2_port
CREATE DATABASE hostile_names;
CREATE ROLE "r ""ON""; --$$\ü" LOGIN;
\c hostile_names - - :worker_2_port
CREATE SCHEMA hostile_check;
CREATE VIEW hostile_check.relations AS
SELECT c.oid::regclass::text AS relation, c.relkind AS kind,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attcollation <> t.typcollation
                                  THEN ' collate ' || a.attcollation::regcollation ELSE '' END
                          || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                          || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''),
                          ', ' ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r') AS columns
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
  AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind <> 'i'
ORDER BY 1;
CREATE VIEW hostile_check.constraints AS
SELECT co.conrelid::regclass::text AS relation, co.conname AS name, pg_get_constraintdef(co.oid) AS definition
FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
ORDER BY 1, 2;
CREATE VIEW hostile_check.indexes AS
SELECT pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'hostile_check')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1;
\c hostile_names - - :coordinator_port
SET client_min_messages TO warning;
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', :worker_1_port) > 0 AS worker_1_added;
ALTER SEQUENCE shard.shard_id_seq RESTART 1900000;
CREATE SCHEMA "Sch ""ON"" x.y; --$$\é";
CREATE SCHEMA hostile_local;

-- the issue's reproduction: an index name that holds " ON public.t (a);"
-- and a statement.  On the shards the index is built from catalog fields:
-- on column b, and nothing else runs.
CREATE TABLE public.t (a int, b int);
CREATE INDEX "x ON public.t (a);CREATE TABLE IF NOT EXISTS public.pwned();--" ON public.t (b);
INSERT INTO public.t SELECT g, g * 10 FROM generate_series(1, 20) g;
CREATE TABLE hostile_local.t AS TABLE public.t;
SELECT shard.create_distributed_table('t', 'a', shard_count => 2);
CREATE INDEX "y ON public.t (b);CREATE TABLE IF NOT EXISTS public.pwned2();--" ON public.t (b);
CREATE TABLE public.r (a int PRIMARY KEY, b text);
CREATE INDEX "z ON public.r (a);CREATE TABLE IF NOT EXISTS public.pwned3();--" ON public.r (b);
INSERT INTO public.r VALUES (1, 'one'), (2, 'two');
SELECT shard.create_reference_table('r');

-- reference tables with hostile names; the foreign key between them keeps
-- its ON DELETE SET NULL column list
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" (code text, region text, "note; --" text DEFAULT 'n''a;--$$\',
  CONSTRAINT "pk ""ON""; --$$\øøøøøøøøøøøøøøøøøøøøøøøø" PRIMARY KEY (code, region),
  CONSTRAINT "chk ""ON""; --$$\" CHECK (code <> 'x'')--'));
CREATE INDEX "r1 ""ON"" (a);--" ON "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" (lower(code) DESC NULLS LAST) WHERE region <> 'asia''s';
INSERT INTO "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" (code, region) VALUES ('fr', 'eu'), ('jp', 'asia'), ('x"; --', 'n$$\'), ('de', 'eu');
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\" (id int PRIMARY KEY, code text, region text);
INSERT INTO "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\" VALUES (1, 'fr', 'eu'), (2, 'jp', 'asia'), (3, 'x"; --', 'n$$\'), (4, 'de', 'eu');
CREATE TABLE hostile_local.r1 (LIKE "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" INCLUDING ALL);
INSERT INTO hostile_local.r1 TABLE "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö";
CREATE TABLE hostile_local.r2 (LIKE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\" INCLUDING ALL);
INSERT INTO hostile_local.r2 TABLE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\";
ALTER TABLE hostile_local.r2 ADD FOREIGN KEY (code, region) REFERENCES hostile_local.r1 (code, region)
  ON DELETE SET NULL (region);
SELECT shard.create_reference_table('"Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö"');
SELECT shard.create_reference_table('"Sch ""ON"" x.y; --$$\é"."ref2 $$;--\"');
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\" ADD CONSTRAINT "fk2 ""ON""; --" FOREIGN KEY (code, region) REFERENCES "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" (code, region)
  ON DELETE SET NULL (region);

-- add_node copies every reference table, with its indexes and constraints
SELECT shard.add_node('127.0.0.1', :worker_2_port) > 0 AS worker_2_added;

-- a hash-distributed table: hostile columns (a 63-byte one), constraints,
-- sequence and indexes (operator class, collation, ordering, expression,
-- INCLUDE, storage parameters, predicate; two 63-byte names that differ in
-- their last byte only)
CREATE SEQUENCE "Sch ""ON"" x.y; --$$\é"."seq ""ON""; --$$\ß";
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (
  id int NOT NULL,
  "c ""ON""; --$$\" text COLLATE "C",
  "éééééééééééééééééééééééééééééééx" int DEFAULT 7 CONSTRAINT "chk; DROP TABLE x; --" CHECK ("éééééééééééééééééééééééééééééééx" > 0),
  "k.v" text,
  n bigint DEFAULT nextval('"Sch ""ON"" x.y; --$$\é"."seq ""ON""; --$$\ß"'),
  CONSTRAINT "pk ""ON""; --$$\" PRIMARY KEY (id) INCLUDE ("k.v") WITH (fillfactor = 80));
CREATE INDEX "īīīīīīīīīīīīīīīīīīīīīīīīīīīīīīīa" ON "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ("c ""ON""; --$$\" text_pattern_ops, "éééééééééééééééééééééééééééééééx" DESC NULLS LAST);
CREATE INDEX "īīīīīīīīīīīīīīīīīīīīīīīīīīīīīīīb" ON "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ((lower("c ""ON""; --$$\") COLLATE "POSIX")) INCLUDE (n)
  WITH (fillfactor = 70) WHERE "k.v" <> 'a''b;--$$\';
CREATE SEQUENCE hostile_local.seq;
CREATE TABLE hostile_local.t1 (id int NOT NULL, c text COLLATE "C", longcol int DEFAULT 7,
  kv text, n bigint DEFAULT nextval('hostile_local.seq'), UNIQUE (id, kv));
ALTER TABLE hostile_local.t1 ADD FOREIGN KEY (c, kv) REFERENCES hostile_local.r1 (code, region)
  ON DELETE SET NULL (kv);
INSERT INTO "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "c ""ON""; --$$\", "éééééééééééééééééééééééééééééééx", "k.v")
SELECT g, (ARRAY['fr', 'jp', 'x"; --'])[1 + g % 3], g, (ARRAY['eu', 'asia', 'n$$\'])[1 + g % 3]
FROM generate_series(1, 30) g;
INSERT INTO hostile_local.t1 (id, c, longcol, kv)
SELECT g, (ARRAY['fr', 'jp', 'x"; --'])[1 + g % 3], g, (ARRAY['eu', 'asia', 'n$$\'])[1 + g % 3]
FROM generate_series(1, 30) g;
SELECT shard.create_distributed_table('"Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ"', 'id', shard_count => 2, colocate_with => 'none');
-- co-located, distributed by a hostile column, under a 42-byte name
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü" ("d ""ON""; --" int, ref text, v text);
INSERT INTO "Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü" SELECT g, (ARRAY['eu', 'asia', 'n$$\'])[1 + g % 3], 'v' || g
FROM generate_series(1, 10) g WHERE g % 3 <> 0;
CREATE TABLE hostile_local.t2 AS TABLE "Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü";
ALTER TABLE hostile_local.t2 ADD FOREIGN KEY ("d ""ON""; --", ref) REFERENCES hostile_local.t1 (id, kv)
  ON DELETE SET NULL (ref);
SELECT shard.create_distributed_table('"Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü"', 'd "ON"; --', colocate_with => '"Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ"');
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\" (id int PRIMARY KEY);
SELECT shard.create_distributed_table('"Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\"', 'id', shard_count => 2);
-- an exclusion constraint with a predicate, a GiST index with operator
-- class options, a non-default index method
CREATE TABLE "Sch ""ON"" x.y; --$$\é"."excl ""ON""; --" (id int, during int4range, tsv tsvector,
  CONSTRAINT "ex ""ON""; --$$" EXCLUDE USING btree (id WITH =) WHERE (id > 0));
CREATE INDEX "gist ""ON""; --" ON "Sch ""ON"" x.y; --$$\é"."excl ""ON""; --" USING gist (tsv tsvector_ops (siglen = 100), during);
CREATE INDEX "brin ""ON""; --" ON "Sch ""ON"" x.y; --$$\é"."excl ""ON""; --" USING brin (id) WITH (pages_per_range = 16);
INSERT INTO "Sch ""ON"" x.y; --$$\é"."excl ""ON""; --" VALUES (1, '[1,5)', 'a b'), (2, '[3,9)', 'c');
SELECT shard.create_distributed_table('"Sch ""ON"" x.y; --$$\é"."excl ""ON""; --"', 'id', shard_count => 2, colocate_with => 'none');
\set VERBOSITY terse
INSERT INTO "Sch ""ON"" x.y; --$$\é"."excl ""ON""; --" VALUES (1, '[1,2)', 'dup');
\set VERBOSITY default
SELECT shard_id, table_name, shard_index, node_id FROM shard.shards ORDER BY shard_id, node_id;

-- every supported DDL form, with hostile names
CREATE UNIQUE INDEX "uniq ""ON""; --$$\" ON "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "k.v") NULLS NOT DISTINCT;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ADD CONSTRAINT "fk ""ON""; --$$\" FOREIGN KEY ("c ""ON""; --$$\", "k.v")
  REFERENCES "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" (code, region) ON DELETE SET NULL ("k.v") NOT VALID;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" VALIDATE CONSTRAINT "fk ""ON""; --$$\";
-- a foreign key between co-located tables may set a column other than the
-- distribution column to null
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü" ADD CONSTRAINT "fk3 $$\" FOREIGN KEY ("d ""ON""; --", ref) REFERENCES "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "k.v")
  ON DELETE SET NULL (ref) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ADD COLUMN "new ""col""; --$$\" text DEFAULT 'd''ef;--$$\' CHECK ("new ""col""; --$$\" <> '');
ALTER TABLE hostile_local.t1 ADD COLUMN newcol text DEFAULT 'd''ef;--$$\';
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ADD CONSTRAINT "uq ""ON""; --$$\ōōōōōōōōōōōōōōōōōōōōōōōō" UNIQUE (id, "c ""ON""; --$$\");
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" RENAME COLUMN "k.v" TO "k.v ""renamed""; --";
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" RENAME CONSTRAINT "pk ""ON""; --$$\" TO "pk2 ""ON"" --";
ALTER INDEX "Sch ""ON"" x.y; --$$\é"."īīīīīīīīīīīīīīīīīīīīīīīīīīīīīīīb" RENAME TO "idx ""renamed""; --$$\";
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ALTER COLUMN "éééééééééééééééééééééééééééééééx" TYPE bigint USING "éééééééééééééééééééééééééééééééx" * 2;
ALTER TABLE hostile_local.t1 ALTER COLUMN longcol TYPE bigint USING longcol * 2;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ALTER COLUMN "c ""ON""; --$$\" SET DEFAULT 'c''def;--', ALTER COLUMN "new ""col""; --$$\" DROP DEFAULT,
  ALTER COLUMN "c ""ON""; --$$\" SET NOT NULL;
ALTER TABLE hostile_local.t1 ALTER COLUMN c SET DEFAULT 'c''def;--', ALTER COLUMN newcol DROP DEFAULT;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ALTER COLUMN "c ""ON""; --$$\" DROP NOT NULL;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" DROP CONSTRAINT "chk; DROP TABLE x; --";
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ADD COLUMN "gone; --" int;
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" DROP COLUMN "gone; --";
CREATE INDEX CONCURRENTLY "conc ""ON""; --" ON "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" USING hash ("c ""ON""; --$$\");
CREATE INDEX "drop ""me""" ON "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (n);
DROP INDEX "Sch ""ON"" x.y; --$$\é"."drop ""me""";
ALTER TABLE "Sch ""ON"" x.y; --$$\é"."üüüüüüüüüüüüüüüüüüüüü" RENAME TO "t2 ""renamed"" $$;--\";
VACUUM (ANALYZE) "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" ("c ""ON""; --$$\");
ANALYZE "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\";
INSERT INTO "Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\" VALUES (1), (2), (3);
TRUNCATE "Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\";
SELECT count(*) AS rows_after_truncate FROM "Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\";
DROP TABLE "Sch ""ON"" x.y; --$$\é"."drop ""me""; --$$\";

-- COPY and routed DML by a role with a hostile name (its own connections)
GRANT USAGE ON SCHEMA "Sch ""ON"" x.y; --$$\é", hostile_local TO "r ""ON""; --$$\ü";
GRANT ALL ON ALL TABLES IN SCHEMA "Sch ""ON"" x.y; --$$\é", hostile_local TO "r ""ON""; --$$\ü";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA "Sch ""ON"" x.y; --$$\é", hostile_local TO "r ""ON""; --$$\ü";
\c - - - :worker_1_port
GRANT USAGE ON SCHEMA "Sch ""ON"" x.y; --$$\é" TO "r ""ON""; --$$\ü";
GRANT ALL ON ALL TABLES IN SCHEMA "Sch ""ON"" x.y; --$$\é" TO "r ""ON""; --$$\ü";
\c - - - :worker_2_port
GRANT USAGE ON SCHEMA "Sch ""ON"" x.y; --$$\é" TO "r ""ON""; --$$\ü";
GRANT ALL ON ALL TABLES IN SCHEMA "Sch ""ON"" x.y; --$$\é" TO "r ""ON""; --$$\ü";
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET ROLE "r ""ON""; --$$\ü";
SELECT current_user;
COPY "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "c ""ON""; --$$\", "k.v ""renamed""; --") FROM STDIN;
31	fr	eu
32	jp	asia
33	x"; --	n$$\\
\.
COPY "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "c ""ON""; --$$\", "k.v ""renamed""; --", "new ""col""; --$$\") FROM STDIN (FORMAT csv, FORCE_NULL ("new ""col""; --$$\"));
34,de,eu,""
35,"x""; --",n$$\,"q""uote"
\.
COPY hostile_local.t1 (id, c, kv) FROM STDIN;
31	fr	eu
32	jp	asia
33	x"; --	n$$\\
\.
COPY hostile_local.t1 (id, c, kv, newcol) FROM STDIN (FORMAT csv, FORCE_NULL (newcol));
34,de,eu,""
35,"x""; --",n$$\,"q""uote"
\.
INSERT INTO "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" (id, "c ""ON""; --$$\", "k.v ""renamed""; --") VALUES (40, 'de', 'eu');
INSERT INTO hostile_local.t1 (id, c, kv) VALUES (40, 'de', 'eu');
UPDATE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" SET "éééééééééééééééééééééééééééééééx" = "éééééééééééééééééééééééééééééééx" + 100, "new ""col""; --$$\" = '$$;--\' WHERE id = 5;
UPDATE hostile_local.t1 SET longcol = longcol + 100, newcol = '$$;--\' WHERE id = 5;
DELETE FROM "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" WHERE id = 6;
DELETE FROM hostile_local.t1 WHERE id = 6;
SELECT id, "c ""ON""; --$$\", "éééééééééééééééééééééééééééééééx", "k.v ""renamed""; --", "new ""col""; --$$\" FROM "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" WHERE id = 35;
UPDATE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" SET "new ""col""; --$$\" = "c ""ON""; --$$\" || "k.v ""renamed""; --" WHERE id > 25;
UPDATE hostile_local.t1 SET newcol = c || kv WHERE id > 25;
INSERT INTO "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\" VALUES (32, 'asia', 'copied');
INSERT INTO hostile_local.t2 VALUES (32, 'asia', 'copied');
RESET ROLE;

-- ON DELETE SET NULL (column) acts on the shards as on the local copies:
-- only the listed column becomes null
DELETE FROM "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" WHERE code = 'fr';
DELETE FROM hostile_local.r1 WHERE code = 'fr';
DELETE FROM "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" WHERE id IN (4, 32);
DELETE FROM hostile_local.t1 WHERE id IN (4, 32);
SELECT count(*) FILTER (WHERE "c ""ON""; --$$\" IS NULL) AS code_null, count(*) FILTER (WHERE "k.v ""renamed""; --" IS NULL) AS region_null
FROM "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ";
SELECT count(*) FILTER (WHERE code IS NULL) AS code_null, count(*) FILTER (WHERE region IS NULL) AS region_null
FROM "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\";
SELECT "d ""ON""; --", ref, v FROM "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\" WHERE ref IS NULL ORDER BY 1;

-- rows: distributed and reference tables against the local copies
SELECT name, (SELECT count(*) FROM shard.shards s WHERE s.table_name = d::regclass) AS placements,
       only_distributed, only_local, rows
FROM (VALUES
  ('t', 'public.t', (SELECT count(*) FROM (TABLE public.t EXCEPT ALL TABLE hostile_local.t) x),
   (SELECT count(*) FROM (TABLE hostile_local.t EXCEPT ALL TABLE public.t) x), (SELECT count(*) FROM public.t)),
  ('r1', '"Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö"', (SELECT count(*) FROM (TABLE "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö" EXCEPT ALL TABLE hostile_local.r1) x),
   (SELECT count(*) FROM (TABLE hostile_local.r1 EXCEPT ALL TABLE "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö") x), (SELECT count(*) FROM "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö")),
  ('r2', '"Sch ""ON"" x.y; --$$\é"."ref2 $$;--\"', (SELECT count(*) FROM (TABLE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\" EXCEPT ALL TABLE hostile_local.r2) x),
   (SELECT count(*) FROM (TABLE hostile_local.r2 EXCEPT ALL TABLE "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\") x), (SELECT count(*) FROM "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\")),
  ('t1', '"Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ"', (SELECT count(*) FROM (TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ" EXCEPT ALL TABLE hostile_local.t1) x),
   (SELECT count(*) FROM (TABLE hostile_local.t1 EXCEPT ALL TABLE "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ") x), (SELECT count(*) FROM "Sch ""ON"" x.y; --$$\é"."t1 ""ON"" a.b; --$$\ñ")),
  ('t2', '"Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\"', (SELECT count(*) FROM (TABLE "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\" EXCEPT ALL TABLE hostile_local.t2) x),
   (SELECT count(*) FROM (TABLE hostile_local.t2 EXCEPT ALL TABLE "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\") x), (SELECT count(*) FROM "Sch ""ON"" x.y; --$$\é"."t2 ""renamed"" $$;--\"))
) AS v (name, d, only_distributed, only_local, rows)
ORDER BY 1;
-- each copy of a reference table holds the same rows (worker 2's came
-- from add_node)
\set copy_sum 'SELECT count(*) AS n, md5(string_agg(x::text, '','' ORDER BY x::text)) AS sum FROM '
\c - - - :worker_1_port
:copy_sum "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö_1900003" x \gset w1_r1_
:copy_sum "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\_1900004" x \gset w1_r2_
\c - - - :worker_2_port
:copy_sum "Sch ""ON"" x.y; --$$\é"."ref ""ON""; --$$\ö_1900003" x \gset w2_r1_
:copy_sum "Sch ""ON"" x.y; --$$\é"."ref2 $$;--\_1900004" x \gset w2_r2_
SELECT :'w1_r1_sum' = :'w2_r1_sum' AS r1_copies_identical, :w2_r1_n AS r1_rows,
       :'w1_r2_sum' = :'w2_r2_sum' AS r2_copies_identical, :w2_r2_n AS r2_rows;

-- what each worker holds: exactly the shards, indexes and constraints
-- intended, under their own names, and nothing else
\c - - - :worker_1_port
SELECT count(*) AS pwned FROM pg_class WHERE relname LIKE 'pwned%';
SELECT * FROM hostile_check.relations;
SELECT * FROM hostile_check.indexes;
SELECT * FROM hostile_check.constraints;
\c - - - :worker_2_port
SELECT count(*) AS pwned FROM pg_class WHERE relname LIKE 'pwned%';
SELECT * FROM hostile_check.relations;
SELECT * FROM hostile_check.indexes;
SELECT * FROM hostile_check.constraints;

\c regression - - :coordinator_port
SET client_min_messages TO warning;
DROP DATABASE hostile_names WITH (FORCE);
DROP ROLE "r ""ON""; --$$\ü";
\c - - - :worker_1_port
DROP DATABASE hostile_names WITH (FORCE);
DROP ROLE "r ""ON""; --$$\ü";
\c - - - :worker_2_port
DROP DATABASE hostile_names WITH (FORCE);
DROP ROLE "r ""ON""; --$$\ü";
