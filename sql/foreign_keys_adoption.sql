-- foreign_keys_adoption: a schema with foreign keys, as an ORM creates
-- it, is distributed one call per table, referenced tables first and also
-- in the reverse order; no constraint is dropped and the application's
-- statements keep working (and failing as on one server) between calls.
SET client_min_messages TO warning;
ALTER SEQUENCE shard.shard_id_seq RESTART 1960000;
CREATE SCHEMA fk_adopt;
SET search_path TO fk_adopt;
CREATE FUNCTION app(step int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE result text := '';
BEGIN
  INSERT INTO customers VALUES (step * 10, 'c');
  INSERT INTO invoices VALUES (step * 10, step * 10, 5);
  INSERT INTO lines VALUES (step * 10, step * 10, 1);
  BEGIN
    INSERT INTO lines VALUES (step * 10 + 1, step * 10, 1);
  EXCEPTION WHEN foreign_key_violation THEN result := result || 'orphan line refused; ';
  END;
  BEGIN
    DELETE FROM customers WHERE id = step * 10;
  EXCEPTION WHEN foreign_key_violation THEN result := result || 'referenced customer kept; ';
  END;
  DELETE FROM invoices WHERE id = step * 10;   -- cascades to its lines
  RETURN result || (SELECT count(*) FROM lines WHERE invoice_id = step * 10) || ' lines left';
END $$;

\set schema_sql 'CREATE TABLE customers (id bigint PRIMARY KEY, name text); CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total int); CREATE TABLE lines (invoice_id bigint REFERENCES invoices (id) ON DELETE CASCADE, customer_id bigint, n int); INSERT INTO customers VALUES (1, $$one$$), (2, $$two$$); INSERT INTO invoices VALUES (1, 1, 10), (2, 2, 20); INSERT INTO lines VALUES (1, 1, 1), (2, 2, 1);'
:schema_sql
SELECT app(1);
SELECT shard.create_distributed_table('customers', 'id');
SELECT app(2);
SELECT shard.create_distributed_table('invoices', 'id');
SELECT app(3);
SELECT shard.create_distributed_table('lines', 'invoice_id', colocate_with => 'invoices');
SELECT app(4);
SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fk_adopt'::regnamespace;
SELECT * FROM lines ORDER BY 1;

-- the reverse order
DROP TABLE lines, invoices, customers;
:schema_sql
SELECT shard.create_distributed_table('lines', 'invoice_id');
SELECT app(5);
SELECT shard.create_distributed_table('invoices', 'id', colocate_with => 'lines');
SELECT app(6);
SELECT shard.create_distributed_table('customers', 'id');
SELECT app(7);
SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fk_adopt'::regnamespace;
SELECT * FROM lines ORDER BY 1;
-- lines -> invoices is co-located on the distribution columns: in the shards
\c - - - :worker_1_port
SELECT DISTINCT regexp_replace(conrelid::regclass::text, '_[0-9]+$', '') AS shard_of, conname
FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fk_adopt'::regnamespace ORDER BY 1;
\c - - - :coordinator_port
SET client_min_messages TO warning;
DROP SCHEMA fk_adopt CASCADE;
RESET client_min_messages;
RESET search_path;
