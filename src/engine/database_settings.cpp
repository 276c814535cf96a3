#include "database_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/file_io.hpp"

namespace migration_tools::engine {

database_settings read_database_settings(const runner_config& config,
                                         const global_options& options) {
  database_settings out;
  std::optional<dotenv_file> dotenv;
  std::string path = options.env_file.empty() ? ".env" : options.env_file;
  // lstat: a dangling link or a FIFO named .env is there, and refused below.
  struct stat st {};
  bool present = ::lstat(path.c_str(), &st) == 0;
  if (options.read_dotenv && (!options.env_file.empty() || present)) {
    std::string text = read_private_file(path, ".env file", dotenv_max_size);
    dotenv = parse_dotenv(text, path, process_environment);
    out.dotenv_path = path;
  }
  database_source_inputs in;
  in.url_option = options.url;
  in.url_option_origin = options.url_origin;
  in.environment = process_environment;
  in.dotenv = dotenv ? &*dotenv : nullptr;
  in.configured_url = config.default_url;
  out.source = find_database_source(in);

  out.dev_db_refusal = dev_db_refusal(options);
  return out;
}

std::string dev_db_refusal(const global_options& options) {
  if (options.no_dev_db) return "--no-dev-db was given";
  if (environment_flag(process_environment("MIGRATE_NO_DEV_DB"))) return "MIGRATE_NO_DEV_DB is set";
  if (environment_flag(process_environment("CI"))) return "CI is set";
  return "";
}

std::string no_database_message(const database_settings& settings) {
  return "no database to migrate: none of " + database_source_names() +
         (settings.dotenv_path.empty() ? " (no .env file here)" : "") +
         " names one, and the development database stands in for developers only (" +
         settings.dev_db_refusal +
         "). Set DATABASE_URL, e.g. DATABASE_URL=postgresql://user@host:5432/dbname";
}

}  // namespace migration_tools::engine
