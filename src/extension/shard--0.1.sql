/* shard--0.1.sql: catalog tables, views and SQL-callable functions of shard */

\echo Use "CREATE EXTENSION shard" to load this file. \quit

/*
 * Catalog tables.  They are the truth; the C caches in metadata/ are rebuilt
 * from them.  Every write to them fires shard.catalog_changed(), which
 * invalidates the caches of all backends, so plain-SQL edits by a DBA are seen
 * too.
 */
CREATE TABLE shard.dist_node (
	node_id integer PRIMARY KEY,
	host text NOT NULL,
	port integer NOT NULL CHECK (port > 0 AND port < 65536),
	role text NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'secondary')),
	primary_id integer REFERENCES shard.dist_node (node_id),
	is_active boolean NOT NULL DEFAULT true,
	/*
	 * What the server said about itself at add_node: one server is one
	 * node, whatever name reaches it.  A standby shares its primary's
	 * system identifier, so the port and the postmaster start time tell
	 * it apart; the background worker refreshes the start time after a
	 * restart.
	 */
	system_identifier bigint,
	server_port integer,
	server_started_at timestamptz,
	UNIQUE (host, port),
	CHECK ((role = 'primary') = (primary_id IS NULL))
);
CREATE SEQUENCE shard.node_id_seq OWNED BY shard.dist_node.node_id;

CREATE TABLE shard.dist_colocation (
	colocation_id integer PRIMARY KEY,
	shard_count integer NOT NULL CHECK (shard_count > 0),
	dist_type regtype,
	dist_collation oid NOT NULL DEFAULT 0
);
CREATE SEQUENCE shard.colocation_id_seq OWNED BY shard.dist_colocation.colocation_id;

CREATE TABLE shard.dist_table (
	relid regclass PRIMARY KEY,
	method "char" NOT NULL CHECK (method IN ('h', 'r')),
	dist_attnum smallint,
	colocation_id integer NOT NULL REFERENCES shard.dist_colocation (colocation_id),
	CHECK ((method = 'h') = (dist_attnum IS NOT NULL))
);

CREATE TABLE shard.dist_shard (
	shard_id bigint PRIMARY KEY,
	relid regclass NOT NULL REFERENCES shard.dist_table (relid) ON DELETE CASCADE,
	shard_index integer NOT NULL,
	hash_min integer NOT NULL,
	hash_max integer NOT NULL,
	UNIQUE (relid, shard_index),
	CHECK (hash_min <= hash_max)
);
CREATE SEQUENCE shard.shard_id_seq START 100000 OWNED BY shard.dist_shard.shard_id;

CREATE TABLE shard.dist_placement (
	placement_id bigint PRIMARY KEY,
	shard_id bigint NOT NULL REFERENCES shard.dist_shard (shard_id) ON DELETE CASCADE,
	node_id integer NOT NULL REFERENCES shard.dist_node (node_id),
	UNIQUE (shard_id, node_id)
);
CREATE SEQUENCE shard.placement_id_seq OWNED BY shard.dist_placement.placement_id;
CREATE INDEX dist_placement_node_idx ON shard.dist_placement (node_id);

/*
 * Two-phase commit decisions: a row is inserted in the coordinator's own
 * transaction just before it commits, so the row exists iff the coordinator
 * transaction committed.  Recovery compares prepared transactions on the
 * workers with these rows.
 */
CREATE TABLE shard.dist_transaction (
	node_id integer NOT NULL,
	gid text NOT NULL,
	PRIMARY KEY (node_id, gid)
);

/*
 * pg_dump of the coordinator keeps the catalog (and the sequences that
 * number its rows) with the shells of the distributed tables; a restore
 * against the same nodes finds the shards again.  Table identity is
 * regclass, so it restores by name.  dist_transaction is left out: its
 * decisions belong to prepared transactions of the running cluster.
 */
SELECT pg_catalog.pg_extension_config_dump('shard.dist_node', '');
SELECT pg_catalog.pg_extension_config_dump('shard.node_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shard.dist_colocation', '');
SELECT pg_catalog.pg_extension_config_dump('shard.colocation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shard.dist_table', '');
SELECT pg_catalog.pg_extension_config_dump('shard.dist_shard', '');
SELECT pg_catalog.pg_extension_config_dump('shard.shard_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shard.dist_placement', '');
SELECT pg_catalog.pg_extension_config_dump('shard.placement_id_seq', '');

