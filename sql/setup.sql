-- setup: create shard on the coordinator and register the two workers.
-- Runs first in test/schedule (and in every subset run); the other tests
-- rely on it.
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', :worker_1_port);
SELECT shard.add_node('127.0.0.1', :worker_2_port);
SELECT node_id, host, port, role FROM shard.nodes ORDER BY 1;
-- compare_results: the correctness oracle of the suite.  Runs a query on
-- distributed tables and the same query on local copies and compares the
-- rows (as a multiset, or in order when ordered is true).  Each query runs
-- as it is, so the planner sees it exactly as a client would send it.
CREATE FUNCTION public.compare_results(q_dist text, q_local text, ordered boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	a text[] := '{}';
	b text[] := '{}';
BEGIN
	FOR r IN EXECUTE q_dist LOOP a := a || r::text; END LOOP;
	FOR r IN EXECUTE q_local LOOP b := b || r::text; END LOOP;
	IF NOT ordered THEN
		a := ARRAY(SELECT x FROM unnest(a) x ORDER BY x COLLATE "C");
		b := ARRAY(SELECT x FROM unnest(b) x ORDER BY x COLLATE "C");
	END IF;
	IF a = b THEN
		RETURN format('same (%s rows)', cardinality(a));
	END IF;
	RETURN format('DIFFERENT: %s rows vs %s local rows', cardinality(a), cardinality(b));
END $$;
