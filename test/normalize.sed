# test/normalize.sed: the one place that rewrites unstable output of the
# tests (psql and isolationtester output pass through it, see launcher.sh).
# Keep each rule narrow, with a comment saying what varies.

# process ids in messages
s/\(PID\|pid\|process\) [0-9][0-9]*/\1 XXX/g

# pg_ctl progress dots, in case a test lets pg_ctl print
s/^\(waiting for server to [a-z ]*\)\.\.*/\1.../

# durations from \timing or EXPLAIN ANALYZE
s/^Time: [0-9.]* ms.*$/Time: XXX ms/
s/actual time=[0-9.]*\.\.[0-9.]*/actual time=XXX..XXX/g
s/\(Planning\|Execution\) Time: [0-9.]* ms/\1 Time: XXX ms/

# per-task times of ShardScan in EXPLAIN ANALYZE
s/\((actual rows=[0-9]* time=\)[0-9.]* ms/\1XXX ms/g

# source line numbers of VERBOSITY verbose errors (differ between PostgreSQL
# builds; the function and file stay)
s/^\(LOCATION:  .*\.c\):[0-9][0-9]*$/\1:XXX/
# the test directory in errors of files that a test includes with \i
s|^psql:/.*/sql/\([a-z_]*\.psql\):|psql:sql/\1:|

# constraint oids in the names of hidden foreign key RETURNING columns
s/shard_fk_[0-9][0-9]*_/shard_fk_XXX_/g

# rows of a node stream read more than once (a parameterized read, then the
# whole shard read once for lookups by key) depend on which outer row came
# first from the nodes; the loops count stays
s/\(Node Stream: .*(actual rows=\)[0-9][0-9]*\( loops=[0-9][0-9]*)\)/\1N\2/
