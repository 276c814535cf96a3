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
    // Shown as libpq parsed it: user, host, database, and nothing secret.
    CHECK(up.err.find("using database postgresql://postgres@/safety_password?host=") !=
          std::string::npos);
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

TEST_CASE(
    "a password under another spelling appears in no output (percent-encoded key, '/', "
    "sslpassword)",
    "[db][safety]") {
  auto url = fresh_database("safety_spellings");
  auto socket = url.substr(url.find("?host=") + 6);
  socket = socket.substr(0, socket.find('&'));
  for (const std::string& spelled : std::vector<std::string>{
           "postgresql://postgres@/safety_spellings?host=" + socket + "&pass%77ord=s3cr3t-pw",
           "postgresql://postgres@/safety_spellings?host=" + socket +
               "&%70assword=s3cr3t-pw&sslpassword=s3cr3t-key",
           "postgresql:///safety_spellings?host=" + socket +
               "&user=postgres&sslpassword=s3cr3t-key",
           "host=" + socket + " user=postgres dbname=safety_spellings password = 's3cr3t pw'",
           // libpq stops the user information at the '/': a connection error.
           "postgresql://postgres:Xk9/q7s3cr3t@localhost/safety_spellings",
           // A malformed escape: libpq's own message would quote the password.
           "postgresql://postgres:s3cr3t%zz@/safety_spellings?host=" + socket}) {
    INFO(spelled);
    auto r = run_runner(LINEAR_RUNNER, spelled, {"-v", "upgrade"});
    check_no_password(r);
    CHECK((r.err.find("using database postgresql://") != std::string::npos ||
           r.err.find("using database (a connection string libpq cannot parse)") !=
               std::string::npos));
    check_no_password(run_process({LINEAR_RUNNER, "current"}, {{"DATABASE_URL", spelled}}));
  }
  CHECK(column(url, "SELECT count(*) FROM mt_linear_version").at(0) == "1");
}
