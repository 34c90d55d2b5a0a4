#include "packaging/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace sluice::packaging {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

std::vector<Stage> ParseDockerfile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> logical;  // instructions with their continuation lines joined
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;  // comments may sit between continuations
    if (trimmed.back() == '\\') {
      pending += trimmed.substr(0, trimmed.size() - 1) + " ";
      continue;
    }
    logical.push_back(pending + trimmed);
    pending.clear();
  }
  if (!pending.empty()) logical.push_back(pending);

  std::vector<Stage> stages;
  for (const std::string& text : logical) {
    const size_t space = text.find_first_of(" \t");
    Instruction insn{text.substr(0, space), space == std::string::npos ? "" : Trim(text.substr(space))};
    std::transform(insn.keyword.begin(), insn.keyword.end(), insn.keyword.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (insn.keyword == "FROM") {
      std::vector<std::string> w = Words(insn.arguments);
      Stage stage;
      stage.base = w.empty() ? "" : w[0];
      if (w.size() >= 3 && (w[1] == "AS" || w[1] == "as")) stage.name = w[2];
      stages.push_back(stage);
      continue;
    }
    if (stages.empty()) throw std::runtime_error(path + ": instruction before the first FROM");
    stages.back().instructions.push_back(insn);
  }
  if (stages.empty()) throw std::runtime_error(path + ": no FROM");
  return stages;
}

std::vector<CopyFromStage> CopiesFromStages(const Stage& stage) {
  std::vector<CopyFromStage> copies;
  for (const Instruction& insn : stage.instructions) {
    if (insn.keyword != "COPY") continue;
    std::vector<std::string> w = Words(insn.arguments);
    if (w.size() != 3 || w[0].rfind("--from=", 0) != 0) continue;
    copies.push_back({w[0].substr(7), w[1], w[2]});
  }
  return copies;
}

std::vector<std::string> AptInstalledPackages(const Stage& stage) {
  std::vector<std::string> packages;
  for (const Instruction& insn : stage.instructions) {
    if (insn.keyword != "RUN") continue;
    std::vector<std::string> w = Words(insn.arguments);
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      if (w[i] != "apt-get" && w[i] != "apt") continue;
      size_t j = i + 1;
      while (j < w.size() && w[j][0] == '-') ++j;
      if (j >= w.size() || w[j] != "install") continue;
      for (++j; j < w.size() && w[j] != "&&" && w[j] != ";" && w[j] != "||"; ++j)
        if (w[j][0] != '-') packages.push_back(w[j]);
    }
  }
  return packages;
}

std::vector<std::string> Entrypoint(const Stage& stage) {
  std::vector<std::string> words;
  for (const Instruction& insn : stage.instructions) {
    if (insn.keyword != "ENTRYPOINT") continue;
    words.clear();
    static const std::regex quoted("\"([^\"]*)\"");
    for (std::sregex_iterator it(insn.arguments.begin(), insn.arguments.end(), quoted), end; it != end; ++it)
      words.push_back((*it)[1]);
  }
  return words;
}

}  // namespace sluice::packaging
