// Sequences, standalone and owned (serial columns): CREATE SEQUENCE before
// the tables whose defaults use it, OWNED BY once the owning column exists,
// ALTER SEQUENCE for changed parameters, DROP SEQUENCE after the defaults
// that used it (a sequence owned by a dropped table or column goes with it).
#include <set>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sequence_text.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const sequence& s) {
  return s.name;
}

std::string owner_sql(const sequence& s) {
  return s.owner_table.name.empty()
             ? "NONE"
             : quote_name(s.owner_table) + "." + quote_identifier(s.owner_column);
}

bool column_exists(const schema_model& m, const qualified_name& t, const std::string& column) {
  for (const auto& x : m.tables)
    if (x.name == t)
      for (const auto& c : x.columns)
        if (c.name == column) return true;
  return false;
}

}  // namespace

void diff_sequences(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.sequences, &key);
  auto new_ones = by_key(to.sequences, &key);
  for (const auto& [name, s] : old_ones) {
    if (new_ones.count(name)) continue;
    out.detected("removed sequence '" + display_name(name) + "'");
    // OWNED BY: dropping the table or the column drops the sequence too.
    if (!s->owner_table.name.empty() && !column_exists(to, s->owner_table, s->owner_column))
      continue;
    out.add(step::drop_sequence, "DROP SEQUENCE " + quote_name(name) + ";",
            {hazard::deletes_data("the current value of sequence " + display_name(name))});
  }
  for (const auto& [name, s] : new_ones) {
    auto old = old_ones.find(name);
    std::string seq = quote_name(name);
    if (old == old_ones.end()) {
      std::string options = sequence_options_sql(s->options, s->type);
      out.add(step::create_sequence, "CREATE SEQUENCE " + seq +
                                         (s->type == "bigint" ? "" : " AS " + s->type) +
                                         (options.empty() ? "" : " " + options) + ";");
      if (!s->owner_table.name.empty())
        out.add(step::own_sequence, "ALTER SEQUENCE " + seq + " OWNED BY " + owner_sql(*s) + ";");
      out.detected("added sequence '" + display_name(name) + "'");
      comment_statement("SEQUENCE " + seq, "", s->comment, out);
      continue;
    }
    const sequence& o = *old->second;
    std::string changes;
    if (o.type != s->type) changes += " AS " + s->type;
    std::string options = changed_sequence_options_sql(o.options, s->options, "");
    if (!options.empty()) changes += " " + options;
    if (!changes.empty()) {
      out.add(step::alter_column, "ALTER SEQUENCE " + seq + changes + ";");
      out.detected("changed sequence '" + display_name(name) + "'");
    }
    if (o.owner_table != s->owner_table || o.owner_column != s->owner_column) {
      // Let go of the old owner first: dropping it (its table or column)
      // would drop the sequence along.
      if (!o.owner_table.name.empty())
        out.add(step::disown_sequence, "ALTER SEQUENCE " + seq + " OWNED BY NONE;");
      if (!s->owner_table.name.empty())
        out.add(step::own_sequence, "ALTER SEQUENCE " + seq + " OWNED BY " + owner_sql(*s) + ";");
      out.detected("changed the owner of sequence '" + display_name(name) + "'");
    }
    comment_statement("SEQUENCE " + seq, o.comment, s->comment, out);
  }
}

}  // namespace migration_tools::schema
