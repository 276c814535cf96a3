// Directories only one account may use: the development database's folder
// and its socket directory. The server there trusts every local connection,
// so a directory another account made, or may write to, hands that account
// the cluster's superuser (and through COPY ... TO PROGRAM, the developer's
// shell).
#pragma once

#include <sys/types.h>

#include <string>

namespace migration_tools {

// What is wrong with `path` as a private directory of `owner`: empty when it
// is a directory (not a symbolic link) owned by `owner` that no other
// account may enter (mode 0700 or stricter); otherwise the reason, naming the
// owner and mode found. "missing" when it does not exist.
std::string private_directory_problem(const std::string& path, uid_t owner);

// Creates `path` (mode 0700, handed to `owner`) or takes the existing one,
// and throws database_error unless it then is private to `owner`. A folder
// `owner` already owns with a looser mode is tightened to 0700: nobody else
// could have made it.
void make_private_directory(const std::string& path, uid_t owner, gid_t group);

// A new directory with a name nobody can predict (mkdtemp), mode 0700, under
// $XDG_RUNTIME_DIR when it is set and private, else /tmp; handed to `owner`.
std::string make_unpredictable_directory(uid_t owner, gid_t group);

}  // namespace migration_tools
