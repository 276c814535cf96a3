#include "schema_case.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <regex>

#include "../db/process.hpp"
#include "../db/test_database.hpp"
#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/schema/diff.hpp"

namespace migration_tools::test {

namespace {

void run_sql(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0(sql);
  tx.commit();
}

schema::schema_model inspect(const std::string& url) {
  pqxx::connection c(url);
  return inspect_catalog(c);
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

// pg_dump --schema-only without its comments, SET lines and \restrict keys.
std::string dump(const std::string& url) {
  auto r = run_process({PG_DUMP_PROGRAM, "--schema-only", "--no-owner", "--no-privileges", url});
  REQUIRE(r.exit_code == 0);
  static const std::regex noise(
      R"(^(--.*|SET .*|SELECT pg_catalog\.set_config.*|\\(un)?restrict .*)$)");
  std::string out, line;
  for (size_t start = 0; start < r.out.size();) {
    size_t end = r.out.find('\n', start);
    if (end == std::string::npos) end = r.out.size();
    line = r.out.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && !std::regex_match(line, noise)) out += line + "\n";
  }
  return out;
}

}  // namespace

std::string run_committed(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  auto r = tx.exec(sql);
  tx.commit();
  return r.empty() || r[0].empty() ? std::string() : std::string(r[0][0].c_str());
}

schema::schema_diff diff_sql(const std::string& name, const std::string& before,
                             const std::string& after) {
  std::string a = fresh_database(name + "_work");
  std::string b = fresh_database(name + "_target");
  run_sql(a, before);
  run_sql(b, after);
  return diff_schemas(inspect(a), inspect(b));
}

void check_schema_case(const std::string& name, const schema_case& c) {
  std::string work = fresh_database(name + "_work");
  std::string target = fresh_database(name + "_target");
  run_sql(work, c.before);
  run_sql(target, c.after);
  auto before = inspect(work);
  auto after = inspect(target);

  auto up = diff_schemas(before, after);
  auto down = diff_schemas(after, before);
  std::string up_sql = render_sql(up), down_sql = render_sql(down);
  INFO("upgrade:\n" << up_sql << "downgrade:\n" << down_sql << "detected:\n" << lines(up.detected));
  REQUIRE_FALSE(up.statements.empty());
  REQUIRE(up.warnings.empty());
  REQUIRE(down.warnings.empty());
  for (const auto& d : c.detected)
    CHECK(std::find(up.detected.begin(), up.detected.end(), d) != up.detected.end());
  for (const auto& text : c.upgrade_contains) CHECK(up_sql.find(text) != std::string::npos);
  for (const auto& h : c.hazards) CHECK(up_sql.find("-- hazard: " + h) != std::string::npos);

  // Convergence.
  run_sql(work, up_sql);
  auto upgraded = diff_schemas(inspect(work), after);
  INFO("left after the upgrade:\n" << render_sql(upgraded));
  CHECK(upgraded.empty());
  if (c.same_dump) CHECK(dump(work) == dump(target));

  // Reversibility.
  run_sql(work, down_sql);
  auto downgraded = diff_schemas(inspect(work), before);
  INFO("left after the downgrade:\n" << render_sql(downgraded));
  CHECK(downgraded.empty());

  // No-op.
  if (!c.after_rewritten.empty()) {
    std::string rewritten = fresh_database(name + "_same");
    run_sql(rewritten, c.after_rewritten);
    auto same = diff_schemas(inspect(rewritten), after);
    INFO("the same schema written differently gives:\n" << render_sql(same));
    CHECK(same.empty());
  }
}

}  // namespace migration_tools::test
