#include "packaging/shell.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace sluice::packaging {

ShellResult Shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

bool HaveProgram(const std::string& program) {
  return Shell("command -v " + ShellQuote(program) + " >/dev/null").status == 0;
}

}  // namespace sluice::packaging
