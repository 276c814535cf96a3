# The source lists of the libraries, shared by the main build and by the
# configure-time scanner build (cmake/scanner), so that both compile the same
# parser and graph code.
include_guard(GLOBAL)

set(_MIGRATION_TOOLS_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(_MIGRATION_TOOLS_ROOT "${_MIGRATION_TOOLS_ROOT}" ABSOLUTE)

# The core: parsing, the revision graph, identifiers and planning. No PostgreSQL.
set(MIGRATION_TOOLS_CORE_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/core/diagnostic.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/text.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/graph_picture.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/file_io.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/source_tree.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/migration_parser.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/migration_source.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/revision_graph.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/revision_resolver.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/branch_resolution.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/planner.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/stamp.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/sql_splitter.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/section_statements.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/sql_literal.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/url.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/dotenv.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/suggestion.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/database_source.cpp)
# Needs OpenSSL's libcrypto (so does the scanner, which embeds each file's
# checksum in its header).
set(MIGRATION_TOOLS_CHECKSUM_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/core/checksum.cpp)

# Checks of migrations' SQL on PostgreSQL's parser (libpg_query and
# nlohmann-json): run by the scanner at configure time, and on a declared
# schema again by the runner before any of it runs.
set(MIGRATION_TOOLS_SQL_CHECK_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/core/statement_tree.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/migration_sql_check.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/declared_sql_check.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/meaning_checksum.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/lint/lint_rules.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/lint/statement_checks.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/core/lint/lint.cpp)

# The schema model and its diff (autogenerate): pure logic, no PostgreSQL.
# One generator per object kind under src/schema/kinds/.
set(MIGRATION_TOOLS_SCHEMA_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/schema/sql_text.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/sequence_text.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/type_change.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/rename_hints.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/plan_builder.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/diff.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/online.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/namespaces.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/tables.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/columns.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/constraints.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/indexes.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/sequences.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/enums.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/views.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/functions.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/triggers.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/extensions.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/collations.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/domains.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/composites.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/ranges.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/policies.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/privileges.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/schema/kinds/unhandled.cpp)

# The PostgreSQL layer on libpqxx.
set(MIGRATION_TOOLS_POSTGRES_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/errors.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/step_watch.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/connection_string.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/notice_printer.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/bookkeeping_sql.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/bookkeeping.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/advisory_lock.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/advisory_lock_key.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/step_executor.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/replica_wait.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/step_sql.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/private_directory.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/dev_database.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/cpp_step_registry.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/catalog_queries.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/catalog_inspector.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/scratch_database.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/change_capture.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/postgres/change_capture_sql.cpp)

# The use cases of autogenerate: materialise schema states on the scratch
# server and read them back (returns models; prints nothing).
set(MIGRATION_TOOLS_AUTOGENERATE_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/autogenerate/schema_states.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/autogenerate/project_states.cpp)

# The engine: the use cases (upgrade and downgrade, offline scripts,
# checksums, failed states, the database session, the in-app migrator). It
# returns results and reports through a callback; the command line prints.
set(MIGRATION_TOOLS_ENGINE_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/engine/runner_context.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/postgres_session.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/database_settings.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/embedded_migrations.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/stale_runner.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/migration_run.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/fleet_run.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/invalid_index.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/concurrent_statements.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/checksum_check.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/failed_state.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/offline_script.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/migrator.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/engine/migration_tests.cpp)

# The runner's command line: parsing, printing, exit codes. runner_front.cpp's
# executable links only what needs no database (database_session.hpp).
set(MIGRATION_TOOLS_CLI_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/cli/runner_main.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/runner_front.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/runner_online.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/check_and_repair_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/migrate_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/fleet_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/offline_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/listing_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/revision_view.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/authoring_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/dev_db_command.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/config_command.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/autogenerate_commands.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/test_command.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/cli/lint_command.cpp)

# The configure-time scanner (core + its own main).
set(MIGRATION_TOOLS_SCANNER_MAIN_SOURCES
  ${_MIGRATION_TOOLS_ROOT}/src/scanner/catalog_writer.cpp
  ${_MIGRATION_TOOLS_ROOT}/src/scanner/main.cpp)
set(MIGRATION_TOOLS_SCANNER_SOURCES
  ${MIGRATION_TOOLS_CORE_SOURCES}
  ${MIGRATION_TOOLS_CHECKSUM_SOURCES}
  ${MIGRATION_TOOLS_SQL_CHECK_SOURCES}
  ${MIGRATION_TOOLS_SCANNER_MAIN_SOURCES})
