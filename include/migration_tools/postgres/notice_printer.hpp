// Notices and warnings from the server (and libpqxx's own), as the runner
// prints them: control characters escaped, so that a migration's RAISE
// NOTICE cannot move the cursor or hide lines, and libpqxx's warning about a
// commit whose outcome is unknown left out, since the runner reports that
// itself, naming the migration.
#pragma once

#include <pqxx/errorhandler>

namespace migration_tools {

class notice_printer : public pqxx::errorhandler {
 public:
  explicit notice_printer(pqxx::connection_base& connection) : pqxx::errorhandler(connection) {}
  bool operator()(const char message[]) noexcept override;
};

}  // namespace migration_tools
