#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>

int main(int argc, char* argv[]) {
  // Every runner these tests start also parses its embedded files and checks
  // that the headers the scanner embedded at build time say the same.
  ::setenv("MIGRATION_TOOLS_CHECK_EMBEDDED_HEADERS", "1", 1);
  return Catch::Session().run(argc, argv);
}
