-- differential_cleanup: drops what differential_schema made (the last
-- differential_* test in test/schedule).
SET client_min_messages TO warning;
DROP SCHEMA diff_dist, diff_local, diff_common CASCADE;
DROP FUNCTION public.diff_result, public.diff_run, public.diff_check,
	public.diff_both, public.diff_execute;
SELECT count(*) AS shards_left FROM shard.shards WHERE shard_id BETWEEN 1200000 AND 1299999;
