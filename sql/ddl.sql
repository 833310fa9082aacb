-- ddl: DDL on distributed tables reaches every shard in the coordinator's
-- transaction, or nothing changes anywhere.  Shard catalogs are inspected
-- on the workers through views in schema ddl_check there.
SET client_min_messages TO warning;
CREATE SCHEMA ddl;
SET search_path TO ddl, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1400000;

\c - - - :worker_1_port
CREATE SCHEMA ddl_check;
CREATE VIEW ddl_check.columns AS
SELECT c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum) AS columns
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace::regnamespace::text = 'ddl' AND c.relkind = 'r'
GROUP BY 1 ORDER BY 1;
CREATE VIEW ddl_check.indexes AS
SELECT i.indexrelid::regclass::text AS index, x.indisvalid AS valid,
       regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING ', '') AS definition
FROM pg_index i JOIN pg_index x USING (indexrelid)
JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace::regnamespace::text = 'ddl' ORDER BY 1;
CREATE VIEW ddl_check.constraints AS
SELECT conrelid::regclass::text AS relation, conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE connamespace::regnamespace::text = 'ddl' AND contype <> 'n'
ORDER BY 1, 2;
\c - - - :worker_2_port
CREATE SCHEMA ddl_check;
CREATE VIEW ddl_check.columns AS
SELECT c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum) AS columns
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace::regnamespace::text = 'ddl' AND c.relkind = 'r'
GROUP BY 1 ORDER BY 1;
CREATE VIEW ddl_check.indexes AS
SELECT i.indexrelid::regclass::text AS index, x.indisvalid AS valid,
       regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING ', '') AS definition
FROM pg_index i JOIN pg_index x USING (indexrelid)
JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace::regnamespace::text = 'ddl' ORDER BY 1;
CREATE VIEW ddl_check.constraints AS
SELECT conrelid::regclass::text AS relation, conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE connamespace::regnamespace::text = 'ddl' AND contype <> 'n'
ORDER BY 1, 2;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- two shards each: shard 0 on worker 1, shard 1 on worker 2
CREATE TABLE items (id int PRIMARY KEY, name text, price numeric);
INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 20) g;
CREATE TABLE items_local (LIKE items INCLUDING ALL);
INSERT INTO items_local SELECT * FROM items;
SELECT shard.create_distributed_table('items', 'id', shard_count => 2);

-- CREATE INDEX: named <index>_<shard id> on each shard
CREATE INDEX items_name_idx ON items (name);
CREATE INDEX ON items (lower(name)) WHERE price > 5;
CREATE UNIQUE INDEX items_id_name_key ON items (id, name);
CREATE UNIQUE INDEX items_name_key ON items (name);
CREATE INDEX IF NOT EXISTS items_name_idx ON items (name);
\c - - - :worker_1_port
SELECT * FROM ddl_check.indexes;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- ALTER TABLE: columns
ALTER TABLE items ADD COLUMN stock int NOT NULL DEFAULT 7,
                  ADD COLUMN qty int CONSTRAINT qty_positive CHECK (qty > 0);
ALTER TABLE items_local ADD COLUMN stock int NOT NULL DEFAULT 7,
                        ADD COLUMN qty int CONSTRAINT qty_positive CHECK (qty > 0);
ALTER TABLE items ADD COLUMN IF NOT EXISTS stock int;
ALTER TABLE items ALTER COLUMN price TYPE bigint USING (price * 100)::bigint;
ALTER TABLE items_local ALTER COLUMN price TYPE bigint USING (price * 100)::bigint;
ALTER TABLE items ALTER COLUMN stock SET DEFAULT 3, ALTER COLUMN name SET NOT NULL;
ALTER TABLE items_local ALTER COLUMN stock SET DEFAULT 3, ALTER COLUMN name SET NOT NULL;
ALTER TABLE items RENAME COLUMN qty TO quantity;
ALTER TABLE items_local RENAME COLUMN qty TO quantity;
INSERT INTO items (id, name, price, quantity) VALUES (21, 'item 21', 2100, 1);
INSERT INTO items_local (id, name, price, quantity) VALUES (21, 'item 21', 2100, 1);
UPDATE items SET quantity = id WHERE id % 3 = 0;
UPDATE items_local SET quantity = id WHERE id % 3 = 0;
SELECT compare_results('SELECT * FROM items', 'SELECT * FROM items_local');
SELECT compare_results('SELECT stock, sum(price), count(quantity) FROM items GROUP BY stock',
                       'SELECT stock, sum(price), count(quantity) FROM items_local GROUP BY stock');
