# PostgreSQL's own parser, libpg_query (Debian: libpg-query-dev, the
# PostgreSQL 15 grammar), as the imported target migration_tools::pg_query.
# Debian ships neither a CMake package nor a pkg-config file for it.
include_guard(GLOBAL)

if(NOT TARGET migration_tools::pg_query)
  find_path(MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR pg_query.h)
  find_library(MIGRATION_TOOLS_PG_QUERY_LIBRARY pg_query)
  if(NOT MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR OR NOT MIGRATION_TOOLS_PG_QUERY_LIBRARY)
    message(FATAL_ERROR "MigrationTools needs libpg_query (PostgreSQL's parser): "
      "apt-get install libpg-query-dev, or set MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR and "
      "MIGRATION_TOOLS_PG_QUERY_LIBRARY")
  endif()
  add_library(migration_tools::pg_query UNKNOWN IMPORTED GLOBAL)
  set_target_properties(migration_tools::pg_query PROPERTIES
    IMPORTED_LOCATION "${MIGRATION_TOOLS_PG_QUERY_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MIGRATION_TOOLS_PG_QUERY_INCLUDE_DIR}")
endif()
