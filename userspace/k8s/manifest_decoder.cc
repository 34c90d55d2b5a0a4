#include "k8s/manifest_decoder.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "k8s/decode_error.h"
#include "k8s/json_objects.h"
#include "k8s/yaml_documents.h"
#include "k8s/yaml_to_json.h"
#include "model/validate.h"

namespace sluice::k8s {

namespace {

// Lists inside lists are legal but never deep in practice. Without a bound, a file
// of lists nested some thousands deep overflowed the stack (and its locations grew
// quadratically); found by tests/fuzz/fuzz_json_decode.
constexpr size_t kMaxListNesting = 16;

// Where an object sits in the input, for failure messages.
struct Location {
  std::string source;
  size_t document = 0;
  std::string items;  // "items[4]" inside a list, nested lists chained
  size_t list_depth = 0;  // how many lists hold the object

  Location Item(size_t index) const {
    Location item = *this;
    item.items += (items.empty() ? "" : ".") + std::string("items[") + std::to_string(index) + "]";
    ++item.list_depth;
    return item;
  }
  std::string ToString() const {
    std::string text = source + ", document " + std::to_string(document);
    if (!items.empty()) text += ", " + items;
    return text;
  }
};

// The kinds sluice reads and the API group each must come from: a Knative
// `serving.knative.dev/v1` Service is somebody else's object, not a broken one.
struct KnownKind {
  std::string_view kind;
  std::string_view group;
  std::string_view version;
  bool namespaced;
};
constexpr KnownKind kKnownKinds[] = {
    {"Service", "", "v1", true},
    {"EndpointSlice", "discovery.k8s.io", "v1", true},
    {"Node", "", "v1", false},
};

std::pair<std::string, std::string> SplitApiVersion(const std::string& api_version) {
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) return {"", api_version};  // the core group: "v1"
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

std::string StringMember(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The object's name if its metadata has one, whatever else is wrong with it.
std::optional<model::ObjectName> NameOf(const nlohmann::json& object, bool namespaced) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return std::nullopt;
  std::string name = StringMember(*metadata, "name");
  if (name.empty()) return std::nullopt;
  std::string ns = namespaced ? StringMember(*metadata, "namespace") : "";
  if (namespaced && ns.empty()) ns = "default";
  return model::ObjectName{ns, name};
}

// "shop/web", best effort: the object may be the broken one.
std::string DescribeName(const nlohmann::json& object, bool namespaced) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "(no metadata.name)";
  std::string name = StringMember(*metadata, "name");
  if (name.empty()) name = "(no metadata.name)";
  if (!namespaced) return name;
  std::string ns = StringMember(*metadata, "namespace");
  return (ns.empty() ? "default" : ns) + "/" + name;
}

class ManifestReader {
 public:
  explicit ManifestReader(std::string source) : source_(std::move(source)) {}

  void ReadText(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 BOM
    if (std::optional<nlohmann::json> json = ParseJson(text)) {
      AddDocument(*json, Location{source_, 1, ""});
      return;
    }
    for (const YamlDocumentText& document : SplitYamlDocuments(text)) ReadYaml(document);
  }

  DecodedManifest Take() { return std::move(result_); }

 private:
  // `kubectl get -o json` output is JSON; parsing it as such is exact and fast.
  // Anything that is not valid JSON goes to the YAML reader, which also takes JSON
  // and reports syntax errors with a line number.
  static std::optional<nlohmann::json> ParseJson(std::string_view text) {
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) return {};
    nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return std::nullopt;
    return json;
  }

  void ReadYaml(const YamlDocumentText& document) {
    Location where{source_, document.number, ""};
    YAML::Node node;
    try {
      node = YAML::Load(std::string(document.text));
    } catch (const YAML::Exception& e) {
      std::string reason = "invalid YAML";
      if (!e.mark.is_null())
        reason += " at line " + std::to_string(document.first_line + e.mark.line) + ", column " +
                  std::to_string(e.mark.column + 1);
      Fail(where.ToString(), reason + ": " + e.msg);
      return;
    }
    nlohmann::json json;
    try {
      // Without aliases a document has fewer values than twice its bytes.
      json = YamlToJson(node, 2 * document.text.size() + 1024);
    } catch (const DecodeError& e) {
      Fail(where.ToString(), e.what());
      return;
    }
    if (json.is_null()) return;  // "---" followed by nothing but "~"
    AddDocument(json, where);
  }