-- the new CHECK and NOT NULL hold on the shards
INSERT INTO items (id, name, quantity) VALUES (22, 'item 22', -1);
UPDATE items SET name = NULL WHERE id = 2;
ALTER TABLE items ALTER COLUMN name DROP NOT NULL, ALTER COLUMN stock DROP DEFAULT;
ALTER TABLE items_local ALTER COLUMN name DROP NOT NULL, ALTER COLUMN stock DROP DEFAULT;
ALTER TABLE items DROP COLUMN IF EXISTS nothing_here, DROP COLUMN stock;
ALTER TABLE items_local DROP COLUMN stock;
SELECT compare_results('SELECT * FROM items', 'SELECT * FROM items_local');
\c - - - :worker_2_port
SELECT * FROM ddl_check.columns;
SELECT * FROM ddl_check.constraints;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- ALTER TABLE: constraints
ALTER TABLE items ADD CONSTRAINT price_positive CHECK (price > 0);
INSERT INTO items (id, name, price) VALUES (30, 'cheap', 0);
ALTER TABLE items ADD CONSTRAINT items_name_unique UNIQUE (name);
ALTER TABLE items ADD CONSTRAINT items_name_id_unique UNIQUE (name, id);
ALTER TABLE items DROP CONSTRAINT items_pkey;
ALTER TABLE items ADD PRIMARY KEY (id);
ALTER TABLE items ADD CONSTRAINT name_long CHECK (length(name) > 3) NOT VALID;
ALTER TABLE items VALIDATE CONSTRAINT name_long;
ALTER TABLE items DROP CONSTRAINT price_positive;
INSERT INTO items (id, name, price) VALUES (30, 'cheap', 0);
\c - - - :worker_1_port
SELECT * FROM ddl_check.constraints;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- a failure on one shard changes nothing anywhere
INSERT INTO items (id, name, price) VALUES (31, 'item 31', -5);
SELECT shard.shard_id_for_value('items', '31');
ALTER TABLE items ADD COLUMN flag bool DEFAULT true, ADD CONSTRAINT price_not_negative CHECK (price >= 0);
CREATE INDEX items_bad_idx ON items ((1 / (price - 100)));
UPDATE items SET price = NULL WHERE id = 31;
ALTER TABLE items ALTER COLUMN price SET NOT NULL;
SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag';
SELECT conname FROM pg_constraint WHERE conrelid = 'items'::regclass AND conname = 'price_not_negative';
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'price';
\c - - - :worker_1_port
SELECT count(*) AS leftovers FROM ddl_check.columns WHERE columns LIKE '%flag%';
SELECT count(*) AS leftovers FROM ddl_check.constraints WHERE conname = 'price_not_negative';
\c - - - :worker_2_port
SELECT count(*) AS leftovers FROM ddl_check.columns WHERE columns LIKE '%flag%';
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;
DELETE FROM items WHERE id >= 30;

-- a rolled back transaction undoes DDL everywhere; a committed one sees it
BEGIN;
ALTER TABLE items ADD COLUMN note text DEFAULT 'x';
UPDATE items SET note = 'changed' WHERE id = 1;
SELECT id, note FROM items WHERE id IN (1, 2) ORDER BY id;
ROLLBACK;
SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'note';
\c - - - :worker_1_port
SELECT count(*) AS leftovers FROM ddl_check.columns WHERE columns LIKE '%note%';
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- forbidden: the distribution column, and unsupported forms; nothing changes
ALTER TABLE items DROP COLUMN id;
ALTER TABLE items ALTER COLUMN id TYPE bigint;
ALTER TABLE items ADD COLUMN serial_id serial;
ALTER TABLE items ADD COLUMN r float8 DEFAULT random();
ALTER TABLE items ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED;
ALTER TABLE items SET (fillfactor = 50);
ALTER TABLE items ADD COLUMN ok int, ALTER COLUMN name SET STATISTICS 100;
ALTER TABLE items ADD CONSTRAINT no_overlap EXCLUDE USING btree (id WITH =);
ALTER TABLE items ALTER COLUMN name TYPE text USING shard.hash_value('ddl.items', name)::text;
CREATE TRIGGER t BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
SELECT count(*) AS items_columns FROM information_schema.columns WHERE table_name = 'items';

