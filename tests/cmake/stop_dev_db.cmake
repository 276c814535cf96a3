# Stops the development database of a fixture's runner, if the runner was
# built: the cleanup of a test that starts one, run whether it passed or not.
# cmake -DRUNNER=<runner> -P stop_dev_db.cmake
if(EXISTS "${RUNNER}")
  execute_process(COMMAND "${RUNNER}" -q dev-db stop RESULT_VARIABLE rc)
  message(STATUS "dev-db stop: exit ${rc}")
endif()
