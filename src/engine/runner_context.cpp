#include "runner_context.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "embedded_migrations.hpp"
#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/dotenv.hpp"

namespace migration_tools::engine {

runner_context::runner_context(const runner_config& config, const embedded_catalog& catalog,
                               global_options options)
    : config_(config), catalog_(catalog), options_(std::move(options)) {
  if (options_.connect_early && options_.open_database) database().start_connecting();
  std::vector<diagnostic> ds;
  auto source = std::make_unique<embedded_migration_source>(catalog, ds);
  if (has_errors(ds)) throw migration_file_error(std::move(ds));
  // A valid graph keeps the migrations in the order given: node i is file i.
  graph_ = revision_graph::build_or_throw(std::move(source));

  if (options_.color == "always") {
    color_ = true;
  } else if (options_.color == "auto") {
    color_ = ::isatty(STDOUT_FILENO) && process_environment("NO_COLOR").empty() &&
             process_environment("TERM") != "dumb";
  }
}

void runner_context::use_migrations(std::vector<migration> migrations) {
  keep_graph_until_exit();
  graph_ = revision_graph::build_or_throw(std::move(migrations));
}

std::string runner_context::checksum(node_id id) const {
  // SQL migrations record what they do (a layout or comment edit is none);
  // C++ ones their text.
  std::string meaning = embedded_meaning(catalog_.files[static_cast<size_t>(id)], graph_.at(id));
  return meaning.empty() ? text_checksum(id) : meaning;
}

std::string runner_context::text_checksum(node_id id) const {
  return embedded_checksum(catalog_.files[static_cast<size_t>(id)]);
}

void runner_context::keep_graph_until_exit() {
  // Never freed, on purpose; still reachable, so no leak checker counts it.
  static auto* kept = new std::vector<revision_graph>();
  kept->push_back(std::move(graph_));
}

void runner_context::info(const std::string& message) const {
  if (options_.log)
    options_.log(message);
  else if (!options_.quiet)
    std::cerr << message << "\n";
}

void runner_context::warn(const std::string& message) const {
  if (options_.log)
    options_.log(message);
  else
    std::cerr << message << std::endl;
}

std::string runner_context::style(const std::string& text, const char* code) const {
  if (!color_) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

database_session& runner_context::database() {
  if (!database_) {
    if (!options_.open_database)
      throw std::logic_error("'" + options_.command +
                             "' needs the database, which this executable cannot reach");
    database_ = options_.open_database(*this);
  }
  return *database_;
}

namespace {
std::atomic<bool> left_in_flight{false};
}  // namespace

void note_connection_left_in_flight() {
  left_in_flight.store(true);
}

bool connection_left_in_flight() {
  return left_in_flight.load();
}

std::chrono::milliseconds parse_duration(const std::string& text, const char* option) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string unit = text.substr(digits);
  long long factor = unit.empty() || unit == "s" ? 1000
                     : unit == "ms"              ? 1
                     : unit == "m"               ? 60000
                     : unit == "h"               ? 3600000
                                                 : -1;
  if (digits == 0 || digits > 9 || factor < 0)
    throw usage_error(std::string("malformed ") + option + " '" + text +
                      "': expected a number with an optional unit ms, s, m or h (e.g. 30s, 5m)");
  return std::chrono::milliseconds(std::stoll(text.substr(0, digits)) * factor);
}

timeouts runner_context::migration_timeouts() const {
  auto parse = [](const std::string& text, const char* option) -> std::optional<int> {
    if (text.empty()) return std::nullopt;
    auto ms = parse_postgres_duration(text);
    if (!ms)
      throw usage_error(std::string("malformed ") + option + " '" + text +
                        "': expected a PostgreSQL duration such as 500ms, 5s or 2min, or an "
                        "integer of milliseconds");
    return ms;
  };
  // The lock guard's default: a migration that waits for a lock gives up
  // after 3s instead of queueing every later query on the table behind it.
  auto lock_timeout = options_.lock_timeout.empty()
                          ? std::optional<int>(default_lock_timeout_ms)
                          : parse(options_.lock_timeout, "--lock-timeout");
  return {lock_timeout, parse(options_.statement_timeout, "--statement-timeout")};
}

std::string dev_db_directory(const runner_config& config) {
  std::string override_dir = process_environment("MIGRATION_TOOLS_DEV_DB_DIR");
  return override_dir.empty() ? config.dev_db_dir : override_dir;
}

std::string describe_revisions(const revision_graph& graph, const std::vector<node_id>& ids) {
  if (ids.empty()) return "base";
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : ", ") + graph.revision(id);
  return out;
}

}  // namespace migration_tools::engine
