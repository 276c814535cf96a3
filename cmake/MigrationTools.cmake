#[=======================================================================[.rst:
MigrationTools
--------------

Database migrations as part of the build: discovers migration files,
validates their revision graph at configure time, and builds a runner
executable with every migration embedded, plus targets that run it.

.. command:: add_migrations

  ::

    add_migrations(<name>
                   [DIRECTORY <dir>]
                   [DATABASE_URL <url>]
                   [SCHEMA <schema>]
                   [VERSION_TABLE <table>]
                   [SCHEMA_DIRECTORY <dir>]
                   [ALLOW_MULTIPLE_HEADS])

  ``DIRECTORY``
    Where the migrations are; every ``*.sql`` and ``*.cpp`` below it
    (recursively) is one. Default: ``${CMAKE_CURRENT_SOURCE_DIR}/migrations``.
  ``DATABASE_URL``
    Database of the targets when neither ``--url`` nor the ``DATABASE_URL``
    environment variable names one. Without any, the runner uses the
    embedded development database under the build tree.
  ``SCHEMA``
    Schema of the bookkeeping tables. Default: ``public``.
  ``VERSION_TABLE``
    The version table; the history table is ``<table>_history``.
    Default: ``<name>_version``.
  ``SCHEMA_DIRECTORY``
    The declared schema: every ``*.sql`` below it, in sorted path order,
    says what the database should be now (for autogenerate). The files are
    embedded in the runner and covered by its stale check. Default:
    ``${CMAKE_CURRENT_SOURCE_DIR}/schema`` when that folder exists, else none.
  ``LINK_LIBRARIES``
    Targets the C++ migrations link (the project's own libraries and their
    headers); linked into ``<name>-online`` and ``<name>::migrations``.
  ``ALLOW_MULTIPLE_HEADS``
    Several heads are intended (labelled branches): no warning, no error.
  ``LINT``
    ``OFF``, ``WARN`` (default) or ``ERROR``: the target ``<name>_lint``
    (part of ``ALL``) runs ``<name> lint`` whenever a migration changes and
    prints ``file:line:col: warning: ... [rule]`` lines; with ``ERROR`` any
    finding fails the build. Without ``LINT``, the cache variable
    ``MIGRATIONS_LINT`` decides (``-DMIGRATIONS_LINT=ERROR`` for CI).
  ``GRAPH_TEST``
    Adds the CTest test ``<name>_graph`` (``<name> check --offline``: the
    graph alone, no database), so that ``ctest`` fails on divergent heads;
    needs ``enable_testing()``. With a committed ``generated/schema.sql``
    beside the migrations directory, also ``<name>_schema_dump`` (``<name>
    dump --check``), which fails when the file no longer matches the head
    state (it needs a scratch server, as ``dump`` does).

  Configure fails with ``file:line: error: ...`` diagnostics for malformed
  headers, duplicate revisions, missing parents and cycles. Several heads are
  an error when the cache variable ``MIGRATIONS_FAIL_ON_MULTIPLE_HEADS`` is
  ``ON``, a warning when it is ``OFF``; its default, ``AUTO``, means ``ON``
  exactly when the environment variable ``CI`` is set (as CI services do).

  Creates the executables ``<name>`` and ``<name>-online`` (which ``<name>``
  runs for the commands that need the database), and the targets ``<name>_upgrade``,
  ``<name>_downgrade``, ``<name>_current``, ``<name>_history``,
  ``<name>_heads``, ``<name>_check``, ``<name>_new``, ``<name>_merge`` and
  ``<name>_stamp``, and for autogenerate ``<name>_autogenerate``,
  ``<name>_diff`` and ``<name>_dump`` (which writes ``generated/schema.sql``
  beside the migrations directory); they read ``MIGRATE_TARGET``, ``MIGRATE_MESSAGE`` and
  ``DATABASE_URL`` from the environment::

    add_migrations(migrate DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/migrations)
    # cmake --build build --target migrate_upgrade
    # MIGRATE_MESSAGE="add users" cmake --build build --target migrate_new

.. command:: add_migration_tests

  ::

    add_migration_tests(<name> [PREFIX <prefix>] [DEV_URL <url>] [DATA <dir>])

  Registers CTest tests of the migrations of runner ``<name>`` (needs
  ``enable_testing()``), each ``<name> test <kind>`` on a scratch database it
  creates and drops: ``<prefix>single_head``, ``<prefix>upgrade``,
  ``<prefix>stairway`` (every revision upgraded, downgraded and upgraded
  again, the catalog compared), ``<prefix>data`` with ``DATA``,
  ``<prefix>schema_matches`` with a declared schema and
  ``<prefix>dump_current`` with a committed ``generated/schema.sql``.
  ``PREFIX`` defaults to ``<name>.``. The scratch server is ``DEV_URL``, else
  a cluster of the tests' own under the build tree that the CTest fixture
  ``<prefix>server_start`` / ``<prefix>server_stop`` starts and stops.
  ``DATA`` is a folder of ``<revision>.seed.sql`` and
  ``<revision>.check.sql`` files. A stairway stopped by an irreversible
  migration is reported as skipped (exit code 77).

#]=======================================================================]
include_guard(GLOBAL)

