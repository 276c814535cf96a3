// Database URLs as shown to people: never with their password.
#pragma once

#include <string>
#include <string_view>

namespace migration_tools {

// Replaces the password in `postgresql://user:secret@host/db`, in a
// `password=...` query parameter and in a `password=...` keyword string with '***'.
std::string redact_url(std::string_view url);

}  // namespace migration_tools
