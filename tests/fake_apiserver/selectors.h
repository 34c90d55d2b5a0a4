// labelSelector and fieldSelector query parameters, parsed as the API server parses
// them and matched against stored objects.
//
// Label selectors: comma-separated requirements, all of which must hold:
//   key        the label exists          !key          it does not
//   key=value  key==value                key!=value    (true when the label is absent)
//   key in (a,b)                         key notin (a,b)  (true when absent)
// Field selectors: metadata.name and metadata.namespace with =, == or !=; anything
// else is the API server's "field label not supported" (400).
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::fake_apiserver {

// A selector the server would reject with 400 BadRequest; what() is the message.
class SelectorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class LabelSelector {
 public:
  // Throws SelectorError. An empty text selects everything.
  static LabelSelector Parse(std::string_view text);
  bool Matches(const nlohmann::json& object) const;  // reads metadata.labels
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kExists, kNotExists, kIn, kNotIn };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;  // kIn / kNotIn ("=" is kIn with one value)
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // Throws SelectorError. An empty text selects everything.
  static FieldSelector Parse(std::string_view text);
  bool Matches(const nlohmann::json& object) const;
  bool empty() const { return requirements_.empty(); }

 private:
  struct Requirement {
    std::string field;  // "metadata.name" or "metadata.namespace"
    bool equal = true;
    std::string value;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace sluice::fake_apiserver
