#include "k8s/yaml_to_json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::k8s {

namespace {

constexpr size_t kMaxDepth = 100;

constexpr std::string_view kTagStr = "tag:yaml.org,2002:str";
constexpr std::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr std::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr std::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr std::string_view kTagNull = "tag:yaml.org,2002:null";
constexpr std::string_view kTagMap = "tag:yaml.org,2002:map";
constexpr std::string_view kTagSeq = "tag:yaml.org,2002:seq";
// yaml-cpp's tags for untagged nodes: "?" for plain scalars (and collections), "!" for
// quoted and block scalars, which the YAML spec resolves to strings.
constexpr std::string_view kTagPlain = "?";
constexpr std::string_view kTagNonSpecific = "!";

bool IsDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

std::optional<bool> CoreBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool IsCoreNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
std::optional<nlohmann::json> CoreInt(std::string_view s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.starts_with("0o")) {
    base = 8;
    digits = s.substr(2);
  } else if (s.starts_with("0x")) {
    base = 16;
    digits = s.substr(2);
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    digits = s.substr(1);
  }
  if (!IsDigits(digits, base)) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc::result_out_of_range || end != digits.data() + digits.size()) {
    // Too large for 64 bits: keep the value approximately, as a JSON decoder would.
    double approx = std::strtod(std::string(s).c_str(), nullptr);
    return nlohmann::json(approx);
  }
  constexpr uint64_t kMaxNegative = uint64_t{1} << 63;
  if (negative) {
    if (magnitude > kMaxNegative) return nlohmann::json(-static_cast<double>(magnitude));
    return nlohmann::json(static_cast<int64_t>(0 - magnitude));
  }
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return nlohmann::json(magnitude);
  return nlohmann::json(static_cast<int64_t>(magnitude));
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
std::optional<double> CoreFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  std::string_view body = s;
  double sign = 1;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF")
    return sign * std::numeric_limits<double>::infinity();
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
    return i - start;
  };
  size_t integral = digits();
  size_t fraction = 0;
  if (i < body.size() && body[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (integral == 0 && fraction == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

class Converter {
 public:
  explicit Converter(size_t max_nodes) : budget_(max_nodes) {}

  nlohmann::json Convert(const YAML::Node& node, const std::string& path, size_t depth) {
    if (depth > kMaxDepth)
      Fail(path, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (budget_ == 0) Fail(path, "document expands to too many values (aliases?)");
    --budget_;
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        return Scalar(node, path);
      case YAML::NodeType::Sequence:
        return Sequence(node, path, depth);
      case YAML::NodeType::Map:
        return Mapping(node, path, depth);
    }
    return nullptr;
  }

 private:
  [[noreturn]] static void Fail(const std::string& path, const std::string& what) {
    throw DecodeError(path.empty() ? what : path + ": " + what);
  }

  static nlohmann::json Scalar(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == kTagNonSpecific || tag == kTagStr) return text;
    if (tag == kTagPlain) return PlainScalar(text);
    if (tag == kTagNull) {
      if (IsCoreNull(text)) return nullptr;
    } else if (tag == kTagBool) {
      if (auto value = CoreBool(text)) return *value;
    } else if (tag == kTagInt) {
      if (auto value = CoreInt(text)) return *value;
    } else if (tag == kTagFloat) {
      if (auto value = CoreFloat(text)) return *value;
    } else {
      Fail(path, "unsupported YAML tag " + tag);
    }
    Fail(path, "\"" + text + "\" is not a valid " + tag);
  }

  static nlohmann::json PlainScalar(const std::string& text) {
    if (IsCoreNull(text)) return nullptr;
    if (auto value = CoreBool(text)) return *value;
    if (auto value = CoreInt(text)) return *value;
    if (auto value = CoreFloat(text)) return *value;
    return text;
  }

  nlohmann::json Sequence(const YAML::Node& node, const std::string& path, size_t depth) {
    ExpectCollectionTag(node, kTagSeq, path);
    nlohmann::json array = nlohmann::json::array();
    size_t index = 0;
    for (const YAML::Node& element : node) {
      array.push_back(Convert(element, path + "[" + std::to_string(index) + "]", depth + 1));
      ++index;
    }
    return array;
  }

  nlohmann::json Mapping(const YAML::Node& node, const std::string& path, size_t depth) {
    ExpectCollectionTag(node, kTagMap, path);
    nlohmann::json object = nlohmann::json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      // JSON keys are strings; a scalar key keeps its text (`80: x` becomes "80").
      if (!it->first.IsScalar()) Fail(path, "mapping keys must be scalars");
      const std::string& key = it->first.Scalar();
      std::string child = path.empty() ? key : path + "." + key;
      // yaml-cpp keeps both entries of a repeated key; which one the API server would
      // see depends on the client, so refuse to guess.
      if (object.contains(key)) Fail(child, "duplicate key");
      object[key] = Convert(it->second, child, depth + 1);
    }
    return object;
  }

  static void ExpectCollectionTag(const YAML::Node& node, std::string_view own,
                                  const std::string& path) {
    const std::string& tag = node.Tag();
    if (tag != kTagPlain && tag != kTagNonSpecific && tag != own && !tag.empty())
      Fail(path, "unsupported YAML tag " + tag);
  }

  size_t budget_;
};

}  // namespace

nlohmann::json YamlToJson(const YAML::Node& document, size_t max_nodes) {
  return Converter(max_nodes).Convert(document, "", 0);
}

}  // namespace sluice::k8s
