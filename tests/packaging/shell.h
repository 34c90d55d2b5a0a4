// Running a shell command from a packaging test and reading what it printed.
#pragma once

#include <string>

namespace sluice::packaging {

struct ShellResult {
  int status = -1;     // exit status; -1 if it could not be run
  std::string output;  // stdout and stderr together
};

// Runs `command` with /bin/sh, stderr merged into stdout.
ShellResult Shell(const std::string& command);

// `text` quoted for /bin/sh.
std::string ShellQuote(const std::string& text);

// Whether `program` is found in PATH.
bool HaveProgram(const std::string& program);

}  // namespace sluice::packaging