/*
 * Health and sizes of the nodes and their placements, written by the
 * background worker (transaction/node_stats.c) and shard.collect_sizes(),
 * so that the views answer without connecting to a node.  Rows of removed
 * nodes and placements are ignored by the views and deleted by the next
 * collection.  A node the last collection could not reach has NULL sizes
 * and no placement rows.
 */
CREATE TABLE shard.dist_node_stats (
	node_id integer PRIMARY KEY,
	size_bytes bigint,				/* its placements, total */
	collected_at timestamptz,		/* when size_bytes was taken */
	checked_at timestamptz,			/* last collection attempt */
	unreachable_since timestamptz,	/* first failed attempt in a row */
	unreachable_reported boolean NOT NULL DEFAULT false,
	/* health, every shard.health_check_interval (node_health.c) */
	status text CHECK (status IN ('up', 'down', 'lagging', 'diverged')),
	in_recovery boolean,
	wal_lsn pg_lsn,					/* replay LSN of a standby, else current */
	lag_bytes bigint,				/* standbys: primary's LSN - wal_lsn */
	lag_time interval,				/* standbys: replay_lag, 0 when replayed */
	health_checked_at timestamptz
);

CREATE TABLE shard.dist_placement_stats (
	placement_id bigint PRIMARY KEY,
	size_bytes bigint NOT NULL,		/* pg_total_relation_size on the node */
	row_estimate bigint NOT NULL,
	collected_at timestamptz NOT NULL
);

GRANT USAGE ON SCHEMA shard TO PUBLIC;
GRANT SELECT ON shard.dist_node, shard.dist_colocation, shard.dist_table,
	shard.dist_shard, shard.dist_placement, shard.dist_node_stats,
	shard.dist_placement_stats TO PUBLIC;

CREATE FUNCTION shard.catalog_changed()
	RETURNS trigger
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_catalog_changed';

CREATE TRIGGER dist_node_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON shard.dist_node FOR EACH STATEMENT EXECUTE FUNCTION shard.catalog_changed();
CREATE TRIGGER dist_colocation_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON shard.dist_colocation FOR EACH STATEMENT EXECUTE FUNCTION shard.catalog_changed();
CREATE TRIGGER dist_table_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON shard.dist_table FOR EACH STATEMENT EXECUTE FUNCTION shard.catalog_changed();
CREATE TRIGGER dist_shard_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON shard.dist_shard FOR EACH STATEMENT EXECUTE FUNCTION shard.catalog_changed();
CREATE TRIGGER dist_placement_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON shard.dist_placement FOR EACH STATEMENT EXECUTE FUNCTION shard.catalog_changed();

/* Node management */
CREATE FUNCTION shard.add_node(host text, port integer,
							   role text DEFAULT 'primary',
							   primary_id integer DEFAULT NULL)
	RETURNS integer
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_add_node';
COMMENT ON FUNCTION shard.add_node(text, integer, text, integer)
	IS 'register a worker node after checking that it can be reached';

CREATE FUNCTION shard.remove_node(node_id integer)
	RETURNS void
	LANGUAGE C STRICT
	AS 'MODULE_PATHNAME', 'shard_remove_node';
COMMENT ON FUNCTION shard.remove_node(integer)
	IS 'unregister a worker node that holds no shards';

/* Distributing tables */
CREATE FUNCTION shard.create_distributed_table(table_name regclass,
											  distribution_column text,
											  shard_count integer DEFAULT NULL,
											  colocate_with text DEFAULT 'default')
	RETURNS void
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_create_distributed_table';
COMMENT ON FUNCTION shard.create_distributed_table(regclass, text, integer, text)
	IS 'hash-distribute a table over the worker nodes, moving its rows onto the shards';

CREATE FUNCTION shard.create_reference_table(table_name regclass)
	RETURNS void
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_create_reference_table';
COMMENT ON FUNCTION shard.create_reference_table(regclass)
	IS 'keep a full copy of a table on every primary node, moving its rows there';

