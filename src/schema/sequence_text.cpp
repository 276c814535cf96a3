#include "migration_tools/schema/sequence_text.hpp"

#include <vector>

namespace migration_tools::schema {

namespace {

struct bounds {
  const char* min;
  const char* max;
};

bounds type_bounds(const std::string& type) {
  if (type == "smallint") return {"-32768", "32767"};
  if (type == "integer") return {"-2147483648", "2147483647"};
  return {"-9223372036854775808", "9223372036854775807"};
}

// Each option as written in CREATE/ALTER SEQUENCE, in a fixed order.
std::vector<std::pair<std::string, std::string>> option_clauses(const sequence_options& o) {
  return {{"INCREMENT BY", "INCREMENT BY " + o.increment},
          {"MINVALUE", "MINVALUE " + o.min_value},
          {"MAXVALUE", "MAXVALUE " + o.max_value},
          {"START WITH", "START WITH " + o.start},
          {"CACHE", "CACHE " + o.cache},
          {"CYCLE", o.cycle ? "CYCLE" : "NO CYCLE"}};
}

}  // namespace

std::string sequence_options_sql(const sequence_options& o, const std::string& type) {
  bool descending = !o.increment.empty() && o.increment.front() == '-';
  bounds b = type_bounds(type);
  sequence_options defaults;
  defaults.increment = "1";
  defaults.min_value = descending ? b.min : "1";
  defaults.max_value = descending ? "-1" : b.max;
  defaults.start = descending ? defaults.max_value : defaults.min_value;
  defaults.cache = "1";
  auto wanted = option_clauses(o);
  auto usual = option_clauses(defaults);
  // A descending sequence needs its increment written for the other defaults to hold.
  std::string out;
  for (size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i].second != usual[i].second) out += (out.empty() ? "" : " ") + wanted[i].second;
  return out;
}

std::string changed_sequence_options_sql(const sequence_options& from, const sequence_options& to,
                                         const std::string& prefix) {
  auto before = option_clauses(from);
  auto after = option_clauses(to);
  std::string out;
  for (size_t i = 0; i < after.size(); ++i)
    if (after[i].second != before[i].second)
      out += (out.empty() ? "" : " ") + prefix + after[i].second;
  return out;
}

}  // namespace migration_tools::schema
