#include "migration_tools/core/url.hpp"

#include <algorithm>
#include <cctype>

namespace migration_tools {

namespace {

bool is_blank(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Masks the value after every `password=` (query parameter or keyword form;
// libpq allows white space around the '=' of the keyword form).
std::string redact_password_parameters(std::string s) {
  const std::string key = "password";
  size_t pos = 0;
  while ((pos = s.find(key, pos)) != std::string::npos) {
    bool at_start = pos == 0 || s[pos - 1] == '&' || s[pos - 1] == '?' || is_blank(s[pos - 1]);
    size_t eq = pos + key.size();
    while (eq < s.size() && is_blank(s[eq])) ++eq;
    if (!at_start || eq >= s.size() || s[eq] != '=') {
      pos += key.size();
      continue;
    }
    size_t value = eq + 1;
    while (value < s.size() && is_blank(s[value])) ++value;
    size_t end = value;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += (s[end] == '\\') ? 2 : 1;
      end = end < s.size() ? end + 1 : s.size();
    } else {
      while (end < s.size() && s[end] != '&' && !is_blank(s[end])) ++end;
    }
    s.replace(value, end - value, "***");
    pos = value + 3;
  }
  return s;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string s(url);
  // Every URL in the text: an error message may quote more than one.
  for (size_t scheme = s.find("://"); scheme != std::string::npos;
       scheme = s.find("://", scheme + 3)) {
    // As libpq reads it, the user information ends at an '@' before the first
    // '/': a password may hold '?' or '#'. The last such '@' is taken, so that
    // an unencoded '@' in the password does not leak its tail. A URL ends at
    // the next one at the latest.
    size_t authority = scheme + 3;
    size_t end = std::min(s.find('/', authority), s.find("://", authority));
    if (end == std::string::npos) end = s.size();
    size_t at = s.rfind('@', end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = s.find(':', authority);
      if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
  }
  return redact_password_parameters(std::move(s));
}

}  // namespace migration_tools
