// Every manifest is a valid Kubernetes object according to the Kubernetes API's own
// OpenAPI schemas: k8s-validate/validate.mjs checks types, required fields, enums and
// unknown fields with the npm package kubernetes-models (generated from those schemas).
// The package is installed into the build tree on first run (`npm ci`, pinned by
// k8s-validate/package-lock.json); without node and npm the test is skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "packaging/manifests.h"
#include "packaging/shell.h"

namespace sluice::packaging {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Installs the validator's packages unless the installed ones match the lock file.
// Returns "" or what npm said when it failed.
std::string InstallValidator() {
  const std::string dir = SLUICE_K8S_VALIDATE_DIR;
  const std::string stamp = dir + "/node_modules/.sluice-installed-lock";
  const std::string lock = ReadAll(dir + "/package-lock.json");
  if (fs::exists(stamp) && ReadAll(stamp) == lock) return "";
  ShellResult r = Shell("cd " + ShellQuote(dir) +
                        " && timeout 600 npm ci --no-audit --no-fund --loglevel=error --engine-strict=false");
  if (r.status != 0) return r.output;
  std::ofstream(stamp) << lock;
  return "";
}

class ManifestSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"node", "npm"})
      if (!HaveProgram(tool)) GTEST_SKIP() << "skipped: the schema check needs " << tool << " (Debian: nodejs, npm)";
    const std::string failure = InstallValidator();
    ASSERT_EQ(failure, "") << "npm ci in " << SLUICE_K8S_VALIDATE_DIR << " failed:\n" << failure;
  }

  static ShellResult Validate(const std::vector<std::string>& paths) {
    std::string command = "node " + ShellQuote(std::string(SLUICE_K8S_VALIDATE_DIR) + "/validate.mjs");
    for (const std::string& p : paths) command += " " + ShellQuote(p);
    return Shell(command);
  }
};

TEST_F(ManifestSchemaTest, EveryManifestIsAValidKubernetesObject) {
  std::vector<std::string> paths;
  for (const auto& files : {InstallManifestFiles(), CleanupManifestFiles()})
    for (const std::string& f : files) paths.push_back(std::string(SLUICE_SOURCE_DIR) + "/" + f);
  ASSERT_GE(paths.size(), 5u);
  ShellResult r = Validate(paths);
  EXPECT_EQ(r.status, 0) << r.output;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) std::cout << "REPORT: " << line << std::endl;
}

// The validator is not vacuous: a DaemonSet with a misspelt field, a value outside an
// enum, a string where an integer belongs and a missing required field is rejected for
// each of them.
TEST_F(ManifestSchemaTest, TheValidatorRejectsWhatTheApiServerWouldReject) {
  const fs::path bad = fs::temp_directory_path() / ("sluice-bad-manifest-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(bad) << R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: bad, namespace: kube-system}
spec:
  selector: {matchLabels: {app: bad}}
  updateStrategy: {type: Rolling}
  template:
    metadata: {labels: {app: bad}}
    spec:
      hostNetwrk: true
      containers:
        - name: c
          image: i
          ports: [{containerPort: "10256"}]
          volumeMounts: [{name: v, mountPath: /x, mountPropagation: HostToContainer}]
        - image: nameless
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: verbless}
rules: [{apiGroups: [""], resources: [services]}]
)";
  ShellResult r = Validate({bad.string()});
  fs::remove(bad);
  EXPECT_EQ(r.status, 1) << r.output;
  for (const char* expected : {"hostNetwrk: unknown field", "/spec/updateStrategy/type: must be equal to one of",
                               "containerPort: must be integer", "must have required property name",
                               "must have required property verbs", "2 objects, 0 valid, 2 invalid"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << "missing '" << expected << "' in:\n" << r.output;
}

}  // namespace
}  // namespace sluice::packaging
