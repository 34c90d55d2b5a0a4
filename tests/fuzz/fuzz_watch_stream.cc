// libFuzzer target: WatchStreamDecoder on arbitrary streams in fuzzer-chosen chunks.
//
// Input: the stream, then 7 trailing bytes that configure the run (so the real
// captures, with those bytes appended, are the seeds): the format and kind, the
// frame limit, and a seed for the chunk sizes.
//
// The oracle is differential: whatever the chunking, the decoder must produce the
// same events and failures as when it gets the whole stream at once, and throw
// StreamError at the same point or not at all. Only StreamError may escape Feed.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "k8s/wire_codec.h"
#include "object_text.h"

using namespace sluice::k8s;

namespace {

struct Outcome {
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
  bool stream_error = false;
};

// Feeds `stream` in chunks drawn from `next_chunk` (0 means "the rest").
template <typename NextChunk>
Outcome Run(Kind kind, ContentType type, size_t max_frame_bytes, std::string_view stream,
            NextChunk next_chunk) {
  Outcome outcome;
  WatchStreamDecoder decoder(kind, type, max_frame_bytes);
  try {
    for (size_t offset = 0; offset < stream.size();) {
      size_t size = next_chunk();
      if (size == 0 || size > stream.size() - offset) size = stream.size() - offset;
      decoder.Feed(stream.substr(offset, size), &outcome.events, &outcome.failures);
      offset += size;
    }
  } catch (const StreamError&) {
    outcome.stream_error = true;
  }
  return outcome;
}

std::vector<std::string> FailureTexts(const std::vector<ObjectFailure>& failures) {
  std::vector<std::string> texts;
  for (const ObjectFailure& failure : failures) texts.push_back(testing::FailureText(failure));
  return texts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kConfigBytes = 7;
  if (size < kConfigBytes) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data), size - kConfigBytes);
  FuzzedDataProvider config(data + stream.size(), kConfigBytes);
  uint8_t mode = config.ConsumeIntegral<uint8_t>();
  ContentType type = mode & 1 ? ContentType::kProtobuf : ContentType::kJson;
  Kind kind = static_cast<Kind>((mode >> 1) % 3);
  // Mostly the production limit; sometimes a small one, to reach the limit checks.
  uint8_t limit = config.ConsumeIntegral<uint8_t>();
  size_t max_frame_bytes = limit < 200 ? (64u << 20) : (size_t{1} << (limit % 16));
  uint8_t max_chunk_log2 = config.ConsumeIntegral<uint8_t>() % 13;  // chunks of 1 .. 4096 bytes
  uint32_t state = config.ConsumeIntegral<uint32_t>() | 1;

  Outcome whole = Run(kind, type, max_frame_bytes, stream, [] { return size_t{0}; });
  Outcome chunked = Run(kind, type, max_frame_bytes, stream, [&] {
    state ^= state << 13;  // xorshift32: the fuzzer picks the seed, the sizes follow
    state ^= state >> 17;
    state ^= state << 5;
    return size_t{1} + state % (size_t{1} << max_chunk_log2);
  });

  for (const WatchEvent& event : whole.events) sluice::fuzz::CheckEvent(event);
  if (whole.stream_error != chunked.stream_error ||
      testing::EventTexts(whole.events) != testing::EventTexts(chunked.events) ||
      FailureTexts(whole.failures) != FailureTexts(chunked.failures)) {
    std::fprintf(stderr, "chunking changed the outcome: %zu/%zu events, %zu/%zu failures, error %d/%d\n",
                 whole.events.size(), chunked.events.size(), whole.failures.size(),
                 chunked.failures.size(), whole.stream_error, chunked.stream_error);
    std::abort();
  }
  return 0;
}
