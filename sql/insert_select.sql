-- insert_select: INSERT ... SELECT into distributed tables, run inside the
-- shards when source and target are co-located and the distribution value
-- stays in its shard, otherwise routed through the coordinator; sequences
-- give unique values.  Compared with the same statements on local tables.
SET client_min_messages TO warning;
CREATE SCHEMA insert_select;
SET search_path TO insert_select, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1320000;

CREATE TABLE src (id int, grp int, v float8, note text);
CREATE TABLE dst (id int, grp int, v float8, note text, total float8 DEFAULT 0);
CREATE TABLE other (grp int, id int, s text);
SELECT shard.create_distributed_table('src', 'id');
SELECT shard.create_distributed_table('dst', 'id', colocate_with => 'src');
SELECT shard.create_distributed_table('other', 'grp', colocate_with => 'src');
CREATE TABLE src_local (LIKE src);
CREATE TABLE dst_local (LIKE dst INCLUDING DEFAULTS);
CREATE TABLE other_local (LIKE other);
INSERT INTO src SELECT g, g % 10, g / 3.0, 'n' || g FROM generate_series(1, 5000) g;
INSERT INTO src_local SELECT g, g % 10, g / 3.0, 'n' || g FROM generate_series(1, 5000) g;

-- co-located, distribution column kept: one statement per shard
EXPLAIN (COSTS OFF) INSERT INTO dst (id, grp, v) SELECT id, grp, v * 2 FROM src WHERE grp < 5;
INSERT INTO dst (id, grp, v) SELECT id, grp, v * 2 FROM src WHERE grp < 5;
INSERT INTO dst_local (id, grp, v) SELECT id, grp, v * 2 FROM src_local WHERE grp < 5;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');
INSERT INTO dst (id, note, total) SELECT s.id, s.note, sum(s.v) FROM src s WHERE s.id > 4990 GROUP BY s.id, s.note;
INSERT INTO dst_local (id, note, total) SELECT s.id, s.note, sum(s.v) FROM src_local s WHERE s.id > 4990 GROUP BY s.id, s.note;
INSERT INTO dst (id, note) SELECT id, note || '!' FROM src WHERE id IN (4999, 4999) RETURNING id, note, total;
INSERT INTO dst_local (id, note) SELECT id, note || '!' FROM src_local WHERE id IN (4999, 4999) RETURNING id, note, total;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');

-- rows change shards: through the coordinator
EXPLAIN (COSTS OFF) INSERT INTO dst (id, grp) SELECT id + 1, grp FROM src;
INSERT INTO dst (id, grp) SELECT id + 1, grp FROM src WHERE id <= 100;
INSERT INTO dst_local (id, grp) SELECT id + 1, grp FROM src_local WHERE id <= 100;
INSERT INTO other SELECT grp, id, note FROM src WHERE id % 100 = 0;
INSERT INTO other_local SELECT grp, id, note FROM src_local WHERE id % 100 = 0;
INSERT INTO dst (id, grp, v) SELECT grp, count(*), max(v) FROM src GROUP BY grp;
INSERT INTO dst_local (id, grp, v) SELECT grp, count(*), max(v) FROM src_local GROUP BY grp;
INSERT INTO dst (id, v) SELECT id, v FROM src ORDER BY id LIMIT 7;
INSERT INTO dst_local (id, v) SELECT id, v FROM src_local ORDER BY id LIMIT 7;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');
SELECT compare_results('SELECT * FROM other', 'SELECT * FROM other_local');

-- co-located join on the distribution column, in the shards
EXPLAIN (COSTS OFF) INSERT INTO dst (id, note) SELECT s.id, o.s FROM src s JOIN other o ON s.id = o.grp;
INSERT INTO dst (id, note) SELECT s.id, o.s FROM src s JOIN other o ON s.id = o.grp;
INSERT INTO dst_local (id, note) SELECT s.id, o.s FROM src_local s JOIN other_local o ON s.id = o.grp;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');

-- a transaction rolled back, from a local table
CREATE TABLE loc (id int, v float8);
INSERT INTO loc SELECT g, g FROM generate_series(1, 50) g;
BEGIN;
INSERT INTO dst (id, v) SELECT id, v FROM src WHERE id < 10;
INSERT INTO dst (id, v) SELECT id, v FROM loc;
SELECT count(*) FROM dst;
ROLLBACK;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');

-- sequences, serial and identity columns: values from the coordinator
CREATE TABLE seq_dst (id bigserial, code int GENERATED ALWAYS AS IDENTITY, src_id int, v float8);
SELECT shard.create_distributed_table('seq_dst', 'id');
EXPLAIN (COSTS OFF) INSERT INTO seq_dst (src_id, v) SELECT id, v FROM src;
INSERT INTO seq_dst (src_id, v) SELECT id, v FROM src;
INSERT INTO seq_dst (src_id, v) SELECT id, v FROM src WHERE id <= 1000;
CREATE TABLE seq_dst2 (id int, n bigserial);
SELECT shard.create_distributed_table('seq_dst2', 'id', colocate_with => 'src');
INSERT INTO seq_dst2 (id) SELECT id FROM src;
SELECT count(*), count(DISTINCT id), min(id), max(id), count(DISTINCT code) FROM seq_dst;
SELECT count(*), count(DISTINCT n), min(n), max(n) FROM seq_dst2;

-- UPDATE ... FROM and DELETE ... USING co-located tables joined on the
-- distribution column: one statement per shard index
UPDATE dst SET v = s.v + 1, note = 'upd' FROM src s WHERE s.id = dst.id AND s.grp = 3;
UPDATE dst_local SET v = s.v + 1, note = 'upd' FROM src_local s WHERE s.id = dst_local.id AND s.grp = 3;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');
UPDATE dst SET total = s.id * 2 FROM src s WHERE dst.id = s.id AND s.id IN (7, 7) RETURNING dst.id, dst.total;
UPDATE dst_local SET total = s.id * 2 FROM src_local s WHERE dst_local.id = s.id AND s.id IN (7, 7) RETURNING dst_local.id, dst_local.total;
DELETE FROM dst USING src s WHERE s.id = dst.id AND s.grp = 4;
DELETE FROM dst_local USING src_local s WHERE s.id = dst_local.id AND s.grp = 4;
SELECT compare_results('SELECT * FROM dst', 'SELECT * FROM dst_local');
-- not joined on the distribution column, or a local table: clear errors
UPDATE dst SET v = 0 FROM src s WHERE s.grp = dst.grp;
DELETE FROM dst USING other o WHERE o.id = dst.id;
UPDATE dst SET v = 0 FROM loc WHERE loc.id = dst.id;
UPDATE dst SET v = 0 FROM seq_dst s WHERE s.id = dst.id;

DROP SCHEMA insert_select CASCADE;
