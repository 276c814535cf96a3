// "Did you mean ...?" for a misspelt key or command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace migration_tools {

// The candidate nearest to `word` by edit distance (insertions, deletions,
// substitutions and swaps of neighbours), when it is close enough to be a
// misspelling: at most a third of the word's length, and at least 1. "" when
// none is.
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace migration_tools
