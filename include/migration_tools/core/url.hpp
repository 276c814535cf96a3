// Database URLs as shown to people: never with their password.
#pragma once

#include <string>
#include <string_view>

namespace migration_tools {

// Masks with '***', in any text (a URL, a keyword connection string, an error
// message quoting either):
// - the user information's password of every `scheme://user:secret@...`,
//   up to the token's last '@' (an unencoded '/', '?', '#' or '@' in the
//   password does not leak its tail);
// - the value of every secret parameter (password, sslpassword, and any key
//   holding "password" or "secret"), as a URL query parameter, also when its
//   key is percent-encoded (`pass%77ord=`), or as a `key = value` keyword;
// - every value registered with add_secret_to_redact, wherever it appears.
std::string redact_url(std::string_view text);

// A secret's value as the connection parsed it (libpq decodes percent
// escapes): from now on redact_url masks it wherever it appears, whatever
// spelling the text used to carry it. Not thread-safe: register before
// starting threads that print.
void add_secret_to_redact(std::string value);

// Every byte outside RFC 3986's unreserved set percent-encoded: a value for
// a URL's user, password, path or query.
std::string percent_encode(std::string_view value);

// A value of a keyword connection string (`key='value'`), as libpq reads it:
// in single quotes, with ' and \ escaped.
std::string conninfo_value(std::string_view value);

// True for the keys libpq treats as secret (its "*" display class) and any
// other key holding "password" or "secret".
bool is_secret_connection_key(std::string_view key);

}  // namespace migration_tools
