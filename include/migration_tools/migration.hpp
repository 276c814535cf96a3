// The API of C++ migrations. A C++ migration file is compiled by
// add_migrations(), which defines MIGRATION_TOOLS_REVISION and
// MIGRATION_TOOLS_NAMESPACE for it; the file itself only writes
//
//   // migrate:revision 5c1d2e3f4a5b
//   // migrate:down_revision 4b0c1d2e3f4a
//   // migrate:message backfill display names
//   #include <migration_tools/migration.hpp>
//
//   MIGRATION_UPGRADE(tx) { tx.exec0("UPDATE users SET ..."); }
//   MIGRATION_DOWNGRADE(tx) { ... }   // optional: without it the step is irreversible
//
// The bodies receive the pqxx::work of the migration's own transaction, which
// also holds its version and history rows. Each file's functions live in a
// namespace named after its revision, so two migrations never collide at link
// time; keep any helpers in an anonymous namespace for the same reason.
#pragma once

#include <pqxx/pqxx>

namespace migration_tools {

using cpp_step_function = void (*)(pqxx::work&);

struct cpp_steps {
  cpp_step_function upgrade = nullptr;
  cpp_step_function downgrade = nullptr;
  int upgrade_line = 0;
  int downgrade_line = 0;
};

// Registers a body during static initialisation (nothing else happens there).
struct cpp_step_registrar {
  cpp_step_registrar(const char* revision, bool upgrade, cpp_step_function function,
                     int line) noexcept;
};

// The registered bodies of a revision, or nullptr.
const cpp_steps* find_cpp_steps(const char* revision);

}  // namespace migration_tools

#if !defined(MIGRATION_TOOLS_REVISION) || !defined(MIGRATION_TOOLS_NAMESPACE)
#define MIGRATION_TOOLS_NOT_CONFIGURED
#endif

#ifndef MIGRATION_TOOLS_NOT_CONFIGURED
#define MIGRATION_TOOLS_STEP_(kind, is_upgrade, tx)                                      \
  namespace MIGRATION_TOOLS_NAMESPACE {                                                  \
  void kind(pqxx::work&);                                                                \
  static const ::migration_tools::cpp_step_registrar kind##_registrar{                   \
      MIGRATION_TOOLS_REVISION, is_upgrade, &MIGRATION_TOOLS_NAMESPACE::kind, __LINE__}; \
  }                                                                                      \
  void MIGRATION_TOOLS_NAMESPACE::kind(pqxx::work& tx)

#define MIGRATION_UPGRADE(tx) MIGRATION_TOOLS_STEP_(upgrade, true, tx)
#define MIGRATION_DOWNGRADE(tx) MIGRATION_TOOLS_STEP_(downgrade, false, tx)
#else
#define MIGRATION_UPGRADE(tx) \
  static_assert(false, "C++ migrations are compiled by add_migrations(), which names them")
#define MIGRATION_DOWNGRADE(tx) MIGRATION_UPGRADE(tx)
#endif
