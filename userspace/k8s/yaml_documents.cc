#include "k8s/yaml_documents.h"

namespace sluice::k8s {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// "---" at column 0 followed by nothing, a blank, or a comment. Inside a block scalar
// such a line ends the scalar anyway (YAML 1.2 §9.1.2), so splitting there agrees with
// a full parser.
bool IsDocumentStart(std::string_view line) {
  return line.starts_with("---") && (line.size() == 3 || IsBlank(line[3]));
}

// A line a parser would see as more than layout: not blank, not a comment, not a
// bare document marker, and not a directive (%YAML changes nothing sluice reads, and
// a stream of directives alone is no document).
bool HasContent(std::string_view line) {
  if (line.starts_with("%")) return false;
  if (IsDocumentStart(line)) line.remove_prefix(3);
  for (char c : line) {
    if (c == '#') return false;
    if (!IsBlank(c)) return true;
  }
  return false;
}

}  // namespace

std::vector<YamlDocumentText> SplitYamlDocuments(std::string_view stream) {
  std::vector<YamlDocumentText> documents;
  size_t start = 0;  // offset of the current document
  size_t start_line = 1;
  bool has_content = false;
  auto finish = [&](size_t end) {
    if (has_content)
      documents.push_back({stream.substr(start, end - start), documents.size() + 1, start_line});
  };

  size_t offset = 0;
  size_t line_number = 1;
  while (offset < stream.size()) {
    size_t newline = stream.find('\n', offset);
    size_t end = newline == std::string_view::npos ? stream.size() : newline + 1;
    std::string_view line = stream.substr(offset, end - offset);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (IsDocumentStart(line) && offset != start) {
      finish(offset);
      start = offset;
      start_line = line_number;
      has_content = false;
    }
    has_content = has_content || HasContent(line);
    offset = end;
    ++line_number;
  }
  finish(stream.size());
  return documents;
}

}  // namespace sluice::k8s
