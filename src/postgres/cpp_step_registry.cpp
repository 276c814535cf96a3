#include <map>
#include <string>

#include "migration_tools/migration.hpp"

namespace migration_tools {

namespace {
// Function-local so that registrars in other translation units can run first.
std::map<std::string, cpp_steps>& registry() {
  static std::map<std::string, cpp_steps> steps;
  return steps;
}
}  // namespace

cpp_step_registrar::cpp_step_registrar(const char* revision, bool upgrade,
                                       cpp_step_function function, int line) noexcept {
  try {
    auto& entry = registry()[revision];
    (upgrade ? entry.upgrade : entry.downgrade) = function;
    (upgrade ? entry.upgrade_line : entry.downgrade_line) = line;
  } catch (...) {
    // Out of memory during static initialisation: the runner reports the
    // migration as having no body when it starts.
  }
}

const cpp_steps* find_cpp_steps(const char* revision) {
  auto it = registry().find(revision);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace migration_tools
