// migrate:revision a2c4e6f8b0d2
// migrate:down_revision 7c9e1a3b5d7f
// migrate:message backfill display names from e-mail addresses
// migrate:created 2026-11-06T08:00:00Z

// A data migration that needs logic SQL expresses poorly: "jane.doe@example.org"
// becomes "Jane Doe".
#include <migration_tools/migration.hpp>

#include <cctype>
#include <string>

namespace {

std::string display_name_from_email(const std::string& email) {
  std::string local = email.substr(0, email.find('@'));
  std::string name;
  bool start_of_word = true;
  for (char c : local) {
    if (c == '.' || c == '_' || c == '-' || c == '+') {
      if (!name.empty() && name.back() != ' ') name += ' ';
      start_of_word = true;
      continue;
    }
    name += start_of_word ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start_of_word = false;
  }
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name.empty() ? local : name;
}

}  // namespace

MIGRATION_UPGRADE(tx) {
  for (const auto& row : tx.exec("SELECT id, email FROM users WHERE display_name IS NULL")) {
    tx.exec_params("UPDATE users SET display_name = $2 WHERE id = $1", row[0].as<long long>(),
                   display_name_from_email(row[1].as<std::string>()));
  }
}

MIGRATION_DOWNGRADE(tx) {
  // The column is dropped by the previous migration's downgrade; clearing it
  // keeps this step reversible on its own.
  tx.exec0("UPDATE users SET display_name = NULL");
}
