#include "migration_tools/core/sql_splitter.hpp"

#include <cctype>
#include <string>

namespace migration_tools {

namespace {

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

class splitter {
 public:
  explicit splitter(std::string_view s) : s_(s) {}

  std::vector<sql_lexical_problem> problems() && { return std::move(problems_); }

  std::vector<sql_statement> run() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '-' && peek(1) == '-') {
        skip_line_comment();
      } else if (c == '/' && peek(1) == '*') {
        skip_block_comment();
      } else if (c == '\'') {
        mark_token();
        skip_quoted('\'', false);
      } else if ((c == 'E' || c == 'e') && peek(1) == '\'' && !prev_is_ident()) {
        mark_token();
        ++i_;
        skip_quoted('\'', true);
      } else if (c == '"') {
        mark_token();
        skip_quoted('"', false);
      } else if (c == '$' && !prev_is_ident() && dollar_tag_length() > 0) {
        mark_token();
        skip_dollar_quoted();
      } else if (c == ';') {
        end_statement(i_);
        ++i_;
      } else if (c == '(' || c == ')') {
        // As in psql, ';' inside parentheses (a rule's action list) does not end
        // the statement; a stray ')' does not make the depth negative.
        mark_token();
        if (c == '(') {
          ++paren_depth_;
        } else if (paren_depth_ > 0) {
          --paren_depth_;
        }
        ++i_;
      } else if (is_ident_char(c) && !prev_is_ident()) {
        mark_token();
        word();
      } else if (c == '\\') {
        // psql starts a meta-command here (\\!, \\i, \\o ...); the server
        // would reject the statement.
        problem(sql_lexical_problem::kind::backslash, i_);
        mark_token();
        ++i_;
      } else {
        if (!std::isspace(static_cast<unsigned char>(c))) mark_token();
        ++i_;
      }
    }
    end_statement(s_.size());
    return std::move(out_);
  }

 private:
  char peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool prev_is_ident() const { return i_ > 0 && is_ident_char(s_[i_ - 1]); }

  void mark_token() {
    if (!in_statement_) {
      in_statement_ = true;
      start_ = i_;
    }
  }

  void end_statement(size_t end) {
    // ';' inside BEGIN ATOMIC or parentheses
    if ((atomic_depth_ > 0 || paren_depth_ > 0) && end < s_.size()) return;
    if (in_statement_) {
      sql_statement st;
      st.offset = start_;
      st.text = s_.substr(start_, end - start_);
      while (line_pos_ < start_) {
        if (s_[line_pos_] == '\n') ++line_;
        ++line_pos_;
      }
      st.line = line_;
      out_.push_back(st);
    }
    in_statement_ = false;
    atomic_depth_ = 0;
    paren_depth_ = 0;
    last_word_ = {};
  }

  void skip_line_comment() {
    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
  }

  void skip_block_comment() {
    size_t open = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      if (s_[i_] == '/' && peek(1) == '*') {
        ++depth;
        i_ += 2;
      } else if (s_[i_] == '*' && peek(1) == '/') {
        i_ += 2;
        if (--depth == 0) return;
      } else {
        ++i_;
      }
    }
    problem(sql_lexical_problem::kind::unterminated_comment, open);
  }

  // At the opening quote; doubled quotes escape, and so does '\' in E'' strings.
  void skip_quoted(char q, bool backslash) {
    size_t open = i_ - (backslash ? 1 : 0);
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (backslash && c == '\\') {
        i_ += 2;
      } else if (c == q) {
        if (peek(1) == q) {
          i_ += 2;
        } else {
          ++i_;
          return;
        }
      } else {
        ++i_;
      }
    }
    problem(sql_lexical_problem::kind::unterminated_quote, open);
  }

  // Length of `$tag$` at i_, or 0 if it is not a dollar-quote opener.
  size_t dollar_tag_length() const {
    size_t j = i_ + 1;
    if (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) return 0;
    while (j < s_.size() && s_[j] != '$') {
      char c = s_[j];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
            static_cast<unsigned char>(c) >= 0x80))
        return 0;
      ++j;
    }
    return j < s_.size() ? j - i_ + 1 : 0;
  }

  void skip_dollar_quoted() {
    size_t n = dollar_tag_length();
    std::string_view tag = s_.substr(i_, n);
    auto end = s_.find(tag, i_ + n);
    if (end == std::string_view::npos) problem(sql_lexical_problem::kind::unterminated_dollar, i_);
    i_ = end == std::string_view::npos ? s_.size() : end + n;
  }

  // Tracks BEGIN ATOMIC ... END (SQL-standard function bodies), where ';'
  // separates the body's statements, not the outer one. CASE ... END nests.
  void word() {
    size_t start = i_;
    while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
    std::string_view w = s_.substr(start, i_ - start);
    if (iequals(w, "atomic") && iequals(last_word_, "begin")) {
      ++atomic_depth_;
    } else if (atomic_depth_ > 0 && iequals(w, "case")) {
      ++atomic_depth_;
    } else if (atomic_depth_ > 0 && iequals(w, "end")) {
      --atomic_depth_;
    }
    last_word_ = w;
  }

  void problem(sql_lexical_problem::kind what, size_t offset) {
    problems_.push_back({what, offset});
  }

  std::string_view s_;
  size_t i_ = 0;
  bool in_statement_ = false;
  size_t start_ = 0;
  int atomic_depth_ = 0;
  int paren_depth_ = 0;
  std::string_view last_word_;
  size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<sql_statement> out_;
  std::vector<sql_lexical_problem> problems_;
};

}  // namespace

std::vector<sql_statement> split_sql(std::string_view sql) {
  return splitter(sql).run();
}

const char* describe_lexical_problem(sql_lexical_problem::kind what) {
  switch (what) {
    case sql_lexical_problem::kind::backslash:
      return "a backslash outside a string or comment: psql would run it as a meta-command "
             "(such as \\! or \\i) in an offline script, and PostgreSQL rejects it online";
    case sql_lexical_problem::kind::unterminated_comment:
      return "a '/*' comment that is never closed in this section";
    case sql_lexical_problem::kind::unterminated_quote:
      return "a quoted string or identifier that is never closed in this section";
    case sql_lexical_problem::kind::unterminated_dollar:
      return "a dollar-quoted string that is never closed in this section";
  }
  return "";
}

std::vector<sql_lexical_problem> find_lexical_problems(std::string_view sql) {
  return split_sql_with_problems(sql).problems;
}

sql_split split_sql_with_problems(std::string_view sql) {
  splitter s(sql);
  sql_split out;
  out.statements = s.run();
  out.problems = std::move(s).problems();
  return out;
}

}  // namespace migration_tools
