// The lock's key apart from the lock, which needs a connection: the offline
// script takes the same lock, and the runner that writes it links no libpq.
#include "migration_tools/postgres/advisory_lock.hpp"

namespace migration_tools {

long long advisory_lock::key_for(const std::string& key_text) {
  // FNV-1a: stable across runs, platforms and versions of this tool.
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char c : key_text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<long long>(h);
}

}  // namespace migration_tools
