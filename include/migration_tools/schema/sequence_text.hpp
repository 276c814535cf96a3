// Sequence parameters as SQL, shared by identity columns and sequences.
#pragma once

#include <string>

#include "migration_tools/schema/model.hpp"

namespace migration_tools::schema {

// The options that differ from PostgreSQL's defaults for a sequence of
// `type` (smallint, integer or bigint), e.g. "START WITH 100 CACHE 10";
// "" when all are the defaults.
std::string sequence_options_sql(const sequence_options& o, const std::string& type);
// ALTER forms for the options that changed, e.g. "SET INCREMENT BY 2 SET CACHE 5"
// (the identity form; `prefix` "" gives the ALTER SEQUENCE form).
std::string changed_sequence_options_sql(const sequence_options& from, const sequence_options& to,
                                         const std::string& prefix);

}  // namespace migration_tools::schema
