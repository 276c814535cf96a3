#include "type_change.hpp"

#include <cstdlib>
#include <optional>

#include "migration_tools/core/text.hpp"

namespace migration_tools::schema {

namespace {

// "character varying(150)" -> {"character varying", 150, -1};
// "numeric(12,2)" -> {"numeric", 12, 2}; "timestamp(3) with time zone" ->
// {"timestamp with time zone", 3, -1}; no modifier: -1.
struct parsed_type {
  std::string base;
  long first = -1;
  long second = -1;
};

parsed_type parse(const std::string& type) {
  parsed_type out;
  auto open = type.find('(');
  if (open == std::string::npos || type.find("[]") != std::string::npos) {
    out.base = type;
    return out;
  }
  auto close = type.find(')', open);
  if (close == std::string::npos) {
    out.base = type;
    return out;
  }
  out.base = type.substr(0, open) + type.substr(close + 1);
  std::string args = type.substr(open + 1, close - open - 1);
  out.first = std::strtol(args.c_str(), nullptr, 10);
  if (auto comma = args.find(','); comma != std::string::npos)
    out.second = std::strtol(args.c_str() + comma + 1, nullptr, 10);
  return out;
}

bool is_string(const std::string& base) {
  return base == "character varying" || base == "text";
}

bool is_time(const std::string& base) {
  return base == "timestamp without time zone" || base == "timestamp with time zone" ||
         base == "time without time zone" || base == "time with time zone" || base == "interval";
}

type_change_effect no_rewrite() {
  type_change_effect e;
  e.rewrites = false;
  e.assignment_cast = true;
  return e;
}

}  // namespace

type_change_effect classify_type_change(const std::string& from_type, const std::string& to_type,
                                        const std::string& column) {
  parsed_type from = parse(from_type), to = parse(to_type);
  // varchar(n), varchar and text: binary coercible, but for a limit that
  // shrinks or appears.
  if (is_string(from.base) && is_string(to.base)) {
    bool limited = to.base == "character varying" && to.first >= 0;
    if (!limited || (from.base == "character varying" && from.first >= 0 && from.first <= to.first))
      return no_rewrite();
    type_change_effect e;  // each value goes through the length check: rewritten
    e.checks = true;
    e.assignment_cast = true;
    e.data_hazard = "fails if a value of " + column + " is longer than " +
                    std::to_string(to.first) + " characters";
    return e;
  }
  if (from.base == "numeric" && to.base == "numeric") {
    if (to.first < 0) return no_rewrite();  // unconstrained holds every value
    long from_scale = from.second < 0 ? 0 : from.second, to_scale = to.second < 0 ? 0 : to.second;
    if (from.first >= 0 && from_scale == to_scale && to.first >= from.first) return no_rewrite();
    type_change_effect e;
    e.assignment_cast = true;
    if (from.first < 0 || to_scale < from_scale)
      e.data_hazard = "changes data: rounds the values of " + column + " to " +
                      std::to_string(to_scale) + " decimal places, and fails on one with more " +
                      "than " + std::to_string(to.first - to_scale) + " digits before the point";
    else if (to.first - to_scale < from.first - from_scale)
      e.data_hazard = "fails if a value of " + column + " has more than " +
                      std::to_string(to.first - to_scale) + " digits before the point";
    return e;
  }
  if (is_time(from.base) && from.base == to.base) {
    if (to.first < 0 || (from.first >= 0 && to.first >= from.first)) return no_rewrite();
    type_change_effect e;
    e.assignment_cast = true;
    e.data_hazard = "changes data: rounds the values of " + column + " to " +
                    std::to_string(to.first) + " fractional digits";
    return e;
  }
  // No cast exists between integers and timestamps: the values are read as
  // milliseconds since the epoch (UTC for a timestamp without time zone),
  // as pg-schema-diff does, and the hazard says so for the reviewer.
  bool from_integer = from.base == "bigint" || from.base == "integer" || from.base == "smallint";
  bool to_integer = to.base == "bigint" || to.base == "integer" || to.base == "smallint";
  bool from_stamp = starts_with(from.base, "timestamp"),
       to_stamp = starts_with(to.base, "timestamp");
  bool zoned_from =
      ends_with(from.base, "with time zone") && !ends_with(from.base, "without time zone");
  bool zoned_to = ends_with(to.base, "with time zone") && !ends_with(to.base, "without time zone");
  if (from_integer && to_stamp) {
    type_change_effect e;
    e.conversion = std::string("pg_catalog.to_timestamp({} / 1000.0)") +
                   (zoned_to ? "" : " AT TIME ZONE 'UTC'");
    e.data_hazard = "changes data: the values of " + column +
                    " are read as milliseconds since 1970-01-01 UTC (no cast exists from " +
                    from.base + " to " + to.base + "); edit the USING expression if they are not";
    return e;
  }
  if (from_stamp && to_integer) {
    type_change_effect e;
    e.conversion = std::string("(pg_catalog.date_part('epoch', {}") +
                   (zoned_from ? "" : " AT TIME ZONE 'UTC'") + ") * 1000)::" + to.base;
    e.data_hazard = "changes data: the values of " + column +
                    " become milliseconds since 1970-01-01 UTC (no cast exists from " + from.base +
                    " to " + to.base + "); edit the USING expression if that is not what they mean";
    return e;
  }
  type_change_effect e;
  if ((from.base == "bigint" && (to.base == "integer" || to.base == "smallint")) ||
      (from.base == "integer" && to.base == "smallint"))
    e.data_hazard = "fails if a value of " + column + " is out of range for " + to.base;
  return e;
}

}  // namespace migration_tools::schema
