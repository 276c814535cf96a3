#include "migration_tools/core/section_statements.hpp"

namespace migration_tools {

std::vector<sql_statement> section_statements(const sql_section& section) {
  if (!section.known_statements) return split_sql(section.text);
  std::vector<sql_statement> out;
  out.reserve(section.known_statement_count);
  std::string_view text = section.text;
  for (size_t i = 0; i < section.known_statement_count; ++i) {
    const long long* s = section.known_statements + 3 * i;
    auto offset = static_cast<size_t>(s[0]);
    auto length = static_cast<size_t>(s[1]);
    // The embedded text is the scanned one byte for byte; a bound past it
    // would mean it is not, and the text is split again rather than cut.
    if (offset > text.size() || length > text.size() - offset) return split_sql(section.text);
    out.push_back({text.substr(offset, length), offset, static_cast<int>(s[2])});
  }
  return out;
}

sql_split section_split(const sql_section& section) {
  if (!section.known_statements) return split_sql_with_problems(section.text);
  return {section_statements(section), {}};
}

std::vector<sql_lexical_problem> section_lexical_problems(const sql_section& section) {
  if (section.known_statements) return {};
  return find_lexical_problems(section.text);
}

std::vector<long long> statement_bounds(const std::vector<sql_statement>& statements) {
  std::vector<long long> out;
  out.reserve(3 * statements.size());
  for (const auto& s : statements) {
    out.push_back(static_cast<long long>(s.offset));
    out.push_back(static_cast<long long>(s.text.size()));
    out.push_back(s.line);
  }
  return out;
}

}  // namespace migration_tools
