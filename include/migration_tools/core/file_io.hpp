// Whole-file reads and writes.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <string>

namespace migration_tools {

// Throws migration_tools::error naming the path when the file can't be read.
std::string read_file(const std::string& path);

// Reads a file of settings that decide where credentials go (a .env): only
// when it is a regular file (not a FIFO, a device, a directory), owned by
// the current user or root, and not writable by group or others (as ssh
// checks its keys and git its safe.directory), and at most `max_size` bytes.
// Throws usage_error saying why not and how to mend it.
// `me` is the user the file must belong to (or root): the effective user.
std::string read_private_file(const std::string& path, const std::string& what,
                              std::size_t max_size, uid_t me = ::geteuid());

// Writes only when the content differs, so that build tools see no change otherwise.
// Returns true when the file was written.
bool write_file_if_different(const std::string& path, const std::string& content,
                             bool durable = true);

// Writes the file whole or not at all, the one way every file the tool
// writes is written:
// - a path that does not exist or names a regular file is replaced
//   atomically: a temporary file of an unpredictable name, created
//   exclusively (never through a planted link) in the same directory,
//   written, fsynced, renamed over the path, and the directory fsynced; an
//   existing file keeps its permissions, a new one gets 0666 less the umask;
// - a path that names something else, a FIFO, a terminal, a device or
//   /dev/stdout, is written in place and never replaced;
// - a symbolic link elsewhere than /dev and /proc is refused: replacing it
//   would write wherever it points.
// Every failure (No space left on device, File too large, ...) is an error
// naming the path and the reason, and leaves no temporary behind.
// `durable` false skips the fsyncs, for files a build can make again (the
// scanner's outputs, thousands at a configure).
void write_file(const std::string& path, const std::string& content, bool durable = true);

// Creates the directory and its missing parents; throws naming the path on failure.
void make_directories(const std::string& path);

}  // namespace migration_tools
