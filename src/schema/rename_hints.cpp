#include "rename_hints.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace migration_tools::schema {

namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::set<std::string> words(const std::string& name) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('_', start);
    if (end == std::string::npos) end = name.size();
    if (end > start) out.insert(name.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

bool similar_names(const std::string& a_name, const std::string& b_name) {
  std::string a = lower(a_name), b = lower(b_name);
  size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return false;
  if (edit_distance(a, b) * 3 <= longer) return true;
  auto wa = words(a), wb = words(b);
  size_t shared = 0;
  for (const auto& w : wa) shared += wb.count(w);
  return shared > 0 && shared * 2 >= std::max(wa.size(), wb.size());
}

std::map<size_t, size_t> rename_pairs(const std::vector<std::string>& dropped,
                                      const std::vector<std::string>& added,
                                      const std::function<bool(size_t, size_t)>& same,
                                      bool require_similar_names) {
  std::vector<std::vector<size_t>> candidates(dropped.size());
  std::vector<size_t> claims(added.size(), 0);
  for (size_t i = 0; i < dropped.size(); ++i)
    for (size_t j = 0; j < added.size(); ++j)
      if (same(i, j) && (!require_similar_names || similar_names(dropped[i], added[j]))) {
        candidates[i].push_back(j);
        ++claims[j];
      }
  std::map<size_t, size_t> out;
  for (size_t i = 0; i < dropped.size(); ++i)
    if (candidates[i].size() == 1 && claims[candidates[i][0]] == 1) out[i] = candidates[i][0];
  return out;
}

}  // namespace migration_tools::schema
