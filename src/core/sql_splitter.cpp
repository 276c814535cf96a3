#include "migration_tools/core/sql_splitter.hpp"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <memory>
#include <string>

#include "migration_tools/core/text.hpp"

// Statement boundaries from PostgreSQL's own scanner (libpg_query's
// pg_query_scan, the PostgreSQL 15 lexer): strings, E'' escapes, dollar
// quotes, nested comments and identifiers are read exactly as the server
// reads them. What the scanner leaves to the grammar is decided here, as psql
// decides it: a ';' inside parentheses (a rule's action list) or inside a
// BEGIN ATOMIC ... END body does not end the statement.

namespace migration_tools {

namespace {

struct token {
  size_t start = 0;
  int kind = 0;  // PgQuery__Token: an ASCII character or a named token
};

// One call of the scanner over text[begin, end): its tokens, or where and why
// it stopped (the scanner gives no tokens when it fails).
struct scan_outcome {
  std::vector<token> tokens;
  bool failed = false;
  bool placed = false;  // whether the scanner said where it stopped
  size_t error_at = 0;
  std::string message;
};

// PostgreSQL's pg_utf_mblen: the length of the UTF-8 character led by `c`,
// 1 for a byte that cannot lead one.
size_t utf8_length(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

// The scanner reports a 1-based position in characters; this is its byte
// offset in `text`.
size_t byte_offset(std::string_view text, int cursorpos) {
  size_t offset = 0;
  for (int c = 1; c < cursorpos && offset < text.size(); ++c)
    offset += utf8_length(static_cast<unsigned char>(text[offset]));
  return std::min(offset, text.size());
}

// PostgreSQL's pg_utf8_islegal: whether `n` bytes at `p` are one well-formed
// UTF-8 character (no overlong form, no surrogate, nothing past U+10FFFF).
bool utf8_legal(const unsigned char* p, size_t n) {
  auto continuation = [](unsigned char c) { return c >= 0x80 && c <= 0xbf; };
  switch (n) {
    case 1:
      return p[0] < 0x80;
    case 2:
      return p[0] >= 0xc2 && continuation(p[1]);
    case 3:
      if (!continuation(p[1]) || !continuation(p[2])) return false;
      if (p[0] == 0xe0) return p[1] >= 0xa0;
      if (p[0] == 0xed) return p[1] <= 0x9f;
      return true;
    case 4:
      if (!continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) return false;
      if (p[0] == 0xf0) return p[1] >= 0x90;
      if (p[0] == 0xf4) return p[1] <= 0x8f;
      return p[0] < 0xf4;
    default:
      return false;
  }
}

// What the scanner is given for `text`, byte for byte at the same offsets: it
// reads a C string in UTF-8, and refuses (without saying where) a byte that
// is no part of a UTF-8 character. A NUL byte, which the server never
// receives, and such a byte are read as a character that starts no token
// the splitter counts, so that nothing after them is lost.
std::string scannable(std::string_view text) {
  std::string out(text);
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  for (size_t i = 0; i < out.size();) {
    size_t n = utf8_length(p[i]);
    if (p[i] != 0 && i + n <= out.size() && utf8_legal(p + i, n)) {
      i += n;
    } else {
      p[i++] = 0x01;
    }
  }
  return out;
}

scan_outcome scan(std::string_view sql, size_t begin, size_t end) {
  std::string text = scannable(sql.substr(begin, end - begin));
  scan_outcome out;
  PgQueryScanResult result = pg_query_scan(text.c_str());
  std::unique_ptr<PgQueryScanResult, void (*)(PgQueryScanResult*)> owned(
      &result, [](PgQueryScanResult* r) { pg_query_free_scan_result(*r); });
  if (result.error) {
    out.failed = true;
    out.placed = result.error->cursorpos > 0;
    out.error_at = begin + byte_offset(text, result.error->cursorpos);
    out.message = result.error->message ? result.error->message : "";
    return out;
  }
  PgQuery__ScanResult* unpacked = pg_query__scan_result__unpack(
      nullptr, result.pbuf.len, reinterpret_cast<const uint8_t*>(result.pbuf.data));
  if (!unpacked) {
    out.failed = true;
    out.error_at = begin;
    return out;
  }
  out.tokens.reserve(unpacked->n_tokens);
  for (size_t i = 0; i < unpacked->n_tokens; ++i)
    out.tokens.push_back({begin + static_cast<size_t>(unpacked->tokens[i]->start),
                          static_cast<int>(unpacked->tokens[i]->token)});
  pg_query__scan_result__free_unpacked(unpacked, nullptr);
  return out;
}

// Groups the scanner's tokens into statements.
class statement_builder {
 public:
  explicit statement_builder(std::string_view s) : s_(s) {}

  void add(const token& t) {
    switch (t.kind) {
      case PG_QUERY__TOKEN__SQL_COMMENT:
      case PG_QUERY__TOKEN__C_COMMENT:
        return;  // neither starts a statement nor stands between BEGIN and ATOMIC
      case '\v':
        // PostgreSQL 15's scanner reads a vertical tab as a token of its own,
        // where psql and editors see white space.
        return;
      case PG_QUERY__TOKEN__ASCII_59:
        end_statement(t.start);
        return;
      case PG_QUERY__TOKEN__ASCII_40:
        ++paren_depth_;
        break;
      case PG_QUERY__TOKEN__ASCII_41:
        if (paren_depth_ > 0) --paren_depth_;  // a stray ')' does not go negative
        break;
      case PG_QUERY__TOKEN__ATOMIC:
        if (previous_ == PG_QUERY__TOKEN__BEGIN_P) ++atomic_depth_;
        break;
      case PG_QUERY__TOKEN__CASE:
        if (atomic_depth_ > 0) ++atomic_depth_;  // CASE ... END nests in a body
        break;
      case PG_QUERY__TOKEN__END_P:
        if (atomic_depth_ > 0) --atomic_depth_;
        break;
      case PG_QUERY__TOKEN__ASCII_92:
        // psql starts a meta-command here (\!, \i, \o ...); the server would
        // reject the statement.
        problems_.push_back({sql_lexical_problem::kind::backslash, t.start});
        break;
      default:
        break;
    }
    mark(t.start);
    previous_ = t.kind;
  }

  // Text from `start` the scanner could not read as tokens: part of the
  // current statement, from its first character that is not white space.
  void opaque(size_t start) {
    while (start < s_.size() && (is_space(s_[start]) || s_[start] == ';')) ++start;
    if (start < s_.size()) mark(start);
  }

  void problem(sql_lexical_problem::kind what, size_t offset) {
    problems_.push_back({what, offset});
  }

  sql_split finish() && {
    end_statement(s_.size());
    return {std::move(out_), std::move(problems_)};
  }

 private:
  void mark(size_t start) {
    if (!in_statement_) {
      in_statement_ = true;
      start_ = start;
    }
  }

  void end_statement(size_t end) {
    if ((atomic_depth_ > 0 || paren_depth_ > 0) && end < s_.size()) return;
    if (in_statement_) {
      while (line_pos_ < start_) {
        if (s_[line_pos_] == '\n') ++line_;
        ++line_pos_;
      }
      out_.push_back({s_.substr(start_, end - start_), start_, line_});
    }
    in_statement_ = false;
    atomic_depth_ = 0;
    paren_depth_ = 0;
    previous_ = 0;
  }

  std::string_view s_;
  bool in_statement_ = false;
  size_t start_ = 0;
  int atomic_depth_ = 0;
  int paren_depth_ = 0;
  int previous_ = 0;
  size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<sql_statement> out_;
  std::vector<sql_lexical_problem> problems_;
};

// What an "unterminated ..." scanner error leaves open.
sql_lexical_problem::kind unterminated_kind(std::string_view message) {
  if (message.find("comment") != std::string_view::npos)
    return sql_lexical_problem::kind::unterminated_comment;
  if (message.find("dollar") != std::string_view::npos)
    return sql_lexical_problem::kind::unterminated_dollar;
  return sql_lexical_problem::kind::unterminated_quote;
}

void add_tokens(statement_builder& b, const std::vector<token>& tokens) {
  for (const auto& t : tokens) b.add(t);
}

}  // namespace

sql_split split_sql_with_problems(std::string_view sql) {
  statement_builder b(sql);
  size_t pos = 0;
  while (pos < sql.size()) {
    scan_outcome whole = scan(sql, pos, sql.size());
    if (!whole.failed) {
      add_tokens(b, whole.tokens);
      break;
    }
    // The scanner stopped at error_at: the tokens before it, from a scan of
    // the text before it. That text may itself end inside a literal (an
    // invalid escape is reported where it is, inside its string): then the
    // tokens before that literal's opening.
    if (!whole.placed) {
      // An error the scanner places nowhere: the rest is the server's to
      // refuse.
      b.opaque(pos);
      break;
    }
    size_t error_at = std::max(whole.error_at, pos);
    size_t clean_end = error_at;
    for (;;) {
      scan_outcome before = scan(sql, pos, clean_end);
      if (!before.failed) {
        add_tokens(b, before.tokens);
        break;
      }
      clean_end = std::max(pos, std::min(before.error_at, clean_end - 1));
    }
    if (starts_with(whole.message, "unterminated")) {
      // A string, identifier, dollar quote or comment never closed: it runs
      // to the end of the text (a comment starts no statement).
      auto what = unterminated_kind(whole.message);
      b.problem(what, error_at);
      if (what != sql_lexical_problem::kind::unterminated_comment) b.opaque(clean_end);
      break;
    }
    // Anything else the scanner refuses (`1abc`, a bad escape) is the
    // server's to report when it runs the statement; read on after it.
    b.opaque(clean_end);
    pos = error_at + 1;
  }
  return std::move(b).finish();
}

std::vector<sql_statement> split_sql(std::string_view sql) {
  return split_sql_with_problems(sql).statements;
}

std::vector<sql_lexical_problem> find_lexical_problems(std::string_view sql) {
  return split_sql_with_problems(sql).problems;
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

}  // namespace migration_tools