# The source lists, for building the scanner from sources. An installed
# package has no sources: it brings its scanner built (MigrationToolsConfig).
include(${CMAKE_CURRENT_LIST_DIR}/MigrationToolsSources.cmake OPTIONAL)

set(MIGRATIONS_FAIL_ON_MULTIPLE_HEADS "AUTO" CACHE STRING
    "Fail configure on divergent migration heads: ON, OFF, or AUTO (ON when the CI environment variable is set)")
set_property(CACHE MIGRATIONS_FAIL_ON_MULTIPLE_HEADS PROPERTY STRINGS AUTO ON OFF)
# What the targets that write a migration or take a revision use when the
# environment variable of the same name is not set: editable in an IDE's CMake
# settings, so that a target clicked in its build panel has what it needs.
set(MIGRATE_MESSAGE "" CACHE STRING
    "Message of the migration <name>_new, _merge and _autogenerate write when the MIGRATE_MESSAGE environment variable is not set (empty: a plain one)")
set(MIGRATE_TARGET "" CACHE STRING
    "Revision of <name>_upgrade, _downgrade, _stamp and _merge when the MIGRATE_TARGET environment variable is not set")
set(MIGRATION_TOOLS_SCANNER "" CACHE FILEPATH
    "A prebuilt migration_tools_scan; empty: build it from the MigrationTools sources")
mark_as_advanced(MIGRATION_TOOLS_SCANNER)

# Whether divergent heads fail this configure run.
function(_migration_tools_fail_on_heads out_var)
  set(mode "${MIGRATIONS_FAIL_ON_MULTIPLE_HEADS}")
  string(TOUPPER "${mode}" mode)
  if(mode STREQUAL "AUTO" OR mode STREQUAL "")
    set(ci "$ENV{CI}")
    string(TOLOWER "${ci}" ci)
    if(ci STREQUAL "" OR ci STREQUAL "0" OR ci STREQUAL "false" OR ci STREQUAL "no" OR ci STREQUAL "off")
      set(${out_var} OFF PARENT_SCOPE)
    else()
      set(${out_var} ON PARENT_SCOPE)
    endif()
  elseif(mode)
    set(${out_var} ON PARENT_SCOPE)
  else()
    set(${out_var} OFF PARENT_SCOPE)
  endif()
endfunction()

# Builds the scanner once per configure run (an up-to-date build is a no-op).
function(_migration_tools_scanner out_var)
  if(MIGRATION_TOOLS_SCANNER)
    set(${out_var} "${MIGRATION_TOOLS_SCANNER}" PARENT_SCOPE)
    return()
  endif()
  get_property(built GLOBAL PROPERTY _MIGRATION_TOOLS_SCANNER_PATH)
  if(built)
    set(${out_var} "${built}" PARENT_SCOPE)
    return()
  endif()
  if(NOT EXISTS "${_MIGRATION_TOOLS_ROOT}/cmake/scanner/CMakeLists.txt")
    message(FATAL_ERROR "add_migrations(): no migration scanner: neither MIGRATION_TOOLS_SCANNER "
                        "nor the MigrationTools sources (${_MIGRATION_TOOLS_ROOT}) are there")
  endif()
  set(bin "${CMAKE_BINARY_DIR}/_migration_tools/scanner")
  if(NOT EXISTS "${bin}/migration_tools_scan" AND NOT EXISTS "${bin}/Release/migration_tools_scan")
    # The first configure compiles it, which takes a while: say so.
    message(STATUS "MigrationTools: building the migration scanner (once per build tree, "
                   "about 25 s)")
  endif()
  # The scanner runs here, at configure time: it is built for this machine.
  # It follows the parent's compiler, prefix path, toolchain file and flags
  # (so that dependencies found through a package manager are found there
  # too), and is configured afresh when they change. Cross-compiling, the
  # parent's compiler and toolchain are the target's: the scanner takes
  # MIGRATION_TOOLS_HOST_CXX_COMPILER (default: c++ on PATH) and
  # MIGRATION_TOOLS_HOST_PREFIX_PATH instead.
  if(CMAKE_CROSSCOMPILING)
    if(NOT MIGRATION_TOOLS_HOST_CXX_COMPILER)
      find_program(MIGRATION_TOOLS_HOST_CXX_COMPILER NAMES c++ g++ clang++ NO_CMAKE_FIND_ROOT_PATH
                   DOC "The compiler of the migration scanner, which runs on this machine")
    endif()
    string(REPLACE ";" "\\;" prefix "${MIGRATION_TOOLS_HOST_PREFIX_PATH}")
    set(settings "-DCMAKE_CXX_COMPILER=${MIGRATION_TOOLS_HOST_CXX_COMPILER}"
                 "-DCMAKE_PREFIX_PATH=${prefix}")
  else()
    # (A list stays one argument with its ';' escaped.)
    string(REPLACE ";" "\\;" prefix "${CMAKE_PREFIX_PATH}")
    set(settings "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
                 "-DCMAKE_PREFIX_PATH=${prefix}"
                 "-DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE}"
                 "-DOPENSSL_ROOT_DIR=${OPENSSL_ROOT_DIR}"
                 "-DCMAKE_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 "-DCMAKE_EXE_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}")
  endif()
  string(REPLACE ";" "\n" settings_text "${settings}")
  set(stamp "${bin}/parent-settings.txt")
  set(previous "")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" previous)
  endif()
  if(NOT previous STREQUAL settings_text)
    # A compiler cannot change in an existing cache: start it afresh, with
    # the compiler detected again. The objects stay: what did not change
    # (the same compile commands) is not compiled again.
    file(GLOB detected "${bin}/CMakeFiles/[0-9]*")
    file(REMOVE_RECURSE "${bin}/CMakeCache.txt" ${detected})
  endif()
  if(NOT EXISTS "${bin}/CMakeCache.txt")
    set(args -S "${_MIGRATION_TOOLS_ROOT}/cmake/scanner" -B "${bin}" -G "${CMAKE_GENERATOR}"
        -DCMAKE_BUILD_TYPE=Release ${settings})
    if(CMAKE_MAKE_PROGRAM)
      list(APPEND args "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} ${args}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "Internal error: configuring the migration scanner failed.\n"
                          "  Directory: ${bin}\n  Output:\n${out}")
    endif()
    file(WRITE "${stamp}" "${settings_text}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build "${bin}" --config Release
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Internal error: building the migration scanner failed.\n"
                        "  Directory: ${bin}\n  Output:\n${out}")
  endif()
  # A changed scanner (an updated MigrationTools) writes other sources: its
  # own sources re-run configure, as the migration files do.
  file(GLOB headers "${_MIGRATION_TOOLS_ROOT}/include/migration_tools/core/*.hpp"
       "${_MIGRATION_TOOLS_ROOT}/src/scanner/*.hpp")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${MIGRATION_TOOLS_SCANNER_SOURCES}
               ${headers} "${_MIGRATION_TOOLS_ROOT}/include/migration_tools/embedded.hpp")
  set(path "${bin}/migration_tools_scan")
  if(NOT EXISTS "${path}" AND EXISTS "${bin}/Release/migration_tools_scan")
    set(path "${bin}/Release/migration_tools_scan")
  endif()
  set_property(GLOBAL PROPERTY _MIGRATION_TOOLS_SCANNER_PATH "${path}")
  set(${out_var} "${path}" PARENT_SCOPE)
