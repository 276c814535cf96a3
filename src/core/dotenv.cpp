#include "migration_tools/core/dotenv.hpp"

#include <cstdlib>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

std::string process_environment(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

const dotenv_entry* dotenv_file::find(std::string_view name) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '.';
}

// Stands for "\$" between reading a double-quoted value and expanding it (a
// control character no value holds).
constexpr char escaped_dollar = '\x01';

class dotenv_parser {
 public:
  dotenv_parser(std::string_view text, const std::string& path, const environment_lookup& env)
      : text_(text), env_(env) {
    file_.path = path;
  }

  dotenv_file parse() {
    while (pos_ < text_.size()) statement();
    if (!errors_.empty()) throw migration_file_error(std::move(errors_));
    return std::move(file_);
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool at_line_end() const { return pos_ >= text_.size() || text_[pos_] == '\n'; }
  void skip_blanks() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r'))
      ++pos_;
  }
  void skip_line() {
    while (!at_line_end()) ++pos_;
    if (pos_ < text_.size()) {
      ++pos_;
      ++line_;
    }
  }
  void fail(int line, std::string message) {
    errors_.push_back({file_.path, line, severity::error, std::move(message)});
  }

  void statement() {
    skip_blanks();
    if (size_t end = text_.find('\n', pos_);
        text_.substr(pos_, end - pos_).find('\0') != std::string_view::npos) {
      fail(line_, "a NUL byte on the line: a .env file is text");
      return skip_line();
    }
    if (at_line_end() || peek() == '#') return skip_line();
    int line = line_;
    if (text_.compare(pos_, 7, "export ") == 0) {
      pos_ += 7;
      skip_blanks();
    }
    size_t start = pos_;
    if (!is_name_start(peek())) {
      fail(line, "expected NAME=VALUE, where NAME is letters, digits and '_'");
      return skip_line();
    }
    while (is_name_char(peek())) ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    skip_blanks();
    if (peek() != '=') {
      fail(line, "expected '=' after '" + name + "'");
      return skip_line();
    }
    ++pos_;
    skip_blanks();
    std::string value;
    bool ok = true;
    if (peek() == '\'' || peek() == '"') {
      ok = quoted(peek(), line, value);
    } else {
      size_t begin = pos_;
      // A comment starts at a '#' after white space.
      while (!at_line_end() && !(peek() == '#' && pos_ > begin &&
                                 (text_[pos_ - 1] == ' ' || text_[pos_ - 1] == '\t')))
        ++pos_;
      value = expand(trim(text_.substr(begin, pos_ - begin)), line, ok);
    }
    if (ok) file_.entries.push_back({std::move(name), std::move(value), line});
    skip_line();
  }

  // A quoted value from the opening quote; leaves pos_ on what follows it.
  bool quoted(char quote, int line, std::string& out) {
    ++pos_;
    std::string raw;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\0') {
        fail(line_, "a NUL byte in the value: a .env file is text");
        return false;
      }
      if (c == '\n') ++line_;
      if (quote == '"' && c == '\\' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n':
            raw += '\n';
            break;
          case 't':
            raw += '\t';
            break;
          case 'r':
            raw += '\r';
            break;
          case '$':
            raw += escaped_dollar;
            break;
          default:
            if (e == '\n') ++line_;
            raw += e;
        }
        continue;
      }
      raw += c;
    }
    if (pos_ >= text_.size()) {
      fail(line, std::string("unclosed ") + (quote == '"' ? "double" : "single") +
                     " quote: the value runs to the end of the file");
      return false;
    }
    ++pos_;  // the closing quote
    skip_blanks();
    if (!at_line_end() && peek() != '#') {
      fail(line_, "unexpected text after the closing quote");
      return false;
    }
    bool ok = true;
    out = quote == '"' ? expand(raw, line, ok) : raw;
    return ok;
  }

  // ${NAME} and ${NAME:-default}, the default expanded in turn; an escaped
  // "\$" of a double-quoted value stays a '$'.
  std::string expand(std::string_view raw, int line, bool& ok) {
    std::string out;
    expand_into(out, raw, line, ok, 0);
    return out;
  }

  // The '}' that closes the "${" at `open`, counting nested "${...}".
  static size_t closing_brace(std::string_view raw, size_t open) {
    int depth = 0;
    for (size_t i = open; i < raw.size(); ++i) {
      if (raw[i] == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
        ++depth;
        ++i;
      } else if (raw[i] == '}' && --depth == 0) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  void expand_into(std::string& out, std::string_view raw, int line, bool& ok, int depth) {
    if (depth > 16) {
      fail(line, "defaults nested more than 16 deep in the value");
      ok = false;
      return;
    }
    for (size_t i = 0; i < raw.size() && ok; ++i) {
      if (raw[i] == escaped_dollar) {
        out += '$';
      } else if (raw[i] != '$' || i + 1 >= raw.size() || raw[i + 1] != '{') {
        out += raw[i];
      } else {
        size_t close = closing_brace(raw, i);
        if (close == std::string_view::npos) {
          fail(line, "unclosed '${' in the value");
          ok = false;
          return;
        }
        substitute(out, raw.substr(i + 2, close - i - 2), line, ok, depth);
        i = close;
      }
      if (ok && out.size() > dotenv_max_value) {
        fail(line, "the value expands to more than " + std::to_string(dotenv_max_value) +
                       " bytes (a line that doubles another?)");
        ok = false;
      }
    }
  }

  // What "${inner}" stands for.
  void substitute(std::string& out, std::string_view inner, int line, bool& ok, int depth) {
    std::string_view fallback;
    bool has_fallback = false;
    if (size_t d = inner.find(":-"); d != std::string_view::npos) {
      fallback = inner.substr(d + 2);
      inner = inner.substr(0, d);
      has_fallback = true;
    }
    bool valid = !inner.empty() && is_name_start(inner[0]);
    for (char c : inner) valid = valid && is_name_char(c);
    if (!valid) {
      fail(line, "'${" + std::string(inner) + "}' does not name a variable");
      ok = false;
      return;
    }
    std::string value = env_(std::string(inner));
    if (value.empty())
      if (const auto* e = file_.find(inner)) value = e->value;
    if (!value.empty())
      out += value;
    else if (has_fallback)
      expand_into(out, fallback, line, ok, depth + 1);
  }

  std::string_view text_;
  const environment_lookup& env_;
  dotenv_file file_;
  std::vector<diagnostic> errors_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

dotenv_file parse_dotenv(std::string_view text, const std::string& path,
                         const environment_lookup& environment) {
  return dotenv_parser(strip_bom(text), path, environment).parse();
}

}  // namespace migration_tools
