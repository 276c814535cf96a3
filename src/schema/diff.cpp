#include "migration_tools/schema/diff.hpp"

#include <algorithm>

#include "migration_tools/core/text.hpp"
#include "plan_builder.hpp"

namespace migration_tools::schema {

schema_diff diff_schemas(const schema_model& from, const schema_model& to) {
  plan_builder out;
  diff_namespaces(from, to, out);
  diff_extensions(from, to, out);
  diff_collations(from, to, out);
  diff_enums(from, to, out);
  diff_domains(from, to, out);
  diff_ranges(from, to, out);
  diff_composites(from, to, out);
  diff_functions(from, to, out);
  diff_sequences(from, to, out);
  diff_tables(from, to, out);
  diff_constraints(from, to, out);
  diff_indexes(from, to, out);
  diff_views(from, to, out);
  diff_triggers(from, to, out);
  diff_policies(from, to, out);
  diff_privileges(from, to, out);
  diff_unhandled(from, to, out);
  return out.finish();
}

hazard_rank rank_of(const std::string& hazard) {
  if (starts_with(hazard, "deletes data") || starts_with(hazard, "fails if") ||
      starts_with(hazard, "changes data"))
    return hazard_rank::data;
  if (starts_with(hazard, "may rewrite") || starts_with(hazard, "scans all"))
    return hazard_rank::whole_table;
  if (starts_with(hazard, "locks ")) return hazard_rank::lock;
  return hazard_rank::other;
}

std::vector<std::string> ranked_hazards(const schema_diff& diff, int up_to) {
  std::vector<std::string> out;
  for (int r = 0; r <= up_to; ++r)
    for (const auto& s : diff.statements)
      for (const auto& h : s.hazards)
        if (static_cast<int>(rank_of(h)) == r && std::find(out.begin(), out.end(), h) == out.end())
          out.push_back(h);
  return out;
}

std::string render_sql(const schema_diff& diff) {
  std::string out;
  for (const auto& r : diff.refusals)
    out += "-- refused: " + escape_control_characters(r, false) + "\n";
  for (const auto& w : diff.warnings)
    out += "-- warning: " + escape_control_characters(w, false) + "\n";
  for (const auto& h : ranked_hazards(diff, 2))
    out += "-- hazard: " + escape_control_characters(h, false) + "\n";
  for (const auto& s : diff.statements) {
    for (const auto& h : s.hazards)
      if (rank_of(h) != hazard_rank::lock)
        out += "-- hazard: " + escape_control_characters(h, false) + "\n";
    if (!s.hint.empty()) out += "-- " + escape_control_characters(s.hint, false) + "\n";
    out += s.sql + "\n";
  }
  return out;
}

}  // namespace migration_tools::schema
