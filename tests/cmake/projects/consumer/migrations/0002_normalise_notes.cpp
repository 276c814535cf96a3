// migrate:revision c0115e000002
// migrate:down_revision c0115e000001
// migrate:message normalise notes with the application's own code

// A C++ migration that needs a header and a library of the project it
// belongs to: add_migrations(migrate LINK_LIBRARIES notes_format).
#include <migration_tools/migration.hpp>

#include "notes_format/notes_format.hpp"

MIGRATION_UPGRADE(tx) {
  for (const auto& row : tx.exec("SELECT id, body FROM notes"))
    tx.exec_params("UPDATE notes SET body = $2 WHERE id = $1", row[0].as<long long>(),
                   normalise_note(row[1].as<std::string>()));
}

MIGRATION_DOWNGRADE(tx) {
  (void)tx;  // the old spacing is gone: nothing to restore
}
