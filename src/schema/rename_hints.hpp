// Which dropped object may have been renamed to which added one: offered as
// a hint beside the DROP, never applied. A wrong hint is worse than none (a
// column of access tokens "renamed" to one of user names would publish them),
// so a pair needs the same definition, similar names by the rule below, and
// no rival: one hint per dropped object and per added one, none in doubt.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace migration_tools::schema {

// Similar names: after lower-casing, either at most a third of the longer
// name's characters differ (Levenshtein distance: fullname, full_name), or
// at least half of the '_'-separated words are shared (email,
// email_address; created_at, created_on). access_token and user_name are not.
bool similar_names(const std::string& a, const std::string& b);

// For dropped[i], the index of the added object it may have been renamed to,
// where `same(i, j)` holds for exactly that one j, similar_names holds, and
// no other dropped object has j as its only candidate either.
std::map<size_t, size_t> rename_pairs(const std::vector<std::string>& dropped,
                                      const std::vector<std::string>& added,
                                      const std::function<bool(size_t, size_t)>& same,
                                      bool require_similar_names = true);

}  // namespace migration_tools::schema