CREATE FUNCTION shard.shard_id_for_value(table_name regclass, value text)
	RETURNS bigint
	LANGUAGE C STRICT STABLE
	AS 'MODULE_PATHNAME', 'shard_shard_id_for_value';
COMMENT ON FUNCTION shard.shard_id_for_value(regclass, text)
	IS 'the shard of a distributed table that holds rows whose distribution column equals value';

CREATE FUNCTION shard.hash_value(table_name regclass, value text)
	RETURNS integer
	LANGUAGE C STRICT STABLE
	AS 'MODULE_PATHNAME', 'shard_hash_value';
COMMENT ON FUNCTION shard.hash_value(regclass, text)
	IS 'the 32-bit hash that routes value of the distribution column of a table';

CREATE FUNCTION shard.deparse_query(query text)
	RETURNS text
	LANGUAGE C STRICT
	AS 'MODULE_PATHNAME', 'shard_deparse_query';
COMMENT ON FUNCTION shard.deparse_query(text)
	IS 'the SQL text shard would ship for a query, with relations under their own names (debugging aid)';

CREATE FUNCTION shard.drop_trigger()
	RETURNS event_trigger
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_drop_trigger';
CREATE EVENT TRIGGER shard_drop ON sql_drop EXECUTE FUNCTION shard.drop_trigger();

/*
 * Catalog views for DBAs.  They never connect to a node: sizes and row
 * estimates are those of the last collection (sizes_at), NULL where it
 * could not reach a node; a table's figures are NULL until every one of
 * its placements has been measured.
 */
CREATE VIEW shard.nodes AS
	SELECT node_id, host, port, role, primary_id, is_active,
		   (SELECT count(*) FROM shard.dist_placement p WHERE p.node_id = n.node_id) AS shard_count,
		   st.size_bytes, st.collected_at AS sizes_at, st.unreachable_since,
		   /* behind the reader's shard.max_standby_lag: lagging for it */
		   CASE WHEN st.status = 'up' AND st.lag_time >
					 pg_catalog.current_setting('shard.max_standby_lag')::interval
				THEN 'lagging' ELSE st.status END AS status,
		   st.in_recovery, st.lag_bytes, st.lag_time,
		   st.health_checked_at AS last_check
	FROM shard.dist_node n
	LEFT JOIN shard.dist_node_stats st USING (node_id);

CREATE VIEW shard.tables AS
	SELECT t.relid AS table_name,
		   CASE t.method WHEN 'h' THEN 'hash' ELSE 'reference' END AS method,
		   a.attname AS distribution_column,
		   t.colocation_id,
		   c.shard_count,
		   sz.row_estimate, sz.size_bytes, sz.sizes_at
	FROM shard.dist_table t
	JOIN shard.dist_colocation c USING (colocation_id)
	LEFT JOIN pg_catalog.pg_attribute a
		   ON a.attrelid = t.relid AND a.attnum = t.dist_attnum
	LEFT JOIN LATERAL (
		/* a shard's rows once (any copy), its bytes on every node */
		SELECT CASE WHEN bool_and(per_shard.complete) THEN sum(per_shard.row_estimate) END AS row_estimate,
			   CASE WHEN bool_and(per_shard.complete) THEN sum(per_shard.size_bytes) END AS size_bytes,
			   CASE WHEN bool_and(per_shard.complete) THEN min(per_shard.sizes_at) END AS sizes_at
		FROM (SELECT bool_and(ps.placement_id IS NOT NULL) AS complete,
					 max(ps.row_estimate) AS row_estimate,
					 sum(ps.size_bytes) AS size_bytes,
					 min(ps.collected_at) AS sizes_at
			  FROM shard.dist_shard s
			  JOIN shard.dist_placement p USING (shard_id)
			  LEFT JOIN shard.dist_placement_stats ps USING (placement_id)
			  WHERE s.relid = t.relid
			  GROUP BY s.shard_id) per_shard
	) sz ON true;

