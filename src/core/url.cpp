#include "migration_tools/core/url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

bool is_blank(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::vector<std::string>& registered_secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libpq decodes %XX in every part of a URL, keys included.
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Where a URL that starts at `begin` ends: white space, a quote, or the next
// URL.
size_t url_token_end(const std::string& s, size_t begin) {
  size_t end = begin;
  while (end < s.size() && !is_blank(s[end]) && s[end] != '"' && s[end] != '\'' &&
         s.compare(end, 3, "://") != 0)
    ++end;
  return end;
}

// The query parameters of the URL in [begin, end): values of secret keys
// masked, however the key is spelled. Returns the new end.
size_t redact_query(std::string& s, size_t query, size_t end) {
  size_t pos = query;
  while (pos < end) {
    size_t amp = s.find('&', pos);
    if (amp == std::string::npos || amp > end) amp = end;
    size_t eq = s.find('=', pos);
    if (eq != std::string::npos && eq < amp &&
        is_secret_connection_key(percent_decoded(std::string_view(s).substr(pos, eq - pos)))) {
      s.replace(eq + 1, amp - eq - 1, "***");
      end = end - (amp - eq - 1) + 3;
      amp = eq + 4;
    }
    pos = amp + 1;
  }
  return end;
}

void redact_urls(std::string& s) {
  for (size_t scheme = s.find("://"); scheme != std::string::npos;
       scheme = s.find("://", scheme + 3)) {
    size_t authority = scheme + 3;
    size_t end = url_token_end(s, authority);
    // The user information ends at an '@'. The last one in the token is
    // taken: a password may hold '/', '?', '#' or '@' unencoded, and libpq
    // reads such URLs in more than one way, so the mask errs on the long side.
    size_t at = s.rfind('@', end == 0 ? 0 : end - 1);
    size_t after_user = authority;
    if (at != std::string::npos && at >= authority) {
      size_t colon = s.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        s.replace(colon + 1, at - colon - 1, "***");
        end = end - (at - colon - 1) + 3;
        at = colon + 4;
      }
      after_user = at + 1;
    }
    size_t query = s.find('?', after_user);
    if (query != std::string::npos && query < end) end = redact_query(s, query + 1, end);
    scheme = end > 3 ? end - 3 : scheme;
  }
}

// `key = value` pairs of a keyword connection string, anywhere in the text.
void redact_keywords(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find('=', pos)) != std::string::npos) {
    // The key: the word before the '=' (blanks allowed around it).
    size_t key_end = pos;
    while (key_end > 0 && is_blank(s[key_end - 1])) --key_end;
    size_t key_begin = key_end;
    while (key_begin > 0 && (std::isalnum(static_cast<unsigned char>(s[key_begin - 1])) ||
                             s[key_begin - 1] == '_' || s[key_begin - 1] == '%'))
      --key_begin;
    if (key_begin == key_end || !is_secret_connection_key(percent_decoded(
                                    std::string_view(s).substr(key_begin, key_end - key_begin)))) {
      ++pos;
      continue;
    }
    size_t value = pos + 1;
    while (value < s.size() && is_blank(s[value])) ++value;
    size_t end = value;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += (s[end] == '\\') ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && s[end] != '&' && !is_blank(s[end])) ++end;
    }
    if (s.compare(value, end - value, "***") != 0) s.replace(value, end - value, "***");
    pos = value + 3;
  }
}

void redact_registered(std::string& s) {
  for (const auto& secret : registered_secrets()) {
    for (size_t pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3))
      s.replace(pos, secret.size(), "***");
  }
}

}  // namespace

bool is_secret_connection_key(std::string_view key) {
  std::string k = to_lower(std::string(key));
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos;
}

void add_secret_to_redact(std::string value) {
  if (value.empty() || value == "***") return;
  auto& secrets = registered_secrets();
  if (std::find(secrets.begin(), secrets.end(), value) != secrets.end()) return;
  secrets.push_back(std::move(value));
  // Longest first, so that a secret holding another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redact_url(std::string_view text) {
  std::string s(text);
  redact_registered(s);
  redact_urls(s);
  redact_keywords(s);
  return s;
}

std::string percent_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string conninfo_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace migration_tools
