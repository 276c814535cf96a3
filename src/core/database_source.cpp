#include "migration_tools/core/database_source.hpp"

#include <algorithm>
#include <cctype>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"

namespace migration_tools {

namespace {

// One place the names are looked up: the environment or the .env file.
struct name_source {
  const char* suffix;  // appended to the origin, e.g. " in .env"
  std::function<std::string(const std::string&)> get;
};

std::optional<database_source> url_variable(const name_source& from, const char* name) {
  std::string value = from.get(name);
  if (value.empty()) return std::nullopt;
  database_source s;
  s.origin = std::string(name) + from.suffix;
  s.url = normalise_database_url(value, s.notes);
  return s;
}

// POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB
// as a URL (docker's postgres image and most compose files use these names).
std::optional<database_source> postgres_variables(const name_source& from) {
  std::string host = from.get("POSTGRES_HOST"), port = from.get("POSTGRES_PORT"),
              user = from.get("POSTGRES_USER"), password = from.get("POSTGRES_PASSWORD"),
              db = from.get("POSTGRES_DB");
  if (host.empty() && db.empty() && user.empty()) return std::nullopt;
  std::string url = "postgresql://";
  if (!user.empty()) {
    url += percent_encode(user);
    if (!password.empty()) url += ":" + percent_encode(password);
    url += "@";
  }
  // A host that is a socket directory goes as a parameter.
  bool socket = starts_with(host, "/");
  if (!socket) url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!port.empty() && !socket) url += ":" + percent_encode(port);
  url += "/" + percent_encode(db);
  if (socket) {
    url += "?host=" + percent_encode(host);
    if (!port.empty()) url += "&port=" + percent_encode(port);
  }
  std::string names;
  for (const char* n : {"POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_DB"})
    if (!from.get(n).empty()) names += std::string(names.empty() ? "" : ", ") + n;
  return database_source{url, names + from.suffix, {}};
}

// libpq's own variables as a keyword connection string, so that those from
// a .env file (which libpq never reads) count as much as the environment's.
std::optional<database_source> pg_variables(const name_source& from) {
  static const std::pair<const char*, const char*> keys[] = {
      {"PGHOST", "host"},       {"PGHOSTADDR", "hostaddr"}, {"PGPORT", "port"},
      {"PGDATABASE", "dbname"}, {"PGUSER", "user"},         {"PGPASSWORD", "password"},
      {"PGSERVICE", "service"}, {"PGSSLMODE", "sslmode"},   {"PGOPTIONS", "options"}};
  bool names_database = false;
  for (const char* n : {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"})
    names_database = names_database || !from.get(n).empty();
  if (!names_database) return std::nullopt;
  std::string conninfo, names;
  for (const auto& [variable, key] : keys) {
    std::string value = from.get(variable);
    if (value.empty()) continue;
    conninfo += std::string(conninfo.empty() ? "" : " ") + key + "=" + conninfo_value(value);
    if (std::string(variable) != "PGPASSWORD")
      names += std::string(names.empty() ? "" : ", ") + variable;
  }
  return database_source{conninfo, names + from.suffix, {}};
}

// The names a project sets for its own database: DATABASE_URL, POSTGRES_URL
// and docker's POSTGRES_* (libpq's PG* are not among them: see below).
std::optional<database_source> project_names(const name_source& from) {
  if (auto s = url_variable(from, "DATABASE_URL")) return s;
  if (auto s = url_variable(from, "POSTGRES_URL")) return s;
  return postgres_variables(from);
}

}  // namespace

std::string normalise_database_url(const std::string& url, std::vector<std::string>& notes) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;  // a keyword connection string
  std::string scheme = to_lower(url.substr(0, scheme_end));
  std::string rest = url.substr(scheme_end + 3);
  if (size_t plus = scheme.find('+');
      plus != std::string::npos &&
      (scheme.compare(0, plus, "postgresql") == 0 || scheme.compare(0, plus, "postgres") == 0)) {
    notes.push_back("the URL's driver '" + scheme.substr(plus + 1) + "' (" + scheme +
                    "://) is SQLAlchemy's; connecting with libpq as postgresql://");
    scheme = "postgresql";
  }
  // The user information ends at the last '@' before the path: one more '@'
  // before it is part of a user name or password, which libpq would take for
  // the host (and print).
  // (A query parameter may hold an '@' of its own.)
  std::string head = rest.substr(0, rest.find('?'));
  size_t at = head.rfind('@');
  std::string authority = head.substr(0, head.find('/', at == std::string::npos ? 0 : at));
  if (std::count(authority.begin(), authority.end(), '@') > 1)
    throw usage_error(
        "the database URL holds more than one '@' before its host: a user name or password "
        "with '@' must be percent-encoded: '@' is %40, ':' is %3A, '/' is %2F");
  return scheme + "://" + rest;
}

bool environment_flag(const std::string& value) {
  std::string v = to_lower(std::string(trim(value)));
  return !(v.empty() || v == "0" || v == "false" || v == "no" || v == "off");
}

std::optional<database_source> find_database_source(const database_source_inputs& in) {
  if (!in.url_option.empty()) {
    database_source s;
    s.origin = in.url_option_origin;
    s.url = normalise_database_url(in.url_option, s.notes);
    return s;
  }
  name_source environment{"", in.environment};
  if (auto s = project_names(environment)) return s;
  if (in.dotenv) {
    const dotenv_file& file = *in.dotenv;
    std::string suffix = " in " + file.path;
    name_source dotenv{suffix.c_str(), [&](const std::string& name) {
                         const dotenv_entry* e = file.find(name);
                         return e ? e->value : std::string();
                       }};
    // A .env file is the project's: its PG* lines count as its own.
    if (auto s = project_names(dotenv)) return s;
    if (auto s = pg_variables(dotenv)) return s;
  }
  if (!in.configured_url.empty()) {
    database_source s;
    s.origin = "add_migrations DATABASE_URL";
    s.url = normalise_database_url(in.configured_url, s.notes);
    return s;
  }
  // libpq's PG* variables in the shell are ambient, set for psql and any
  // project: they name the database only when the project names none, and
  // otherwise fill in what its URL leaves out, as libpq itself does.
  return pg_variables(environment);
}

std::string database_source_names() {
  return "--url, DATABASE_URL, POSTGRES_URL, POSTGRES_HOST/POSTGRES_DB/POSTGRES_USER, "
         "PGHOST/PGHOSTADDR/PGDATABASE/PGSERVICE (in the environment or a .env file), and "
         "add_migrations(DATABASE_URL)";
}

}  // namespace migration_tools
