// Small string helpers shared by the parsers.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace migration_tools {

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// ASCII letters in lower case, the rest as it is (SQL keywords, URL schemes).
std::string to_lower(std::string_view s);

std::string_view trim_left(std::string_view s);
std::string_view trim(std::string_view s);

// Drops a leading UTF-8 byte order mark.
std::string_view strip_bom(std::string_view s);
// Turns CRLF (and stray CR before LF) into LF.
std::string strip_carriage_returns(std::string_view s);

// The parts joined in one allocation (a + b + c + ... allocates at every '+',
// which shows where statements are built thousands of times).
// Text from a migration (a message, a path, an error quoting either) as a
// terminal may show it: every control character (ESC, CR, ...) written as
// \xNN, so that nothing printed can move the cursor, recolour or hide a
// line. Line feeds stay when `keep_line_feeds` (multi-line errors).
std::string escape_control_characters(std::string_view text, bool keep_line_feeds = false);

std::string concat(std::initializer_list<std::string_view> parts);

// A word as a POSIX shell reads it back: unchanged when it holds only
// [A-Za-z0-9_./:=@%+,-], else in single quotes ('\'' for a quote). For the
// commands that messages tell users to paste.
std::string shell_word(std::string_view word);

// Items separated by commas and/or white space; empty items dropped.
std::vector<std::string_view> split_list(std::string_view s);

// Iterates over lines (without their '\n'; a trailing '\r' is kept for the caller).
class line_reader {
 public:
  explicit line_reader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line, int& number);

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

// Counts '\n' in s[0, end).
int count_newlines(std::string_view s, size_t end);

}  // namespace migration_tools
