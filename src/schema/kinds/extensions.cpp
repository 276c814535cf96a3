// Extensions: CREATE EXTENSION (in its schema, at its version) right after
// the schemas, ALTER EXTENSION ... UPDATE TO / SET SCHEMA, DROP EXTENSION
// after everything that could use its objects (never CASCADE: PostgreSQL
// refuses while a column or function still uses one).
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {
std::string key(const extension& e) {
  return e.name;
}
}  // namespace

void diff_extensions(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.extensions, &key);
  auto new_ones = by_key(to.extensions, &key);
  for (const auto& [name, e] : old_ones)
    if (!new_ones.count(name)) {
      out.add(step::drop_extension, "DROP EXTENSION " + quote_identifier(name) + ";",
              {"drops every object of extension " + name + "; fails while anything uses one"});
      out.detected("removed extension '" + name + "'");
    }
  for (const auto& [name, e] : new_ones) {
    std::string ext = "EXTENSION " + quote_identifier(name);
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      out.add(step::create_extension, "CREATE " + ext + " WITH SCHEMA " +
                                          quote_identifier(e->schema) + " VERSION " +
                                          quote_literal(e->version) + ";");
      out.detected("added extension '" + name + "'");
    } else {
      if (old->second->schema != e->schema)
        out.add(step::create_extension,
                "ALTER " + ext + " SET SCHEMA " + quote_identifier(e->schema) + ";");
      if (old->second->version != e->version)
        out.add(step::create_extension,
                "ALTER " + ext + " UPDATE TO " + quote_literal(e->version) + ";");
      if (old->second->schema != e->schema || old->second->version != e->version)
        out.detected("changed extension '" + name + "'");
    }
    comment_statement(ext, old == old_ones.end() ? "" : old->second->comment, e->comment, out);
  }
}

}  // namespace migration_tools::schema
