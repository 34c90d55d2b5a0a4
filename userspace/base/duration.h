// Durations as kube-proxy's flags spell them: "250ms", "1s", "1m30s", "1h".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// nullopt for anything that is not a sequence of <number><unit> with units
// ns, us, ms, s, m, h (a bare "0" is allowed).
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace sluice