endfunction()

# A CMake string as a C++ string literal.
function(_migration_tools_c_string out_var value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  set(${out_var} "\"${value}\"" PARENT_SCOPE)
endfunction()

# The runner users run starts for every `heads`, so it is linked to start
# fast where the toolchain allows: not position-independent (its embedded
# catalog then needs no relocation at start), with libstdc++ and libcrypto
# static (no symbols to bind). The online runner is only not
# position-independent (11,700 relocations of its catalog at 1,000
# migrations, 2 ms of every `current`): libpqxx, which it loads, needs the
# shared libstdc++. Neither under sanitizers, whose runtimes load the shared
# libstdc++ themselves.
function(_migration_tools_lean_runner target online_target)
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux" OR NOT CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang)$")
    return()
  endif()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  set(flags "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${config}} ${CMAKE_EXE_LINKER_FLAGS}")
  get_target_property(core MigrationTools::core ALIASED_TARGET)
  if(NOT core)
    set(core MigrationTools::core)
  endif()
  get_target_property(exported ${core} INTERFACE_LINK_OPTIONS)
  get_target_property(own ${core} LINK_OPTIONS)
  if("${flags} ${exported} ${own}" MATCHES "-fsanitize")
    return()
  endif()
  target_link_options(${target} PRIVATE -no-pie -static-libstdc++ -static-libgcc)
  # Its C++ allocations on one huge page (the file says why). Not under
  # sanitizers, which replace operator new themselves.
  target_sources(${target} PRIVATE "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/templates/front_runner_heap.cpp")
  set_target_properties(${target} PROPERTIES MIGRATION_TOOLS_LEAN_RUNNER ON)
  target_link_options(${online_target} PRIVATE -no-pie)
endfunction()

# Names CMake cannot carry through its lists and build files: a ';' splits one
# file into two list entries, a '"' breaks the CONFIGURE_DEPENDS check of
# every later build (even after a rename), and '${' sends ninja round in
# circles. Refused at `file:0:` before the CONFIGURE_DEPENDS glob records them.
function(_migration_tools_refuse_file_names directory what)
  _migration_tools_refuse_pattern("${directory}" "${what}" "*[;]*"
                                  "';' (CMake splits a list there)")
  _migration_tools_refuse_pattern("${directory}" "${what}" "*\"*"
                                  "'\"' (it breaks CMake's check of the glob)")
  _migration_tools_refuse_pattern("${directory}" "${what}" "*[$]{*"
                                  "'$' followed by '{' (CMake and ninja read a variable there)")
endfunction()

function(_migration_tools_refuse_pattern directory what pattern reason)
  file(GLOB_RECURSE found FOLLOW_SYMLINKS "${directory}/${pattern}.sql" "${directory}/${pattern}.cpp")
  if(found)
    # The raw value (a ';' in the name shows as it is), unindented so that
    # IDEs and CI link `file:0:`.
    message(NOTICE "${found}:0: error: a ${what} file name cannot hold ${reason}; rename the file")
    message(FATAL_ERROR "add_migrations(): a ${what} file name that CMake cannot carry (see the "
                        "error above).")
  endif()
