// A connection string (URL or keyword form) read the way libpq reads it, so
// that what is shown of it never holds a secret, however it was spelled.
#pragma once

#include <string>

namespace migration_tools {

// The connection as people may see it: `postgresql://user@host:port/dbname`
// built from libpq's own parse (PQconninfoParse), with no password and no
// other parameter. Every secret option libpq found (password, sslpassword:
// its "*" display class) is registered with add_secret_to_redact, decoded
// and as written, so that no later message shows it either. A string libpq
// cannot parse is described as such, without quoting it.
std::string describe_connection(const std::string& conninfo);

// libpq's message for a connection that failed, safe to show: when libpq
// cannot parse the string, its message quotes the malformed part (which may
// be the password), so every quoted part is masked.
std::string connection_failure_message(const std::string& conninfo, std::string message);

// The value of parameter `key` ("port", "host") as libpq parses the
// connection string; "" when it is not given (libpq's default then applies)
// or the string does not parse.
std::string connection_parameter(const std::string& conninfo, const char* key);

// `conninfo` with its database replaced by `database` (libpq keyword form).
std::string with_database(const std::string& conninfo, const std::string& database);

}  // namespace migration_tools
