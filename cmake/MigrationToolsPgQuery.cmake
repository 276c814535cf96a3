# PostgreSQL's own parser, libpg_query (Debian: libpg-query-dev, the
# PostgreSQL 15 grammar), as the imported target migration_tools::pg_query.
# Debian ships neither a CMake package nor a pkg-config file for it.
#
# The static archive is preferred: the runner users run splits SQL with its
# scanner, and a static parser leaves it nothing to load and bind at start
# (the shared one costs about 150 us of every `heads`). Its tokens come as
# protobuf-c messages, unpacked by the protobuf-c code inside libpg_query,
# whose header is libprotobuf-c-dev's.
include_guard(GLOBAL)

if(NOT TARGET migration_tools::pg_query)
  find_path(MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR pg_query.h)
  find_library(MIGRATION_TOOLS_PG_QUERY_LIBRARY NAMES libpg_query.a pg_query)
  find_path(MIGRATION_TOOLS_PROTOBUF_C_INCLUDE_DIR protobuf-c/protobuf-c.h)
  if(NOT MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR OR NOT MIGRATION_TOOLS_PG_QUERY_LIBRARY)
    message(FATAL_ERROR "MigrationTools needs libpg_query (PostgreSQL's parser): "
      "apt-get install libpg-query-dev, or set MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR and "
      "MIGRATION_TOOLS_PG_QUERY_LIBRARY")
  endif()
  if(NOT MIGRATION_TOOLS_PROTOBUF_C_INCLUDE_DIR)
    message(FATAL_ERROR "MigrationTools needs protobuf-c's header (libpg_query's scanner "
      "returns its tokens as protobuf-c messages): apt-get install libprotobuf-c-dev, or set "
      "MIGRATION_TOOLS_PROTOBUF_C_INCLUDE_DIR")
  endif()
  add_library(migration_tools::pg_query UNKNOWN IMPORTED GLOBAL)
  set_target_properties(migration_tools::pg_query PROPERTIES
    IMPORTED_LOCATION "${MIGRATION_TOOLS_PG_QUERY_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES
      "${MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR};${MIGRATION_TOOLS_PROTOBUF_C_INCLUDE_DIR}")
endif()