CREATE VIEW shard.shards AS
	SELECT s.shard_id, s.relid AS table_name, s.shard_index,
		   s.hash_min, s.hash_max, p.node_id, n.host, n.port,
		   pg_catalog.quote_ident(ns.nspname) || '.' ||
		   pg_catalog.quote_ident(cl.relname || '_' || s.shard_id) AS shard_name,
		   ps.row_estimate, ps.size_bytes, ps.collected_at AS sizes_at
	FROM shard.dist_shard s
	JOIN pg_catalog.pg_class cl ON cl.oid = s.relid
	JOIN pg_catalog.pg_namespace ns ON ns.oid = cl.relnamespace
	JOIN shard.dist_placement p USING (shard_id)
	JOIN shard.dist_node n USING (node_id)
	LEFT JOIN shard.dist_placement_stats ps USING (placement_id);

CREATE VIEW shard.placements AS
	SELECT p.placement_id, p.shard_id, s.relid AS table_name, p.node_id, n.host, n.port
	FROM shard.dist_placement p
	JOIN shard.dist_shard s USING (shard_id)
	JOIN shard.dist_node n USING (node_id);

GRANT SELECT ON shard.nodes, shard.tables, shard.shards, shard.placements TO PUBLIC;

CREATE FUNCTION shard.collect_sizes()
	RETURNS integer
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_collect_sizes';
COMMENT ON FUNCTION shard.collect_sizes()
	IS 'measure the placements on every node now for the catalog views (the background worker does it every shard.size_collection_interval); returns the number of nodes reached';
REVOKE ALL ON FUNCTION shard.collect_sizes() FROM PUBLIC;

/* Two-phase commit recovery */
CREATE FUNCTION shard.recover_prepared_transactions()
	RETURNS integer
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'shard_recover_prepared_transactions';
COMMENT ON FUNCTION shard.recover_prepared_transactions()
	IS 'commit or roll back prepared transactions left on the nodes by a crash, to match the coordinator''s decision';

/*
 * Functions that act on the whole cluster are for superusers (the C code
 * checks too, before it takes any lock): without EXECUTE, nobody else can
 * call them, e.g. to hold recovery's lock in an open transaction.  The
 * table functions stay public: they check that the caller owns the table.
 */
REVOKE EXECUTE ON FUNCTION shard.add_node(text, integer, text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shard.remove_node(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shard.recover_prepared_transactions() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shard.deparse_query(text) FROM PUBLIC;

/*
 * Pushed-down SELECTs (coordinator only).  remote_scan is the placeholder
 * FROM item of a coordinator plan that reads the rows the shards return;
 * the planner always replaces it by a ShardScan.  The aggregates combine
 * per-shard partial results: counts and int8 sums exactly, float
 * variance states with PostgreSQL's own float8_combine; numeric variance
 * from summed counts, sums and sums of squares.
 */
CREATE FUNCTION shard.remote_scan(integer)
	RETURNS SETOF record
	LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'shard_remote_scan';
COMMENT ON FUNCTION shard.remote_scan(integer)
	IS 'placeholder for the rows of a pushed-down query; only used inside plans';

CREATE AGGREGATE shard.count_combine(bigint) (
	SFUNC = pg_catalog.int8pl,
	STYPE = bigint,
	INITCOND = '0'
);
CREATE AGGREGATE shard.sum_combine(bigint) (
	SFUNC = pg_catalog.int8pl,
	STYPE = bigint
);
CREATE AGGREGATE shard.float8_combine(double precision[]) (
	SFUNC = pg_catalog.float8_combine,
	STYPE = double precision[],
	INITCOND = '{0,0,0}'
);
CREATE FUNCTION shard.numeric_variance_final(bigint, numeric, numeric, boolean, boolean)
	RETURNS numeric
	LANGUAGE C IMMUTABLE PARALLEL SAFE
	AS 'MODULE_PATHNAME', 'shard_numeric_variance_final';
COMMENT ON FUNCTION shard.numeric_variance_final(bigint, numeric, numeric, boolean, boolean)
	IS 'numeric variance (or, with the last argument, standard deviation) from the count, sum and sum of squares of the rows, as PostgreSQL computes it; the fourth argument selects the sample form';
