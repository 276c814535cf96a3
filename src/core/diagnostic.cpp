#include "migration_tools/core/diagnostic.hpp"

#include <algorithm>

namespace migration_tools {

namespace {
const char* severity_name(severity s) {
  switch (s) {
    case severity::error:
      return "error";
    case severity::warning:
      return "warning";
    case severity::note:
      return "note";
  }
  return "error";
}
}  // namespace

std::string format_diagnostic(const diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) out += ":" + std::to_string(d.line);
  if (d.line > 0 && d.column > 0) out += ":" + std::to_string(d.column);
  out += ": ";
  out += severity_name(d.level);
  out += ": ";
  out += d.message;
  return out;
}

std::string format_diagnostics(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) {
    if (!out.empty()) out += '\n';
    out += format_diagnostic(d);
  }
  return out;
}

bool has_errors(const std::vector<diagnostic>& ds) {
  return std::any_of(ds.begin(), ds.end(),
                     [](const diagnostic& d) { return d.level == severity::error; });
}

}  // namespace migration_tools
