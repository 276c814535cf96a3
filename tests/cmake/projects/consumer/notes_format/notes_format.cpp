#include "notes_format/notes_format.hpp"

std::string normalise_note(const std::string& body) {
  size_t begin = body.find_first_not_of(" \t\n");
  size_t end = body.find_last_not_of(" \t\n");
  return begin == std::string::npos ? std::string() : body.substr(begin, end - begin + 1);
}
