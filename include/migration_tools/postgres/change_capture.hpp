// What each transaction's DDL changed, told by event triggers that the
// stairway test installs in its own scratch database (schema mt_capture):
// the "units" it touched (a relation with its columns, constraints, indexes,
// triggers, policies, rules and owned sequences; a type; a routine; a schema;
// an extension), each with a description that names no OID, so that two
// states of one unit compare as text. The stairway then compares what a
// revision's upgrade and downgrade touched, not the whole catalog: O(1) per
// revision instead of O(schema). Event triggers need a superuser.
#pragma once

#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace migration_tools {

// Whether the connected role may install it.
bool can_capture_changes(pqxx::connection_base& connection);

// Installs the schema mt_capture and its event triggers (committed).
void install_change_capture(pqxx::connection_base& connection);

struct touched_unit {
  std::string unit;         // e.g. "rel:public.people", "type:public.mood"
  std::string description;  // as it is now; "absent" when it no longer exists
  // A touch without an object to name (GRANT, and kinds not described): only
  // the whole catalog can say what changed.
  bool unknown = false;
};

// What was touched since the last call, in `tx` (which may hold a migration's
// uncommitted DDL); forgets it.
std::vector<touched_unit> take_touched_units(pqxx::transaction_base& tx);

// Every unit there is now, described (where a test begins).
std::map<std::string, std::string> describe_all_units(pqxx::connection_base& connection);

}  // namespace migration_tools
