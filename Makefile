# PGXS build of the shard extension.  Sources live in one folder per data-path
# stage under src/; every .c file found there is compiled into shard.so.

EXTENSION = shard
MODULE_big = shard
DATA = $(wildcard src/extension/shard--*.sql)
PGFILEDESC = "shard - transparent sharding for PostgreSQL"

SOURCES := $(sort $(wildcard src/*.c src/*/*.c))
OBJS = $(SOURCES:.c=.o)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

PG_CPPFLAGS = -I$(srcdir)/src -I$(shell $(PG_CONFIG) --includedir)
PG_CFLAGS = -Wall -Wmissing-prototypes
SHLIB_LINK = -lpq -Wl,--version-script=$(srcdir)/src/shard.map

srcdir ?= .

include $(PGXS)

$(shlib): src/shard.map

# PGXS tracks no header dependencies: rebuild every object when any of our
# headers changes (a struct that grows must not meet objects built with the
# old size).
$(OBJS): $(wildcard $(srcdir)/src/*.h $(srcdir)/src/*/*.h)
