// Reading the Dockerfile the way `docker build` does, as far as the tests need: stages,
// their instructions (continuation lines joined, comments dropped), and the parts of
// instructions the tests check.
#pragma once

#include <string>
#include <vector>

namespace sluice::packaging {

struct Instruction {
  std::string keyword;    // "RUN", "COPY", ... (upper case)
  std::string arguments;  // the rest, continuation lines joined with spaces
};

struct Stage {
  std::string base;  // FROM's image
  std::string name;  // FROM ... AS name, or ""
  std::vector<Instruction> instructions;
};

struct CopyFromStage {
  std::string stage;        // --from=
  std::string source;       // path in that stage
  std::string destination;  // path in this one
};

// Throws std::runtime_error if the file cannot be read or has no FROM.
std::vector<Stage> ParseDockerfile(const std::string& path);

// The stage's `COPY --from=STAGE SRC DEST` instructions (one source each).
std::vector<CopyFromStage> CopiesFromStages(const Stage& stage);

// Package names of every `apt-get install` in the stage's RUN instructions.
std::vector<std::string> AptInstalledPackages(const Stage& stage);

// The exec-form ENTRYPOINT ["a", "b"] as words; empty if there is none.
std::vector<std::string> Entrypoint(const Stage& stage);

}  // namespace sluice::packaging
