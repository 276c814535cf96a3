#include "migration_tools/postgres/step_executor.hpp"

#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

std::string located(const std::string& file, int line, const std::string& message) {
  return format_diagnostic({file, line, severity::error, message});
}

std::string sql_error_text(const pqxx::sql_error& e) {
  std::string text = postgres_message(e.what());
  if (!e.sqlstate().empty()) {
    auto newline = text.find('\n');
    text.insert(newline == std::string::npos ? text.size() : newline,
                " (SQLSTATE " + e.sqlstate() + ")");
  }
  return text;
}

}  // namespace

void step_executor::run_sql(pqxx::transaction_base& tx, const migration& m,
                            const sql_section& section) {
  for (const auto& statement : split_sql(section.text)) {
    try {
      tx.exec(std::string(statement.text));
    } catch (const pqxx::sql_error& e) {
      throw migration_failed(located(m.path, file_line(section, statement.line), sql_error_text(e)));
    }
  }
}

void step_executor::run_sql_outside_transaction(const migration& m, const sql_section& section) {
  // transactional false: statements such as CREATE INDEX CONCURRENTLY refuse to
  // run inside a transaction block, so each one commits on its own.
  for (const auto& statement : split_sql(section.text)) {
    try {
      pqxx::nontransaction tx(connection_);
      tx.exec(std::string(statement.text));
    } catch (const pqxx::sql_error& e) {
      throw migration_failed(located(m.path, file_line(section, statement.line), sql_error_text(e)));
    }
  }
}

void step_executor::run_cpp(pqxx::work& tx, const migration& m, direction dir) {
  const cpp_steps* steps = find_cpp_steps(m.revision.c_str());
  cpp_step_function fn = nullptr;
  int line = m.line_of("revision");
  if (steps) {
    fn = dir == direction::upgrade ? steps->upgrade : steps->downgrade;
    line = dir == direction::upgrade ? steps->upgrade_line : steps->downgrade_line;
  }
  if (!fn)
    throw migration_failed(located(m.path, m.line_of("revision"),
                                   dir == direction::upgrade
                                       ? "C++ migration has no MIGRATION_UPGRADE body"
                                       : "C++ migration has no MIGRATION_DOWNGRADE body; it "
                                         "cannot be downgraded"));
  try {
    fn(tx);
  } catch (const pqxx::sql_error& e) {
    throw migration_failed(located(m.path, line, sql_error_text(e)));
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    throw migration_failed(located(m.path, line, e.what()));
  }
}

void step_executor::run(const migration& m, direction dir, const version_change& change,
                        const std::string& checksum) {
  const sql_section& section = dir == direction::upgrade ? m.upgrade : m.downgrade;
  try {
    if (m.kind == migration_kind::sql && !m.transactional) run_sql_outside_transaction(m, section);
    pqxx::work tx(connection_);
    if (m.kind == migration_kind::cpp) {
      run_cpp(tx, m, dir);
    } else if (m.transactional) {
      run_sql(tx, m, section);
    }
    books_.apply(tx, change);
    books_.record(tx, {m.revision, dir == direction::upgrade ? "upgrade" : "downgrade", checksum,
                       m.path, ""});
    tx.commit();
  } catch (const migration_failed& e) {
    record_failure(m, checksum, e.what());
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw database_error(located(m.path, m.line_of("revision"),
                                 "lost the connection to the database while running revision '" +
                                     m.revision + "': " + postgres_message(e.what())));
  } catch (const pqxx::sql_error& e) {
    std::string message = located(m.path, m.line_of("revision"), sql_error_text(e));
    record_failure(m, checksum, message);
    throw migration_failed(message);
  }
}

void step_executor::record_failure(const migration& m, const std::string& checksum,
                                   const std::string& message) {
  try {
    pqxx::work tx(connection_);
    books_.record(tx, {m.revision, "failure", checksum, m.path, message});
    tx.commit();
  } catch (const std::exception&) {
    // The failure itself is what matters; a lost connection also loses this row.
  }
}

}  // namespace migration_tools
