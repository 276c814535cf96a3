#include "database_settings.hpp"

#include <unistd.h>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/file_io.hpp"

namespace migration_tools::engine {

database_settings read_database_settings(const runner_config& config,
                                         const global_options& options) {
  database_settings out;
  std::optional<dotenv_file> dotenv;
  std::string path = options.env_file.empty() ? ".env" : options.env_file;
  if (!options.env_file.empty() || ::access(path.c_str(), F_OK) == 0) {
    std::string text;
    try {
      text = read_file(path);
    } catch (const std::exception& e) {
      throw usage_error("cannot read the .env file '" + path + "': " + e.what());
    }
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

  if (options.no_dev_db)
    out.dev_db_refusal = "--no-dev-db was given";
  else if (environment_flag(process_environment("MIGRATE_NO_DEV_DB")))
    out.dev_db_refusal = "MIGRATE_NO_DEV_DB is set";
  else if (environment_flag(process_environment("CI")))
    out.dev_db_refusal = "CI is set";
  return out;
}

std::string no_database_message(const database_settings& settings) {
  return "no database to migrate: none of " + database_source_names() +
         (settings.dotenv_path.empty() ? " (no .env file here)" : "") +
         " names one, and the development database stands in for developers only (" +
         settings.dev_db_refusal +
         "). Set DATABASE_URL, e.g. DATABASE_URL=postgresql://user@host:5432/dbname";
}

}  // namespace migration_tools::engine
