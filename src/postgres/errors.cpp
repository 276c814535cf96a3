#include "migration_tools/postgres/errors.hpp"

#include <algorithm>

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
    } else if (starts_with(line, "DETAIL:") || starts_with(line, "HINT:") ||
               starts_with(line, "\t")) {
      // A tab: libpq's own advice under a connection failure ("Is the server
      // running on that host and accepting TCP/IP connections?").
      out += "\n  " + std::string(trim(line));
    }
  }
  return out;
}

query_position error_position(const std::string& what) {
  // libpq (reportErrorPosition): "LINE 3: <the line>\n" then spaces and '^'.
  size_t at = what.find("\nLINE ");
  if (at == std::string::npos) return {};
  size_t colon = what.find(": ", at);
  size_t end = what.find('\n', at + 1);
  if (colon == std::string::npos || end == std::string::npos || colon > end) return {};
  query_position p;
  try {
    p.line = std::stoi(what.substr(at + 6, colon - at - 6));
  } catch (const std::exception&) {
    return {};
  }
  if (p.line < 1) return {};
  size_t caret_line_end = what.find('\n', end + 1);
  std::string caret = what.substr(
      end + 1, caret_line_end == std::string::npos ? std::string::npos : caret_line_end - end - 1);
  std::string excerpt = what.substr(colon + 2, end - colon - 2);
  size_t caret_at = caret.find('^');
  size_t prefix = colon + 2 - (at + 1);  // "LINE 3: "
  bool exact =
      !starts_with(excerpt, "...") && std::all_of(excerpt.begin(), excerpt.end(), [](char c) {
        return c != '\t' && static_cast<unsigned char>(c) < 0x80;
      });
  if (exact && caret_at != std::string::npos && caret_at >= prefix &&
      caret.find_first_not_of(' ') == caret_at)
    p.column = static_cast<int>(caret_at - prefix) + 1;
  return p;
}

}  // namespace migration_tools
