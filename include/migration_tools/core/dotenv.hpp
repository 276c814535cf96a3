// `.env` files, as docker compose and python-dotenv read them: the settings
// a team keeps beside its code (DATABASE_URL, POSTGRES_*), never committed.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace migration_tools {

struct dotenv_entry {
  std::string name;
  std::string value;
  int line = 0;
};

struct dotenv_file {
  std::string path;  // as given, for messages
  std::vector<dotenv_entry> entries;
  // The value of the last assignment of `name`, or nullptr.
  const dotenv_entry* find(std::string_view name) const;
};

// The largest .env file read (1 MiB), and the largest value once expanded
// (64 KiB): lines that double a value (`B=${A}${A}`) end in an error, not
// in all the machine's memory.
constexpr std::size_t dotenv_max_size = std::size_t{1} << 20;
constexpr std::size_t dotenv_max_value = std::size_t{64} << 10;

// A variable of the real environment, or "" when unset.
using environment_lookup = std::function<std::string(const std::string& name)>;
// The process's environment as an environment_lookup.
std::string process_environment(const std::string& name);

// Reads `NAME=VALUE` lines: blank lines and `# comments` skipped, an optional
// `export ` prefix, values unquoted (up to a ` #` comment, trimmed), in single
// quotes (literal) or in double quotes (with \n, \t, \", \\ and \$ escapes);
// quoted values may span lines. `${NAME}` and `${NAME:-default}` in unquoted
// and double-quoted values expand from the real environment first, then from
// the lines above; a default may itself hold `${...}` (`${A:-${B:-x}}`).
// Throws migration_file_error (`path:line: error: ...`) for a malformed line,
// a NUL byte, or a value that expands past dotenv_max_value.
dotenv_file parse_dotenv(std::string_view text, const std::string& path,
                         const environment_lookup& environment);

}  // namespace migration_tools
