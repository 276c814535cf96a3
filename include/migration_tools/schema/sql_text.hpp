// Names and literals in the SQL that autogenerate writes, quoted the way
// PostgreSQL's quote_ident and quote_literal quote them, so that a generated
// migration reads like one written by hand (users, not "users").
#pragma once

#include <string>

#include "migration_tools/schema/model.hpp"

namespace migration_tools::schema {

// An identifier as quote_ident prints it: bare when it is lower case, starts
// with a letter or '_', and is not a keyword PostgreSQL 15 reserves in any
// position; double-quoted otherwise.
std::string quote_identifier(const std::string& name);
// schema.name, each part quoted as needed.
std::string quote_name(const qualified_name& name);
// A string literal as quote_literal writes it: '...' with quotes doubled, or
// E'...' with backslashes doubled when the text holds one (sql_literal).
std::string quote_literal(const std::string& text);

}  // namespace migration_tools::schema
