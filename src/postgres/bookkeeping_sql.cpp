#include "migration_tools/postgres/bookkeeping_sql.hpp"

#include <algorithm>
#include <cctype>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools::bookkeeping_sql {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '\0') throw usage_error("an SQL identifier cannot contain a NUL byte");
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\0') throw usage_error("an SQL literal cannot contain a NUL byte");
    out += c;
    if (c == '\'' || c == '\\') out += c;
  }
  return out + "'";
}

std::string version_table(const bookkeeping_names& names) {
  return quote_identifier(names.schema) + "." + quote_identifier(names.version_table);
}

std::string history_table(const bookkeeping_names& names) {
  return quote_identifier(names.schema) + "." + quote_identifier(names.history_table());
}

std::string inline_params(const statement& s) {
  // Placeholders are only looked for outside quoted identifiers and literals,
  // where a '$' followed by digits may be part of a name.
  const std::string& t = s.text;
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"' || c == '\'') {
      bool escapes = c == '\'' && i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e');
      size_t j = i + 1;
      for (; j < t.size(); ++j) {
        if (escapes && t[j] == '\\') {
          ++j;
        } else if (t[j] == c) {
          if (j + 1 < t.size() && t[j + 1] == c) {
            ++j;
          } else {
            break;
          }
        }
      }
      j = std::min(j + 1, t.size());
      out.append(t, i, j - i);
      i = j;
    } else if (c == '$' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
      size_t j = i + 1;
      size_t n = 0;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j])))
        n = n * 10 + static_cast<size_t>(t[j++] - '0');
      if (n == 0 || n > s.params.size())
        throw error("internal error: placeholder $" + std::to_string(n) + " without a parameter in: " +
                    t);
      const auto& p = s.params[n - 1];
      out += p ? quote_literal(*p) : std::string("NULL");
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::vector<std::string> create_statements(const bookkeeping_names& names) {
  return {
      "CREATE SCHEMA IF NOT EXISTS " + quote_identifier(names.schema),
      "CREATE TABLE IF NOT EXISTS " + version_table(names) +
          " (version_num text NOT NULL PRIMARY KEY)",
      "CREATE TABLE IF NOT EXISTS " + history_table(names) +
          " (id bigserial PRIMARY KEY,"
          " revision text NOT NULL,"
          " direction text NOT NULL"
          "   CHECK (direction IN ('upgrade', 'downgrade', 'stamp', 'failure')),"
          " checksum text,"
          " file text,"
          " started_at timestamptz NOT NULL,"
          " finished_at timestamptz NOT NULL,"
          " duration_ms double precision NOT NULL,"
          " db_user text NOT NULL DEFAULT current_user,"
          " error text)",
  };
}

statement version_table_exists(const bookkeeping_names& names) {
  return {"SELECT to_regclass($1) IS NOT NULL", {version_table(names)}};
}

std::string select_version_rows(const bookkeeping_names& names) {
  return "SELECT version_num FROM " + version_table(names) + " ORDER BY version_num";
}

std::vector<row_change> version_row_changes(const bookkeeping_names& names,
                                            const version_change& change) {
  std::string table = version_table(names);
  auto quoted = [](const std::string& rev) { return "'" + rev + "'"; };
  std::vector<row_change> out;
  for (const auto& rev : change.deletes)
    out.push_back({{"DELETE FROM " + table + " WHERE version_num = $1", {rev}},
                   true,
                   "deleting " + quoted(rev)});
  if (!change.update_from.empty())
    out.push_back({{"UPDATE " + table + " SET version_num = $2 WHERE version_num = $1",
                    {change.update_from, change.update_to}},
                   true,
                   "moving " + quoted(change.update_from) + " to " + quoted(change.update_to)});
  for (const auto& rev : change.inserts)
    out.push_back({{"INSERT INTO " + table + " (version_num) VALUES ($1)", {rev}},
                   false,
                   "inserting " + quoted(rev)});
  return out;
}

std::string unexpected_row_count(const std::string& table, const std::string& what,
                                 const std::string& rows) {
  return "version table " + table + " changed under this run: " + what + " touched " + rows +
         " rows instead of 1; nothing of this step was kept";
}

statement insert_history_row(const bookkeeping_names& names, const history_entry& e) {
  auto nullable = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  return {"INSERT INTO " + history_table(names) +
              " (revision, direction, checksum, file, started_at, finished_at,"
              " duration_ms, error) VALUES ($1, $2, $3, $4, now(), clock_timestamp(),"
              " extract(epoch FROM clock_timestamp() - now()) * 1000, $5)",
          {e.revision, e.direction, nullable(e.checksum), nullable(e.file), nullable(e.error)}};
}

}  // namespace migration_tools::bookkeeping_sql
