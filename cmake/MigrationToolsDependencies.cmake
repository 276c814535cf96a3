# Finds the libraries MigrationTools builds on. On Debian/Ubuntu:
#   apt-get install libpqxx-dev libpg-query-dev libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev catch2 postgresql
include_guard(GLOBAL)

include(${CMAKE_CURRENT_LIST_DIR}/MigrationToolsPgQuery.cmake)

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
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
