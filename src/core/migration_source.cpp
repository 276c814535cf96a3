#include "migration_tools/core/migration_source.hpp"

namespace migration_tools {

migration_links links_of(const migration& m) {
  return {m.revision, id_list(m.down_revisions), id_list(m.branch_labels), id_list(m.depends_on)};
}

}  // namespace migration_tools
