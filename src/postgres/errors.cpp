#include "migration_tools/postgres/errors.hpp"

#include "migration_tools/core/text.hpp"

namespace migration_tools {

std::string postgres_message(const std::string& what) {
  std::string out;
  line_reader lines(what);
  std::string_view line;
  int number = 0;
  while (lines.next(line, number)) {
    if (number == 1) {
      for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "ERROR: ", "FATAL: "})
        if (starts_with(line, prefix)) line.remove_prefix(prefix.size());
      out = std::string(trim(line));
    } else if (starts_with(line, "DETAIL:") || starts_with(line, "HINT:")) {
      out += "\n  " + std::string(trim(line));
    }
  }
  return out;
}

}  // namespace migration_tools
