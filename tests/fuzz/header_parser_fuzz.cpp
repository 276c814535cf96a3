// libFuzzer target: the migration header parser must survive any bytes, and
// what it accepts must satisfy the grammar.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/text.hpp"

namespace mt = migration_tools;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  int lines = mt::count_newlines(text, text.size()) + 1;
  for (const char* path : {"fuzz.sql", "fuzz.cpp"}) {
    std::vector<mt::diagnostic> ds;
    mt::migration m = mt::parse_migration(path, text, ds);
    for (const auto& d : ds)
      if (d.line < 0 || d.line > lines || d.file != path) std::abort();
    if (!mt::has_errors(ds)) {
      if (!mt::is_valid_revision_id(m.revision)) std::abort();
      for (const auto& parent : m.down_revisions)
        if (!mt::is_valid_revision_id(parent)) std::abort();
      if (m.kind == mt::migration_kind::sql && !m.upgrade.present) std::abort();
    }
  }
  return 0;
}
