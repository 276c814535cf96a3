// Kinds the diff does not write yet: any difference is a warning naming the
// object, so that the migration is never silently incomplete.
#include <map>
#include <tuple>

#include "../plan_builder.hpp"

namespace migration_tools::schema {

namespace {
using object_key = std::pair<std::string, std::string>;
object_key key(const unhandled_object& o) {
  return {o.kind, o.name};
}
}  // namespace

void diff_unhandled(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.unhandled, &key);
  auto new_ones = by_key(to.unhandled, &key);
  auto say = [&](const unhandled_object& o, const char* what) {
    out.warn(o.kind + " '" + o.name + "' " + what + ", but autogenerate does not handle " + o.kind +
             "s yet: write this change by hand");
  };
  for (const auto& [k, o] : old_ones) {
    auto now = new_ones.find(k);
    if (now == new_ones.end())
      say(*o, "was removed");
    else if (now->second->definition != o->definition)
      say(*o, "changed");
  }
  for (const auto& [k, o] : new_ones)
    if (!old_ones.count(k)) say(*o, "was added");
}

}  // namespace migration_tools::schema
