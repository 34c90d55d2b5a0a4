#include "packaging/manifests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "packaging/shell.h"

namespace sluice::packaging {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> YamlFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/" + dir)) {
    const std::string ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
      files.push_back(dir + "/" + entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> InstallManifestFiles() { return YamlFilesIn("manifests"); }
std::vector<std::string> CleanupManifestFiles() { return YamlFilesIn("manifests/cleanup"); }

std::vector<ManifestObject> LoadObjects(const std::vector<std::string>& files) {
  std::vector<ManifestObject> objects;
  for (const std::string& file : files)
    for (const YAML::Node& doc : YAML::LoadAllFromFile(std::string(SLUICE_SOURCE_DIR) + "/" + file))
      if (doc.IsMap()) objects.push_back({file, doc});
  return objects;
}

YAML::Node FindObject(const std::vector<ManifestObject>& objects, const std::string& kind,
                      const std::string& name) {
  YAML::Node found;
  int count = 0;
  for (const ManifestObject& o : objects) {
    if (o.node["kind"].as<std::string>("") == kind && o.node["metadata"]["name"].as<std::string>("") == name) {
      found = o.node;
      ++count;
    }
  }
  if (count != 1) {
    ADD_FAILURE() << "expected one " << kind << " named " << name << ", found " << count;
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return found;
}

std::vector<YAML::Node> Containers(const YAML::Node& daemonset) {
  std::vector<YAML::Node> containers;
  const YAML::Node spec = daemonset["spec"]["template"]["spec"];
  for (const char* list : {"initContainers", "containers"})
    if (spec[list])
      for (const YAML::Node& c : spec[list]) containers.push_back(c);
  return containers;
}

YAML::Node Container(const YAML::Node& daemonset, const std::string& name) {
  for (const YAML::Node& c : Containers(daemonset))
    if (c["name"].as<std::string>("") == name) return c;
  ADD_FAILURE() << "no container " << name;
  return YAML::Node(YAML::NodeType::Undefined);
}

int PortOf(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return -1;
  try {
    return std::stoi(host_port.substr(colon + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string ConfigKeyOfFlag(const std::string& flag) {
  std::string key;
  bool upper = false;
  for (char c : flag.substr(flag.find_first_not_of('-'))) {
    if (c == '-') {
      upper = true;
      continue;
    }
    key += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return key;
}

std::set<std::string> AgentFlags() {
  const std::string help = Shell(ShellQuote(SLUICE_AGENT_PATH) + " --help").output;
  std::set<std::string> flags;
  static const std::regex flag("(^|[\\s,])(--[a-z][a-z0-9-]+)");
  for (std::sregex_iterator it(help.begin(), help.end(), flag), end; it != end; ++it) flags.insert((*it)[2]);
  return flags;
}

const std::set<std::string>& AnnouncedAgentFlags() {
  static const std::set<std::string> announced = {"--config", "--healthz-bind-address",
                                                  "--metrics-bind-address"};
  return announced;
}

}  // namespace sluice::packaging
