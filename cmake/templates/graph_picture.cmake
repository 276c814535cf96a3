# The target <name>_graph_picture: the revision graph as an SVG picture,
# drawn by Graphviz from `<name> history --format dot`. Run as
#   cmake -DRUNNER=<runner> -DOUTPUT=<file.svg> [-DDOT=<dot>] -P graph_picture.cmake
if(NOT DOT)
  find_program(DOT dot)
endif()
if(NOT DOT)
  message(FATAL_ERROR "drawing the revision graph needs Graphviz's dot, which is not installed "
                      "(apt-get install graphviz); without it, '${RUNNER} history --format "
                      "mermaid' prints a picture that GitHub and GitLab render in Markdown")
endif()
get_filename_component(directory "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${directory}")
set(dot_file "${OUTPUT}.dot")
execute_process(COMMAND "${RUNNER}" --color never history --format dot
                OUTPUT_FILE "${dot_file}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE "${dot_file}")
  message(FATAL_ERROR "'${RUNNER} history --format dot' failed (${rc})")
endif()
# Into a temporary file first: the picture is replaced whole or not at all.
execute_process(COMMAND "${DOT}" -Tsvg -o "${OUTPUT}.tmp" "${dot_file}" RESULT_VARIABLE rc)
file(REMOVE "${dot_file}")
if(NOT rc EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "Graphviz's ${DOT} failed (${rc})")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
message(STATUS "wrote ${OUTPUT}")
