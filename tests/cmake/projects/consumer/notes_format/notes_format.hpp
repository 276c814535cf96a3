// The application's own code, which a C++ migration uses too
// (add_migrations(... LINK_LIBRARIES notes_format)).
#pragma once

#include <string>

std::string normalise_note(const std::string& body);
