// WatchStreamDecoder (declared in wire_codec.h): the framing of a watch stream. The
// bytes of a chunk may end anywhere, in the middle of a length prefix or of a JSON
// string; whatever is not a complete event yet stays in buffer_ for the next Feed.
#include <string>

#include "k8s/json_wire.h"
#include "k8s/proto_wire.h"
#include "k8s/wire_codec.h"

namespace sluice::k8s {

namespace {

constexpr size_t kFrameLengthBytes = 4;

uint32_t BigEndian32(std::string_view bytes) {
  return static_cast<uint32_t>(static_cast<uint8_t>(bytes[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[3]));
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

WatchStreamDecoder::WatchStreamDecoder(Kind kind, ContentType type, size_t max_frame_bytes)
    : kind_(kind), type_(type), max_frame_bytes_(max_frame_bytes) {}

void WatchStreamDecoder::Feed(std::string_view bytes, std::vector<WatchEvent>* events,
                              std::vector<ObjectFailure>* failures) {
  buffer_.append(bytes);
  try {
    size_t consumed = type_ == ContentType::kJson ? DecodeJsonLines(events, failures)
                                                  : DecodeProtobufFrames(events, failures);
    buffer_.erase(0, consumed);
  } catch (const StreamError&) {
    buffer_.clear();  // nothing after a broken frame can be trusted
    scanned_ = 0;
    throw;
  }
}

size_t WatchStreamDecoder::DecodeJsonLines(std::vector<WatchEvent>* events,
                                           std::vector<ObjectFailure>* failures) {
  std::string_view buffer = buffer_;
  size_t start = 0;
  while (true) {
    size_t newline = buffer.find('\n', std::max(start, scanned_));
    if (newline == std::string_view::npos) {
      scanned_ = buffer.size() - start;  // relative to the new front after the erase
      if (scanned_ > max_frame_bytes_)
        throw StreamError("watch event line longer than " + std::to_string(max_frame_bytes_) + " bytes");
      return start;
    }
    std::string_view line = buffer.substr(start, newline - start);
    if (line.size() > max_frame_bytes_)
      throw StreamError("watch event line longer than " + std::to_string(max_frame_bytes_) + " bytes");
    if (!IsBlank(line)) json_wire::DecodeWatchEvent(kind_, line, events, failures);
    start = newline + 1;
  }
}

size_t WatchStreamDecoder::DecodeProtobufFrames(std::vector<WatchEvent>* events,
                                                std::vector<ObjectFailure>* failures) {
  std::string_view buffer = buffer_;
  size_t start = 0;
  while (buffer.size() - start >= kFrameLengthBytes) {
    uint32_t length = BigEndian32(buffer.substr(start, kFrameLengthBytes));
    if (length > max_frame_bytes_) {
      throw StreamError("watch frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                        std::to_string(max_frame_bytes_));
    }
    if (buffer.size() - start - kFrameLengthBytes < length) break;  // the rest is still coming
    proto_wire::DecodeWatchEvent(kind_, buffer.substr(start + kFrameLengthBytes, length), events,
                                 failures);
    start += kFrameLengthBytes + length;
  }
  return start;
}

}  // namespace sluice::k8s
