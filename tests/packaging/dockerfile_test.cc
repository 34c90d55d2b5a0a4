// The Dockerfile, checked without Docker: what its runtime stage copies out of the build
// stage exists after a build at the paths it names, and every shared library those
// binaries load is provided by a Debian package the runtime stage installs (directly
// for the libraries they link, through package dependencies for the rest).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "packaging/dockerfile.h"
#include "packaging/shell.h"

namespace sluice::packaging {
namespace {

namespace fs = std::filesystem;

// Where the Dockerfile's build stage builds (cmake -B ...); the test's own build tree
// stands in for it.
constexpr const char* kImageBuildDir = "/build/";

std::string DockerfilePath() { return std::string(SLUICE_SOURCE_DIR) + "/Dockerfile"; }

const Stage& RuntimeStage(const std::vector<Stage>& stages) { return stages.back(); }

std::string LocalPathOf(const std::string& image_build_path) {
  return std::string(SLUICE_BINARY_DIR) + "/" + image_build_path.substr(std::string(kImageBuildDir).size());
}

TEST(DockerfileTest, IsMultiStageOnDebianBookworm) {
  std::vector<Stage> stages = ParseDockerfile(DockerfilePath());
  ASSERT_GE(stages.size(), 2u);
  EXPECT_EQ(stages.front().base, "debian:bookworm");
  EXPECT_EQ(stages.front().name, "build");
  EXPECT_EQ(RuntimeStage(stages).base, "debian:bookworm-slim");
  // The build stage installs with the project's own package list.
  bool runs_setup = false;
  for (const Instruction& insn : stages.front().instructions)
    runs_setup |= insn.keyword == "RUN" && insn.arguments.find("setup.sh") != std::string::npos;
  EXPECT_TRUE(runs_setup) << "the build stage should run scripts/setup.sh";
}

TEST(DockerfileTest, TheBinariesItCopiesExistAfterTheBuildAtThePathsItNames) {
  std::vector<Stage> stages = ParseDockerfile(DockerfilePath());
  std::vector<CopyFromStage> copies = CopiesFromStages(RuntimeStage(stages));
  ASSERT_EQ(copies.size(), 2u) << "sluice-agent and sluicectl";
  std::map<std::string, std::string> expected = {{"sluice-agent", SLUICE_AGENT_PATH},
                                                 {"sluicectl", SLUICECTL_PATH}};
  std::set<std::string> destinations;
  for (const CopyFromStage& copy : copies) {
    SCOPED_TRACE("COPY --from=" + copy.stage + " " + copy.source + " " + copy.destination);
    EXPECT_EQ(copy.stage, stages.front().name);
    ASSERT_EQ(copy.source.rfind(kImageBuildDir, 0), 0u) << "copies from the build tree " << kImageBuildDir;
    const std::string local = LocalPathOf(copy.source);
    const std::string name = fs::path(copy.source).filename();
    ASSERT_TRUE(expected.count(name)) << "unexpected binary " << name;
    EXPECT_TRUE(fs::equivalent(local, expected[name])) << local << " is not the " << name << " target";
    EXPECT_EQ(access(local.c_str(), X_OK), 0) << local << " is not an executable";
    destinations.insert(copy.destination);
    std::cout << "REPORT: Dockerfile copies " << copy.source << " -> " << copy.destination << ": found "
              << local << " (" << fs::file_size(local) << " bytes)" << std::endl;
  }
  std::vector<std::string> entrypoint = Entrypoint(RuntimeStage(stages));
  ASSERT_FALSE(entrypoint.empty()) << "no exec-form ENTRYPOINT";
  EXPECT_EQ(fs::path(entrypoint[0]).filename(), "sluice-agent");
  EXPECT_TRUE(destinations.count(entrypoint[0])) << "ENTRYPOINT names a file the image does not have";

  // The build stage builds those targets, with options the project has.
  std::string build_commands;
  for (const Instruction& insn : stages.front().instructions)
    if (insn.keyword == "RUN") build_commands += insn.arguments + "\n";
  EXPECT_NE(build_commands.find("ninja -C /build sluice-agent sluicectl"), std::string::npos);
  std::ifstream cmake_lists(std::string(SLUICE_SOURCE_DIR) + "/CMakeLists.txt");
  std::stringstream top;
  top << cmake_lists.rdbuf();
  static const std::regex option("-D(SLUICE_[A-Z_]+)=");
  for (std::sregex_iterator it(build_commands.begin(), build_commands.end(), option), end; it != end; ++it)
    EXPECT_NE(top.str().find("option(" + (*it)[1].str()), std::string::npos)
        << (*it)[1] << " is not an option of CMakeLists.txt";
}

// --- shared libraries -------------------------------------------------------------------

// The Debian packages that installed `paths`: path -> package ("" when none did).
// Merged /usr: dpkg knows a file under one of /lib and /usr/lib only, and ldd may name
// it by a symlink; every spelling is asked for, in one dpkg-query (it reads the whole
// file database each time).
std::map<std::string, std::string> PackagesOwning(const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<std::string>> spellings;
  std::string command = "dpkg-query -S";
  for (const std::string& path : paths) {
    std::vector<std::string>& s = spellings[path];
    s.push_back(path);
    std::error_code ec;
    const std::string real = fs::canonical(path, ec).string();
    if (!ec && real != path) s.push_back(real);
    for (const std::string& p : std::vector<std::string>(s))
      s.push_back(p.rfind("/usr/", 0) == 0 ? p.substr(4) : "/usr" + p);
    for (const std::string& p : s) command += " " + ShellQuote(p);
  }
  std::map<std::string, std::string> owner_of_spelling;
  std::istringstream out(Shell(command + " 2>/dev/null").output);
  for (std::string line; std::getline(out, line);) {
    const size_t sep = line.find(": ");
    if (sep == std::string::npos || line.rfind("diversion", 0) == 0) continue;
    owner_of_spelling[line.substr(sep + 2)] = line.substr(0, line.find_first_of(":,"));
  }
  std::map<std::string, std::string> owners;
  for (const auto& [path, names] : spellings) {
    owners[path] = "";
    for (const std::string& n : names)
      if (owner_of_spelling.count(n)) {
        owners[path] = owner_of_spelling[n];
        break;
      }
  }
  return owners;
}

// `package` and everything it depends on (Depends, Pre-Depends; every alternative), as
// the local package database says: what `apt-get install package` brings along.
std::set<std::string> DependencyClosure(const std::vector<std::string>& packages) {
  std::set<std::string> seen;
  std::vector<std::string> todo(packages.begin(), packages.end());
  static const std::regex name("([a-z0-9][a-z0-9+.-]+)(:[a-z0-9]+)?\\s*(\\([^)]*\\))?");
  while (!todo.empty()) {
    const std::string p = todo.back();
    todo.pop_back();
    if (!seen.insert(p).second) continue;
    ShellResult r = Shell("dpkg-query -W -f='${Depends}, ${Pre-Depends}' " + ShellQuote(p) + " 2>/dev/null");
    if (r.status != 0) continue;
    for (std::sregex_iterator it(r.output.begin(), r.output.end(), name), end; it != end; ++it)
      todo.push_back((*it)[1]);
  }
  return seen;
}

struct LoadedLibrary {
  std::string soname;  // libbpf.so.1
  std::string path;    // /lib/x86_64-linux-gnu/libbpf.so.1
};

std::vector<LoadedLibrary> Ldd(const std::string& binary) {
  std::vector<LoadedLibrary> libs;
  std::istringstream out(Shell("ldd " + ShellQuote(binary)).output);
  static const std::regex mapped("^\\s*(\\S+) => (/\\S+) \\(");
  static const std::regex loader("^\\s*(/\\S+) \\(");
  for (std::string line; std::getline(out, line);) {
    std::smatch m;
    if (std::regex_search(line, m, mapped)) libs.push_back({m[1], m[2]});
    else if (std::regex_search(line, m, loader)) libs.push_back({fs::path(m[1].str()).filename(), m[1]});
  }
  return libs;
}

std::set<std::string> Needed(const std::string& binary) {
  std::set<std::string> needed;
  std::string out = Shell("readelf -d " + ShellQuote(binary)).output;
  static const std::regex entry("\\(NEEDED\\)\\s+Shared library: \\[([^\\]]+)\\]");
  for (std::sregex_iterator it(out.begin(), out.end(), entry), end; it != end; ++it) needed.insert((*it)[1]);
  return needed;
}

TEST(DockerfileTest, EverySharedLibraryOfTheBinariesComesFromAPackageTheRuntimeStageInstalls) {
  for (const char* tool : {"dpkg-query", "ldd", "readelf"})
    if (!HaveProgram(tool)) GTEST_SKIP() << "skipped: needs " << tool << " (a Debian system)";
  std::vector<Stage> stages = ParseDockerfile(DockerfilePath());
  const std::vector<std::string> installed = AptInstalledPackages(RuntimeStage(stages));
  ASSERT_FALSE(installed.empty()) << "the runtime stage installs no package";
  const std::set<std::string> direct(installed.begin(), installed.end());
  const std::set<std::string> closure = DependencyClosure(installed);

  for (const CopyFromStage& copy : CopiesFromStages(RuntimeStage(stages))) {
    const std::string binary = LocalPathOf(copy.source);
    SCOPED_TRACE(binary);
    const std::set<std::string> needed = Needed(binary);
    std::vector<LoadedLibrary> libs = Ldd(binary);
    ASSERT_FALSE(libs.empty()) << "ldd found no libraries";
    std::vector<std::string> paths;
    for (const LoadedLibrary& lib : libs) paths.push_back(lib.path);
    std::map<std::string, std::string> owners = PackagesOwning(paths);
    std::map<std::string, std::set<std::string>> by_package;
    for (const LoadedLibrary& lib : libs) {
      const std::string package = owners[lib.path];
      EXPECT_FALSE(package.empty()) << lib.path << " belongs to no Debian package";
      if (package.empty()) continue;
      by_package[package].insert(lib.soname);
      EXPECT_TRUE(closure.count(package))
          << lib.soname << " (" << package << ") is not installed by the runtime stage";
      if (needed.count(lib.soname)) {
        EXPECT_TRUE(direct.count(package))
            << lib.soname << " is linked directly: install " << package << " by name in the runtime stage";
      }
    }
    std::cout << "REPORT: " << fs::path(binary).filename().string() << " loads " << libs.size()
              << " shared libraries from " << by_package.size() << " packages; linked directly ("
              << needed.size() << "):";
    for (const std::string& n : needed) std::cout << " " << n;
    std::cout << std::endl;
  }
}

}  // namespace
}  // namespace sluice::packaging
