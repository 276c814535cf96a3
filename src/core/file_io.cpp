#include "migration_tools/core/file_io.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot open file '" + path + "': " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw error("cannot read file '" + path + "'");
  return std::move(buffer).str();
}

void write_file(const std::string& path, const std::string& content) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw error("cannot write file '" + path + "': " + std::strerror(errno));
    out << content;
    out.close();
    if (!out) throw error("cannot write file '" + path + "'");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw error("cannot write file '" + path + "': " + std::strerror(errno));
  }
}

bool write_file_if_different(const std::string& path, const std::string& content) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (buffer.str() == content) return false;
  }
  write_file(path, content);
  return true;
}

void make_directories(const std::string& path) {
  std::error_code failure;
  std::filesystem::create_directories(path, failure);
  if (failure) throw error("cannot create the directory '" + path + "': " + failure.message());
}

}  // namespace migration_tools
