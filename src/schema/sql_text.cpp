#include "migration_tools/schema/sql_text.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "migration_tools/core/sql_literal.hpp"

namespace migration_tools::schema {

namespace {

// PostgreSQL 15's keywords that are not unreserved (pg_get_keywords() with
// catcode <> 'U'): quote_ident quotes these. Sorted, for binary search.
constexpr std::array<std::string_view, 151> quoted_keywords = {"all",
                                                               "analyse",
                                                               "analyze",
                                                               "and",
                                                               "any",
                                                               "array",
                                                               "as",
                                                               "asc",
                                                               "asymmetric",
                                                               "authorization",
                                                               "between",
                                                               "bigint",
                                                               "binary",
                                                               "bit",
                                                               "boolean",
                                                               "both",
                                                               "case",
                                                               "cast",
                                                               "char",
                                                               "character",
                                                               "check",
                                                               "coalesce",
                                                               "collate",
                                                               "collation",
                                                               "column",
                                                               "concurrently",
                                                               "constraint",
                                                               "create",
                                                               "cross",
                                                               "current_catalog",
                                                               "current_date",
                                                               "current_role",
                                                               "current_schema",
                                                               "current_time",
                                                               "current_timestamp",
                                                               "current_user",
                                                               "dec",
                                                               "decimal",
                                                               "default",
                                                               "deferrable",
                                                               "desc",
                                                               "distinct",
                                                               "do",
                                                               "else",
                                                               "end",
                                                               "except",
                                                               "exists",
                                                               "extract",
                                                               "false",
                                                               "fetch",
                                                               "float",
                                                               "for",
                                                               "foreign",
                                                               "freeze",
                                                               "from",
                                                               "full",
                                                               "grant",
                                                               "greatest",
                                                               "group",
                                                               "grouping",
                                                               "having",
                                                               "ilike",
                                                               "in",
                                                               "initially",
                                                               "inner",
                                                               "inout",
                                                               "int",
                                                               "integer",
                                                               "intersect",
                                                               "interval",
                                                               "into",
                                                               "is",
                                                               "isnull",
                                                               "join",
                                                               "lateral",
                                                               "leading",
                                                               "least",
                                                               "left",
                                                               "like",
                                                               "limit",
                                                               "localtime",
                                                               "localtimestamp",
                                                               "national",
                                                               "natural",
                                                               "nchar",
                                                               "none",
                                                               "normalize",
                                                               "not",
                                                               "notnull",
                                                               "null",
                                                               "nullif",
                                                               "numeric",
                                                               "offset",
                                                               "on",
                                                               "only",
                                                               "or",
                                                               "order",
                                                               "out",
                                                               "outer",
                                                               "overlaps",
                                                               "overlay",
                                                               "placing",
                                                               "position",
                                                               "precision",
                                                               "primary",
                                                               "real",
                                                               "references",
                                                               "returning",
                                                               "right",
                                                               "row",
                                                               "select",
                                                               "session_user",
                                                               "setof",
                                                               "similar",
                                                               "smallint",
                                                               "some",
                                                               "substring",
                                                               "symmetric",
                                                               "table",
                                                               "tablesample",
                                                               "then",
                                                               "time",
                                                               "timestamp",
                                                               "to",
                                                               "trailing",
                                                               "treat",
                                                               "trim",
                                                               "true",
                                                               "union",
                                                               "unique",
                                                               "user",
                                                               "using",
                                                               "values",
                                                               "varchar",
                                                               "variadic",
                                                               "verbose",
                                                               "when",
                                                               "where",
                                                               "window",
                                                               "with",
                                                               "xmlattributes",
                                                               "xmlconcat",
                                                               "xmlelement",
                                                               "xmlexists",
                                                               "xmlforest",
                                                               "xmlnamespaces",
                                                               "xmlparse",
                                                               "xmlpi",
                                                               "xmlroot",
                                                               "xmlserialize",
                                                               "xmltable"};

bool is_plain(const std::string& name) {
  if (name.empty()) return false;
  char first = name.front();
  if (!((first >= 'a' && first <= 'z') || first == '_')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return !std::binary_search(quoted_keywords.begin(), quoted_keywords.end(),
                             std::string_view(name));
}

std::string quote_with(const std::string& text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

}  // namespace

std::string quote_identifier(const std::string& name) {
  return is_plain(name) ? name : quote_with(name, '"');
}

std::string quote_name(const qualified_name& name) {
  return quote_identifier(name.schema) + "." + quote_identifier(name.name);
}

std::string quote_literal(const std::string& text) {
  return sql_literal(text);
}

std::string display_name(const qualified_name& name) {
  return name.schema + "." + name.name;
}

}  // namespace migration_tools::schema
