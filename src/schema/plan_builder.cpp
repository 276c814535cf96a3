#include "plan_builder.hpp"

#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

void plan_builder::add(step s, std::string sql, std::vector<std::string> hazards,
                       std::string hint) {
  statements_.emplace(static_cast<int>(s),
                      ddl_statement{std::move(sql), std::move(hazards), std::move(hint)});
}

const std::set<qualified_name>& plan_builder::views_recreated(const schema_model& from,
                                                              const schema_model& to) {
  if (!views_recreated_) views_recreated_ = recreated_views(from, to);
  return *views_recreated_;
}

schema_diff plan_builder::finish() {
  schema_diff out;
  for (auto& [order, statement] : statements_) out.statements.push_back(std::move(statement));
  out.detected = std::move(detected_);
  out.warnings = std::move(warnings_);
  out.refusals = std::move(refusals_);
  return out;
}

void comment_statement(const std::string& what, const std::string& from, const std::string& to,
                       plan_builder& out) {
  if (from == to) return;
  out.add(step::comment, "COMMENT ON " + what + " IS " +
                             (to.empty() ? std::string("NULL") : quote_literal(to)) + ";");
}

namespace hazard {
std::string deletes_data(const std::string& what) {
  return "deletes data: " + what;
}
std::string locks(const qualified_name& table) {
  return "locks " + display_name(table) + " (ACCESS EXCLUSIVE) while it runs";
}
std::string locks_writes(const qualified_name& table) {
  return "locks " + display_name(table) + " against writes (SHARE ROW EXCLUSIVE) while it runs";
}
std::string rewrites(const qualified_name& table) {
  return "may rewrite " + display_name(table) + " and its indexes under an ACCESS EXCLUSIVE lock";
}
std::string scans(const qualified_name& table) {
  return "scans all of " + display_name(table) + " under its lock";
}
std::string builds_index(const qualified_name& table) {
  return "builds an index on " + display_name(table) +
         ", blocking its writes meanwhile (CREATE INDEX CONCURRENTLY in a transactional-false "
         "migration does not)";
}
}  // namespace hazard

}  // namespace migration_tools::schema
