# Finds the libraries MigrationTools builds on. On Debian/Ubuntu:
#   apt-get install libpqxx-dev libpg-query-dev libprotobuf-c-dev libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev catch2 postgresql
include_guard(GLOBAL)

include(${CMAKE_CURRENT_LIST_DIR}/MigrationToolsPgQuery.cmake)

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# libcrypto (SHA-256 of migration files) as core links it: the shared library,
# except in a runner marked MIGRATION_TOOLS_LEAN_RUNNER (add_migrations), which
# takes the static one where there is one (Debian's libssl-dev ships it), so
# that starting it binds no libcrypto. The property is read on the executable
# being linked.
if(NOT TARGET migration_tools::crypto)
  add_library(migration_tools::crypto INTERFACE IMPORTED GLOBAL)
  find_library(MIGRATION_TOOLS_STATIC_CRYPTO NAMES libcrypto.a
               HINTS "${OPENSSL_ROOT_DIR}" PATH_SUFFIXES lib lib64)
  mark_as_advanced(MIGRATION_TOOLS_STATIC_CRYPTO)
  if(MIGRATION_TOOLS_STATIC_CRYPTO)
    target_link_libraries(migration_tools::crypto INTERFACE
      "$<IF:$<BOOL:$<TARGET_PROPERTY:MIGRATION_TOOLS_LEAN_RUNNER>>,${MIGRATION_TOOLS_STATIC_CRYPTO},OpenSSL::Crypto>")
  else()
    target_link_libraries(migration_tools::crypto INTERFACE OpenSSL::Crypto)
  endif()
endif()
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)

# libpqxx: its CMake package where it has one, else pkg-config (Debian's 6.4
# ships only a .pc file).
if(NOT TARGET migration_tools::libpqxx)
  find_package(libpqxx CONFIG QUIET)
  add_library(migration_tools::libpqxx INTERFACE IMPORTED GLOBAL)
  if(TARGET libpqxx::pqxx)
    target_link_libraries(migration_tools::libpqxx INTERFACE libpqxx::pqxx)
  else()
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(MIGRATION_TOOLS_PQXX REQUIRED IMPORTED_TARGET GLOBAL libpqxx)
    target_link_libraries(migration_tools::libpqxx INTERFACE PkgConfig::MIGRATION_TOOLS_PQXX)
  endif()
  # libpq itself, for PQconninfoParse (reading a connection string as libpq does).
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(MIGRATION_TOOLS_PQ REQUIRED IMPORTED_TARGET GLOBAL libpq)
  target_link_libraries(migration_tools::libpqxx INTERFACE PkgConfig::MIGRATION_TOOLS_PQ)
endif()