endfunction()

# The target <name>_<command>: runs the runner with ARGN. Cross-compiled, the
# runner runs here through CMAKE_CROSSCOMPILING_EMULATOR, which CMake puts in
# front of it; without one the target fails saying so, rather than running
# whatever else is called <name>.
function(_migration_tools_run_target name command comment)
  if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
    string(CONCAT why "${name}_${command}: the runner ${name} is built for ${CMAKE_SYSTEM_NAME} "
           "(cross-compiling) and cannot run on this machine: set CMAKE_CROSSCOMPILING_EMULATOR, "
           "or run it where it was built for")
    add_custom_target(${name}_${command}
      COMMAND "${CMAKE_COMMAND}" -E echo "${why}"
      COMMAND "${CMAKE_COMMAND}" -E false
      VERBATIM)
  else()
    add_custom_target(${name}_${command}
      COMMAND ${name} ${ARGN}
      WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
      COMMENT "${comment}"
      USES_TERMINAL VERBATIM)
  endif()
  set_target_properties(${name}_${command} PROPERTIES FOLDER "migrations/${name}")
endfunction()

function(add_migrations name)
  list(APPEND CMAKE_MESSAGE_CONTEXT "add_migrations")
  # The caller's directory may not see _MIGRATION_TOOLS_ROOT (it is a directory
  # variable of MigrationTools' own CMakeLists.txt after add_subdirectory()).
  get_filename_component(_MIGRATION_TOOLS_ROOT "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/.." ABSOLUTE)
  cmake_parse_arguments(PARSE_ARGV 1 arg "ALLOW_MULTIPLE_HEADS;GRAPH_TEST"
                        "DIRECTORY;DATABASE_URL;SCHEMA;VERSION_TABLE;SCHEMA_DIRECTORY;LINT"
                        "LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS ", " unknown)
    message(FATAL_ERROR "add_migrations(${name}): unknown arguments: ${unknown}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "add_migrations(${name}): the name must be a C identifier "
                        "([A-Za-z_][A-Za-z0-9_]*); it names the runner and its targets")
  endif()
  if(NOT TARGET MigrationTools::runner)
    message(FATAL_ERROR "add_migrations(${name}): the target MigrationTools::runner does not "
                        "exist; add MigrationTools with find_package(MigrationTools CONFIG) or "
                        "add_subdirectory() first")
  endif()
  # Keywords are tested with DEFINED: a value such as "off" or "no" is a
  # directory or table name, not false.
  foreach(keyword IN ITEMS DIRECTORY SCHEMA VERSION_TABLE SCHEMA_DIRECTORY)
    if(DEFINED arg_${keyword} AND arg_${keyword} STREQUAL "")
      message(FATAL_ERROR "add_migrations(${name}): ${keyword} needs a value")
    endif()
  endforeach()
  # The keywords the caller gave, for `config` to tell them from defaults.
  set(passed_keywords "")
  foreach(keyword IN ITEMS DIRECTORY DATABASE_URL SCHEMA VERSION_TABLE SCHEMA_DIRECTORY)
    if(DEFINED arg_${keyword})
      string(APPEND passed_keywords "${keyword} ")
    endif()
  endforeach()
  if(NOT DEFINED arg_DIRECTORY)
    set(arg_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/migrations")
  endif()
  get_filename_component(directory "${arg_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${directory}")
    message(FATAL_ERROR "add_migrations(${name}): the migrations directory does not exist.\n"
                        "  DIRECTORY: ${directory}\n"
                        "Create it (it may start empty).")
  endif()
  if(NOT DEFINED arg_SCHEMA)
    set(arg_SCHEMA public)
  endif()
  if(NOT DEFINED arg_LINT)
    # The cache's MIGRATIONS_LINT (-DMIGRATIONS_LINT=ERROR on a CI's command
    # line), else WARN.
    set(arg_LINT "${MIGRATIONS_LINT}")
    if(arg_LINT STREQUAL "")
      set(arg_LINT WARN)
    endif()
  endif()
  string(TOUPPER "${arg_LINT}" arg_LINT)
  if(NOT arg_LINT MATCHES "^(OFF|WARN|ERROR)$")
    message(FATAL_ERROR "add_migrations(${name}): LINT is OFF, WARN or ERROR, not '${arg_LINT}'")
  endif()
  # The declared schema: given, or schema/ beside the caller when it exists.
  set(schema_directory "")
  if(DEFINED arg_SCHEMA_DIRECTORY)
    get_filename_component(schema_directory "${arg_SCHEMA_DIRECTORY}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${schema_directory}")
      message(FATAL_ERROR "add_migrations(${name}): the schema directory does not exist.\n"
                          "  SCHEMA_DIRECTORY: ${schema_directory}")
    endif()
  elseif(IS_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/schema"
         AND NOT directory STREQUAL "${CMAKE_CURRENT_SOURCE_DIR}/schema")
    set(schema_directory "${CMAKE_CURRENT_SOURCE_DIR}/schema")
  endif()
  if(NOT DEFINED arg_VERSION_TABLE)
    set(arg_VERSION_TABLE "${name}_version")
  endif()
  # PostgreSQL cuts names to 63 bytes: a longer version table would share its
  # truncated name with its _history and _progress tables.
  string(LENGTH "${arg_SCHEMA}" schema_bytes)
  string(LENGTH "${arg_VERSION_TABLE}" table_bytes)
  if(schema_bytes GREATER 63)
    message(FATAL_ERROR "add_migrations(${name}): SCHEMA '${arg_SCHEMA}' is ${schema_bytes} "
                        "bytes long; PostgreSQL names hold at most 63 bytes")
  endif()
  if(table_bytes GREATER 54)
    message(FATAL_ERROR "add_migrations(${name}): VERSION_TABLE '${arg_VERSION_TABLE}' is "
                        "${table_bytes} bytes long; at most 54 bytes, so that "
                        "'${arg_VERSION_TABLE}_progress' fits PostgreSQL's 63-byte names")
  endif()

  # Discovery: CONFIGURE_DEPENDS re-runs configure when a file is added or
  # removed, and each file in CMAKE_CONFIGURE_DEPENDS when one is edited.
  # Symbolic links to folders are followed (CMake's glob stops at a cycle);
  # the scanner counts a file reached by two paths once.
  _migration_tools_refuse_file_names("${directory}" migration)
  file(GLOB_RECURSE files FOLLOW_SYMLINKS CONFIGURE_DEPENDS
       "${directory}/*.sql" "${directory}/*.cpp")
  list(SORT files)
  # A line break in a name would split the list the scanner reads.
  foreach(file IN LISTS files)
    if(file MATCHES "[\r\n]")
      string(REPLACE "\n" "\\n" shown "${file}")
      string(REPLACE "\r" "\\r" shown "${shown}")
      message(FATAL_ERROR "${shown}:0: error: a migration file name cannot hold a line break or "
                          "carriage return; rename the file")
    endif()
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files})

  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}_migrations")
  file(MAKE_DIRECTORY "${out}")
  list(JOIN files "\n" listing)
  file(WRITE "${out}/files.txt" "${listing}\n")
  set(schema_files "")
  if(schema_directory)
    _migration_tools_refuse_file_names("${schema_directory}" schema)
    file(GLOB_RECURSE schema_files FOLLOW_SYMLINKS CONFIGURE_DEPENDS "${schema_directory}/*.sql")
    list(SORT schema_files)
    foreach(file IN LISTS schema_files)
      if(file MATCHES "[\r\n;]")
        message(FATAL_ERROR "${file}:0: error: a schema file name cannot hold a line break, "
                            "a carriage return or ';'; rename the file")
      endif()
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schema_files})
  endif()
  list(JOIN schema_files "\n" schema_listing)
  file(WRITE "${out}/schema_files.txt" "${schema_listing}\n")

  _migration_tools_scanner(scanner)
  if(NOT EXISTS "${scanner}")
    message(FATAL_ERROR "add_migrations(${name}): the migration scanner is missing: ${scanner}\n"
                        "Reinstall MigrationTools, or set MIGRATION_TOOLS_SCANNER to a built "
                        "migration_tools_scan.")
  endif()
  _migration_tools_fail_on_heads(fail_on_heads)
  # The build directory as a shell reads it back, for the hint users paste.
  set(_mt_shell_build_dir "${CMAKE_BINARY_DIR}")
  if(NOT _mt_shell_build_dir MATCHES "^[A-Za-z0-9_./:=@%+,-]+$")
    string(REPLACE "'" "'\\''" _mt_shell_build_dir "${_mt_shell_build_dir}")
    set(_mt_shell_build_dir "'${_mt_shell_build_dir}'")
  endif()
  set(scan_args --name "${name}" --list "${out}/files.txt" --schema-list "${out}/schema_files.txt"
      --out-dir "${out}"
      --source-root "${CMAKE_SOURCE_DIR}" --directory "${directory}"
      --merge-command "MIGRATE_MESSAGE=\"merge heads\" cmake --build ${_mt_shell_build_dir} --target ${name}_merge")
  if(schema_directory)
    list(APPEND scan_args --schema-directory "${schema_directory}")
  elseif(NOT DEFINED arg_SCHEMA_DIRECTORY
         AND NOT directory STREQUAL "${CMAKE_CURRENT_SOURCE_DIR}/schema")
    # schema/ created after this configure: the build notices it.
    list(APPEND scan_args --awaited-schema-directory "${CMAKE_CURRENT_SOURCE_DIR}/schema")
  endif()
  if(fail_on_heads)
    list(APPEND scan_args --fail-on-multiple-heads)
  endif()
  if(arg_ALLOW_MULTIPLE_HEADS)
    list(APPEND scan_args --allow-multiple-heads)
  endif()
  execute_process(COMMAND "${scanner}" ${scan_args}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE diagnostics ERROR_VARIABLE diagnostics)
  string(STRIP "${diagnostics}" diagnostics)
  if(NOT rc MATCHES "^[0-9]+$" OR rc GREATER 3)
    # Not a verdict on the migrations: the scanner did not run (built for
    # another machine, say) or crashed.
    message(FATAL_ERROR "add_migrations(${name}): the migration scanner ${scanner} cannot run "
                        "here (${rc}). It runs at configure time, on this machine: when "
                        "cross-compiling, build it for the host (MIGRATION_TOOLS_HOST_CXX_COMPILER) "
                        "or set MIGRATION_TOOLS_SCANNER to one built for the host.\n${diagnostics}")
  endif()
  if(rc EQUAL 3)
    # Valid files whose graph has divergent heads, which fail under CI.
    message(NOTICE "${diagnostics}")
    message(FATAL_ERROR "add_migrations(${name}): divergent heads: the migrations in "
                        "${directory} have several heads, which fail this configure "
                        "(MIGRATIONS_FAIL_ON_MULTIPLE_HEADS is ON, or AUTO with the CI "
                        "environment variable set). Merge them with the command above "
                        "(target ${name}_merge), or pass ALLOW_MULTIPLE_HEADS to "
                        "add_migrations() if the branches are intended.")
  elseif(NOT rc EQUAL 0)
    # Diagnostics go out unindented so that IDEs and CI link `file:line:`.
    message(NOTICE "${diagnostics}")
    message(FATAL_ERROR "add_migrations(${name}): the migrations in ${directory} are invalid "
                        "(see the errors above).")
  elseif(diagnostics)
    message(NOTICE "${diagnostics}")
    message(WARNING "add_migrations(${name}): the migrations have several heads. Merge them, "
                    "or pass ALLOW_MULTIPLE_HEADS if the branches are intended. With the "
                    "environment variable CI set, this is an error.")
  endif()
  include("${out}/scan.cmake")
  # A build notices an edit by its modification time alone, which `cp -p`,
  # `rsync -t` and `touch -r` keep, while the runner, which compares the
  # files' status change times and bytes, would call itself stale and name a
  # rebuild that did nothing. So every build asks the scanner, which stats
  # each file against the last scan (sources.state: inode, size, both times)
  # and scans again only when one differs. embedded.cpp and the snapshots are
  # its byproducts: with ninja's restat, the runner is rebuilt only when the
  # scan changed them.
  add_custom_command(OUTPUT "${out}/sources.check"
    BYPRODUCTS "${out}/embedded.cpp" ${_mt_snapshots}
    COMMAND "${scanner}" ${scan_args} --refresh
    VERBATIM)
  set_source_files_properties("${out}/sources.check" PROPERTIES SYMBOLIC TRUE)
  add_custom_target(${name}_sources DEPENDS "${out}/sources.check")
  set_target_properties(${name}_sources PROPERTIES FOLDER "migrations/${name}")

  # The runner: generated main, embedded files, and the C++ migrations, each
  # compiled on its own with its revision as namespace.
  _migration_tools_c_string(_mt_c_name "${name}")
  _migration_tools_c_string(_mt_c_url "${arg_DATABASE_URL}")
  _migration_tools_c_string(_mt_c_schema "${arg_SCHEMA}")
  _migration_tools_c_string(_mt_c_version_table "${arg_VERSION_TABLE}")
  _migration_tools_c_string(_mt_c_directory "${directory}")
  _migration_tools_c_string(_mt_c_source_root "${CMAKE_SOURCE_DIR}")
  _migration_tools_c_string(_mt_c_dev_db_dir "${CMAKE_BINARY_DIR}/_migration_tools/dev-db")
  _migration_tools_c_string(_mt_c_build_dir "${CMAKE_BINARY_DIR}")
  _migration_tools_c_string(_mt_c_schema_dir "${schema_directory}")
  _migration_tools_c_string(_mt_c_passed_keywords "${passed_keywords}")
  set(_mt_name "${name}")
  if(arg_ALLOW_MULTIPLE_HEADS)
    set(_mt_allow_multiple_heads true)
  else()
    set(_mt_allow_multiple_heads false)
  endif()
  set(templates "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/templates")
  set(_mt_entry run_runner_front)
  configure_file("${templates}/runner_main.cpp.in" "${out}/main.cpp" @ONLY)
  set(_mt_entry run_runner)
  configure_file("${templates}/runner_main.cpp.in" "${out}/online_main.cpp" @ONLY)
  configure_file("${templates}/runner_settings.cpp.in" "${out}/settings.cpp" @ONLY)
  configure_file("${templates}/migrations_catalog.cpp.in" "${out}/catalog.cpp" @ONLY)
  configure_file("${templates}/migrations.hpp.in" "${out}/include/${name}/migrations.hpp" @ONLY)

  # The embedded files and the runner's settings, which both runner
  # executables link.
  add_library(${name}_catalog STATIC "${out}/settings.cpp" "${out}/embedded.cpp")
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    # So that the runner's hints name the configuration to rebuild.
    set_source_files_properties("${out}/settings.cpp" PROPERTIES
      COMPILE_DEFINITIONS "MIGRATION_TOOLS_BUILD_CONFIG=\"$<CONFIG>\"")
  endif()
  target_include_directories(${name}_catalog PUBLIC "${out}/include")
  target_link_libraries(${name}_catalog PUBLIC MigrationTools::runner)
  set_target_properties(${name}_catalog PROPERTIES FOLDER "migrations/${name}")
  add_dependencies(${name}_catalog ${name}_sources)

  # <name>::migrations: the embedded migrations, for an application that
  # migrates itself (<name>/migrations.hpp). An object library, so that every
  # C++ migration's registration is linked, referenced or not.
  add_library(${name}_migrations OBJECT "${out}/catalog.cpp" ${_mt_cpp_files})
  add_library(${name}::migrations ALIAS ${name}_migrations)
  target_link_libraries(${name}_migrations PUBLIC ${name}_catalog)
  # What C++ migrations need of the project itself (its headers, its
  # libraries); the runner users run links none of it.
  if(arg_LINK_LIBRARIES)
    target_link_libraries(${name}_migrations PUBLIC ${arg_LINK_LIBRARIES})
  endif()
  set_target_properties(${name}_migrations PROPERTIES FOLDER "migrations/${name}")

  # The runner is two executables: <name>-online answers every command;
  # <name>, the one users run, answers those that need no database (heads,
  # history, show, new, --sql, ...) and executes <name>-online for the
  # others. It links no C++ migration and, with --as-needed, does not load
  # libpq, whose libraries take most of a `heads` to bind.
  add_executable(${name}_online "${out}/online_main.cpp")
  target_link_libraries(${name}_online PRIVATE ${name}_migrations)
  set_target_properties(${name}_online PROPERTIES OUTPUT_NAME "${name}-online"
                                                  FOLDER "migrations/${name}")
  add_executable(${name} "${out}/main.cpp")
  target_link_libraries(${name} PRIVATE ${name}_catalog)
  target_link_options(${name} PRIVATE "LINKER:--as-needed")
  _migration_tools_lean_runner(${name} ${name}_online)
  add_dependencies(${name} ${name}_online)
  if(arg_GRAPH_TEST)
    # `ctest` alone fails on divergent heads (where enable_testing() is on).
    add_test(NAME ${name}_graph COMMAND ${name} --color never check --offline)
    # A committed schema dump is kept true too (it needs a scratch server:
    # the development database, or MIGRATE_DEV_URL under CI).
    get_filename_component(_mt_committed_dump "${directory}/../generated/schema.sql" ABSOLUTE)
    if(EXISTS "${_mt_committed_dump}")
      add_test(NAME ${name}_schema_dump
               COMMAND ${name} --color never dump --check "${_mt_committed_dump}")
    endif()
  endif()
  # The .incbin'd snapshots (the scanned bytes) are dependencies the compiler
  # cannot report.
  set_source_files_properties("${out}/embedded.cpp" PROPERTIES OBJECT_DEPENDS "${_mt_snapshots}")
  foreach(file revision IN ZIP_LISTS _mt_cpp_files _mt_cpp_revisions)
    set_source_files_properties("${file}" PROPERTIES COMPILE_DEFINITIONS
      "MIGRATION_TOOLS_REVISION=\"${revision}\";MIGRATION_TOOLS_NAMESPACE=migration_tools_cpp_${revision}")
  endforeach()
  set_target_properties(${name} PROPERTIES FOLDER "migrations/${name}"
                        MIGRATION_TOOLS_DIRECTORY "${directory}"
                        MIGRATION_TOOLS_DECLARED_SCHEMA "${schema_files}")

  # The lint (src/core/lint) when a migration or the runner changes: its
  # findings are compiler-style lines in the build log, which IDEs link to
  # the file; LINT ERROR fails the build on any of them (for CI).
  if(NOT arg_LINT STREQUAL "OFF" AND NOT (CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR))
    set(_mt_lint_mode --warn-only)
    if(arg_LINT STREQUAL "ERROR")
      set(_mt_lint_mode --strict)
    endif()
    add_custom_command(OUTPUT "${out}/lint.stamp"
      COMMAND ${name} --color never -q lint --absolute-paths ${_mt_lint_mode}
      COMMAND "${CMAKE_COMMAND}" -E touch "${out}/lint.stamp"
      DEPENDS ${name} ${files}
      COMMENT "Linting the migrations of ${name} (LINT ${arg_LINT})"
      VERBATIM)
    add_custom_target(${name}_lint ALL DEPENDS "${out}/lint.stamp")
    set_target_properties(${name}_lint PROPERTIES FOLDER "migrations/${name}")
  endif()

  set(commands upgrade downgrade current history heads check new merge stamp)
  # The cache's MIGRATE_MESSAGE and MIGRATE_TARGET, only when set (an empty
  # argument would not survive every generator).
  set(_mt_defaults "")
  if(NOT MIGRATE_MESSAGE STREQUAL "")
    list(APPEND _mt_defaults "--default-message=${MIGRATE_MESSAGE}")
  endif()
  if(NOT MIGRATE_TARGET STREQUAL "")
    list(APPEND _mt_defaults "--default-target=${MIGRATE_TARGET}")
  endif()
  # (A COMMENT is fixed when the build files are written: the runner itself
  # says which target it took from MIGRATE_TARGET.)
  set(comment_upgrade "Upgrading the database (MIGRATE_TARGET, default head)")
  set(comment_downgrade "Downgrading the database (MIGRATE_TARGET, default -1)")
  foreach(command IN LISTS commands)
    set(comment "${comment_${command}}")
    if(NOT comment)
      set(comment "Running ${name} ${command}")
    endif()
    _migration_tools_run_target(${name} ${command} "${comment}" --from-env ${_mt_defaults}
                                ${command})
  endforeach()
  # Autogenerate: the migration between the head state and the declared
  # schema; the SQL of that difference; the head state as one file.
  get_filename_component(_mt_dump "${directory}/../generated/schema.sql" ABSOLUTE)
  set(_mt_autogenerate_args --from-env ${_mt_defaults} new --autogenerate)
  set(_mt_diff_args diff)
  set(_mt_dump_args dump --output "${_mt_dump}")
  set(_mt_autogenerate_comment "Writing a migration from the declared schema (MIGRATE_MESSAGE)")
  set(_mt_diff_comment "Comparing the migrations' head state with the declared schema")
  set(_mt_dump_comment "Writing the migrations' head state to ${_mt_dump}")
  foreach(command IN ITEMS autogenerate diff dump)
    _migration_tools_run_target(${name} ${command} "${_mt_${command}_comment}"
                                ${_mt_${command}_args})
  endforeach()
  # The revision graph as generated/migrations.svg, drawn by Graphviz.
  get_filename_component(_mt_picture "${directory}/../generated/migrations.svg" ABSOLUTE)
  if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
    _migration_tools_run_target(${name} graph_picture "" history)
  else()
    add_custom_target(${name}_graph_picture
      COMMAND "${CMAKE_COMMAND}" "-DRUNNER=$<TARGET_FILE:${name}>" "-DOUTPUT=${_mt_picture}"
              -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/templates/graph_picture.cmake"
      DEPENDS ${name}
      COMMENT "Drawing the revision graph into ${_mt_picture}"
      VERBATIM)
    set_target_properties(${name}_graph_picture PROPERTIES FOLDER "migrations/${name}")
  endif()
