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
  // `notices` false: the server's NOTICE, INFO and DEBUG lines are dropped
  // (the migrations replayed on a scratch database, unless -v); WARNINGs and
  // errors are still printed.
  explicit notice_printer(pqxx::connection_base& connection, bool notices = true)
      : pqxx::errorhandler(connection), notices_(notices) {}
  bool operator()(const char message[]) noexcept override;

 private:
  bool notices_;
};

}  // namespace migration_tools
