// Diagnostics in the form compilers use, `path:LINE: error: message`, so that
// IDEs and CI logs turn them into links.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace migration_tools {

enum class severity { error, warning, note };

struct diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem has no line (the file as a whole)
  severity level = severity::error;
  std::string message;
  int column = 0;  // 1-based; 0 when unknown
};

// `file:line:column: error: message`; the line is left out when it is 0,
// the column when it is 0.
std::string format_diagnostic(const diagnostic& d);
std::string format_diagnostics(const std::vector<diagnostic>& ds);
bool has_errors(const std::vector<diagnostic>& ds);

// Base of every error the tool reports to the user.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input: a malformed migration, an unknown revision, a bad argument. Exit code 2.
class usage_error : public error {
 public:
  using error::error;
};

// One or more diagnostics about migration files (exit code 2).
class migration_file_error : public usage_error {
 public:
  explicit migration_file_error(std::vector<diagnostic> ds)
      : usage_error(format_diagnostics(ds)), diagnostics_(std::move(ds)) {}
  const std::vector<diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<diagnostic> diagnostics_;
};

// A revision identifier that does not resolve (unknown, ambiguous, bad walk).
class revision_error : public usage_error {
 public:
  using usage_error::usage_error;
};

}  // namespace migration_tools
