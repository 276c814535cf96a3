#include "migration_tools/core/sql_literal.hpp"

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

void append_sql_literal(std::string& out, std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    throw usage_error("an SQL literal cannot contain a NUL byte");
  bool backslash = text.find('\\') != std::string_view::npos;
  out += backslash ? "E'" : "'";
  // Copy the runs between quotes (and backslashes) at once: offline scripts
  // quote every migration's text.
  size_t start = 0;
  auto next_special = [&](size_t from) {
    if (!backslash) return text.find('\'', from);
    for (size_t i = from; i < text.size(); ++i)
      if (text[i] == '\'' || text[i] == '\\') return i;
    return std::string_view::npos;
  };
  for (size_t at = next_special(0); at != std::string_view::npos; at = next_special(at + 1)) {
    out.append(text, start, at + 1 - start);
    out += text[at];
    start = at + 1;
  }
  out.append(text, start, std::string_view::npos);
  out += '\'';
}

std::string sql_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  append_sql_literal(out, text);
  return out;
}

}  // namespace migration_tools
