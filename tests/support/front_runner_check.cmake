# The runner users run answers the commands that need no database without
# loading libpq, and hands the others to the online runner, which does.
# Run with: cmake -DRUNNER=<runner> -DWORK=<dir> -P front_runner_check.cmake
#
# The proof is a library path where libpq and libpqxx are not libraries: a
# runner that loaded them could not start.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/poisoned")
foreach(lib libpq.so.5 libpqxx-6.4.so)
  file(WRITE "${WORK}/poisoned/${lib}" "not a library\n")
endforeach()

function(run_poisoned)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${WORK}/poisoned"
                          "${RUNNER}" ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(rc "${rc}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# (The repository's migrations: the third is a C++ one, which --sql refuses.)
foreach(command "heads" "history" "branches" "show;head" "upgrade;--sql;4b6d8f0a2c4e"
                "--version" "--help")
  run_poisoned(${command})
  if(NOT rc EQUAL 0 OR (out STREQUAL "" AND NOT command STREQUAL "branches"))
    message(FATAL_ERROR "'${command}' without libpq: exit ${rc}\n${out}\n${err}")
  endif()
  message(STATUS "'${command}' ran without libpq")
endforeach()
run_poisoned(upgrade --sql 4b6d8f0a2c4e)
if(NOT out MATCHES "CREATE TABLE")
  message(FATAL_ERROR "upgrade --sql wrote no migration:\n${out}")
endif()

# A command that needs the database is handed over: the online runner loads
# libpq, and here cannot start.
run_poisoned(current)
if(rc EQUAL 0 OR NOT err MATCHES "libpq")
  message(FATAL_ERROR "'current' was not handed to the online runner: exit ${rc}\n${out}\n${err}")
endif()
message(STATUS "'current' was handed to the online runner")
