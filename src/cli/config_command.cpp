// `config`: the runner's effective configuration and where each value came
// from, as Alembic users read alembic.ini. Connects to nothing and starts
// nothing: it says which database a command would use.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "../engine/database_settings.hpp"
#include "commands.hpp"
#include "migration_tools/core/dotenv.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/dev_database.hpp"

namespace migration_tools::cli {

namespace {

struct setting {
  std::string name;
  std::string value;
  std::string source;
};

std::vector<setting> effective_settings(runner_context& ctx) {
  const runner_config& c = ctx.config();
  const global_options& o = ctx.options();
  std::vector<setting> out;
  out.push_back({"runner", c.name, "add_migrations(<name>)"});
  out.push_back({"version", version(), "MigrationTools"});
  // A keyword the caller gave, or what the default is.
  auto from = [&](const std::string& keyword, const std::string& otherwise) {
    std::string passed = std::string(" ") + (c.passed_keywords ? c.passed_keywords : "");
    return passed.find(" " + keyword + " ") != std::string::npos ? "add_migrations " + keyword
                                                                 : "default: " + otherwise;
  };
  out.push_back({"migrations directory", c.migrations_dir,
                 from("DIRECTORY", "migrations/ beside the add_migrations() call")});
  out.push_back(
      {"schema directory", *c.schema_dir ? c.schema_dir : "none",
       from("SCHEMA_DIRECTORY", "schema/ beside the add_migrations() call, if it exists")});
  out.push_back({"bookkeeping schema", c.schema, from("SCHEMA", "public")});
  out.push_back({"version table", std::string(c.version_table),
                 from("VERSION_TABLE", "the runner's name + _version")});
  out.push_back({"history table", std::string(c.version_table) + "_history",
                 "the version table's name + _history"});

  database_settings db = read_database_settings(c, o);
  out.push_back({".env file", db.dotenv_path.empty() ? "none" : db.dotenv_path,
                 o.env_file.empty() ? "./.env when it exists" : "--env-file"});
  std::string dev_dir = dev_db_directory(c);
  if (db.source) {
    out.push_back({"database", redact_url(db.source->url), db.source->origin});
  } else if (!db.dev_db_refusal.empty()) {
    out.push_back({"database", "none: commands that connect fail", db.dev_db_refusal});
  } else {
    out.push_back({"database", dev_database(dev_dir, c.name).url(),
                   "the development database (nothing else names one)"});
  }
  out.push_back({"development database", dev_dir,
                 process_environment("MIGRATION_TOOLS_DEV_DB_DIR").empty()
                     ? "the build tree"
                     : "MIGRATION_TOOLS_DEV_DB_DIR"});
  if (!o.dev_url.empty())
    out.push_back({"scratch server", redact_url(o.dev_url), "--dev-url"});
  else if (!process_environment("MIGRATE_DEV_URL").empty())
    out.push_back(
        {"scratch server", redact_url(process_environment("MIGRATE_DEV_URL")), "MIGRATE_DEV_URL"});
  else
    out.push_back({"scratch server", "the development database's server", "default"});
  out.push_back({"connect timeout", o.connect_timeout.empty() ? "libpq's" : o.connect_timeout,
                 "--connect-timeout"});
  out.push_back(
      {"wait for the database", o.wait_for_db.empty() ? "no" : o.wait_for_db, "--wait-for-db"});
  out.push_back({"lock wait", o.lock_wait, "--lock-wait (default 5m)"});
  out.push_back({"lock timeout", o.lock_timeout.empty() ? "3s" : o.lock_timeout,
                 "--lock-timeout (default 3s); a migration's header wins"});
  out.push_back({"lock retries",
                 std::to_string(o.lock_retries) + ", the first after " + o.lock_retry_delay,
                 "--lock-retries (default 9), --lock-retry-delay (default 500ms)"});
  out.push_back({"statement timeout", o.statement_timeout.empty() ? "unset" : o.statement_timeout,
                 "--statement-timeout; a migration's header wins"});
  return out;
}

}  // namespace

int config_command(runner_context& ctx) {
  std::vector<setting> settings = effective_settings(ctx);
  if (ctx.options().format == "json") {
    // In the order of the text output, as a reader of the file expects.
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& s : settings) j[s.name] = {{"value", s.value}, {"source", s.source}};
    std::cout << j.dump(2) << "\n";
    return ok;
  }
  size_t width = 0;
  for (const auto& s : settings) width = std::max(width, s.name.size());
  for (const auto& s : settings)
    std::cout << std::left << std::setw(static_cast<int>(width) + 2) << s.name << s.value << "  ("
              << s.source << ")\n";
  return ok;
}

}  // namespace migration_tools::cli