endfunction()

# add_migration_tests(<name> [PREFIX <p>] [DEV_URL <url>] [DATA <dir>])
function(add_migration_tests name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PREFIX;DEV_URL;DATA" "")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS ", " unknown)
    message(FATAL_ERROR "add_migration_tests(${name}): unknown arguments: ${unknown}")
  endif()
  if(NOT TARGET ${name})
    message(FATAL_ERROR "add_migration_tests(${name}): no runner '${name}': call "
                        "add_migrations(${name} ...) first")
  endif()
  get_target_property(directory ${name} MIGRATION_TOOLS_DIRECTORY)
  if(NOT directory)
    message(FATAL_ERROR "add_migration_tests(${name}): '${name}' is not a runner of "
                        "add_migrations()")
  endif()
  get_target_property(declared ${name} MIGRATION_TOOLS_DECLARED_SCHEMA)
  if(NOT DEFINED arg_PREFIX)
    set(arg_PREFIX "${name}.")
  endif()
  set(runner_args --color never)
  set(data_args "")
  if(DEFINED arg_DATA)
    get_filename_component(data "${arg_DATA}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${data}")
      message(FATAL_ERROR "add_migration_tests(${name}): the data directory does not exist.\n"
                          "  DATA: ${data}")
    endif()
    set(data_args --data "${data}")
    # A new seed or check file is picked up without a re-configure: the
    # runner reads the folder when the test runs.
  endif()
  set(kinds single_head upgrade stairway)
  if(DEFINED arg_DATA)
    list(APPEND kinds data)
  endif()
  if(declared)
    list(APPEND kinds schema_matches)
  endif()
  if(EXISTS "${directory}/../generated/schema.sql")
    list(APPEND kinds dump_current)
  endif()
  set(fixture "")
  set(environment "")
  if(DEFINED arg_DEV_URL)
    list(APPEND runner_args --dev-url "${arg_DEV_URL}")
  else()
    # A cluster of the tests' own (not the development database a developer
    # may be using), started before the first test and stopped after the last,
    # also when tests fail.
    set(cluster "${CMAKE_CURRENT_BINARY_DIR}/_migration_tools/${name}-test-db")
    set(environment "MIGRATION_TOOLS_DEV_DB_DIR=${cluster}")
    set(fixture "${arg_PREFIX}server")
    add_test(NAME ${arg_PREFIX}server_start COMMAND ${name} ${runner_args} -q dev-db start)
    add_test(NAME ${arg_PREFIX}server_stop COMMAND ${name} ${runner_args} -q dev-db stop)
    set_tests_properties(${arg_PREFIX}server_start PROPERTIES FIXTURES_SETUP "${fixture}"
                         ENVIRONMENT "${environment}" LABELS migrations)
    set_tests_properties(${arg_PREFIX}server_stop PROPERTIES FIXTURES_CLEANUP "${fixture}"
                         ENVIRONMENT "${environment}" LABELS migrations)
  endif()
  foreach(kind IN LISTS kinds)
    set(test "${arg_PREFIX}${kind}")
    if(kind STREQUAL "data")
      add_test(NAME ${test} COMMAND ${name} ${runner_args} test ${kind} ${data_args})
    else()
      add_test(NAME ${test} COMMAND ${name} ${runner_args} test ${kind})
    endif()
    # 77: a test that stopped early (an irreversible migration ends the
    # stairway) shows as skipped, not passed.
    set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE 77 LABELS migrations)
    if(fixture AND NOT kind STREQUAL "single_head")
      set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED "${fixture}"
                           ENVIRONMENT "${environment}")
    endif()
  endforeach()
endfunction()
