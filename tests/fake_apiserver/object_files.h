// Objects from a manifest file: YAML (one or more documents, as `kubectl get -o yaml`
// prints them) or JSON (an object, an array of objects, or a *List). List kinds are
// expanded into their items.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::fake_apiserver {

// Throws std::runtime_error naming the file (and document) for unreadable input.
// Items of a *List get their kind and apiVersion back.
std::vector<nlohmann::json> LoadObjectsFile(const std::string& path);
std::vector<nlohmann::json> ParseObjects(std::string_view text, const std::string& origin);

}  // namespace sluice::fake_apiserver
