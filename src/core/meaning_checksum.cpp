#include "migration_tools/core/meaning_checksum.hpp"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

// Drops what says where a node was written (byte offsets), which moves with
// every edit of layout or comments.
void strip_positions(nlohmann::json& node) {
  if (node.is_object()) {
    for (const char* key : {"location", "stmt_location", "stmt_len"}) node.erase(key);
    for (auto& [key, value] : node.items()) strip_positions(value);
  } else if (node.is_array()) {
    for (auto& value : node) strip_positions(value);
  }
}

// A section's statements as PostgreSQL parses them; its text when the
// grammar refuses it (a migration let through with lint_ignore syntax-error).
std::string section_meaning(const sql_section& s) {
  if (!s.present) return "absent\n";
  PgQueryParseResult result = pg_query_parse(s.text.c_str());
  std::string out;
  if (result.error || !result.parse_tree) {
    out = "text\n" + s.text + "\n";
  } else {
    auto tree = nlohmann::json::parse(result.parse_tree, nullptr, false);
    if (tree.is_discarded()) {
      out = "text\n" + s.text + "\n";
    } else {
      tree.erase("version");  // libpg_query's, not the migration's
      strip_positions(tree);
      out = "tree\n" + tree.dump() + "\n";
    }
  }
  pg_query_free_parse_result(result);
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

}  // namespace

std::string migration_meaning_checksum(const migration& m) {
  if (m.kind != migration_kind::sql) return "";
  // The header keys that say what runs and how; message and created are
  // words for people.
  std::string all = "m1\nrevision " + m.revision + "\ndown_revision " + joined(m.down_revisions) +
                    "\ndepends_on " + joined(m.depends_on) + "\nbranch_labels " +
                    joined(m.branch_labels) + "\ntransactional " +
                    (m.transactional ? "true" : "false") + "\nempty " +
                    (m.empty ? "true" : "false") + "\nlock_timeout " +
                    std::to_string(m.lock_timeout_ms.value_or(-1)) + "\nstatement_timeout " +
                    std::to_string(m.statement_timeout_ms.value_or(-1)) + "\nupgrade " +
                    section_meaning(m.upgrade) + "downgrade " + section_meaning(m.downgrade);
  return "m1:" + migration_checksum(all);
}

bool is_meaning_checksum(std::string_view checksum) {
  return starts_with(checksum, "m1:");
}

}  // namespace migration_tools
