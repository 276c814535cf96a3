// The Catch2 runner for the unit tests; the tests live in the *_test.cpp files.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
