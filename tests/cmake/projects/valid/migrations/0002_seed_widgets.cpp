// migrate:revision c0ffee000002
// migrate:down_revision c0ffee000001
// migrate:message seed widgets
// migrate:created 2026-11-02T09:00:00Z

// A C++ migration, compiled into the consumer's runner.
#include <migration_tools/migration.hpp>

#include <string>

namespace {
const char* const names[] = {"sprocket", "flange"};
}

MIGRATION_UPGRADE(tx) {
  for (const char* name : names)
    tx.exec_params("INSERT INTO widgets (name) VALUES ($1)", std::string(name));
}

MIGRATION_DOWNGRADE(tx) { tx.exec0("DELETE FROM widgets"); }