  void AddDocument(const nlohmann::json& json, const Location& where) {
    AddObject(json, where, "", "");
  }

  // `implied_kind`/`implied_api_version` come from a typed list (ServiceList items
  // carry neither kind nor apiVersion).
  void AddObject(const nlohmann::json& object, const Location& where,
                 const std::string& implied_kind, const std::string& implied_api_version) {
    if (!object.is_object()) {
      Fail(where.ToString(),
           std::string("expected a Kubernetes object (a mapping with kind), got ") +
               object.type_name());
      return;
    }
    std::string kind = StringMember(object, "kind");
    if (kind.empty()) kind = implied_kind;
    std::string api_version = StringMember(object, "apiVersion");
    if (api_version.empty()) api_version = implied_api_version;
    if (kind.empty()) {
      Fail(where.ToString(), "kind: required");
      return;
    }
    if (kind.ends_with("List") && object.contains("items")) {
      AddList(object, where, kind, api_version);
      return;
    }
    for (const KnownKind& known : kKnownKinds) {
      if (kind == known.kind) return AddKnown(object, where, known, api_version);
    }
    ++result_.ignored;
  }

  void AddList(const nlohmann::json& list, const Location& where, const std::string& kind,
               const std::string& api_version) {
    const nlohmann::json& items = list["items"];
    if (items.is_null()) return;  // an empty list prints as `items: []`, or null
    if (where.list_depth >= kMaxListNesting) {
      Fail(kind + " (" + where.ToString() + ")",
           "lists nested more than " + std::to_string(kMaxListNesting) + " deep");
      return;
    }
    if (!items.is_array()) {
      Fail(kind + " (" + where.ToString() + ")",
           std::string("items: expected an array, got ") + items.type_name());
      return;
    }
    // `kind: List` holds objects that name their own kind; a ServiceList's items
    // are Services by construction.
    std::string item_kind = kind == "List" ? "" : kind.substr(0, kind.size() - 4);
    std::string item_api_version = kind == "List" ? "" : api_version;
    for (size_t i = 0; i < items.size(); ++i)
      AddObject(items[i], where.Item(i), item_kind, item_api_version);
  }

  void AddKnown(const nlohmann::json& object, const Location& where, const KnownKind& known,
                const std::string& api_version) {
    auto [group, version] = SplitApiVersion(api_version);
    if (!api_version.empty() && group != known.group) {
      ++result_.ignored;  // same kind name, another API: not ours
      return;
    }
    std::string object_name = std::string(known.kind) + " " +
                              DescribeName(object, known.namespaced) + " (" + where.ToString() +
                              ")";
    auto fail = [&](std::string reason) {
      Fail(object_name, std::move(reason));
      result_.failures.back().kind = known.kind;
      result_.failures.back().name = NameOf(object, known.namespaced);
    };
    if (!api_version.empty() && version != known.version) {
      fail("apiVersion: " + api_version + " is not supported (sluice reads " +
                            (known.group.empty() ? "" : std::string(known.group) + "/") +
                            std::string(known.version) + ")");
      return;
    }
    try {
      std::optional<std::string> invalid;
      if (known.kind == "Service") {
        model::Service service = ServiceFromJson(object);
        invalid = model::ValidateService(service);
        if (!invalid) result_.services.push_back(std::move(service));
      } else if (known.kind == "EndpointSlice") {
        model::EndpointSlice slice = EndpointSliceFromJson(object);
        invalid = model::ValidateEndpointSlice(slice);
        if (!invalid) result_.endpoint_slices.push_back(std::move(slice));
      } else {
        result_.nodes.push_back(NodeFromJson(object));
      }
      if (invalid) fail(*invalid);
    } catch (const DecodeError& e) {
      fail(e.what());
    }
  }

  void Fail(std::string object, std::string reason) {
    result_.failures.push_back({std::move(object), std::move(reason), "", std::nullopt});
  }

  std::string source_;
  DecodedManifest result_;
};

}  // namespace

DecodedManifest DecodeManifest(std::string_view text, std::string_view source_name) {
  ManifestReader reader{std::string(source_name)};
  reader.ReadText(text);
  return reader.Take();
}

}  // namespace sluice::k8s
