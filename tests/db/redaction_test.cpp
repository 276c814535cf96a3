// A password in the database URL never appears in the runner's output, also
// when a migration fails (trust authentication ignores the password).
#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

// postgresql:///db?host=...&user=postgres -> postgresql://postgres:secret@/db?host=...
std::string with_password(const std::string& url) {
  std::string out = url;
  out.replace(0, std::string("postgresql://").size(), "postgresql://postgres:s3cr3t-pw@");
  auto user = out.find("&user=postgres");
  if (user != std::string::npos) out.erase(user, std::string("&user=postgres").size());
  return out;
}

void check_no_password(const process_result& r) {
  INFO(r.out << r.err);
  CHECK(r.out.find("s3cr3t") == std::string::npos);
  CHECK(r.err.find("s3cr3t") == std::string::npos);
}

}  // namespace

TEST_CASE("a password in the URL appears in no output of upgrade, current or check, failing or not",
          "[db][safety]") {
  auto url = with_password(fresh_database("safety_password"));
  for (const char* runner : {FAILING_RUNNER, LINEAR_RUNNER}) {
    auto up = run_runner(runner, url, {"-v", "upgrade"});
    CHECK(up.err.find("postgresql://postgres:***@") != std::string::npos);
    check_no_password(up);
    check_no_password(run_runner(runner, url, {"current", "--verbose"}));
    check_no_password(run_runner(runner, url, {"check"}));
    check_no_password(run_runner(runner, url, {"history", "--verbose"}));
    // The same through DATABASE_URL, as the build targets pass it.
    check_no_password(run_process({runner, "upgrade"}, {{"DATABASE_URL", url}}));
  }
  // The failing runner did fail, the linear one did not: both were exercised.
  CHECK(run_runner(FAILING_RUNNER, url, {"check"}).exit_code == 3);
  // A database that does not exist: the connection error names the URL.
  auto missing = url;
  missing.replace(missing.find("/safety_password?"), 17, "/safety_no_such_database?");
  auto r = run_runner(LINEAR_RUNNER, missing, {"upgrade"});
  CHECK(r.exit_code == 1);
  check_no_password(r);
}
