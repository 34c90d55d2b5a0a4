#include "fake_apiserver/selectors.h"

#include <algorithm>
#include <cctype>

namespace sluice::fake_apiserver {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at commas outside parentheses: "a in (x,y),!b" is two requirements.
std::vector<std::string_view> SplitRequirements(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size()) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')') --depth;
      if (text[i] != ',' || depth > 0) continue;
    }
    parts.push_back(Trim(text.substr(start, i - start)));
    start = i + 1;
  }
  return parts;
}

// Label keys are [prefix/]name of DNS-ish characters; values may also be empty.
bool IsLabelText(std::string_view s, bool allow_slash) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           (allow_slash && c == '/');
  });
}

std::string CheckedKey(std::string_view key, std::string_view requirement) {
  key = Trim(key);
  if (key.empty() || !IsLabelText(key, true)) {
    throw SelectorError("unable to parse requirement: invalid label key \"" + std::string(key) +
                        "\" in \"" + std::string(requirement) + "\"");
  }
  return std::string(key);
}

std::string CheckedValue(std::string_view value, std::string_view requirement) {
  value = Trim(value);
  if (value.size() > 63 || !IsLabelText(value, false)) {
    throw SelectorError("unable to parse requirement: invalid label value \"" +
                        std::string(value) + "\" in \"" + std::string(requirement) + "\"");
  }
  return std::string(value);
}

// "key in (a, b)" / "key notin (a,b)": returns false when `req` has no such form.
bool ParseSetRequirement(std::string_view req, std::string* key, bool* in,
                         std::vector<std::string>* values) {
  size_t open = req.find('(');
  if (open == std::string_view::npos) return false;
  std::string_view head = Trim(req.substr(0, open));
  size_t space = head.find_last_of(" \t");
  if (space == std::string_view::npos) return false;
  std::string_view op = head.substr(space + 1);
  if (op != "in" && op != "notin") return false;
  if (req.back() != ')') throw SelectorError("unable to parse requirement: missing ')' in \"" +
                                             std::string(req) + "\"");
  *key = CheckedKey(head.substr(0, space), req);
  *in = op == "in";
  std::string_view list = req.substr(open + 1, req.size() - open - 2);
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list[i] != ',') continue;
    values->push_back(CheckedValue(list.substr(start, i - start), req));
    start = i + 1;
  }
  return true;
}

std::string MetadataField(const nlohmann::json& object, const char* field) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

LabelSelector LabelSelector::Parse(std::string_view text) {
  LabelSelector selector;
  if (Trim(text).empty()) return selector;
  for (std::string_view req : SplitRequirements(text)) {
    if (req.empty()) throw SelectorError("unable to parse requirement: empty requirement");
    Requirement r;
    bool in = true;
    if (ParseSetRequirement(req, &r.key, &in, &r.values)) {
      r.op = in ? Op::kIn : Op::kNotIn;
    } else if (req.front() == '!') {
      r.key = CheckedKey(req.substr(1), req);
      r.op = Op::kNotExists;
    } else if (size_t ne = req.find("!="); ne != std::string_view::npos) {
      r.key = CheckedKey(req.substr(0, ne), req);
      r.op = Op::kNotIn;
      r.values.push_back(CheckedValue(req.substr(ne + 2), req));
    } else if (size_t eq = req.find('='); eq != std::string_view::npos) {
      size_t value_at = req.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
      r.key = CheckedKey(req.substr(0, eq), req);
      r.op = Op::kIn;
      r.values.push_back(CheckedValue(req.substr(value_at), req));
    } else if (req.find_first_of("<>") != std::string_view::npos) {
      throw SelectorError("unable to parse requirement: the fake does not support < and > in \"" +
                          std::string(req) + "\"");
    } else {
      r.key = CheckedKey(req, req);
      r.op = Op::kExists;
    }
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool LabelSelector::Matches(const nlohmann::json& object) const {
  static const nlohmann::json kNoLabels = nlohmann::json::object();
  const nlohmann::json* labels = &kNoLabels;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    if (auto it = meta->find("labels"); it != meta->end() && it->is_object()) labels = &*it;
  }
  for (const Requirement& r : requirements_) {
    auto it = labels->find(r.key);
    bool present = it != labels->end() && it->is_string();
    std::string value = present ? it->get<std::string>() : "";
    bool listed = present && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case Op::kExists: ok = present; break;
      case Op::kNotExists: ok = !present; break;
      case Op::kIn: ok = listed; break;
      case Op::kNotIn: ok = !listed; break;
    }
    if (!ok) return false;
  }
  return true;
}

FieldSelector FieldSelector::Parse(std::string_view text) {
  FieldSelector selector;
  if (Trim(text).empty()) return selector;
  for (std::string_view req : SplitRequirements(text)) {
    Requirement r;
    size_t op = req.find("!=");
    size_t value_at = 0;
    if (op != std::string_view::npos) {
      r.equal = false;
      value_at = op + 2;
    } else if ((op = req.find('=')) != std::string_view::npos) {
      value_at = req.compare(op, 2, "==") == 0 ? op + 2 : op + 1;
    } else {
      throw SelectorError("invalid selector: '" + std::string(req) +
                          "'; can't understand '" + std::string(req) + "'");
    }
    r.field = std::string(Trim(req.substr(0, op)));
    r.value = std::string(Trim(req.substr(value_at)));
    if (r.field != "metadata.name" && r.field != "metadata.namespace") {
      throw SelectorError("field label not supported: " + r.field);
    }
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  for (const Requirement& r : requirements_) {
    std::string actual =
        MetadataField(object, r.field == "metadata.name" ? "name" : "namespace");
    if ((actual == r.value) != r.equal) return false;
  }
  return true;
}

}  // namespace sluice::fake_apiserver
