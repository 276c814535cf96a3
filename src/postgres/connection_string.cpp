#include "migration_tools/postgres/connection_string.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "migration_tools/core/url.hpp"

namespace migration_tools {

namespace {

struct options_deleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// Percent-encoded forms of a secret as a URL may carry it: libpq decodes
// them, so the text a user wrote differs from the value it parsed.
void register_spellings(const std::string& value) {
  add_secret_to_redact(value);
  add_secret_to_redact(percent_encode(value));
}

bool parses(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, options_deleter> options(
      PQconninfoParse(conninfo.c_str(), &error));
  if (error) PQfreemem(error);
  return options != nullptr;
}

}  // namespace

std::string connection_failure_message(const std::string& conninfo, std::string message) {
  if (!parses(conninfo)) {
    for (size_t open = message.find('"'); open != std::string::npos;
         open = message.find('"', open + 5)) {
      size_t close = message.find('"', open + 1);
      if (close == std::string::npos) close = message.size();
      message.replace(open + 1, close - open - 1, "***");
    }
  }
  return redact_url(message);
}

std::string connection_parameter(const std::string& conninfo, const char* key) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, options_deleter> options(
      PQconninfoParse(conninfo.c_str(), &error));
  if (error) PQfreemem(error);
  if (!options) return "";
  for (PQconninfoOption* o = options.get(); o->keyword; ++o)
    if (o->val && std::string_view(o->keyword) == key) return o->val;
  return "";
}

std::string describe_connection(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, options_deleter> options(
      PQconninfoParse(conninfo.c_str(), &error));
  if (!options) {
    // libpq's message may quote the malformed part, which may be a secret.
    if (error) PQfreemem(error);
    return "(a connection string libpq cannot parse)";
  }
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    std::string value = o->val;
    bool secret =
        (o->dispchar && std::strchr(o->dispchar, '*')) || is_secret_connection_key(o->keyword);
    if (secret) {
      register_spellings(value);
      continue;
    }
    std::string key = o->keyword;
    if (key == "user") user = value;
    if (key == "host" || (key == "hostaddr" && host.empty())) host = value;
    if (key == "port") port = value;
    if (key == "dbname") dbname = value;
  }
  // What libpq fills in for what the string leaves out (PGHOST, PGUSER, ...
  // from the environment, the operating system's user name), and the
  // database it then connects to: the user's name when none is given. The
  // display says where the connection really goes.
  std::unique_ptr<PQconninfoOption, options_deleter> defaults(PQconndefaults());
  for (PQconninfoOption* o = defaults.get(); o && o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string key = o->keyword;
    if (key == "user" && user.empty()) user = o->val;
    if (key == "host" && host.empty()) host = o->val;
    if (key == "hostaddr" && host.empty()) host = o->val;
    if (key == "port" && port.empty()) port = o->val;
    if (key == "dbname" && dbname.empty()) dbname = o->val;
  }
  if (dbname.empty()) dbname = user;
  // One form for every source: postgresql://user@host:port/db over TCP, and
  // postgresql://user@/db?host=DIR&port=P over a socket (a path is not a
  // host name); the port only when it is not PostgreSQL's 5432.
  bool socket = host.empty() || host[0] == '/';
  bool show_port = !port.empty() && port != "5432";
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  if (!socket) out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!socket && show_port) out += ":" + port;
  out += "/" + dbname;
  std::string query;
  if (socket && !host.empty()) query += "host=" + host;
  if (socket && show_port) query += std::string(query.empty() ? "" : "&") + "port=" + port;
  if (!query.empty()) out += "?" + query;
  return redact_url(out);
}

std::string with_database(const std::string& conninfo, const std::string& database) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error(
        connection_failure_message(conninfo, "malformed connection string: " + message));
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    std::string keyword = o->keyword;
    if (keyword == "dbname") continue;
    if (o->val && *o->val) out += keyword + "=" + conninfo_value(o->val) + " ";
  }
  PQconninfoFree(options);
  return out + "dbname=" + conninfo_value(database);
}

}  // namespace migration_tools
