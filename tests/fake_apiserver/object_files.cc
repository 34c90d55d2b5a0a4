#include "fake_apiserver/object_files.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "k8s/yaml_documents.h"
#include "k8s/yaml_to_json.h"

namespace sluice::fake_apiserver {
namespace {

void Expand(nlohmann::json value, std::vector<nlohmann::json>* out) {
  if (value.is_array()) {
    for (auto& item : value) Expand(std::move(item), out);
    return;
  }
  if (!value.is_object()) return;
  std::string kind = value.value("kind", "");
  if (kind.size() > 4 && kind.ends_with("List") && value["items"].is_array()) {
    // The API server strips kind and apiVersion from list items; put them back.
    std::string item_kind = kind.substr(0, kind.size() - 4);
    for (auto& item : value["items"]) {
      if (!item.is_object()) continue;
      if (!item.contains("kind")) item["kind"] = item_kind;
      if (!item.contains("apiVersion") && value.contains("apiVersion")) item["apiVersion"] = value["apiVersion"];
    }
    Expand(std::move(value["items"]), out);
    return;
  }
  out->push_back(std::move(value));
}

}  // namespace

std::vector<nlohmann::json> ParseObjects(std::string_view text, const std::string& origin) {
  std::vector<nlohmann::json> objects;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) throw std::runtime_error(origin + ": not valid JSON");
    Expand(std::move(json), &objects);
    return objects;
  }
  for (const auto& doc : sluice::k8s::SplitYamlDocuments(text)) {
    try {
      Expand(sluice::k8s::YamlToJson(YAML::Load(std::string(doc.text))), &objects);
    } catch (const std::exception& e) {
      throw std::runtime_error(origin + ": document " + std::to_string(doc.number) + " (line " +
                               std::to_string(doc.first_line) + "): " + e.what());
    }
  }
  return objects;
}

std::vector<nlohmann::json> LoadObjectsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseObjects(text.str(), path);
}

}  // namespace sluice::fake_apiserver