-- foreign keys between co-located tables on the distribution column
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE orders (customer_id int, id int, amount int, PRIMARY KEY (customer_id, id));
CREATE TABLE elsewhere (id int PRIMARY KEY);
CREATE TABLE local_only (id int PRIMARY KEY);
SELECT shard.create_distributed_table('customers', 'id', shard_count => 2);
SELECT shard.create_distributed_table('orders', 'customer_id', colocate_with => 'customers');
SELECT shard.create_distributed_table('elsewhere', 'id', shard_count => 2, colocate_with => 'none');
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g;
INSERT INTO orders SELECT g % 10 + 1, g, g FROM generate_series(1, 30) g;
-- keys the shards cannot check are validated by the coordinator (which
-- violating key is reported first varies: terse)
\set VERBOSITY terse
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (id) REFERENCES customers (id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES elsewhere (id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES local_only (id);
\set VERBOSITY default
-- local tables may reference distributed ones
ALTER TABLE local_only ADD FOREIGN KEY (id) REFERENCES customers (id);
CREATE TABLE local_ref (id int REFERENCES customers (id));
DROP TABLE local_ref;
ALTER TABLE local_only DROP CONSTRAINT local_only_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)
    REFERENCES customers ON DELETE CASCADE;
INSERT INTO orders VALUES (11, 1, 1);
DELETE FROM customers WHERE id = 3;
SELECT count(*) AS orders_of_3 FROM orders WHERE customer_id = 3;
SELECT count(*) AS orders_left FROM orders;
-- TRUNCATE of both tables together works on the nodes too
TRUNCATE orders, customers;
SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) AS rows_left;
\c - - - :worker_2_port
SELECT * FROM ddl_check.constraints WHERE relation LIKE 'ddl.orders%';
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;
DROP TABLE customers CASCADE;
DROP TABLE orders, elsewhere, local_only;

-- renames: table (shards follow), index, constraint
ALTER TABLE items RENAME TO goods;
ALTER INDEX items_name_idx RENAME TO goods_name_idx;
ALTER TABLE goods RENAME CONSTRAINT items_pkey TO goods_pkey;
ALTER TABLE goods RENAME CONSTRAINT name_long TO name_longer;
SELECT shard_name FROM shard.shards WHERE table_name = 'goods'::regclass ORDER BY shard_index;
SELECT compare_results('SELECT * FROM goods', 'SELECT * FROM items_local');
\c - - - :worker_1_port
SELECT relname FROM ddl_check.columns;
SELECT * FROM ddl_check.indexes;
SELECT * FROM ddl_check.constraints;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- DROP INDEX
DROP INDEX goods_name_idx, items_id_name_key;
\c - - - :worker_2_port
SELECT index FROM ddl_check.indexes;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- CONCURRENTLY: one shard at a time, outside transactions
CREATE INDEX CONCURRENTLY goods_price_idx ON goods (price);
BEGIN;
CREATE INDEX CONCURRENTLY goods_price2_idx ON goods (price);
ROLLBACK;
\c - - - :worker_2_port
SELECT * FROM ddl_check.indexes WHERE index LIKE '%price%';
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;
DROP INDEX CONCURRENTLY goods_price_idx;
-- a failure leaves the coordinator's index invalid; dropping it cleans up
CREATE INDEX CONCURRENTLY goods_bad_idx ON goods ((1 / (price - 100)));
SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 'goods'::regclass AND NOT indisvalid;
DROP INDEX CONCURRENTLY goods_bad_idx;
\c - - - :worker_1_port
SELECT * FROM ddl_check.indexes WHERE index LIKE '%bad%';
\c - - - :worker_2_port
SELECT * FROM ddl_check.indexes WHERE index LIKE '%bad%';
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

-- VACUUM and ANALYZE run on every shard
VACUUM goods;
VACUUM (ANALYZE, SKIP_LOCKED true) goods (name);
ANALYZE goods;
BEGIN;
ANALYZE goods (price);
COMMIT;
\c - - - :worker_1_port
SELECT c.relname, c.reltuples >= 0 AS analyzed FROM pg_class c
WHERE c.relnamespace::regnamespace::text = 'ddl' AND c.relkind = 'r' ORDER BY 1;
\c - - - :coordinator_port
SET search_path TO ddl, public;
SET client_min_messages TO warning;

DROP SCHEMA ddl CASCADE;
\c - - - :worker_1_port
DROP SCHEMA ddl_check CASCADE;
SELECT count(*) AS leftover_shards FROM pg_tables WHERE schemaname = 'ddl';
\c - - - :worker_2_port
DROP SCHEMA ddl_check CASCADE;
SELECT count(*) AS leftover_shards FROM pg_tables WHERE schemaname = 'ddl';
