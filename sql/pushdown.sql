-- pushdown: multi-shard SELECTs that run inside the shards (whole-query
-- pushdown per shard group, partial aggregates combined on the
-- coordinator), checked against local copies of the same data.
CREATE SCHEMA pushdown;
SET search_path TO pushdown;
ALTER SEQUENCE shard.shard_id_seq RESTART 1100000;

CREATE TABLE users (id bigint PRIMARY KEY, grp int, name text, score numeric, ratio float8, flag bool, bits int, span interval);
CREATE TABLE orders (user_id bigint, order_id int, amount numeric(12,2), qty int, note text);
CREATE TABLE other (id int, val int);
INSERT INTO users
	SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 5 END, 'user ' || (g % 13),
		CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 1.37)::numeric(10,3) END,
		CASE WHEN g % 9 = 0 THEN NULL ELSE g / 7.0 END,
		g % 3 = 0, g * 37 % 255, (g % 17) * interval '1 hour 7 minutes'
	FROM generate_series(1, 200) g;
INSERT INTO orders
	SELECT (g % 150) + 1, g, (g * 3.17)::numeric(12,2), g % 4, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || (g % 3) END
	FROM generate_series(1, 600) g;
INSERT INTO orders VALUES (1, 1, 3.17, 1, 'n1'), (2, 2, 6.34, 2, 'n2');	-- duplicates
INSERT INTO other SELECT g, g % 10 FROM generate_series(1, 50) g;
CREATE TABLE users_local AS SELECT * FROM users;
CREATE TABLE orders_local AS SELECT * FROM orders;
CREATE TABLE other_local AS SELECT * FROM other;
SELECT shard.create_distributed_table('users', 'id', shard_count => 8);
SELECT shard.create_distributed_table('orders', 'user_id', shard_count => 8, colocate_with => 'users');
SELECT shard.create_distributed_table('other', 'id', shard_count => 4);
CREATE TABLE empty_t (id bigint, v int);
CREATE TABLE empty_t_local (id bigint, v int);
SELECT shard.create_distributed_table('empty_t', 'id', shard_count => 8, colocate_with => 'users');

