// What a column's type change costs and risks, by PostgreSQL's own rules:
// a binary-coercible change or a wider typmod of the same type (varchar(n)
// to varchar(m > n) or text, numeric(p, s) to numeric(q > p, s), a finer
// timestamp) rewrites nothing; a narrowing one refuses or changes values.
#pragma once

#include <string>

namespace migration_tools::schema {

struct type_change_effect {
  bool rewrites = true;  // the table is rewritten (else its values are only checked, or not)
  bool checks = false;   // every value is read and checked (a narrowing)
  // Omit the USING cast: the assignment cast between these types refuses a
  // value that does not fit, where an explicit cast would cut it silently.
  bool assignment_cast = false;
  // The USING expression when no cast exists between the types but a usual
  // reading does (epoch milliseconds and timestamps), with `{}` for the
  // column; "" for the cast. Its assumption is the data hazard.
  std::string conversion;
  // What happens to values that do not fit, "" when all do, e.g. "fails if a
  // value of public.t.name is longer than 150 characters".
  std::string data_hazard;
};

// `from` and `to` as format_type prints them; `column` names the column in
// the hazard ("public.t.name").
type_change_effect classify_type_change(const std::string& from, const std::string& to,
                                        const std::string& column);

}  // namespace migration_tools::schema
