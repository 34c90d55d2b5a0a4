// Splits a YAML stream into its documents before parsing, the way kubectl reads a
// file (a line starting with "---" begins a document), so one document that is not
// YAML at all costs that document only: yaml-cpp gives up on the whole stream.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::k8s {

struct YamlDocumentText {
  std::string_view text;  // includes its leading "---" line, if any
  size_t number = 0;      // 1-based, counting documents that have content
  size_t first_line = 0;  // 1-based line of `text` in the stream, for error messages
};

// Documents with no content (blank lines, comments and bare "---" only) are left out.
std::vector<YamlDocumentText> SplitYamlDocuments(std::string_view stream);

}  // namespace sluice::k8s
