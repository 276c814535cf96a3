#include "migration_tools/autogenerate/schema_states.hpp"

#include <optional>
#include <pqxx/pqxx>
#include <regex>

#include "migration_tools/core/declared_sql_check.hpp"
#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/notice_printer.hpp"
#include "migration_tools/postgres/scratch_database.hpp"

namespace migration_tools::autogenerate {

namespace {

std::string sqlstate_suffix(const pqxx::sql_error& e) {
  return e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")";
}

// Refuses, before anything runs, a file that would leave the transaction
// it is loaded in or act on the server's machine (check_declared_sql).
void check_files(const std::vector<declared_file>& files) {
  std::vector<diagnostic> ds;
  for (const auto& f : files) check_declared_sql(f.path, f.text, ds);
  if (!ds.empty()) throw migration_file_error(std::move(ds));
}

// When a statement names an object that does not exist yet and a later
// file creates it: the files load in sorted path order, and a rename fixes
// it. "" otherwise.
std::string created_later(const std::vector<declared_file>& files, size_t failed,
                          const std::string& error) {
  static const std::regex missing(
      R"re((relation|type|schema|function|view|sequence) "?([^" (]+)"?(\([^)]*\))? does not exist)re");
  std::smatch m;
  if (!std::regex_search(error, m, missing)) return "";
  std::string name = m[2].str();
  std::string bare = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
  std::string literal;  // the name, as a regular expression matching just it
  for (char ch : bare) {
    if (std::string_view("\\^$.|?*+()[]{}").find(ch) != std::string_view::npos) literal += '\\';
    literal += ch;
  }
  // CREATE [OR REPLACE] [UNLOGGED|TEMP...] <kind> [IF NOT EXISTS] [schema.]name
  std::regex creates(
      "CREATE\\s+(OR\\s+REPLACE\\s+)?(\\w+\\s+)*?(TABLE|TYPE|SCHEMA|VIEW|FUNCTION|"
      "PROCEDURE|SEQUENCE|DOMAIN)\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(\"?\\w+\"?\\.)?\"?" +
          literal + "\"?[\\s(;]",
      std::regex::icase);
  for (size_t j = failed + 1; j < files.size(); ++j) {
    std::string text(files[j].text);
    std::smatch c;
    if (std::regex_search(text, c, creates))
      return "\n  the files load in sorted path order, and " + files[j].path + ":" +
             std::to_string(count_newlines(text, static_cast<size_t>(c.position(0))) + 1) +
             " creates '" + name + "' later: give that file a name that sorts before " +
             files[failed].path + ", or move the statement";
  }
  return "";
}

// The files are loaded inside one transaction, which is rolled back. Whatever
// slipped past check_files and still ended it is caught after each file: the
// session must still be in the transaction it started with.
class declared_loader {
 public:
  declared_loader(pqxx::work& tx, const std::vector<declared_file>& files)
      : tx_(tx), files_(files) {
    // As when pg_dump's output is restored: a function body may name a table
    // of a later file.
    // The files mean what they say whatever the server's defaults.
    tx_.exec0("SET LOCAL check_function_bodies = off; SET LOCAL standard_conforming_strings = on");
    xid_ = transaction_id();
  }

  // Runs files [0, end) each in one round trip.
  void run_whole(size_t end) {
    for (size_t i = 0; i < end; ++i) {
      failed_file_ = i;
      std::string text = declared_sql_text(files_[i].text);
      if (!split_sql(text).empty()) tx_.exec0(text);
      still_in_transaction(files_[i], 0);
    }
  }

  // Runs one file statement by statement, to say which statement fails.
  void run_statements(size_t i) {
    const auto& f = files_[i];
    std::string text = declared_sql_text(f.text);
    for (const auto& s : split_sql(text)) {
      try {
        tx_.exec0(std::string(s.text));
      } catch (const pqxx::sql_error& e) {
        std::string message = postgres_message(e.what()) + sqlstate_suffix(e);
        throw migration_file_error(
            {{f.path, s.line, severity::error, message + created_later(files_, i, e.what())}});
      }
      still_in_transaction(f, s.line);
    }
  }

  size_t failed_file() const { return failed_file_; }

 private:
  std::string transaction_id() {
    return tx_.exec1("SELECT pg_catalog.txid_current()::pg_catalog.text")[0].c_str();
  }

  void still_in_transaction(const declared_file& f, int line) {
    if (transaction_id() != xid_)
      throw migration_file_error(
          {{f.path, line, severity::error,
            "the file left the transaction the declared schema is loaded in; what ran after "
            "that may have been committed on the scratch server"}});
  }

  pqxx::work& tx_;
  const std::vector<declared_file>& files_;
  std::string xid_;
  size_t failed_file_ = 0;
};

// The files before the one that failed are run again as they were, and that
// one statement by statement: the error names its file and line.
[[noreturn]] void locate_failure(pqxx::connection& c, const std::vector<declared_file>& files,
                                 size_t failed, const pqxx::sql_error& first) {
  {
    pqxx::work tx(c, "declared_schema_locate");
    declared_loader loader(tx, files);
    loader.run_whole(failed);
    loader.run_statements(failed);
  }
  // It failed as a whole but not statement by statement: say so, without a line.
  throw migration_file_error({{files[failed].path, 0, severity::error,
                               postgres_message(first.what()) + sqlstate_suffix(first)}});
}

}  // namespace

schema::schema_model load_declared_schema(const std::string& database_url,
                                          const std::vector<declared_file>& files,
                                          const inspection_options& ignore, bool commit) {
  check_files(files);
  pqxx::connection c(database_url);
  // The files' NOTICEs (IF EXISTS, implicit indexes) are not news; WARNINGs are.
  notice_printer quiet(c, false);
  size_t failed = 0;
  try {
    pqxx::work tx(c, "declared_schema");
    declared_loader loader(tx, files);
    // One round trip per file: a declared schema of a thousand tables loads
    // in one go; only a failure is looked at statement by statement.
    try {
      loader.run_whole(files.size());
    } catch (const pqxx::sql_error&) {
      failed = loader.failed_file();
      throw;
    }
    auto model = inspect_catalog(tx, ignore);
    if (commit)
      tx.commit();
    else
      tx.abort();
    return model;
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    locate_failure(c, files, failed, e);
  }
}

namespace {

// What the runner writes as the comment of a state it keeps: what it is and
// the key it was made for.
std::string cache_marker(const std::string& kind, const std::string& key) {
  return "migration_tools " + kind + " state " + key;
}

}  // namespace

state_cache::state_cache(std::string server_url, std::string kind, std::string scope,
                         std::string key, std::function<void(const std::string&)> note)
    : server_url_(std::move(server_url)),
      kind_(std::move(kind)),
      scope_(std::move(scope)),
      key_(std::move(key)),
      note_(std::move(note)) {}

std::string state_cache::name() const {
  return "mt_" + kind_ + "_" + scope_ + "_" + key_;
}

// Why the database under the cache's name cannot be trusted, or "" when it
// can: it must be owned by the current role (no one else can then have
// written it) and carry the marker the runner wrote with the key it was
// made for. A database of another role under the predictable name is never
// read, whatever it holds. Absent: "absent".
std::string state_cache::distrust(pqxx::connection& admin) const {
  pqxx::nontransaction tx(admin);
  auto rows = tx.exec_params(
      "SELECT d.datdba OPERATOR(pg_catalog.=) r.oid, "
      "pg_catalog.shobj_description(d.oid, 'pg_database') "
      "FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
      "WHERE d.datname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
      "AND r.rolname OPERATOR(pg_catalog.=) CURRENT_USER",
      name());
  if (rows.empty()) return "absent";
  if (!rows[0][0].as<bool>()) return "it belongs to another role";
  if (rows[0][1].is_null() || rows[0][1].as<std::string>() != cache_marker(kind_, key_))
    return "it does not carry the runner's marker";
  return "";
}

std::optional<schema::schema_model> state_cache::read(const inspection_options& ignore) {
  if (key_.empty()) return std::nullopt;
  std::string why;
  {
    pqxx::connection admin(server_url_);
    why = distrust(admin);
  }
  if (why.empty()) {
    pqxx::connection cached(with_database(server_url_, name()));
    return inspect_catalog(cached, ignore);
  }
  if (why != "absent") {
    name_taken_ = true;
    if (note_)
      note_("ignoring the " + kind_ + "-state cache " + name() + " on the scratch server: " + why +
            (kind_ == "head" ? "; replaying the migrations instead"
                             : "; loading the schema files again instead"));
  }
  return std::nullopt;
}

// Older states of the same scope are of no more use: dropped, but only
// those this role owns and marked as states of this kind.
void state_cache::drop_older(pqxx::connection& admin) const {
  pqxx::nontransaction tx(admin);
  for (const auto& row :
       tx.exec_params("SELECT d.datname FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
                      "WHERE d.datname OPERATOR(pg_catalog.~~) ($1::pg_catalog.text "
                      "OPERATOR(pg_catalog.||) '%') "
                      "AND r.rolname OPERATOR(pg_catalog.=) CURRENT_USER "
                      "AND d.datdba OPERATOR(pg_catalog.=) r.oid "
                      "AND pg_catalog.shobj_description(d.oid, 'pg_database') "
                      "OPERATOR(pg_catalog.~~) ($2::pg_catalog.text OPERATOR(pg_catalog.||) '%')",
                      "mt\\_" + kind_ + "\\_" + scope_ + "\\_", cache_marker(kind_, "")))
    tx.exec0("DROP DATABASE IF EXISTS " + admin.quote_name(row[0].c_str()) + " WITH (FORCE)");
}

void state_cache::keep(scratch_database& scratch) {
  if (key_.empty() || name_taken_) return;
  try {
    pqxx::connection admin(server_url_);
    drop_older(admin);
    pqxx::nontransaction(admin).exec0("COMMENT ON DATABASE " + admin.quote_name(scratch.name()) +
                                      " IS " + admin.quote(cache_marker(kind_, key_)));
    scratch.keep_as(name());
  } catch (const pqxx::sql_error&) {
    // Another runner kept the same state first: this copy is dropped.
  }
}

head_state load_head_state(const head_state_source& source) {
  state_cache cache(source.server_url, "head", source.cache_scope, source.cache_key, source.note);
  if (auto cached = cache.read(source.ignore)) return {std::move(*cached), true};
  scratch_database scratch(source.server_url);
  source.apply_migrations(scratch.url());
  schema::schema_model model;
  {
    pqxx::connection c(scratch.url());
    model = inspect_catalog(c, source.ignore);
  }
  cache.keep(scratch);
  return {std::move(model), false};
}

schema::schema_model load_database(const std::string& url, const inspection_options& ignore) {
  pqxx::connection c(url);
  return inspect_catalog(c, ignore);
}

}  // namespace migration_tools::autogenerate
