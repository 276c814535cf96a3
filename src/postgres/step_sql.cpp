#include "migration_tools/postgres/step_sql.hpp"

namespace migration_tools {

std::vector<std::string> timeout_statements(const migration& m, const timeouts& defaults,
                                            bool local) {
  std::vector<std::string> out;
  auto set = [&](const char* name, const std::optional<int>& own, const std::optional<int>& dflt) {
    const auto& ms = own ? own : dflt;
    if (ms)
      out.push_back(std::string(local ? "SET LOCAL " : "SET ") + name + " = " +
                    std::to_string(*ms));
  };
  set("lock_timeout", m.lock_timeout_ms, defaults.lock_timeout_ms);
  set("statement_timeout", m.statement_timeout_ms, defaults.statement_timeout_ms);
  return out;
}

bookkeeping_sql::progress_statement progress_of(const migration& m, direction dir,
                                                const sql_section& section,
                                                const sql_statement& statement, size_t index) {
  return {m.revision,
          dir == direction::upgrade ? "upgrade" : "downgrade",
          static_cast<int>(index + 1),
          file_line(section, statement.line),
          bookkeeping_sql::statement_checksum(statement.text),
          m.path};
}

}  // namespace migration_tools
