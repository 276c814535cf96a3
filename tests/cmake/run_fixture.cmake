# Driver of the CMake-level tests: copies a fixture project from
# tests/cmake/projects/<name>/ into a fresh work directory, configures and
# builds it the way a user would, and checks exit codes and output.
#
#   cmake -DCASE=<case> -DPROJECTS_DIR=<tests/cmake/projects> -DWORK_ROOT=<dir>
#         -DMIGRATION_TOOLS_ROOT=<repository root>
#         [-DSCANNER=<prebuilt migration_tools_scan>] [-DMAKE_PROGRAM=<ninja>]
#         [-DCXX_COMPILER=<c++>] [-DPSQL=<psql>]
#         -P run_fixture.cmake
#
# Every step states the CI environment variable it runs with (the suite itself
# often runs under CI=true, which turns divergent heads into errors), and
# DATABASE_URL, MIGRATE_TARGET and MIGRATE_MESSAGE are unset unless a step sets
# them. The output of every step is kept in <work dir>/logs/. Cases needing a
# database read MIGRATION_TOOLS_TEST_PG_SCRIPT and MIGRATION_TOOLS_TEST_PG_DIR
# from the environment (set by migration_tools_database_tests()).
cmake_minimum_required(VERSION 3.18)
# Every runner started here also checks its embedded headers against its files.
set(ENV{MIGRATION_TOOLS_CHECK_EMBEDDED_HEADERS} 1)

foreach(var IN ITEMS CASE PROJECTS_DIR WORK_ROOT MIGRATION_TOOLS_ROOT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_fixture.cmake: -D${var}=... is required")
  endif()
endforeach()

set(WORK "${WORK_ROOT}/${CASE}")
set(_mt_step 0)

# ---------------------------------------------------------------------------
# Helpers

# mt_copy_project(<project> <out_var>): a fresh copy of projects/<project>
# under the work directory; sets <out_var> to its path.
function(mt_copy_project project out_var)
  if(NOT IS_DIRECTORY "${PROJECTS_DIR}/${project}")
    message(FATAL_ERROR "no fixture project '${project}' in ${PROJECTS_DIR}")
  endif()
  file(COPY "${PROJECTS_DIR}/${project}" DESTINATION "${WORK}")
  set(${out_var} "${WORK}/${project}" PARENT_SCOPE)
endfunction()

# mt_run(<prefix> STEP <title> CI <unset|value> [ENV NAME=VALUE...] COMMAND ...)
# Runs the command with a controlled environment; sets <prefix>_rc,
# <prefix>_out (stdout and stderr together) and <prefix>_step.
function(mt_run prefix)
  cmake_parse_arguments(PARSE_ARGV 1 a "" "STEP;CI" "ENV;COMMAND")
  if(NOT DEFINED a_CI)
    message(FATAL_ERROR "mt_run(${prefix}): say CI unset or CI <value>")
  endif()
  set(env_args)
  foreach(name IN ITEMS CI DATABASE_URL MIGRATE_TARGET MIGRATE_MESSAGE CLICOLOR_FORCE)
    list(APPEND env_args "--unset=${name}")
  endforeach()
  if(NOT a_CI STREQUAL "unset")
    list(APPEND env_args "CI=${a_CI}")
  endif()
  list(APPEND env_args ${a_ENV})

  math(EXPR step "${_mt_step} + 1")
  set(_mt_step ${step} PARENT_SCOPE)
  string(MAKE_C_IDENTIFIER "${a_STEP}" slug)
  set(log "${WORK}/logs/${step}_${slug}.log")
  list(JOIN a_COMMAND " " shown)
  message(STATUS "[${step}] ${a_STEP} (CI ${a_CI})\n      ${shown}")
  string(TIMESTAMP started "%s")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${env_args} ${a_COMMAND}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP finished "%s")
  math(EXPR seconds "${finished} - ${started}")
  file(WRITE "${log}" "# ${a_STEP}\n# CI: ${a_CI}; env: ${a_ENV}\n# ${shown}\n# exit code: ${rc}\n${out}")
  message(STATUS "    -> exit code ${rc} after ${seconds} s (log: ${log})")
  set(${prefix}_rc "${rc}" PARENT_SCOPE)
  set(${prefix}_out "${out}" PARENT_SCOPE)
  set(${prefix}_step "[${step}] ${a_STEP}" PARENT_SCOPE)
endfunction()

# Passes mt_run's results up one more scope.
macro(_mt_forward prefix)
  set(_mt_step ${_mt_step} PARENT_SCOPE)
  set(${prefix}_rc "${${prefix}_rc}" PARENT_SCOPE)
  set(${prefix}_out "${${prefix}_out}" PARENT_SCOPE)
  set(${prefix}_step "${${prefix}_step}" PARENT_SCOPE)
endmacro()

# mt_use_installed_package(): the case's projects find MigrationTools as the
# package cmake.install_package installed (its CTest fixture), instead of
# add_subdirectory() of the sources.
macro(mt_use_installed_package)
  if(NOT EXISTS "${PACKAGE_PREFIX}/lib/cmake/MigrationTools/MigrationToolsConfig.cmake")
    message(FATAL_ERROR "${CASE} needs the package installed by cmake.install_package under "
                        "'${PACKAGE_PREFIX}' (run it first, or with ctest's fixtures)")
  endif()
  set(mt_consume package)
endmacro()

