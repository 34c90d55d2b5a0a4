// Decoded objects as one line of text per field, so tests can compare what two
// decoders produced (the model structs have no operator==) and print a readable diff
// when they differ.
#pragma once

#include <string>
#include <vector>

#include "k8s/wire_codec.h"

namespace sluice::k8s::testing {

std::string ObjectText(const Object& object);
std::string EventText(const WatchEvent& event);
std::vector<std::string> EventTexts(const std::vector<WatchEvent>& events);
std::string FailureText(const ObjectFailure& failure);

}  // namespace sluice::k8s::testing
