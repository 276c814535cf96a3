#include "migration_tools/postgres/notice_printer.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"

namespace migration_tools {

bool notice_printer::operator()(const char message[]) noexcept {
  try {
    if (std::strstr(message, "Connection lost while committing")) return false;
    if (!notices_)
      for (const char* level : {"NOTICE:", "INFO:", "DEBUG:"})
        if (std::strncmp(message, level, std::strlen(level)) == 0) return false;
    std::string text = message;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::string shown = escape_control_characters(redact_url(text), true) + "\n";
    std::fputs(shown.c_str(), stderr);
  } catch (...) {
    // A notice is not worth failing for.
  }
  return false;  // printed here: not by libpqxx's default as well
}

}  // namespace migration_tools