# mt_configure(<prefix> <source dir> <build dir> STEP <title> CI <..>
#              [OWN_SCANNER] [TOOLCHAIN_COMPILER] [GENERATOR <g>] [ARGS -D...])
# OWN_SCANNER: do not pass the prebuilt scanner; the fixture builds its own.
# After mt_use_installed_package(), the project gets the package's prefix
# (and its scanner) instead of MIGRATION_TOOLS_ROOT.
function(mt_configure prefix source binary)
  cmake_parse_arguments(PARSE_ARGV 3 a "OWN_SCANNER;TOOLCHAIN_COMPILER" "STEP;CI;GENERATOR" "ARGS")
  if(NOT a_GENERATOR)
    set(a_GENERATOR Ninja)
  endif()
  set(args -S "${source}" -B "${binary}" -G "${a_GENERATOR}")
  if(mt_consume STREQUAL "package")
    list(APPEND args "-DCMAKE_PREFIX_PATH=${PACKAGE_PREFIX}")
  else()
    list(APPEND args "-DMIGRATION_TOOLS_ROOT=${MIGRATION_TOOLS_ROOT}")
  endif()
  if(SCANNER AND NOT a_OWN_SCANNER AND NOT mt_consume STREQUAL "package")
    list(APPEND args "-DMIGRATION_TOOLS_SCANNER=${SCANNER}")
  endif()
  if(MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  # TOOLCHAIN_COMPILER: the toolchain file in ARGS names the compiler.
  if(CXX_COMPILER AND NOT a_TOOLCHAIN_COMPILER)
    list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
  endif()
  # The test build's ccache, for the fixtures' own compiles too.
  if(COMPILER_LAUNCHER)
    list(APPEND args "-DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER}")
  endif()
  mt_run(${prefix} STEP "${a_STEP}" CI "${a_CI}" COMMAND "${CMAKE_COMMAND}" ${args} ${a_ARGS})
  _mt_forward(${prefix})
endfunction()

# mt_build(<prefix> <build dir> <target> STEP <title> CI <..> [ENV NAME=VALUE...])
function(mt_build prefix binary target)
  cmake_parse_arguments(PARSE_ARGV 3 a "" "STEP;CI" "ENV")
  mt_run(${prefix} STEP "${a_STEP}" CI "${a_CI}" ENV ${a_ENV}
         COMMAND "${CMAKE_COMMAND}" --build "${binary}" --target "${target}")
  _mt_forward(${prefix})
endfunction()

function(mt_fail prefix why)
  # NOTICE prints the output verbatim (FATAL_ERROR would re-wrap it).
  message(NOTICE "----- output of ${${prefix}_step} (exit code ${${prefix}_rc}): -----\n"
                 "${${prefix}_out}\n----- end of output -----")
  message(FATAL_ERROR "FAILED at ${${prefix}_step}: ${why}")
endfunction()

# mt_expect_rc(<prefix> <code>|nonzero)
function(mt_expect_rc prefix expected)
  set(rc "${${prefix}_rc}")
  if(expected STREQUAL "nonzero")
    if(rc STREQUAL "0")
      mt_fail(${prefix} "expected a failure (non-zero exit code), got success")
    endif()
  elseif(NOT rc STREQUAL expected)
    mt_fail(${prefix} "expected exit code ${expected}, got '${rc}'")
  endif()
endfunction()

# mt_expect_contains(<prefix> <text>...): each text occurs in the output.
function(mt_expect_contains prefix)
  foreach(text IN LISTS ARGN)
    string(FIND "${${prefix}_out}" "${text}" pos)
    if(pos EQUAL -1)
      mt_fail(${prefix} "the output does not contain:\n  ${text}")
    endif()
  endforeach()
endfunction()

# mt_expect_line(<prefix> <text>...): each text starts a line of the output
# (diagnostics are unindented so that IDEs and CI link them).
function(mt_expect_line prefix)
  foreach(text IN LISTS ARGN)
    string(FIND "\n${${prefix}_out}" "\n${text}" pos)
    if(pos EQUAL -1)
      mt_fail(${prefix} "no line of the output starts with:\n  ${text}")
    endif()
  endforeach()
endfunction()

# mt_expect_message(<prefix> <text>...): each text occurs in the output with
# any run of whitespace matching any other; for CMake's own messages, which
# it wraps and indents.
function(mt_expect_message prefix)
  string(REGEX REPLACE "[ \t\r\n]+" " " out "${${prefix}_out}")
  foreach(text IN LISTS ARGN)
    string(REGEX REPLACE "[ \t\r\n]+" " " text "${text}")
    string(FIND "${out}" "${text}" pos)
    if(pos EQUAL -1)
      mt_fail(${prefix} "the output does not contain (whitespace aside):\n  ${text}")
    endif()
  endforeach()
endfunction()

# mt_expect_not_contains(<prefix> <text>...)
function(mt_expect_not_contains prefix)
  foreach(text IN LISTS ARGN)
    string(FIND "${${prefix}_out}" "${text}" pos)
    if(NOT pos EQUAL -1)
      mt_fail(${prefix} "the output should not contain:\n  ${text}")
    endif()
  endforeach()
endfunction()

# mt_check(<what> <condition>...): the if() condition holds.
function(mt_check what)
  if(${ARGN})
  else()
    message(FATAL_ERROR "FAILED: ${what}")
  endif()
endfunction()

# The URL of database <name> in the test cluster (pg_cluster.sh creates it).
function(_mt_pg_url name out_var)
  foreach(var IN ITEMS MIGRATION_TOOLS_TEST_PG_SCRIPT MIGRATION_TOOLS_TEST_PG_DIR)
    if("$ENV{${var}}" STREQUAL "")
      message(FATAL_ERROR "${CASE} needs the PostgreSQL fixture: ${var} is not set "
                          "(register the test with migration_tools_database_tests())")
    endif()
  endforeach()
  execute_process(COMMAND "$ENV{MIGRATION_TOOLS_TEST_PG_SCRIPT}" url "$ENV{MIGRATION_TOOLS_TEST_PG_DIR}" "${name}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE url ERROR_VARIABLE err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT url MATCHES "^postgresql://")
    message(FATAL_ERROR "pg_cluster.sh url failed (${rc}): ${url}\n${err}")
  endif()
  set(${out_var} "${url}" PARENT_SCOPE)
endfunction()

# The URL of an empty database <name> (dropped first: the cluster outlives an
# interrupted ctest run).
function(mt_fresh_database_url name out_var)
  if(PSQL)
    _mt_pg_url(postgres admin)
    execute_process(COMMAND "${PSQL}" "${admin}" -qc "DROP DATABASE IF EXISTS \"${name}\""
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "cannot drop the database ${name}: ${out}")
    endif()
  endif()
  _mt_pg_url(${name} url)
  set(${out_var} "${url}" PARENT_SCOPE)
endfunction()

# The diagnostics of one fixture whose configure must fail: configure without
# CI, expect failure, every expected line unindented, and the summary.
function(mt_expect_invalid_project project)
  mt_copy_project(${project} src)
  mt_configure(cfg "${src}" "${src}/build" STEP "configure ${project}" CI unset)
  mt_expect_rc(cfg nonzero)
  # Configure names files by absolute path (a configure the build starts runs
  # in the build tree).
  set(lines "")
  foreach(text IN LISTS ARGN)
    list(APPEND lines "${src}/${text}")
  endforeach()
  mt_expect_line(cfg ${lines})
  mt_expect_message(cfg
    "add_migrations(migrate): the migrations in ${src}/migrations are invalid (see the errors above)."
    "-- Configuring incomplete, errors occurred!")
  # A failed configure must not leave a runner build behind.
  mt_check("no build.ninja after a failed configure" NOT EXISTS "${src}/build/build.ninja")
endfunction()

# ---------------------------------------------------------------------------
# Cases

# A valid project: configure, build the runner, upgrade a real database, and
# pick up a new migration on the next build without a manual re-configure.
function(case_valid_project)
  mt_use_installed_package()
  mt_copy_project(valid src)
  set(bin "${src}/build")
  # Sources older than their file system's timestamp granularity (two
  # seconds at most) have settled: the scanner vouches for the times of the
  # files and of the directory, and the runner compares the files without
  # listing the directory (stale_runner.cpp). The stale-runner checks below
  # start from that path.
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 2.1)
  mt_configure(cfg "${src}" "${bin}" STEP "configure" CI unset)
  mt_expect_rc(cfg 0)
  mt_expect_not_contains(cfg "error:" "warning:" "divergent heads")
  mt_check("the scanner wrote embedded.cpp" EXISTS "${bin}/migrate_migrations/embedded.cpp")
  file(READ "${bin}/migrate_migrations/embedded.cpp" embedded_cfg)
  mt_check("the scanner recorded the settled migrations directory"
           embedded_cfg MATCHES "embedded_directory directories\\[\\] = {\n    {\"migrations\", [0-9]+LL},\n}")
  mt_check("the scanner vouched for each settled file's time"
           NOT embedded_cfg MATCHES "-1LL, &headers")

  mt_fresh_database_url(mt_cmake_valid_project url)
  set(db_env "DATABASE_URL=${url}")

  mt_build(up "${bin}" migrate_upgrade STEP "build migrate_upgrade (builds the runner)" CI 1 ENV ${db_env})
  mt_expect_rc(up 0)
  mt_expect_contains(up
    "<base> -> c0ffee000001, create widgets"
    "c0ffee000001 -> c0ffee000002, seed widgets"
    "c0ffee000002 -> c0ffee000003, add widgets.colour"
    "upgraded 3 migrations")

  mt_run(cur COMMAND "${bin}/migrate" current STEP "migrate current" CI unset ENV ${db_env})
  mt_expect_rc(cur 0)
  mt_expect_line(cur "c0ffee000003 (head)")
  mt_expect_not_contains(cur "c0ffee000002")

  # The C++ migration ran inside the consumer's runner.
  if(PSQL)
    mt_run(rows COMMAND "${PSQL}" "${url}" -tAc "SELECT string_agg(name || ':' || colour, ',' ORDER BY name) FROM widgets"
           STEP "psql: the widgets the C++ migration inserted" CI unset)
    mt_expect_rc(rows 0)
    mt_expect_contains(rows "flange:grey,sprocket:grey")
  endif()

  mt_build(chk "${bin}" migrate_check STEP "build migrate_check" CI 1 ENV ${db_env})
  mt_expect_rc(chk 0)
  mt_expect_contains(chk "ok: the graph is valid and the database is at c0ffee000003")

  # A new migration on top of the head: the next build re-runs configure by
  # itself (CONFIGURE_DEPENDS), embeds the file and applies it.
  file(WRITE "${src}/migrations/0004_add_widget_price.sql"
    "-- migrate:revision c0ffee000004\n"
    "-- migrate:down_revision c0ffee000003\n"
    "-- migrate:message add widgets.price\n"
    "\n"
    "-- migrate:upgrade\n"
    "ALTER TABLE widgets ADD COLUMN price numeric;\n"
    "\n"
    "-- migrate:downgrade\n"
    "ALTER TABLE widgets DROP COLUMN price;\n")
  # Before the rebuild the runner is stale: it refuses to change the database
  # and names the file; read-only commands still work, with a warning.
  mt_run(stale COMMAND "${bin}/migrate" upgrade STEP "migrate upgrade with a stale runner" CI unset ENV ${db_env})
  mt_expect_rc(stale 2)
  mt_expect_line(stale "migrate: error: the runner is stale: the migrations changed since it was built:")
  mt_expect_whole_line(stale "  added: migrations/0004_add_widget_price.sql")
  mt_expect_not_contains(stale "c0ffee000003 -> c0ffee000004")
  mt_run(stale_heads COMMAND "${bin}/migrate" heads STEP "migrate heads with a stale runner" CI unset ENV ${db_env})
  mt_expect_rc(stale_heads 0)
  mt_expect_line(stale_heads "migrate: warning: the runner is stale: the migrations changed since it was built:"
                             "c0ffee000003 (head)")
  mt_expect_whole_line(stale_heads "  added: migrations/0004_add_widget_price.sql")
  mt_run(stale_cur COMMAND "${bin}/migrate" current STEP "migrate current with a stale runner" CI unset ENV ${db_env})
  mt_expect_rc(stale_cur 0)
  mt_expect_line(stale_cur "c0ffee000003 (head)")
  mt_build(up2 "${bin}" migrate_upgrade STEP "build migrate_upgrade after adding a migration" CI 1 ENV ${db_env})
  mt_expect_rc(up2 0)
  mt_expect_contains(up2 "c0ffee000003 -> c0ffee000004, add widgets.price" "upgraded 1 migration")
  mt_expect_not_contains(up2 "c0ffee000002 -> c0ffee000003")

  mt_run(cur2 COMMAND "${bin}/migrate" current STEP "migrate current after the new migration" CI unset ENV ${db_env})
  mt_expect_rc(cur2 0)
  mt_expect_line(cur2 "c0ffee000004 (head)")

  # A declared schema (issue 11, item 1): schema/ is found at configure,
  # embedded, and covered by the stale-runner check.
  file(WRITE "${src}/schema/widgets.sql" "CREATE TABLE widgets (id int PRIMARY KEY);\n")
  mt_configure(cfgs "${src}" "${bin}" STEP "configure with a schema/ folder" CI unset)
  mt_expect_rc(cfgs 0)
  mt_build(bs "${bin}" migrate STEP "build migrate with a declared schema" CI unset)
  mt_expect_rc(bs 0)
  file(READ "${bin}/migrate_migrations/embedded.cpp" embedded_s)
  string(FIND "${embedded_s}" "\"schema/widgets.sql\"" schema_at)
  mt_check("the schema file is embedded" NOT schema_at EQUAL -1)
  mt_run(hs COMMAND "${bin}/migrate" heads STEP "migrate heads with an up-to-date schema" CI unset)
  mt_expect_not_contains(hs "stale")
  file(WRITE "${src}/schema/widgets.sql" "CREATE TABLE widgets (id bigint PRIMARY KEY);\n")
  mt_run(hs2 COMMAND "${bin}/migrate" heads STEP "migrate heads after a schema edit" CI unset)
  mt_expect_whole_line(hs2 "  edited: schema/widgets.sql")
  mt_expect_contains(hs2 "the runner is stale: the declared schema changed since it was built:")
  # Both at once: one list, the migrations first.
  file(WRITE "${src}/migrations/zz_stray.sql" "-- not a migration yet\n")
  mt_run(hs2b COMMAND "${bin}/migrate" heads STEP "migrate heads after a schema edit and a new file" CI unset)
  mt_expect_rc(hs2b 0)
  mt_expect_contains(hs2b "the runner is stale: the migrations and the declared schema changed since it was built:\n  added: migrations/zz_stray.sql\n  edited: schema/widgets.sql\n")
  file(REMOVE "${src}/migrations/zz_stray.sql")
  mt_build(bs2 "${bin}" migrate STEP "build migrate after the schema edit" CI unset)
  mt_expect_rc(bs2 0)
  mt_run(hs3 COMMAND "${bin}/migrate" heads STEP "migrate heads after the rebuild" CI unset)
  mt_expect_not_contains(hs3 "stale")
  file(REMOVE_RECURSE "${src}/schema")
  mt_configure(cfgs2 "${src}" "${bin}" STEP "configure without the schema/ folder" CI unset)
  mt_expect_rc(cfgs2 0)

  # A same-size edit between configure and build, with an older modification
  # time, so that the build does not configure again (issue 17, item 4): the
  # runner embeds the bytes the scanner read (header and text from one read),
  # and its content check calls it stale instead of running other text.
  set(m5 "${src}/migrations/0005_add_gadget.sql")
  file(WRITE "${m5}" "-- migrate:revision c0ffee000005\n-- migrate:down_revision c0ffee000004\n\n"
    "-- migrate:upgrade\nINSERT INTO widgets (name, colour) VALUES ('aaaa', 'red');\n")
  mt_configure(cfg5 "${src}" "${bin}" STEP "configure with a fifth migration" CI unset)
  mt_expect_rc(cfg5 0)
  file(WRITE "${m5}" "-- migrate:revision c0ffee000005\n-- migrate:down_revision c0ffee000004\n\n"
    "-- migrate:upgrade\nINSERT INTO widgets (name, colour) VALUES ('bbbb', 'red');\n")
  execute_process(COMMAND touch -d "2001-01-01 00:00:00" "${m5}" RESULT_VARIABLE touched)
  mt_check("touch set an old modification time" touched EQUAL 0)
  mt_build(b5 "${bin}" migrate STEP "build migrate after a same-size edit with an old time" CI unset)
  mt_expect_rc(b5 0)
  # The build does not go by the modification time alone (issue 30, item 8):
  # the scanner sees the file's new status change time and scans it again,
  # so the runner embeds what the file holds now.
  mt_run(heads5 COMMAND "${bin}/migrate" heads STEP "migrate heads checking the embedded headers"
         CI unset ENV ${db_env} MIGRATION_TOOLS_CHECK_EMBEDDED_HEADERS=1)
  mt_expect_rc(heads5 0)
  mt_expect_not_contains(heads5 "internal error" "stale")
  mt_build(up6 "${bin}" migrate_upgrade STEP "build migrate_upgrade after the same-size edit" CI 1
           ENV ${db_env})
  mt_expect_rc(up6 0)
  # An edit after the build that keeps the file's modification time (issue
  # 19, item 6): the check goes by the status change time, which no one can
  # set back, and then by content.
  configure_file("${m5}" "${src}/m5.saved" COPYONLY)
  execute_process(COMMAND touch -r "${m5}" "${src}/m5.saved")
  file(READ "${m5}" m5_text)
  string(REPLACE "bbbb" "cccc" m5_edited "${m5_text}")
  file(WRITE "${m5}" "${m5_edited}")
  execute_process(COMMAND touch -r "${src}/m5.saved" "${m5}" RESULT_VARIABLE touched)
  mt_check("touch -r kept the old modification time" touched EQUAL 0)
  mt_run(heads7 COMMAND "${bin}/migrate" heads STEP "migrate heads after an edit that kept the time"
         CI unset)
  mt_expect_whole_line(heads7 "  edited: migrations/0005_add_gadget.sql")
  # The rebuild the runner names picks the edit up (issue 30, item 8).
  mt_build(b7 "${bin}" migrate STEP "build migrate after an edit that kept the time" CI unset)
  mt_expect_rc(b7 0)
  mt_run(heads7b COMMAND "${bin}/migrate" heads STEP "migrate heads after that rebuild" CI unset)
  mt_expect_not_contains(heads7b "stale")
  mt_build(b7n "${bin}" migrate STEP "build migrate again: nothing to do" CI unset)
  mt_expect_rc(b7n 0)
  mt_expect_not_contains(b7n "Linking")
  file(WRITE "${m5}" "${m5_text}")
  execute_process(COMMAND touch -r "${src}/m5.saved" "${m5}")
  file(REMOVE "${src}/m5.saved")
  mt_run(heads8 COMMAND "${bin}/migrate" heads STEP "migrate heads once the edit is undone" CI unset)
  mt_expect_whole_line(heads8 "  edited: migrations/0005_add_gadget.sql")
  mt_build(b8 "${bin}" migrate STEP "build migrate once the edit is undone" CI unset)
  mt_expect_rc(b8 0)
  mt_run(heads8b COMMAND "${bin}/migrate" heads STEP "migrate heads after that rebuild" CI unset)
  mt_expect_not_contains(heads8b "stale")
  if(PSQL)
    mt_run(rows5 COMMAND "${PSQL}" "${url}" -tAc
           "SELECT string_agg(name, ',' ORDER BY name) FROM widgets WHERE name IN ('aaaa', 'bbbb')"
           STEP "psql: the gadget row is the edited one" CI unset)
    mt_expect_line(rows5 "bbbb")
  endif()
  file(REMOVE "${m5}")

  # Editing a header re-runs configure too, and a bad header fails the build
  # with the same file:line diagnostic.
  file(READ "${src}/migrations/0004_add_widget_price.sql" text)
  string(REPLACE "-- migrate:message add widgets.price\n"
                 "-- migrate:message add widgets.price\n-- migrate:reviewer bob\n" text "${text}")
  file(WRITE "${src}/migrations/0004_add_widget_price.sql" "${text}")
  mt_build(bad "${bin}" migrate STEP "build migrate after a header edit" CI unset)
  mt_expect_rc(bad nonzero)
  mt_expect_line(bad "${src}/migrations/0004_add_widget_price.sql:4: error: unknown header key 'reviewer' (known keys: revision, down_revision, message, created, branch_labels, depends_on, transactional, lock_timeout, statement_timeout, empty, lint_ignore)")
  string(REPLACE "-- migrate:reviewer bob\n" "" text "${text}")
  file(WRITE "${src}/migrations/0004_add_widget_price.sql" "${text}")
  mt_build(fixed "${bin}" migrate STEP "build migrate with the header fixed" CI unset)
  mt_expect_rc(fixed 0)

  # A schema/ folder created after the first configure (issue 32): the build
  # notices it, says so, and the next build takes it as the declared schema.
  file(WRITE "${src}/schema/widgets.sql" "CREATE TABLE widgets (id int);\n")
  mt_build(appeared "${bin}" migrate STEP "build migrate once schema/ exists" CI unset)
  mt_expect_rc(appeared nonzero)
  mt_expect_contains(appeared "${src}/schema appeared: it is the declared schema of migrate"
                     "run the build again")
  mt_build(again "${bin}" migrate STEP "build migrate again" CI unset)
  mt_expect_rc(again 0)
  mt_run(cfgschema COMMAND "${bin}/migrate" config STEP "migrate config with schema/" CI unset)
  mt_expect_contains(cfgschema "${src}/schema")

  # A picture of the graph (issue 32): Mermaid text, and an SVG drawn by
  # Graphviz through migrate_graph_picture (here by a stand-in for dot that
  # copies its input, so that the pipeline is tested without Graphviz).
  mt_run(mermaid COMMAND "${bin}/migrate" history --format mermaid STEP "history --format mermaid" CI unset)
  mt_expect_rc(mermaid 0)
  mt_expect_contains(mermaid "flowchart BT" " --> ")
  set(fake_dot "${src}/fake-dot.sh")
  file(WRITE "${fake_dot}" "#!/bin/sh\n# dot -Tsvg -o OUT IN\ncp \"$4\" \"$3\"\n")
  file(CHMOD "${fake_dot}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  set(svg "${src}/generated/migrations.svg")
  mt_run(picture COMMAND "${CMAKE_COMMAND}" "-DRUNNER=${bin}/migrate" "-DOUTPUT=${svg}"
         "-DDOT=${fake_dot}" -P "${MIGRATION_TOOLS_ROOT}/cmake/templates/graph_picture.cmake"
         STEP "the graph picture script" CI unset)
  mt_expect_rc(picture 0)
  mt_check("the picture was written" EXISTS "${svg}")
  if(EXISTS "${svg}")
    file(READ "${svg}" drawn)
    mt_check("the picture was drawn from the DOT of history" drawn MATCHES "digraph migrations")
  endif()
  find_program(real_dot dot)
  mt_build(target "${bin}" migrate_graph_picture STEP "build migrate_graph_picture" CI unset)
  if(real_dot)
    mt_expect_rc(target 0)
  else()
    mt_expect_rc(target nonzero)
    mt_expect_contains(target "needs Graphviz's dot, which is not installed")
  endif()

  # add_migration_tests(migrate): ctest runs the round trips under CI, on a
  # cluster that its fixture starts and stops. The schema/ this case wrote
  # above differs from the migrations on purpose, so schema_matches runs and
  # must fail, saying why; every other test passes.
  mt_run(tests COMMAND "${CMAKE_COMMAND}" -E chdir "${bin}" ctest --output-on-failure
                       -R "^migrate[.]"
         STEP "ctest: the migration tests" CI 1)
  mt_expect_rc(tests 8)
  mt_expect_contains(tests "migrate.server_start" "migrate.single_head" "migrate.upgrade"
                     "migrate.stairway" "migrate.server_stop"
                     "the declared schema has changes that no migration makes"
                     "83% tests passed, 1 tests failed out of 6")
  string(REGEX MATCH "The following tests FAILED:[^\n]*\n[^\n]*" failed_list "${tests_out}")
  mt_check("schema_matches is the one test that failed" failed_list MATCHES "migrate[.]schema_matches")
  mt_expect_not_contains(tests "migrate.data")
  mt_run(status COMMAND "${bin}/migrate" dev-db status STEP "the tests' cluster is stopped" CI unset
         ENV "MIGRATION_TOOLS_DEV_DB_DIR=${bin}/_migration_tools/migrate-test-db")
  mt_expect_rc(status 3)
  mt_expect_contains(status "stopped")
endfunction()

# Without MIGRATION_TOOLS_SCANNER (as a consumer configures), add_migrations()
# builds the scanner from MigrationTools' sources in a nested build.
function(case_scanner_from_sources)
  mt_copy_project(unknown_header_key src)
  set(bin "${src}/build")
  set(scanner "${bin}/_migration_tools/scanner/migration_tools_scan")
  mt_configure(cfg "${src}" "${bin}" STEP "configure, building the scanner" CI unset OWN_SCANNER)
  mt_expect_rc(cfg nonzero)
  mt_expect_line(cfg "${src}/migrations/0002_users.sql:4: error: unknown header key 'author' (known keys: revision, down_revision, message, created, branch_labels, depends_on, transactional, lock_timeout, statement_timeout, empty, lint_ignore)")
  mt_expect_not_contains(cfg "Internal error")
  mt_expect_contains(cfg "-- MigrationTools: building the migration scanner")
  mt_check("the nested build made ${scanner}" EXISTS "${scanner}")
  # Fixed, the project configures with that scanner; it is not rebuilt.
  file(WRITE "${src}/migrations/0002_users.sql"
    "-- migrate:revision unk000000002\n-- migrate:down_revision unk000000001\n\n"
    "-- migrate:upgrade\nCREATE TABLE users (id int);\n")
  file(TIMESTAMP "${scanner}" built)
  mt_configure(ok "${src}" "${bin}" STEP "configure after the fix" CI 1 OWN_SCANNER)
  mt_expect_rc(ok 0)
  mt_expect_not_contains(ok "error:" "building the migration scanner")
  file(TIMESTAMP "${scanner}" again)
  mt_check("the scanner was not rebuilt (${built} -> ${again})" built STREQUAL again)
  # The nested build follows the parent (issue 19, item 3): another setting
  # makes it configure afresh with it; what compiles the same is not
  # compiled again.
  mt_configure(root "${src}" "${bin}" STEP "configure with an OPENSSL_ROOT_DIR" CI 1 OWN_SCANNER
               ARGS "-DOPENSSL_ROOT_DIR=/usr")
  mt_expect_rc(root 0)
  file(STRINGS "${bin}/_migration_tools/scanner/CMakeCache.txt" nested_root
       REGEX "^OPENSSL_ROOT_DIR")
  mt_check("the scanner's build took the parent's OPENSSL_ROOT_DIR: ${nested_root}"
           nested_root MATCHES "=/usr$")
  file(TIMESTAMP "${scanner}" kept)
  mt_check("the scanner was not compiled again (${built} -> ${kept})" built STREQUAL kept)
endfunction()

function(case_duplicate_revision)
  mt_expect_invalid_project(duplicate_revision
    "migrations/0003_second.sql:2: error: duplicate revision 'dup000000002' (also defined at migrations/0002_first.sql:1)")
endfunction()

function(case_missing_parent)
  mt_expect_invalid_project(missing_parent
    "migrations/0002_orphan.sql:3: error: revision 'deadbeef0000' referenced from 'mis000000002' is not present")
endfunction()

function(case_cycle)
  mt_expect_invalid_project(cycle
    "migrations/0001_a.sql:2: error: cycle between revisions 'cyc00000000b' -> 'cyc00000000c' -> 'cyc00000000a' -> 'cyc00000000b'")
endfunction()

function(case_unknown_header_key)
  mt_expect_invalid_project(unknown_header_key
    "migrations/0002_users.sql:4: error: unknown header key 'author' (known keys: revision, down_revision, message, created, branch_labels, depends_on, transactional, lock_timeout, statement_timeout, empty, lint_ignore)")
endfunction()

# Two heads: a warning without CI, an error with it, a merge through the
# migrate_merge target that makes a CI configure clean again, and an upgrade
# of a real database through both branches to the merge.
function(case_lint_in_the_build)
  mt_use_installed_package()
  mt_copy_project(lint src)
  set(bin "${src}/build")
  # (Up to the message's ';', which a CMake list would split at.)
  set(finding "${src}/migrations/0002_index_customers.sql:8:33: warning: index on orders is created without CONCURRENTLY: blocks writes to the table until the index is built")
  # WARN, the default: the finding in the build log, the build goes on.
  mt_configure(cfg "${src}" "${bin}" STEP "configure (LINT WARN by default)" CI unset)
  mt_expect_rc(cfg 0)
  mt_build(warn "${bin}" all STEP "build: the lint warns" CI unset)
  mt_expect_rc(warn 0)
  mt_expect_line(warn "${finding}")
  mt_expect_contains(warn "[require-concurrent-index-creation]")
  mt_build(again "${bin}" all STEP "build again: nothing changed, no lint" CI unset)
  mt_expect_rc(again 0)
  mt_expect_not_contains(again "warning:")
  # ERROR (CI's -DMIGRATIONS_LINT=ERROR): the same finding fails the build.
  mt_configure(strict "${src}" "${bin}" STEP "configure with -DMIGRATIONS_LINT=ERROR" CI 1
               ARGS -DMIGRATIONS_LINT=ERROR)
  mt_expect_rc(strict 0)
  mt_build(fail "${bin}" all STEP "build: the lint fails it" CI 1)
  mt_expect_rc(fail nonzero)
  mt_expect_line(fail "${finding}")
  # Silenced on its statement, the build passes under ERROR.
  file(READ "${src}/migrations/0002_index_customers.sql" text)
  string(REPLACE "CREATE INDEX" "-- lint:ignore require-concurrent-index-creation\nCREATE INDEX" text "${text}")
  file(WRITE "${src}/migrations/0002_index_customers.sql" "${text}")
  mt_build(quiet "${bin}" all STEP "build: the finding silenced" CI 1)
  mt_expect_rc(quiet 0)
  mt_expect_not_contains(quiet "warning:")
  mt_configure(bad "${src}" "${bin}" STEP "configure with LINT 'loud'" CI unset
               ARGS -DMIGRATIONS_LINT=loud)
  mt_expect_rc(bad nonzero)
  mt_expect_contains(bad "add_migrations(migrate): LINT is OFF, WARN or ERROR, not 'LOUD'")
endfunction()

function(case_two_heads)
  mt_use_installed_package()
  mt_copy_project(two_heads src)
  set(local "${src}/build")
  set(ci "${src}/build-ci")
  set(head_a "${src}/migrations/0002_add_orders.sql:1")
  set(head_b "${src}/migrations/0003_add_invoices.sql:1")
  set(what_a "divergent heads: revision 'orders000002' (add orders) is one of 2 heads")
  set(what_b "divergent heads: revision 'invoices0003' (add invoices) is one of 2 heads")

  mt_configure(w "${src}" "${local}" STEP "configure without CI" CI unset)
  mt_expect_rc(w 0)
  mt_expect_line(w
    "${head_a}: warning: ${what_a}"
    "${head_b}: warning: ${what_b}"
    "note: merge the heads with: MIGRATE_MESSAGE=\"merge heads\" cmake --build ${local} --target migrate_merge")
  mt_expect_message(w "CMake Warning" "add_migrations(migrate): the migrations have several heads.")
  mt_expect_not_contains(w "error:")

  # AUTO: CI=false is "not CI".
  mt_configure(f "${src}" "${local}" STEP "re-configure with CI=false" CI false)
  mt_expect_rc(f 0)
  mt_expect_line(f "${head_a}: warning: ${what_a}")
  mt_expect_not_contains(f "error:")

  mt_configure(e "${src}" "${ci}" STEP "configure with CI=1 (fresh build dir)" CI 1)
  mt_expect_rc(e nonzero)
  mt_expect_line(e
    "${head_a}: error: ${what_a}"
    "${head_b}: error: ${what_b}"
    "note: merge the heads with: MIGRATE_MESSAGE=\"merge heads\" cmake --build ${ci} --target migrate_merge")
  # Said in those words, with the ways out (issue 32), not "invalid".
  mt_expect_message(e "add_migrations(migrate): divergent heads: the migrations in ${src}/migrations have several heads"
    "MIGRATIONS_FAIL_ON_MULTIPLE_HEADS" "ALLOW_MULTIPLE_HEADS" "migrate_merge")
  mt_expect_not_contains(e "are invalid")
  mt_expect_not_contains(e "warning: divergent heads")

  # The cache variable overrides CI both ways.
  mt_configure(off "${src}" "${ci}" STEP "CI=1 with MIGRATIONS_FAIL_ON_MULTIPLE_HEADS=OFF" CI 1
               ARGS -DMIGRATIONS_FAIL_ON_MULTIPLE_HEADS=OFF)
  mt_expect_rc(off 0)
  mt_expect_line(off "${head_b}: warning: ${what_b}")
  mt_configure(on "${src}" "${ci}" STEP "no CI with MIGRATIONS_FAIL_ON_MULTIPLE_HEADS=ON" CI unset
               ARGS -DMIGRATIONS_FAIL_ON_MULTIPLE_HEADS=ON)
  mt_expect_rc(on nonzero)
  mt_expect_line(on "${head_b}: error: ${what_b}")

  # ALLOW_MULTIPLE_HEADS: intended branches, silent even under CI.
  mt_configure(allow "${src}" "${ci}" STEP "CI=1 with ALLOW_MULTIPLE_HEADS" CI 1
               ARGS -DMIGRATIONS_FAIL_ON_MULTIPLE_HEADS=AUTO -DFIXTURE_ALLOW_MULTIPLE_HEADS=ON)
  mt_expect_rc(allow 0)
  mt_expect_not_contains(allow "divergent heads" "CMake Warning")

  # Merge through the target the note names (builds the runner; no database).
  file(GLOB before "${src}/migrations/*")
  mt_build(merge "${local}" migrate_merge STEP "build migrate_merge" CI unset
           ENV "MIGRATE_MESSAGE=merge heads")
  mt_expect_rc(merge 0)
  # GRAPH_TEST: ctest alone fails on the runner's divergent heads, without a
  # database (issue 19, item 6).
  mt_run(graph COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir "${local}" --output-on-failure
         STEP "ctest with two heads" CI unset)
  mt_expect_rc(graph nonzero)
  mt_expect_contains(graph "migrate_graph" "problem: divergent heads:")
  file(GLOB after "${src}/migrations/*")
  list(REMOVE_ITEM after ${before})
  list(LENGTH after count)
  if(NOT count EQUAL 1)
    mt_fail(merge "expected one new file in ${src}/migrations, found ${count}: ${after}")
  endif()
  mt_expect_contains(merge "${after}")
  if(NOT after MATCHES "/[0-9]+_[0-9]+_[0-9a-f]+_merge_heads\\.sql$")
    mt_fail(merge "the merge migration is not named <date>_<time>_<revision>_merge_heads.sql: ${after}")
  endif()
  file(READ "${after}" merge_text)
  if(NOT merge_text MATCHES "-- migrate:revision ([A-Za-z0-9_]+)\n")
    message(FATAL_ERROR "FAILED: no revision in the merge migration:\n${merge_text}")
  endif()
  set(merge_rev "${CMAKE_MATCH_1}")
  string(FIND "${merge_text}" "-- migrate:down_revision orders000002, invoices0003\n" pos)
  mt_check("the merge migration's down_revision lists both heads:\n${merge_text}" NOT pos EQUAL -1)
  string(FIND "${merge_text}" "-- migrate:message merge heads\n" pos)
  mt_check("the merge migration has the message of MIGRATE_MESSAGE:\n${merge_text}" NOT pos EQUAL -1)
  mt_build(merged "${local}" migrate STEP "build migrate after the merge" CI unset)
  mt_expect_rc(merged 0)
  mt_run(graph2 COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir "${local}" --output-on-failure
         STEP "ctest after the merge" CI unset)
  mt_expect_rc(graph2 0)

  # Now a CI configure (the one that failed above) is clean.
  mt_configure(clean "${src}" "${ci}" STEP "configure with CI=1 after the merge" CI 1
               ARGS -DMIGRATIONS_FAIL_ON_MULTIPLE_HEADS=AUTO -DFIXTURE_ALLOW_MULTIPLE_HEADS=OFF)
  mt_expect_rc(clean 0)
  mt_expect_not_contains(clean "divergent heads" "error:" "warning:")

  # The runner picks the merge up on the next build (re-configure under CI=1).
  mt_build(heads "${local}" migrate_heads STEP "build migrate_heads after the merge" CI 1)
  mt_expect_rc(heads 0)
  mt_expect_line(heads "${merge_rev} (head)")
  mt_run(heads2 COMMAND "${local}/migrate" heads STEP "migrate heads" CI 1)
  mt_expect_rc(heads2 0)
  if(NOT heads2_out STREQUAL "${merge_rev} (head)\n")
    mt_fail(heads2 "expected exactly one head, '${merge_rev} (head)'")
  endif()

  # The database follows: one branch first (as a developer on that branch
  # would have), then migrate_upgrade reaches the merge, the single head.
  mt_fresh_database_url(mt_cmake_two_heads url)
  set(db_env "DATABASE_URL=${url}")
  mt_build(up1 "${local}" migrate_upgrade STEP "build migrate_upgrade to one branch" CI 1
           ENV ${db_env} "MIGRATE_TARGET=orders000002")
  mt_expect_rc(up1 0)
  mt_expect_contains(up1
    "upgrade to orders000002 (MIGRATE_TARGET)"
    "<base> -> base00000001, base"
    "base00000001 -> orders000002, add orders"
    "upgraded 2 migrations")
  mt_expect_not_contains(up1 "invoices0003")
  mt_build(up "${local}" migrate_upgrade STEP "build migrate_upgrade" CI 1 ENV ${db_env})
  mt_expect_rc(up 0)
  mt_expect_not_contains(up "$MIGRATE_TARGET")
  mt_expect_contains(up
    "upgrade to head (the default; MIGRATE_TARGET chooses another)"
    "base00000001 -> invoices0003, add invoices"
    "orders000002, invoices0003 -> ${merge_rev}, merge heads"
    "upgraded 2 migrations")
  mt_expect_not_contains(up "-> orders000002" "-> base00000001")
  mt_run(cur COMMAND "${local}/migrate" current STEP "migrate current" CI 1 ENV ${db_env})
  mt_expect_rc(cur 0)
  if(NOT cur_out MATCHES "(^|\n)${merge_rev} \\(head\\)\n")
    mt_fail(cur "expected the line '${merge_rev} (head)'")
  endif()
  mt_expect_not_contains(cur "orders000002" "invoices0003")
  if(PSQL)
    mt_run(rows COMMAND "${PSQL}" "${url}" -tAc
           "SELECT string_agg(version_num, ',') FROM migrate_version"
           STEP "psql: the version table" CI unset)
    mt_expect_rc(rows 0)
    if(NOT rows_out STREQUAL "${merge_rev}\n")
      mt_fail(rows "expected one version row, ${merge_rev}")
    endif()
    mt_run(tables COMMAND "${PSQL}" "${url}" -tAc
           "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE tablename IN ('customers', 'orders', 'invoices')"
           STEP "psql: the tables of both branches" CI unset)
    mt_expect_rc(tables 0)
    mt_expect_contains(tables "customers,invoices,orders")
  endif()
  mt_build(chk "${local}" migrate_check STEP "build migrate_check" CI 1 ENV ${db_env})
  mt_expect_rc(chk 0)
  mt_expect_contains(chk "ok: the graph is valid and the database is at ${merge_rev}")
endfunction()

# mt_expect_written(<prefix> <dir> <revision> <slug> <out_var> <line>...): the
# step wrote exactly one file <dir>/<date>_<time>_<revision>_<slug>.<sql|cpp>,
# printed its path, and each <line> is a whole line of it. Sets <out_var> to
# the file's path.
function(mt_expect_written prefix dir revision slug out_var)
  file(GLOB found "${dir}/*_${revision}_${slug}.sql" "${dir}/*_${revision}_${slug}.cpp")
  list(LENGTH found count)
  if(NOT count EQUAL 1)
    mt_fail(${prefix} "expected one file ${dir}/<date>_<time>_${revision}_${slug}.sql|cpp, found ${count}: ${found}")
  endif()
  if(NOT found MATCHES "/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9]_${revision}_${slug}\\.(sql|cpp)$")
    mt_fail(${prefix} "the file is not named YYYYMMDD_HHMMSS_${revision}_${slug}: ${found}")
  endif()
  mt_expect_line(${prefix} "${found}")
  file(READ "${found}" text)
  foreach(line IN LISTS ARGN)
    string(FIND "\n${text}" "\n${line}\n" pos)
    if(pos EQUAL -1)
      mt_fail(${prefix} "${found} has no line\n  ${line}\n----- it reads: -----\n${text}")
    endif()
  endforeach()
  set(${out_var} "${found}" PARENT_SCOPE)
endfunction()

# mt_expect_whole_line(<prefix> <line>): <line> is a whole line of the output.
# One line, which may hold semicolons (the list helpers above split there).
function(mt_expect_whole_line prefix line)
  string(FIND "\n${${prefix}_out}" "\n${ARGV1}\n" pos)
  if(pos EQUAL -1)
    mt_fail(${prefix} "no line of the output is:\n  ${ARGV1}")
  endif()
endfunction()

# mt_expect_usage_error(<prefix> <message>): exit code 2 and the line
# `migrate: error: <message>`.
function(mt_expect_usage_error prefix message)
  mt_expect_rc(${prefix} 2)
  mt_expect_whole_line(${prefix} "migrate: error: ${ARGV1}")
endfunction()

# The runner's `new` and `merge` with every option, on a copy of a project
# with two heads (a chain labelled `accounts` and a root labelled `lib`): the
# headers they write, their errors (exit code 2, nothing written), and that
# the next build embeds what they wrote.
function(case_authoring)
  mt_use_installed_package()
  mt_copy_project(authoring src)
  set(bin "${src}/build")
  set(dir "${src}/migrations")
  set(migrate "${bin}/migrate")
  mt_configure(cfg "${src}" "${bin}" STEP "configure" CI unset)
  mt_expect_rc(cfg 0)
  mt_build(build "${bin}" migrate STEP "build the runner" CI unset)
  mt_expect_rc(build 0)
  file(GLOB files_before "${dir}/*")

  # --- new: errors first; none of them writes a file.
  mt_run(several COMMAND "${migrate}" new -m "more" STEP "new with two heads, no --head" CI unset)
  mt_expect_usage_error(several
    "there are several heads ('auth00000003', 'lib000000001'); choose one with --head REV, or merge them first with 'merge heads'")
  mt_run(nonhead COMMAND "${migrate}" new -m "more" --head auth00000002 STEP "new --head on a non-head" CI unset)
  mt_expect_usage_error(nonhead
    "revision 'auth00000002' is not a head (its children: 'auth00000003'); a new migration on it starts a new branch: pass --splice to do that, or choose a head with --head")
  mt_run(nohead COMMAND "${migrate}" new -m "more" --head nosuch STEP "new --head on an unknown revision" CI unset)
  mt_expect_usage_error(nohead "no revision or branch label matches 'nosuch'")
  mt_run(heads COMMAND "${migrate}" new -m "more" --head heads STEP "new --head heads" CI unset)
  mt_expect_usage_error(heads
    "--head 'heads' names several revisions ('auth00000003', 'lib000000001'); give exactly one")
  mt_run(ambiguous COMMAND "${migrate}" new -m "more" --head base --depends-on auth0
         STEP "new --depends-on an ambiguous prefix" CI unset)
  mt_expect_usage_error(ambiguous
    "revision prefix 'auth0' is ambiguous; it matches 'auth00000001', 'auth00000002', 'auth00000003'")
  mt_run(nodep COMMAND "${migrate}" new -m "more" --head base --depends-on nosuch
         STEP "new --depends-on an unknown revision" CI unset)
  mt_expect_usage_error(nodep "no revision or branch label matches 'nosuch'")
  mt_run(deplabel COMMAND "${migrate}" new -m "more" --head base --depends-on base
         STEP "new --depends-on base" CI unset)
  mt_expect_usage_error(deplabel "--depends-on 'base': name a revision, a prefix of one or a branch label")
  mt_run(taken COMMAND "${migrate}" new -m "more" --head base --branch-label accounts
         STEP "new --branch-label that is taken" CI unset)
  mt_expect_usage_error(taken
    "branch label 'accounts' is already used by revision 'auth00000002' (migrations/0002_account_names.sql:3)")
  mt_run(revlabel COMMAND "${migrate}" new -m "more" --head base --branch-label lib000000001
         STEP "new --branch-label that is a revision id" CI unset)
  mt_expect_usage_error(revlabel
    "branch label 'lib000000001' is the id of revision 'lib000000001' (migrations/0004_library.sql); choose another label")
  mt_run(badlabel COMMAND "${migrate}" new -m "more" --head base --branch-label bad-label
         STEP "new --branch-label with a bad name" CI unset)
  mt_expect_usage_error(badlabel
    "malformed --branch-label 'bad-label': expected 1 to 64 characters of [A-Za-z0-9_]")
  mt_run(keyword COMMAND "${migrate}" new -m "more" --head base --branch-label heads
         STEP "new --branch-label heads" CI unset)
  mt_expect_usage_error(keyword "--branch-label 'heads' is a reserved word of revision identifiers")
  mt_run(dupid COMMAND "${migrate}" new -m "more" --head base --rev-id auth00000001
         STEP "new --rev-id that exists" CI unset)
  mt_expect_usage_error(dupid
    "revision 'auth00000001' already exists (migrations/0001_create_accounts.sql)")
  mt_run(nomsg COMMAND "${migrate}" new --head base STEP "new without -m" CI unset)
  mt_expect_usage_error(nomsg "a message is required: -m MESSAGE (for the targets: MIGRATE_MESSAGE=...)")

  # --- merge errors.
  mt_run(mnonhead COMMAND "${migrate}" merge auth00000002 lib -m "merge" STEP "merge a non-head" CI unset)
  mt_expect_usage_error(mnonhead
    "revision 'auth00000002' is not a head (its children: 'auth00000003'); merge heads only")
  mt_run(mone COMMAND "${migrate}" merge lib lib0 -m "merge" STEP "merge one revision twice" CI unset)
  mt_expect_usage_error(mone "a merge needs at least two revisions; only 'lib000000001' was given")
  mt_run(mnone COMMAND "${migrate}" merge -m "merge" STEP "merge without revisions" CI unset)
  mt_expect_usage_error(mnone "a merge needs at least two revisions; none were given (name them, or say heads)")
  mt_run(mlabel COMMAND "${migrate}" merge heads -m "merge" --branch-label lib STEP "merge --branch-label that is taken" CI unset)
  mt_expect_usage_error(mlabel
    "branch label 'lib' is already used by revision 'lib000000001' (migrations/0004_library.sql:3)")
  mt_run(mbadid COMMAND "${migrate}" merge heads -m "merge" --rev-id "not-an-id" STEP "merge --rev-id malformed" CI unset)
  mt_expect_usage_error(mbadid "malformed --rev-id 'not-an-id': expected 1 to 64 characters of [A-Za-z0-9_]")

  file(GLOB files_after_errors "${dir}/*")
  mt_check("the failed commands wrote nothing: ${files_after_errors}" files_before STREQUAL files_after_errors)

  # --- new and merge with each option. The runner is not rebuilt in
  # between: on a stale runner they read the migrations directory, so each
  # sees the files written before it.
  mt_run(splice COMMAND "${migrate}" new -m "Spliced in!" --head auth00000002 --splice --rev-id splice000001
         STEP "new --head <non-head> --splice" CI unset)
  mt_expect_rc(splice 0)
  mt_expect_written(splice "${dir}" splice000001 spliced_in f_splice
    "-- migrate:revision splice000001"
    "-- migrate:down_revision auth00000002"
    "-- migrate:message Spliced in!"
    "-- migrate:upgrade"
    "-- migrate:downgrade")
  mt_expect_whole_line(splice
    "note: 'splice000001' starts a new branch; the migrations will have 3 heads (with 'auth00000003', 'lib000000001'): merge them with 'merge heads', or pass ALLOW_MULTIPLE_HEADS to add_migrations()")

  mt_run(root COMMAND "${migrate}" new -m "reports" --head base --rev-id root00000001 --branch-label reports
         STEP "new --head base --branch-label" CI unset)
  mt_expect_rc(root 0)
  mt_expect_written(root "${dir}" root00000001 reports f_root
    "-- migrate:revision root00000001"
    "-- migrate:down_revision none"
    "-- migrate:branch_labels reports"
    "-- migrate:message reports")

  # The splice gave the branch 'accounts' a second head, which `new` sees.
  mt_run(twoheads COMMAND "${migrate}" new -m "x" --head accounts@head
         STEP "new --head label@head after the splice, without a rebuild" CI unset)
  mt_expect_rc(twoheads 2)
  mt_expect_contains(twoheads "note: the runner is older than its migrations directory"
    "'accounts@head' is ambiguous: branch 'accounts' has several heads ('auth00000003', 'splice000001')")

  mt_run(merge COMMAND "${migrate}" merge auth00000003 lib -m "merge accounts and lib" --rev-id merge0000001
         --branch-label merged STEP "merge REV REV --rev-id --branch-label" CI unset)
  mt_expect_rc(merge 0)
  mt_expect_written(merge "${dir}" merge0000001 merge_accounts_and_lib f_merge
    "-- migrate:revision merge0000001"
    "-- migrate:down_revision auth00000003, lib000000001"
    "-- migrate:branch_labels merged"
    "-- migrate:message merge accounts and lib")

  # --head by label@head (the merge just written); --depends-on by unique
  # prefix, branch label (the revision carrying it) and comma list, written
  # as full revision ids, once each.
  mt_run(deps COMMAND "${migrate}" new -m "with deps" --head merged@head --rev-id deps00000001
         --depends-on lib0 --depends-on accounts,lib
         STEP "new --depends-on (prefix, label, list)" CI unset)
  mt_expect_rc(deps 0)
  mt_expect_written(deps "${dir}" deps00000001 with_deps f_deps
    "-- migrate:revision deps00000001"
    "-- migrate:down_revision merge0000001"
    "-- migrate:depends_on lib000000001, auth00000002"
    "-- migrate:message with deps")

  # The next build embeds the four files: the heads are what they say.
  mt_build(rebuild "${bin}" migrate_heads STEP "build migrate_heads after new and merge" CI unset)
  mt_expect_rc(rebuild 0)
  mt_run(heads4 COMMAND "${migrate}" heads STEP "migrate heads" CI unset)
  mt_expect_rc(heads4 0)
  mt_expect_line(heads4 "splice000001 (head)" "root00000001 (reports) (head)" "deps00000001 (head)")
  mt_expect_not_contains(heads4 "auth00000003" "lib000000001" "merge0000001")
  mt_run(show COMMAND "${migrate}" --format json show deps00000001 STEP "migrate show deps00000001" CI unset)
  mt_expect_rc(show 0)
  # Both are below the parent, so the graph drops them (Alembic's normalisation).
  mt_expect_message(show "\"depends_on\": []" "\"down_revisions\": [ \"merge0000001\" ]")

  # merge heads with three heads, then new on the single head (a C++ migration).
  mt_run(mheads COMMAND "${migrate}" merge heads -m "merge all" --rev-id final0000001 STEP "merge heads" CI unset)
  mt_expect_rc(mheads 0)
  mt_expect_written(mheads "${dir}" final0000001 merge_all f_final "-- migrate:message merge all")
  # The heads in file order, which depends on the minute each file was written.
  file(READ "${f_final}" text)
  if(NOT text MATCHES "\n-- migrate:down_revision ([^\n]*)\n")
    mt_fail(mheads "no down_revision line in ${f_final}")
  endif()
  string(REPLACE ", " ";" parents "${CMAKE_MATCH_1}")
  list(SORT parents)
  list(JOIN parents "," parents)
  mt_check("merge heads names the three heads: ${CMAKE_MATCH_1}"
           parents STREQUAL "deps00000001,root00000001,splice000001")
  mt_build(rebuild2 "${bin}" migrate STEP "build migrate after merge heads" CI 1)
  mt_expect_rc(rebuild2 0)
  mt_expect_not_contains(rebuild2 "divergent heads")
  mt_run(cpp COMMAND "${migrate}" new -m "backfill" --cpp --rev-id cpp000000001 --branch-label backfill
         STEP "new --cpp on the single head" CI unset)
  mt_expect_rc(cpp 0)
  mt_expect_written(cpp "${dir}" cpp000000001 backfill f_cpp
    "// migrate:revision cpp000000001"
    "// migrate:down_revision final0000001"
    "// migrate:branch_labels backfill"
    "MIGRATION_UPGRADE(tx) {")
  mt_expect_not_contains(cpp "note:")
  mt_build(rebuild3 "${bin}" migrate STEP "build migrate with the C++ migration" CI 1)
  mt_expect_rc(rebuild3 0)
  mt_run(heads1 COMMAND "${migrate}" heads STEP "migrate heads at the end" CI unset)
  mt_expect_rc(heads1 0)
  if(NOT heads1_out STREQUAL "cpp000000001 (backfill) (head)\n" AND NOT heads1_out STREQUAL "cpp000000001 (head)\n")
    mt_fail(heads1 "expected exactly one head, cpp000000001")
  endif()
  # The merge target with one head: nothing to merge, nothing written, no failure.
  file(GLOB before "${dir}/*")
  mt_build(mergeone "${bin}" migrate_merge STEP "build migrate_merge with one head" CI unset
           ENV "MIGRATE_MESSAGE=merge heads")
  mt_expect_rc(mergeone 0)
  mt_expect_contains(mergeone "there is only one head, 'cpp000000001': nothing to merge")
  file(GLOB after "${dir}/*")
  mt_check("migrate_merge with one head wrote nothing" before STREQUAL after)
endfunction()

# add_migrations() with an unknown argument names the function and the argument.
function(case_add_migrations_unknown_argument)
  mt_copy_project(bad_arguments src)
  set(bin "${src}/build")
  # The fixture is valid when called right, so the failure below is the argument's.
  mt_configure(ok "${src}" "${bin}" STEP "configure, called right" CI unset ARGS -DFIXTURE_VARIANT=ok)
  mt_expect_rc(ok 0)
  mt_configure(bad "${src}" "${bin}" STEP "configure with an unknown argument" CI unset
               ARGS -DFIXTURE_VARIANT=unknown_argument)
  mt_expect_rc(bad nonzero)
  mt_expect_message(bad
    "CMake Error at "
    "add_migrations(migrate): unknown arguments: ALLOW_MULTIPLE_HEAD"
    "CMakeLists.txt:9 (add_migrations)")
endfunction()

# A DIRECTORY that does not exist (given, or the default migrations/) is a
# clear error naming the directory.
# Keyword values that CMake calls false, folders linked into the migrations
# directory (followed, a cycle and a second path to a file counted once),
# and a version table too long for PostgreSQL's names (issue 10, items 8
# and 9; issue 17, item 7).
function(case_add_migrations_keywords_and_links)
  mt_copy_project(bad_arguments src)
  set(bin "${src}/build")
  file(MAKE_DIRECTORY "${src}/off" "${src}/elsewhere")
  file(WRITE "${src}/off/0001_base.sql"
    "-- migrate:revision kw0000000001\n-- migrate:down_revision none\n\n"
    "-- migrate:upgrade\nCREATE TABLE kw (id int);\n")
  file(WRITE "${src}/elsewhere/0002_linked.sql"
    "-- migrate:revision kw0000000002\n-- migrate:down_revision kw0000000001\n\n"
    "-- migrate:upgrade\nALTER TABLE kw ADD COLUMN note text;\n")
  file(CREATE_LINK "../elsewhere" "${src}/off/linked" SYMBOLIC)
  file(CREATE_LINK "." "${src}/off/loop" SYMBOLIC)
  mt_configure(cfg "${src}" "${bin}" STEP "configure with false-looking keyword values" CI unset
               ARGS -Wno-dev -DFIXTURE_VARIANT=false_constants)
  mt_expect_rc(cfg 0)
  mt_expect_not_contains(cfg "error:")
  file(READ "${bin}/migrate_migrations/embedded.cpp" embedded)
  string(FIND "${embedded}" "kw0000000002" linked_at)
  mt_check("the migration in the linked folder is embedded" NOT linked_at EQUAL -1)
  string(FIND "${embedded}" "off/loop/" loop_at)
  mt_check("a file reached again through the link cycle is not embedded twice" loop_at EQUAL -1)
  file(READ "${bin}/migrate_migrations/settings.cpp" runner_main)
  string(FIND "${runner_main}" "\"no\"" table_at)
  mt_check("VERSION_TABLE no is the table 'no'" NOT table_at EQUAL -1)
  string(FIND "${runner_main}" "\"off\"" schema_at)
  mt_check("SCHEMA off is the schema 'off'" NOT schema_at EQUAL -1)

  mt_configure(long "${src}" "${bin}-long" STEP "configure with a 55-byte VERSION_TABLE" CI unset
               ARGS -DFIXTURE_VARIANT=long_version_table)
  mt_expect_rc(long nonzero)
  mt_expect_message(long
    "VERSION_TABLE 'a_version_table_whose_name_is_fifty_five_bytes_long_xyz' is 55 bytes long; at most 54 bytes")

  # A line break in a file name would split the scanner's list (and break
  # the generated build): refused before the scanner runs.
  file(WRITE "${src}/off/0003_two\nlines.sql"
    "-- migrate:revision kw0000000003\n-- migrate:down_revision kw0000000002\n\n"
    "-- migrate:upgrade\nSELECT 1;\n")
  mt_configure(ms "${src}" "${bin}-schema" STEP "configure with a missing SCHEMA_DIRECTORY" CI unset
               ARGS -DFIXTURE_VARIANT=missing_schema_directory)
  mt_expect_rc(ms nonzero)
  mt_expect_message(ms "add_migrations(migrate): the schema directory does not exist.")
  file(MAKE_DIRECTORY "${src}/declared")
  file(WRITE "${src}/declared/a.sql" "CREATE TABLE t (id int);\n/* never closed\n")
  # A declared file that would leave the transaction it is loaded in, or act
  # on the server's machine, is refused here, before anything of it runs.
  file(WRITE "${src}/declared/b.sql"
    "CREATE TABLE u (id int);\nCOMMIT;\nCOPY (SELECT 1) TO PROGRAM 'id';\n  savepoint s; release s;\n")
  mt_configure(bs "${src}" "${bin}-bad-schema" STEP "configure with a broken schema file" CI unset
               ARGS -DFIXTURE_VARIANT=bad_schema_file)
  mt_expect_rc(bs nonzero)
  mt_expect_line(bs "${src}/declared/a.sql:2: error: a comment, quoted string or dollar quote that is never closed")
  mt_expect_message(bs "${src}/declared/b.sql:2: error: COMMIT in a declared schema file")
  mt_expect_message(bs "${src}/declared/b.sql:3: error: COPY with PROGRAM in a declared schema file")
  mt_expect_message(bs "${src}/declared/b.sql:4: error: SAVEPOINT in a declared schema file")
  mt_expect_message(bs "${src}/declared/b.sql:4: error: RELEASE SAVEPOINT in a declared schema file")

  mt_configure(nl "${src}" "${bin}-newline" STEP "configure with a line break in a file name"
               CI unset ARGS -Wno-dev -DFIXTURE_VARIANT=false_constants)
  mt_expect_rc(nl nonzero)
  mt_expect_message(nl "0003_two\\nlines.sql:0: error: a migration file name cannot hold a line break")
endfunction()

function(case_add_migrations_missing_directory)
  mt_copy_project(bad_arguments src)
  set(bin "${src}/build")
  mt_configure(given "${src}" "${bin}" STEP "configure with a missing DIRECTORY" CI unset
               ARGS -DFIXTURE_VARIANT=missing_directory)
  mt_expect_rc(given nonzero)
  mt_expect_message(given
    "add_migrations(migrate): the migrations directory does not exist."
    "DIRECTORY: ${src}/db/migrations"
    "Create it (it may start empty).")
  mt_configure(default "${src}" "${bin}" STEP "configure without DIRECTORY and no migrations/" CI unset
               ARGS -DFIXTURE_VARIANT=missing_default_directory)
  mt_expect_rc(default nonzero)
  mt_expect_message(default
    "add_migrations(migrate): the migrations directory does not exist."
    "DIRECTORY: ${src}/migrations")
  # Creating the directory is all it takes: an empty one is valid.
  file(MAKE_DIRECTORY "${src}/migrations")
  mt_configure(empty "${src}" "${bin}" STEP "configure with an empty migrations/" CI 1
               ARGS -DFIXTURE_VARIANT=missing_default_directory)
  mt_expect_rc(empty 0)
  mt_expect_not_contains(empty "error:")
endfunction()

# Bad input: every malformed file is reported at file:line in one configure,
# and no runner is generated. The files with unusual bytes are written here
# (a header that is not UTF-8, binary junk with NUL bytes, an empty file, and
# CRLF line endings with a byte-order mark, whose line numbers must still be
# right). Without the bad files, the unusual but valid ones configure.
function(case_bad_input)
  mt_copy_project(bad_input src)
  set(dir "${src}/migrations")
  string(ASCII 233 latin1_e)
  string(ASCII 239 187 191 bom)
  file(WRITE "${dir}/0010_latin1_header.sql"
    "-- migrate:revision bad000000010\n-- migrate:down_revision bad000000001\n"
    "-- migrate:message caf${latin1_e} au lait\n\n-- migrate:upgrade\nSELECT 1;\n")
  # The first bytes of a PNG image: binary junk with NUL bytes on line 3.
  execute_process(COMMAND printf "\\211PNG\\r\\n\\032\\n\\000\\000\\000\\rIHDR\\000\\000\\001\\000"
                  OUTPUT_FILE "${dir}/0011_binary_junk.sql" RESULT_VARIABLE rc)
  mt_check("printf wrote the binary junk" rc EQUAL 0)
  file(WRITE "${dir}/0012_empty.sql" "")
  file(WRITE "${dir}/0013_bom_crlf_bad.sql"
    "${bom}-- migrate:revision bad000000013\r\n-- migrate:down_revision bad000000001\r\n"
    "-- migrate:transactional sometimes\r\n\r\n-- migrate:upgrade\r\nSELECT 1;\r\n")
  file(WRITE "${dir}/0014_bom_crlf_good.sql"
    "${bom}-- migrate:revision bad000000014\r\n-- migrate:down_revision bad000000001\r\n"
    "-- migrate:message BOM and CRLF, café ✓\r\n\r\n-- migrate:upgrade\r\nSELECT 1;\r\n")

  # What psql would read differently from the server, or what would end the
  # runner's transaction (issue 10, items 1, 3 and 10).
  string(ASCII 13 cr)
  set(hdr "-- migrate:down_revision bad000000001\n")
  file(WRITE "${dir}/0015_lone_cr.sql" "-- migrate:revision bad000000015\n${hdr}\n"
    "-- migrate:upgrade\nSELECT 1;\n-- note${cr}\\! touch /tmp/x\n")
  file(WRITE "${dir}/0016_cr_in_message.sql" "-- migrate:revision bad000000016\n${hdr}"
    "-- migrate:message a${cr}\\! id\n\n-- migrate:upgrade\nSELECT 1;\n")
  file(WRITE "${dir}/0017_meta_command.sql" "-- migrate:revision bad000000017\n${hdr}\n"
    "-- migrate:upgrade\nSELECT 1;\n\\i /etc/hostname\n")
  file(WRITE "${dir}/0018_open_comment.sql" "-- migrate:revision bad000000018\n${hdr}\n"
    "-- migrate:upgrade\nSELECT 1;\n/* never closed\n")
  file(WRITE "${dir}/0019_commit.sql" "-- migrate:revision bad000000019\n${hdr}\n"
    "-- migrate:upgrade\nCREATE TABLE c1 ();\nCOMMIT;\nCREATE TABLE c2 ();\n")
  file(WRITE "${dir}/0020_copy_stdin.sql" "-- migrate:revision bad000000020\n${hdr}\n"
    "-- migrate:upgrade\nCOPY t FROM stdin;\n")
  file(WRITE "${dir}/0021_grammar_word.sql" "-- migrate:revision heads\n${hdr}\n"
    "-- migrate:upgrade\nSELECT 1;\n")

  mt_configure(cfg "${src}" "${src}/build" STEP "configure with malformed migrations" CI unset)
  mt_expect_rc(cfg nonzero)
  mt_expect_line(cfg
    "${src}/migrations/0015_lone_cr.sql:6: error: a carriage return not followed by a line feed"
    "${src}/migrations/0016_cr_in_message.sql:3: error: a carriage return not followed by a line feed"
    "${src}/migrations/0017_meta_command.sql:6: error: a backslash outside a string or comment: psql would run it as a meta-command"
    "${src}/migrations/0018_open_comment.sql:6: error: a '/*' comment that is never closed in this section"
    "${src}/migrations/0019_commit.sql:6: error: COMMIT in the upgrade section of a transactional migration"
    "${src}/migrations/0020_copy_stdin.sql:5: error: COPY ... FROM STDIN in the upgrade section"
    "${src}/migrations/0021_grammar_word.sql:1: error: revision 'heads' is a word of the revision grammar")
  mt_expect_line(cfg
    "${src}/migrations/0002_revision_with_dash.sql:1: error: malformed revision 'bad-000000002': expected 1 to 64 characters of [A-Za-z0-9_]"
    "${src}/migrations/0003_revision_not_ascii.sql:1: error: malformed revision 'révision_3': expected 1 to 64 characters of [A-Za-z0-9_]"
    "${src}/migrations/0004_revision_too_long.sql:1: error: malformed revision 'a12345678901234567890123456789012345678901234567890123456789012345': expected 1 to 64 characters of [A-Za-z0-9_]"
    "${src}/migrations/0005_revision_with_quote.sql:2: error: malformed revision 'bad'0000 5': expected 1 to 64 characters of [A-Za-z0-9_]"
    "${src}/migrations/0006_malformed_values.sql:2: error: down_revision 'bad000000001' listed twice"
    "${src}/migrations/0006_malformed_values.sql:3: error: malformed created timestamp 'yesterday': expected ISO-8601, e.g. 2026-11-22T10:00:00Z"
    "${src}/migrations/0006_malformed_values.sql:4: error: malformed transactional value 'maybe': expected 'true' or 'false'"
    "${src}/migrations/0007_no_marker.sql:3: error: SQL before the '-- migrate:upgrade' marker"
    "${src}/migrations/0008_markers_out_of_order.sql:4: error: '-- migrate:downgrade' before any '-- migrate:upgrade' marker"
    "${src}/migrations/0008_markers_out_of_order.sql:6: error: '-- migrate:upgrade' must come before '-- migrate:downgrade'"
    "${src}/migrations/0009_no_revision.sql:2: error: unknown header key 'revison'"
    "${src}/migrations/0009_no_revision.sql:1: error: missing required header key '-- migrate:revision'"
    "${src}/migrations/0010_latin1_header.sql:3: error: the header is not valid UTF-8 (byte 0xE9 at column 23): save the file as UTF-8"
    "${src}/migrations/0011_binary_junk.sql:3: error: the file contains a NUL byte: a migration must be a UTF-8 text file"
    "${src}/migrations/0012_empty.sql:1: error: the file is empty: a migration needs a header with '-- migrate:revision' and '-- migrate:down_revision' and a '-- migrate:upgrade' section (the runner's `new` command, target <name>_new, writes one)"
    "${src}/migrations/0013_bom_crlf_bad.sql:3: error: malformed transactional value 'sometimes': expected 'true' or 'false'")
  mt_expect_whole_line(cfg
    "${src}/migrations/0008_markers_out_of_order.sql:8: error: header key 'message' after the header; move it above '-- migrate:upgrade'")
  mt_expect_not_contains(cfg "0001_base.sql" "0014_bom_crlf_good.sql" "Internal error" "${latin1_e}")
  mt_expect_message(cfg
    "add_migrations(migrate): the migrations in ${src}/migrations are invalid (see the errors above)."
    "-- Configuring incomplete, errors occurred!")
  mt_check("no build.ninja after a failed configure" NOT EXISTS "${src}/build/build.ninja")

  file(GLOB bad "${dir}/00*.sql")
  list(FILTER bad EXCLUDE REGEX "/(0001_base|0014_bom_crlf_good)\\.sql$")
  file(REMOVE ${bad})
  mt_configure(good "${src}" "${src}/build" STEP "configure with the valid files only" CI 1)
  mt_expect_rc(good 0)
  mt_expect_not_contains(good "error:" "warning:")
endfunction()

# The Alembic loop on a declared schema: edit schema/, `check` fails naming
# the change, build migrate_autogenerate, review, build migrate_upgrade,
# `check` passes; the downgrade of the generated migration restores the
# previous state.
function(case_autogenerate_workflow)
  mt_use_installed_package()
  mt_copy_project(autogenerate src)
  set(bin "${src}/build")
  mt_configure(cfg "${src}" "${bin}" STEP "configure" CI unset)
  mt_expect_rc(cfg 0)
  mt_fresh_database_url(mt_cmake_autogenerate url)
  # The scratch server is the test cluster, not a development cluster of its own.
  _mt_pg_url(postgres scratch)
  set(db_env "DATABASE_URL=${url}" "MIGRATE_DEV_URL=${scratch}")

  mt_build(up "${bin}" migrate_upgrade STEP "build migrate_upgrade" CI 1 ENV ${db_env})
  mt_expect_rc(up 0)
  mt_build(chk "${bin}" migrate_check STEP "migrate_check: the schema matches" CI 1 ENV ${db_env})
  mt_expect_rc(chk 0)
  mt_expect_contains(chk "ok: the graph is valid and the database is at a0000001")
  mt_build(none "${bin}" migrate_autogenerate STEP "migrate_autogenerate with no change" CI 1
           ENV ${db_env} "MIGRATE_MESSAGE=nothing")
  mt_expect_rc(none 0)
  mt_expect_contains(none "no changes detected")
  file(GLOB written "${src}/migrations/*.sql")
  list(LENGTH written count)
  mt_check("no migration written without a change" count EQUAL 1)

  # Clicked in an IDE's build panel, with no MIGRATE_MESSAGE anywhere, the
  # targets that write a migration still work (issue 32); the CMake cache's
  # MIGRATE_MESSAGE, editable in the IDE's settings, names it.
  mt_build(plain "${bin}" migrate_new STEP "migrate_new with no MIGRATE_MESSAGE" CI unset)
  mt_expect_rc(plain 0)
  file(GLOB written "${src}/migrations/*_new_migration.sql")
  list(LENGTH written count)
  mt_check("migrate_new wrote a 'new migration' file" count EQUAL 1)
  file(REMOVE ${written})
  mt_configure(cached "${src}" "${bin}" STEP "configure with MIGRATE_MESSAGE in the cache" CI unset
               ARGS "-DMIGRATE_MESSAGE=from the cache")
  mt_expect_rc(cached 0)
  mt_build(named "${bin}" migrate_new STEP "migrate_new with the cache's MIGRATE_MESSAGE" CI unset)
  mt_expect_rc(named 0)
  file(GLOB written "${src}/migrations/*_from_the_cache.sql")
  list(LENGTH written count)
  mt_check("migrate_new took the cache's message" count EQUAL 1)
  file(REMOVE ${written})
  mt_configure(uncached "${src}" "${bin}" STEP "configure with MIGRATE_MESSAGE emptied" CI unset
               ARGS "-DMIGRATE_MESSAGE=")
  mt_expect_rc(uncached 0)

  # Edit the declared schema: a new column, an index and a table.
  file(WRITE "${src}/schema/items.sql"
    "create table items (\n"
    "  id bigint generated always as identity primary key,\n"
    "  name text not null,\n"
    "  internal_description text\n"
    ");\n"
    "create index items_name on items (lower(name));\n")
  file(WRITE "${src}/schema/tags.sql"
    "create table tags (item bigint references items on delete cascade, tag text not null);\n")
  mt_build(drift "${bin}" migrate_check STEP "migrate_check: the schema has changes no migration makes" CI 1 ENV ${db_env})
  mt_expect_rc(drift nonzero)
  mt_expect_contains(drift "has changes no migration makes:"
    "added column 'public.items.internal_description'" "added table 'public.tags'"
    "--target migrate_autogenerate")

  mt_build(gen "${bin}" migrate_autogenerate STEP "build migrate_autogenerate" CI 1
           ENV ${db_env} "MIGRATE_MESSAGE=add description and tags")
  mt_expect_rc(gen 0)
  mt_expect_contains(gen "detected added column 'public.items.internal_description'"
    "detected added table 'public.tags'" "hazard: builds an index on public.items")
  # Two migrations (issue 31, item 2): the change in a transaction, then the
  # index on the existing table built CONCURRENTLY outside one.
  mt_expect_contains(gen "wrote the change as 2 migrations: the change, then online")
  file(GLOB written "${src}/migrations/*_add_description_and_tags.sql")
  list(LENGTH written count)
  mt_check("one transactional migration written" count EQUAL 1)
  file(READ "${written}" text)
  string(REGEX MATCH "-- migrate:revision ([0-9a-f]+)" _ "${text}")
  set(first_revision "${CMAKE_MATCH_1}")
  foreach(expected IN ITEMS
      "-- migrate:down_revision a0000001"
      "-- migrate:lock_timeout 5s"
      "ALTER TABLE public.items ADD COLUMN internal_description text;"
      "-- migrate:downgrade"
      "DROP TABLE public.tags;")
    string(FIND "${text}" "${expected}" at)
    mt_check("the migration holds '${expected}'" NOT at EQUAL -1)
  endforeach()
  string(FIND "${text}" "CREATE INDEX" at)
  mt_check("the transactional migration builds no index on items" at EQUAL -1)
  file(GLOB online "${src}/migrations/*_add_description_and_tags_online.sql")
  list(LENGTH online count)
  mt_check("one online migration written" count EQUAL 1)
  file(READ "${online}" text)
  foreach(expected IN ITEMS
      "-- migrate:down_revision ${first_revision}"
      "-- migrate:transactional false"
      "CREATE INDEX CONCURRENTLY items_name ON public.items USING btree (lower(name));"
      "DROP INDEX CONCURRENTLY public.items_name;")
    string(FIND "${text}" "${expected}" at)
    mt_check("the online migration holds '${expected}'" NOT at EQUAL -1)
  endforeach()

  mt_build(up2 "${bin}" migrate_upgrade STEP "build migrate_upgrade with the new migration" CI 1 ENV ${db_env})
  mt_expect_rc(up2 0)
  mt_expect_contains(up2 "add description and tags")
  mt_build(chk2 "${bin}" migrate_check STEP "migrate_check passes again" CI 1 ENV ${db_env})
  mt_expect_rc(chk2 0)
  # What autogenerate wrote is lint-clean (issue 34, item 3): CONCURRENTLY
  # outside a transaction, a lock_timeout where it locks, new tables exempt.
  mt_run(lint COMMAND "${bin}/migrate" lint --strict STEP "migrate lint --strict: autogenerate's output is clean" CI unset)
  mt_expect_rc(lint 0)
  mt_expect_contains(lint "0 errors and 0 warnings in 3 migrations")

  mt_run(down COMMAND "${bin}/migrate" downgrade -2 STEP "downgrade the two generated migrations" CI unset ENV ${db_env})
  mt_expect_rc(down 0)
  mt_run(back COMMAND "${bin}/migrate" diff migrations database STEP "diff migrations database after the downgrade" CI unset ENV ${db_env})
  mt_expect_rc(back 0)
  mt_expect_contains(back "ALTER TABLE public.items DROP COLUMN internal_description;")

  # migrate_dump writes the head state beside the migrations directory.
  mt_build(dump "${bin}" migrate_dump STEP "build migrate_dump" CI 1 ENV ${db_env})
  mt_expect_rc(dump 0)
  set(dumped "${src}/generated/schema.sql")
  mt_check("migrate_dump wrote ${dumped}" EXISTS "${dumped}")
  if(EXISTS "${dumped}")
    file(READ "${dumped}" text)
    string(FIND "${text}" "CREATE TABLE public.tags" at)
    mt_check("the dump holds the generated migration's table" NOT at EQUAL -1)
  endif()

  # The committed dump is checked (issue 32): check passes while it matches
  # the head state and fails, naming it and the target, once it does not.
  mt_build(up3 "${bin}" migrate_upgrade STEP "upgrade to head again" CI 1 ENV ${db_env})
  mt_expect_rc(up3 0)
  mt_build(chkdump "${bin}" migrate_check STEP "migrate_check with the dump committed" CI 1 ENV ${db_env})
  mt_expect_rc(chkdump 0)
  file(APPEND "${dumped}" "CREATE TABLE public.edited_by_hand (x int);\n")
  mt_build(stale "${bin}" migrate_check STEP "migrate_check with a stale dump" CI 1 ENV ${db_env})
  mt_expect_rc(stale nonzero)
  mt_expect_contains(stale "${dumped} does not match the schema the migrations make"
                     "--target migrate_dump")
  mt_run(dcheck COMMAND "${bin}/migrate" dump --check "${dumped}" STEP "dump --check of a stale dump"
         CI unset ENV ${db_env})
  mt_expect_rc(dcheck 3)
  mt_expect_contains(dcheck "does not match the schema the migrations make")
  mt_build(dump2 "${bin}" migrate_dump STEP "build migrate_dump again" CI 1 ENV ${db_env})
  mt_expect_rc(dump2 0)
  mt_build(chkdump2 "${bin}" migrate_check STEP "migrate_check with the dump written again" CI 1 ENV ${db_env})
  mt_expect_rc(chkdump2 0)
  mt_run(dcheck2 COMMAND "${bin}/migrate" dump --check "${dumped}" STEP "dump --check of the dump written again"
         CI unset ENV ${db_env})
  mt_expect_rc(dcheck2 0)

  # A schema file that fails to apply: file:line, exit 2, nothing written.
  file(WRITE "${src}/schema/tags.sql"
    "create table tags (item bigint references items on delete cascade, tag text not null);\n"
    "\n"
    "create index on tags (no_such_column);\n")
  mt_build(bad "${bin}" migrate_autogenerate STEP "migrate_autogenerate with a broken schema file" CI 1
           ENV ${db_env} "MIGRATE_MESSAGE=broken")
  mt_expect_rc(bad nonzero)
  mt_expect_contains(bad "schema/tags.sql:3: error: column \"no_such_column\" does not exist (SQLSTATE 42703)")
  file(GLOB written "${src}/migrations/*_broken.sql")
  list(LENGTH written count)
  mt_check("nothing written for a broken schema" count EQUAL 0)

  # A partition key cannot be altered (issue 31): the change is refused, with
  # what to do instead, and no migration is written that would leave it out.
  file(WRITE "${src}/schema/tags.sql"
    "create table tags (item bigint references items on delete cascade, tag text not null);\n")
  file(WRITE "${src}/schema/items.sql"
    "create table items (\n"
    "  id bigint generated always as identity primary key,\n"
    "  name text not null,\n"
    "  internal_description text\n"
    ") partition by range (id);\n"
    "create index items_name on items (lower(name));\n")
  mt_build(key "${bin}" migrate_autogenerate STEP "migrate_autogenerate with a changed partition key" CI 1
           ENV ${db_env} "MIGRATE_MESSAGE=repartition")
  mt_expect_rc(key nonzero)
  mt_expect_contains(key
    "error: the partition key of table 'public.items' changed (not partitioned -> RANGE (id))"
    "create the table under a new name" "nothing written")
  file(GLOB written "${src}/migrations/*_repartition*.sql")
  list(LENGTH written count)
  mt_check("nothing written for a refused change" count EQUAL 0)
endfunction()

# mt_build_consumer(<build dir> <how>): builds the consumer fixture (its
# application and runner), runs the application, which links a library and
# its migrations, and the runner.
function(mt_build_consumer bin how)
  mt_build(app "${bin}" all STEP "build the application and its runner ${how}" CI unset)
  mt_expect_rc(app 0)
  mt_run(run COMMAND "${bin}/app" STEP "run the application built ${how}" CI unset)
  mt_expect_rc(run 0)
  mt_expect_contains(run "checksum " "migrations of migrate in migrate_version")
  mt_run(heads COMMAND "${bin}/migrate" heads STEP "the runner built ${how}" CI unset)
  mt_expect_rc(heads 0)
  # c0115e000002 is a C++ migration built with the project's own library
  # (add_migrations LINK_LIBRARIES).
  mt_expect_contains(heads "c0115e000002 (head)")
  set(_mt_step ${_mt_step} PARENT_SCOPE)
endfunction()

# The build under test, installed into PACKAGE_PREFIX and found as a package
# by an application that links one of its libraries and adds a runner.
function(case_install_package)
  file(REMOVE_RECURSE "${PACKAGE_PREFIX}")
  mt_run(inst COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PACKAGE_PREFIX}"
         STEP "cmake --install the build under test" CI unset)
  mt_expect_rc(inst 0)
  foreach(file IN ITEMS lib/cmake/MigrationTools/MigrationToolsConfig.cmake
                        lib/cmake/MigrationTools/MigrationToolsConfigVersion.cmake
                        lib/cmake/MigrationTools/templates/runner_main.cpp.in
                        lib/cmake/MigrationTools/templates/front_runner_heap.cpp
                        libexec/MigrationTools/migration_tools_scan
                        include/migration_tools/runner.hpp lib/libmigration_tools_runner.a)
    mt_check("the package holds ${file}" EXISTS "${PACKAGE_PREFIX}/${file}")
  endforeach()

  mt_use_installed_package()
  mt_copy_project(consumer src)
  set(bin "${src}/build")
  mt_configure(cfg "${src}" "${bin}" STEP "configure with find_package(MigrationTools 0.1)" CI unset)
  mt_expect_rc(cfg 0)
  mt_expect_contains(cfg "fixture: found MigrationTools 0.1.")
  mt_build_consumer("${bin}" "on the package")

  mt_configure(newer "${src}" "${bin}-0.2" STEP "configure asking for version 0.2" CI unset
               ARGS -DFIXTURE_VERSION=0.2)
  mt_expect_rc(newer nonzero)
  mt_expect_contains(newer "compatible with requested version \"0.2\"" "MigrationToolsConfig.cmake, version: 0.1.0")
endfunction()

# FetchContent of a clone of this repository (its HEAD commit): the
# libraries are built from sources inside the application's build.
function(case_fetchcontent)
  find_program(git git)
  mt_check("git is installed" git)
  execute_process(COMMAND "${git}" -C "${MIGRATION_TOOLS_ROOT}" rev-parse HEAD
                  RESULT_VARIABLE rc OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "FAILED: ${MIGRATION_TOOLS_ROOT} is not a git clone; this case fetches from one")
  endif()
  mt_copy_project(consumer src)
  set(bin "${src}/build")
  mt_run(cfg STEP "configure with FetchContent from ${MIGRATION_TOOLS_ROOT}" CI unset
         COMMAND "${CMAKE_COMMAND}" -S "${src}" -B "${bin}" -G Ninja "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}"
                 "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DFIXTURE_CONSUME=fetchcontent
                 "-DFIXTURE_GIT_REPOSITORY=${MIGRATION_TOOLS_ROOT}" "-DFIXTURE_GIT_TAG=${head}"
                 "-DMIGRATION_TOOLS_SCANNER=${SCANNER}")
  mt_expect_rc(cfg 0)
  mt_build_consumer("${bin}" "from the fetched sources")
  mt_check("the fetched project has no tests of its own" NOT EXISTS "${bin}/_deps/migrationtools-build/tests")
  # Built without sanitizers, the runner users run is linked lean
  # (_migration_tools_lean_runner): libc alone to bind at start. The heads
  # above hashed every file in it (MIGRATION_TOOLS_CHECK_EMBEDDED_HEADERS), on
  # the static libcrypto.
  find_program(readelf readelf)
  execute_process(COMMAND "${readelf}" -d "${bin}/migrate" OUTPUT_VARIABLE dynamic)
  mt_check("the runner users run loads no libpq, libstdc++ or libcrypto"
           NOT dynamic MATCHES "libpq|libstdc|libcrypto")
  mt_check("the online runner is built beside it" EXISTS "${bin}/migrate-online")
  # Neither is position-independent: no relocation of the embedded catalog.
  execute_process(COMMAND "${readelf}" -h "${bin}/migrate" OUTPUT_VARIABLE front_header)
  execute_process(COMMAND "${readelf}" -h "${bin}/migrate-online" OUTPUT_VARIABLE online_header)
  mt_check("the runner users run is no PIE" front_header MATCHES "Type: +EXEC")
  mt_check("the online runner is no PIE" online_header MATCHES "Type: +EXEC")
  # Its allocator (cmake/templates/front_runner_heap.cpp) replaces operator
  # new in it, and in it only.
  find_program(nm nm)
  execute_process(COMMAND "${nm}" --defined-only "${bin}/migrate" OUTPUT_VARIABLE front_symbols)
  execute_process(COMMAND "${nm}" --defined-only "${bin}/migrate-online" OUTPUT_VARIABLE online_symbols)
  mt_check("the runner users run defines operator new (the huge-page block)" front_symbols MATCHES " T _Znwm\n")
  mt_check("the online runner keeps libstdc++'s operator new" NOT online_symbols MATCHES " T _Znwm\n")
endfunction()

# Migration file names CMake cannot carry through its lists and build files
# (issue 19, item 4): each is refused at `file:0:` before the CONFIGURE_DEPENDS
# glob records it, so that the build works again once it is renamed.
function(case_odd_file_names)
  mt_copy_project(odd_names src)
  set(bin "${src}/build")
  set(body "-- migrate:revision odd000000002\n-- migrate:down_revision odd000000001\n\n"
           "-- migrate:upgrade\nSELECT 1;\n")
  foreach(name IN ITEMS "0002_semi[;]colon" "0002_double\"quote" "0002_brace\${HOME}")
    # (The brackets keep the ';' from splitting this list; they are not in the name.)
    string(REPLACE "[;]" ";" name "${name}")
    set(file "${src}/migrations/${name}.sql")
    file(WRITE "${file}" ${body})
    mt_configure(cfg "${src}" "${bin}" STEP "configure with the file ${name}.sql" CI unset)
    mt_expect_rc(cfg nonzero)
    # (Not mt_expect_line, whose list of texts would split at the ';'.)
    string(FIND "\n${cfg_out}" "\n${file}:0: error: a migration file name cannot hold" at)
    if(at EQUAL -1)
      mt_fail(cfg "no line starts with ${file}:0: error:")
    endif()
    file(REMOVE "${file}")
  endforeach()
  mt_configure(cfg "${src}" "${bin}" STEP "configure once the files are gone" CI unset)
  mt_expect_rc(cfg 0)
  # build.ninja depends on CMake's check of the CONFIGURE_DEPENDS globs.
  mt_build(check "${bin}" build.ninja STEP "the glob check of the next build" CI unset)
  mt_expect_rc(check 0)

  # A scanner that cannot run here (built for another machine, say) is
  # reported as that, not as invalid migrations (issue 19, item 2).
  file(WRITE "${WORK}/foreign_scanner" "not a program for this machine\n")
  file(CHMOD "${WORK}/foreign_scanner" PERMISSIONS OWNER_READ OWNER_EXECUTE)
  mt_configure(foreign "${src}" "${bin}-foreign" OWN_SCANNER
               ARGS "-DMIGRATION_TOOLS_SCANNER=${WORK}/foreign_scanner"
               STEP "configure with a scanner that cannot run" CI unset)
  mt_expect_rc(foreign nonzero)
  mt_expect_message(foreign "the migration scanner ${WORK}/foreign_scanner cannot run here")
  mt_expect_not_contains(foreign "are invalid")
endfunction()

# Ninja Multi-Config in a build directory with a space and a '$' (issue 19,
# items 1 and 5): the Release runner's stale hint names its configuration and
# quotes the directory for a shell, and the development database starts
# under that directory (cmake.multi_config_stop_dev_db stops it).
function(case_multi_config)
  mt_use_installed_package()
  mt_copy_project(odd_names src)
  set(bin "${src}/build $dir")
  mt_configure(cfg "${src}" "${bin}" GENERATOR "Ninja Multi-Config"
               STEP "configure with Ninja Multi-Config" CI unset)
  mt_expect_rc(cfg 0)
  mt_run(build STEP "build the Release runner" CI unset
         COMMAND "${CMAKE_COMMAND}" --build "${bin}" --config Release --target migrate)
  mt_expect_rc(build 0)
  file(WRITE "${src}/migrations/0002_more.sql"
    "-- migrate:revision odd000000002\n-- migrate:down_revision odd000000001\n\n"
    "-- migrate:upgrade\nSELECT 1;\n")
  mt_run(heads STEP "heads of the stale Release runner" CI unset
         COMMAND "${bin}/Release/migrate" heads)
  mt_expect_rc(heads 0)
  mt_expect_contains(heads "odd000000001 (head)"
    "rebuild it: cmake --build '${bin}' --config Release --target migrate")
  mt_run(rebuild STEP "rebuild the Release runner" CI unset
         COMMAND "${CMAKE_COMMAND}" --build "${bin}" --config Release --target migrate)
  mt_expect_rc(rebuild 0)
  mt_run(up STEP "upgrade on the development database under the odd path" CI unset
         COMMAND "${bin}/Release/migrate" upgrade)
  mt_expect_rc(up 0)
  mt_expect_contains(up "using the development database" "upgraded 2 migrations")
  mt_run(stop STEP "stop the development database" CI unset
         COMMAND "${bin}/Release/migrate" dev-db stop)
  mt_expect_rc(stop 0)
endfunction()

# Cross-compiling (issue 19, items 2 and 3): a toolchain file whose compiler
# is the target's (here a wrapper that logs its use). The scanner, which runs
# at configure time, is built with the host's compiler; the run targets
# refuse to run the target's runner here without an emulator, and put the
# emulator in front of it with one.
function(case_cross_compiling)
  mt_copy_project(odd_names src)
  set(bin "${src}/build")
  set(wrapper "${WORK}/target-c++")
  file(WRITE "${wrapper}" "#!/bin/sh\necho \"$*\" >> \"$0.log\"\nexec ${CXX_COMPILER} \"$@\"\n")
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  file(WRITE "${WORK}/toolchain.cmake"
    "set(CMAKE_SYSTEM_NAME Linux)\nset(CMAKE_SYSTEM_PROCESSOR fixture_target)\n"
    "set(CMAKE_CXX_COMPILER \"${wrapper}\")\n")
  set(args "-DCMAKE_TOOLCHAIN_FILE=${WORK}/toolchain.cmake"
           "-DMIGRATION_TOOLS_HOST_CXX_COMPILER=${CXX_COMPILER}")
  mt_configure(cfg "${src}" "${bin}" OWN_SCANNER TOOLCHAIN_COMPILER ARGS ${args}
               STEP "configure with a cross-compiling toolchain" CI unset)
  mt_expect_rc(cfg 0)
  file(STRINGS "${bin}/_migration_tools/scanner/CMakeCache.txt" scanner_compiler
       REGEX "^CMAKE_CXX_COMPILER:")
  mt_check("the scanner is built with the host's compiler, not the target's: ${scanner_compiler}"
           NOT scanner_compiler MATCHES "target-c\\+\\+")
  file(READ "${wrapper}.log" wrapper_log)
  mt_check("the project itself is configured with the target's compiler" wrapper_log)
  mt_check("the target's compiler compiled nothing of the scanner:\n${wrapper_log}"
           NOT wrapper_log MATCHES "scanner")
  mt_build(heads "${bin}" migrate_heads STEP "migrate_heads without an emulator" CI unset)
  mt_expect_rc(heads nonzero)
  mt_expect_contains(heads "cannot run on this machine: set CMAKE_CROSSCOMPILING_EMULATOR")

  mt_configure(emu "${src}" "${bin}" OWN_SCANNER TOOLCHAIN_COMPILER
               ARGS ${args} "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/env"
               STEP "configure with an emulator" CI unset)
  mt_expect_rc(emu 0)
  execute_process(COMMAND "${MAKE_PROGRAM}" -C "${bin}" -t commands migrate_heads
                  OUTPUT_VARIABLE commands RESULT_VARIABLE rc)
  mt_check("ninja lists the commands of migrate_heads" rc EQUAL 0)
  mt_check("migrate_heads runs the runner through the emulator:\n${commands}"
           commands MATCHES "/usr/bin/env [^\n]*/migrate --from-env heads")
endfunction()

# `cmake --install` of a tree that is configured but not (fully) built, as
# right after the quick start, which builds the demo runner alone (issue 32,
# defect 8): it fails before copying anything, with the command that fixes it.
function(case_install_unbuilt)
  set(bin "${WORK_ROOT}/install_unbuilt/build")
  set(prefix "${WORK_ROOT}/install_unbuilt/prefix")
  mt_configure(cfg "${MIGRATION_TOOLS_ROOT}" "${bin}" STEP "configure MigrationTools itself"
               CI unset ARGS -DMIGRATION_TOOLS_TESTS=OFF -DMIGRATION_TOOLS_DEMO=OFF)
  mt_expect_rc(cfg 0)
  mt_run(inst COMMAND "${CMAKE_COMMAND}" --install "${bin}" --prefix "${prefix}"
         STEP "cmake --install before building" CI unset)
  mt_expect_rc(inst nonzero)
  mt_expect_message(inst "MigrationTools is not fully built, so nothing was installed"
    "libmigration_tools_sql_check.a" "cmake --build ${bin}")
  file(GLOB_RECURSE installed "${prefix}/*")
  list(LENGTH installed count)
  mt_check("nothing was installed" count EQUAL 0)
endfunction()

# ---------------------------------------------------------------------------

if(NOT COMMAND case_${CASE})
  message(FATAL_ERROR "run_fixture.cmake: unknown CASE '${CASE}'")
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/logs")
cmake_language(CALL case_${CASE})
message(STATUS "${CASE}: all checks passed")

