#include "agent/config_file.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <stdexcept>

namespace sluice::agent {

std::string CamelToKebab(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      out += '-';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::string KebabToCamel(const std::string& flag) {
  std::string out;
  bool upper = false;
  for (char c : flag) {
    if (c == '-') {
      upper = !out.empty();
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::vector<std::string> ConfigFileArgs(const std::string& path, const std::vector<FlagShape>& flags,
                                        const std::set<std::string>& given) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("--config " + path + ": " + e.what());
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) throw std::runtime_error("--config " + path + ": expected a mapping of settings");
  std::vector<std::string> args;
  for (const auto& item : root) {
    const std::string key = item.first.as<std::string>();
    if (key == "apiVersion" || key == "kind") continue;
    const std::string name = CamelToKebab(key);
    const FlagShape* flag = nullptr;
    for (const FlagShape& f : flags)
      if (f.name == name) flag = &f;
    if (!flag || name == "config")
      throw std::runtime_error("--config " + path + ": unknown setting \"" + key + "\"");
    // A one-shot action, not a setting: a shared file must not turn every agent that
    // reads it into a cleanup run.
    if (name == "cleanup" || name == "help")
      throw std::runtime_error("--config " + path + ": \"" + key + "\" is a command-line action, not a setting");
    if (given.count(name)) continue;  // the command line wins
    const YAML::Node& value = item.second;
    auto scalar = [&](const YAML::Node& v) {
      if (!v.IsScalar()) throw std::runtime_error("--config " + path + ": " + key + ": expected a value");
      return v.as<std::string>();
    };
    if (!flag->takes_value) {
      if (scalar(value) == "true") args.push_back("--" + name);
      continue;
    }
    if (value.IsSequence()) {
      if (!flag->repeatable)
        throw std::runtime_error("--config " + path + ": " + key + ": expected one value, not a list");
      for (const auto& v : value) args.push_back("--" + name + "=" + scalar(v));
      continue;
    }
    args.push_back("--" + name + "=" + scalar(value));
  }
  return args;
}

}  // namespace sluice::agent
