// Several app instances deploying at once: runners started together on one
// empty database apply each migration exactly once.
#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

TEST_CASE("16 runners upgrading one empty database at once apply each migration exactly once",
          "[db][safety]") {
  auto url = fresh_database("safety_concurrent");
  constexpr int runners = 16;
  // Every child waits at the gate until all are forked, then all exec at once.
  start_gate gate;
  gate.open();
  std::vector<running_process> children;
  for (int i = 0; i < runners; ++i)
    children.push_back(
        start_process({LINEAR_RUNNER, "--url", url, "--color", "never", "upgrade"}, {}, &gate));
  gate.release();

  int steps_printed = 0;
  for (auto& child : children) {
    auto r = finish_process(child, 120);
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    for (size_t pos = 0; (pos = r.out.find("upgrade   ", pos)) != std::string::npos; ++pos)
      ++steps_printed;
  }
  CHECK(steps_printed == 5);
  CHECK(column(url, "SELECT version_num FROM mt_linear_version") ==
        std::vector<std::string>{"rev_e"});
  CHECK(column(url,
               "SELECT revision || ' ' || count(*) FROM mt_linear_version_history"
               " WHERE direction = 'upgrade' GROUP BY revision ORDER BY revision") ==
        std::vector<std::string>{"rev_a 1", "rev_b 1", "rev_c 1", "rev_d 1", "rev_e 1"});
  CHECK(
      column(url, "SELECT count(*) FROM mt_linear_version_history WHERE direction <> 'upgrade'") ==
      std::vector<std::string>{"0"});
  CHECK(linear(url, {"check"}).exit_code == 0);
}
