# Install rules: MigrationTools as a CMake package, the way fmt and Catch2
# ship theirs. After `cmake --install build --prefix P`, a consumer with P in
# CMAKE_PREFIX_PATH writes
#   find_package(MigrationTools 0.1 CONFIG REQUIRED)
#   add_migrations(migrate)
# and links MigrationTools::<part> as with add_subdirectory().
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(MIGRATION_TOOLS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/MigrationTools" CACHE STRING
    "Where the installed package's CMake files go, relative to the prefix")
mark_as_advanced(MIGRATION_TOOLS_INSTALL_CMAKEDIR)
# The scanner is a program of the package, not a command for users' PATH.
set(MIGRATION_TOOLS_INSTALL_SCANNER_DIR "${CMAKE_INSTALL_LIBEXECDIR}/MigrationTools")

# `cmake --install` after a build of one target (the quick start builds the
# demo runner alone) would copy half the package and stop at the first
# library not built: every file is checked first, and nothing is copied
# while one is missing. (The first install rule runs first.)
set(_mt_install_check "set(build_dir [==[${PROJECT_BINARY_DIR}]==])\nset(built\n")
foreach(target IN ITEMS migration_tools_core migration_tools_sql_check migration_tools_schema
                        migration_tools_postgres migration_tools_autogenerate
                        migration_tools_engine migration_tools_runner migration_tools_scan)
  string(APPEND _mt_install_check "  [==[$<TARGET_FILE:${target}>]==]\n")
endforeach()
string(APPEND _mt_install_check [=[)
set(missing "")
foreach(file IN LISTS built)
  if(NOT EXISTS "${file}")
    list(APPEND missing "${file}")
  endif()
endforeach()
if(missing)
  list(JOIN missing "\n  " missing)
  message(FATAL_ERROR "MigrationTools is not fully built, so nothing was installed; missing:\n"
                      "  ${missing}\n"
                      "Build everything first, then install again:\n"
                      "  cmake --build ${build_dir}")
endif()
]=])
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/migration_tools_install_check-$<CONFIG>.cmake"
     CONTENT "${_mt_install_check}")
install(SCRIPT "${PROJECT_BINARY_DIR}/migration_tools_install_check-$<CONFIG>.cmake")

install(TARGETS migration_tools_core migration_tools_sql_check migration_tools_schema
                migration_tools_postgres migration_tools_autogenerate migration_tools_engine
                migration_tools_runner
        EXPORT MigrationToolsTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS migration_tools_scan RUNTIME DESTINATION "${MIGRATION_TOOLS_INSTALL_SCANNER_DIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/migration_tools"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT MigrationToolsTargets NAMESPACE MigrationTools::
        DESTINATION "${MIGRATION_TOOLS_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/MigrationToolsConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/MigrationToolsConfig.cmake"
  INSTALL_DESTINATION "${MIGRATION_TOOLS_INSTALL_CMAKEDIR}"
  PATH_VARS MIGRATION_TOOLS_INSTALL_SCANNER_DIR)
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/MigrationToolsConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES
          "${PROJECT_BINARY_DIR}/MigrationToolsConfig.cmake"
          "${PROJECT_BINARY_DIR}/MigrationToolsConfigVersion.cmake"
          "${PROJECT_SOURCE_DIR}/cmake/MigrationTools.cmake"
          "${PROJECT_SOURCE_DIR}/cmake/MigrationToolsDependencies.cmake"
          "${PROJECT_SOURCE_DIR}/cmake/MigrationToolsPgQuery.cmake"
        DESTINATION "${MIGRATION_TOOLS_INSTALL_CMAKEDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/cmake/templates/runner_main.cpp.in"
              "${PROJECT_SOURCE_DIR}/cmake/templates/migrations_catalog.cpp.in"
              "${PROJECT_SOURCE_DIR}/cmake/templates/runner_settings.cpp.in"
              "${PROJECT_SOURCE_DIR}/cmake/templates/migrations.hpp.in"
              "${PROJECT_SOURCE_DIR}/cmake/templates/front_runner_heap.cpp"
              "${PROJECT_SOURCE_DIR}/cmake/templates/graph_picture.cmake"
        DESTINATION "${MIGRATION_TOOLS_INSTALL_CMAKEDIR}/templates")