-- compare_results on users/orders/... against the *_local tables
CREATE FUNCTION check_query(q text, ordered boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	local_q text := regexp_replace(q, '\m(users|orders|other|empty_t)\M', '\1_local', 'g');
BEGIN
	RETURN public.compare_results(q, local_q, ordered);
END $$;

-- whole-query pushdown
SELECT check_query('SELECT * FROM users');
SELECT check_query('SELECT id, name FROM users WHERE score > 50 ORDER BY id LIMIT 7', true);
SELECT check_query('SELECT id, name FROM users ORDER BY score DESC NULLS LAST, id LIMIT 5 OFFSET 3', true);
SELECT check_query('SELECT u.id, o.order_id, o.amount FROM users u JOIN orders o ON u.id = o.user_id WHERE o.qty > 1');
SELECT check_query('SELECT u.id, o.order_id FROM users u LEFT JOIN orders o ON u.id = o.user_id');
SELECT check_query('SELECT u.id, o.order_id FROM orders o RIGHT JOIN users u ON u.id = o.user_id AND o.qty = 2');
SELECT check_query('SELECT u.id, o.order_id FROM users u FULL JOIN orders o ON u.id = o.user_id AND o.qty = 3');
SELECT check_query('SELECT u.id, count(*), sum(o.amount) FROM users u JOIN orders o ON u.id = o.user_id GROUP BY u.id HAVING count(*) > 3');
SELECT check_query('SELECT user_id, count(DISTINCT qty), string_agg(note, '','' ORDER BY order_id) FROM orders GROUP BY user_id');
SELECT check_query('SELECT user_id, order_id, rank() OVER (PARTITION BY user_id ORDER BY amount DESC) FROM orders');
SELECT check_query('SELECT DISTINCT user_id, qty FROM orders');
SELECT check_query('SELECT DISTINCT qty FROM orders');
SELECT check_query('SELECT DISTINCT ON (user_id) user_id, order_id FROM orders ORDER BY user_id, amount DESC, order_id', true);
SELECT check_query('SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE qty = 3)');
SELECT check_query('WITH big AS (SELECT user_id, sum(amount) s FROM orders GROUP BY user_id) SELECT u.name, b.s FROM users u JOIN big b ON b.user_id = u.id ORDER BY b.s DESC, u.id LIMIT 10', true);
SELECT check_query('SELECT x.id, x.c FROM (SELECT u.id, count(o.*) c FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id) x WHERE x.c = 0');
SELECT check_query('SELECT id FROM users ORDER BY id LIMIT 5', true);
SELECT check_query('SELECT id, grp FROM users ORDER BY grp NULLS FIRST, id FETCH FIRST 3 ROWS WITH TIES', true);
SELECT check_query('SELECT * FROM empty_t');
SELECT check_query('SELECT u.id, e.v FROM users u JOIN empty_t e ON e.id = u.id');

-- partial aggregates
SELECT check_query('SELECT count(*) FROM users');
SELECT check_query('SELECT count(*), count(score), sum(score), avg(score), min(name), max(name), sum(grp), avg(grp), avg(id), sum(id) FROM users');
SELECT check_query('SELECT grp, count(*), sum(score), avg(score), avg(grp), avg(id), min(score), max(ratio) FROM users GROUP BY grp');
SELECT check_query('SELECT bool_and(flag), bool_or(flag), every(flag), bit_and(bits), bit_or(bits), bit_xor(bits) FROM users');
SELECT check_query('SELECT grp, bool_and(flag), bit_or(bits) FROM users GROUP BY grp');
-- float sums may differ in the last bits with the order of the shards (as in parallel aggregation)
SELECT check_query('SELECT avg(span), sum(span), round(avg(ratio)::numeric, 10), round(sum(ratio)::numeric, 8) FROM users');
SELECT check_query('SELECT grp, round(stddev(ratio)::numeric, 9), round(variance(ratio)::numeric, 6), round(var_pop(ratio)::numeric, 6), round(stddev_pop(ratio)::numeric, 9) FROM users GROUP BY grp');
SELECT check_query('SELECT qty, count(*) FROM orders GROUP BY qty HAVING count(*) > 100 ORDER BY qty', true);
SELECT check_query('SELECT note, count(*) c FROM orders GROUP BY note ORDER BY c DESC, note LIMIT 2', true);
SELECT check_query('SELECT count(*) FILTER (WHERE qty > 1), sum(amount) FILTER (WHERE note IS NULL) FROM orders');
SELECT check_query('SELECT count(*), sum(v), avg(v), min(v) FROM empty_t');
SELECT check_query('SELECT v, count(*) FROM empty_t GROUP BY v');
SELECT check_query('SELECT grp + 1, count(*) * 2 FROM users GROUP BY grp + 1');
SELECT check_query('SELECT DISTINCT count(*) FROM orders GROUP BY qty');
SELECT check_query('SELECT qty FROM orders GROUP BY qty');
SELECT check_query('SELECT o.qty, count(*), avg(u.score) FROM users u JOIN orders o ON u.id = o.user_id GROUP BY o.qty');

-- groups of NULL-extended distribution values span shards
SELECT check_query('SELECT o.user_id, count(*) FROM users u LEFT JOIN orders o ON u.id = o.user_id GROUP BY o.user_id');
SELECT check_query('SELECT DISTINCT o.user_id FROM users u LEFT JOIN orders o ON u.id = o.user_id');
SELECT check_query('SELECT k, count(*) FROM (SELECT o.user_id AS k FROM users u LEFT JOIN orders o ON u.id = o.user_id) s GROUP BY k');
-- replicated FROM items joined inside each shard group
SELECT check_query('SELECT u.id, g FROM users u, generate_series(1, 3) g WHERE u.id < 10');
SELECT check_query('SELECT count(*), sum(v.x) FROM users u JOIN (VALUES (1), (2)) v(x) ON u.grp = v.x');
-- LIMIT/OFFSET near the int4 limit are added in int8
SELECT check_query('SELECT id FROM users ORDER BY id LIMIT 2147483647 OFFSET 195', true);
-- shapes that stay on the coordinator-side path still give the same rows
SELECT check_query('SELECT u.id, o.val FROM users u JOIN other o ON u.id = o.id');
SELECT check_query('SELECT grp, stddev(score), var_samp(score), variance(grp) FROM users GROUP BY grp');
SELECT check_query('SELECT qty, count(DISTINCT user_id) FROM orders GROUP BY qty');
SELECT check_query('SELECT id, rank() OVER (ORDER BY score DESC NULLS LAST, id) FROM users');
SELECT check_query('SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM orders)');
SELECT check_query('SELECT * FROM (SELECT id FROM users ORDER BY id LIMIT 5) s');
SELECT check_query('SELECT * FROM users u WHERE grp IN (SELECT qty FROM orders)');
SELECT check_query('SELECT u.id FROM users u JOIN orders o ON u.grp = o.qty WHERE u.id < 5 AND o.order_id < 5');
SELECT check_query('SELECT u FROM users u WHERE u.id < 4');
SELECT check_query('SELECT ROW(id, name) FROM users WHERE id < 4');
SELECT ctid IS NOT NULL FROM users LIMIT 0;

-- prepared statements, generic and custom plans
PREPARE top_users(int, int) AS
	SELECT u.id, count(*) FROM users u JOIN orders o ON u.id = o.user_id
	WHERE o.qty = $1 GROUP BY u.id ORDER BY 2 DESC, 1 LIMIT $2;
PREPARE by_grp(numeric) AS
	SELECT grp, count(*), avg(score), sum(score) FROM users WHERE score > $1 GROUP BY grp ORDER BY grp NULLS FIRST;
PREPARE by_grp_local(numeric) AS
	SELECT grp, count(*), avg(score), sum(score) FROM users_local WHERE score > $1 GROUP BY grp ORDER BY grp NULLS FIRST;
PREPARE top_users_local(int, int) AS
	SELECT u.id, count(*) FROM users_local u JOIN orders_local o ON u.id = o.user_id
	WHERE o.qty = $1 GROUP BY u.id ORDER BY 2 DESC, 1 LIMIT $2;
SET plan_cache_mode = force_generic_plan;
SELECT public.compare_results('EXECUTE top_users(1, 4)', 'EXECUTE top_users_local(1, 4)', true);
SELECT public.compare_results('EXECUTE top_users(3, 10)', 'EXECUTE top_users_local(3, 10)', true);
SELECT public.compare_results('EXECUTE by_grp(100)', 'EXECUTE by_grp_local(100)', true);
SELECT public.compare_results('EXECUTE by_grp(NULL)', 'EXECUTE by_grp_local(NULL)', true);
SET plan_cache_mode = force_custom_plan;
SELECT public.compare_results('EXECUTE top_users(2, 3)', 'EXECUTE top_users_local(2, 3)', true);
SELECT public.compare_results('EXECUTE by_grp(10.5)', 'EXECUTE by_grp_local(10.5)', true);
RESET plan_cache_mode;
DEALLOCATE ALL;

DROP SCHEMA pushdown CASCADE;
