// Builds rtnetlink dump datagrams for the parser tests, field by field: no byte blobs,
// lengths and padding computed as the kernel does.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace sluice::agent::testing {

class NetlinkBuilder {
 public:
  // Starts a message: header, then the fixed family header `body` (ifinfomsg, ...).
  template <typename T>
  NetlinkBuilder& Message(uint16_t type, const T& body, uint16_t flags = NLM_F_MULTI) {
    Align();
    current_ = bytes_.size();
    nlmsghdr header{};
    header.nlmsg_type = type;
    header.nlmsg_flags = flags;
    Append(&header, sizeof(header));
    Append(&body, sizeof(body));
    Align();
    Finish();
    return *this;
  }

  NetlinkBuilder& Attribute(uint16_t type, std::span<const uint8_t> value) {
    Align();
    rtattr attr{};
    attr.rta_type = type;
    attr.rta_len = static_cast<uint16_t>(RTA_LENGTH(value.size()));
    Append(&attr, sizeof(attr));
    Append(value.data(), value.size());
    Align();
    Finish();
    return *this;
  }

  NetlinkBuilder& String(uint16_t type, std::string_view text) {
    std::vector<uint8_t> value(text.begin(), text.end());
    value.push_back(0);
    return Attribute(type, value);
  }

  NetlinkBuilder& U32(uint16_t type, uint32_t value) {
    uint8_t bytes[4];
    std::memcpy(bytes, &value, 4);
    return Attribute(type, bytes);
  }

  // NLMSG_DONE, or NLMSG_ERROR, carrying a negated errno.
  NetlinkBuilder& Done(int error = 0) { return Message(NLMSG_DONE, error); }
  NetlinkBuilder& Error(int error) {
    nlmsgerr body{};
    body.error = error;
    return Message(NLMSG_ERROR, body, 0);
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  void Append(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  void Align() { bytes_.resize(NLMSG_ALIGN(bytes_.size()), 0); }
  // The current message's length covers everything appended since it started.
  void Finish() {
    auto length = static_cast<uint32_t>(bytes_.size() - current_);
    std::memcpy(bytes_.data() + current_, &length, sizeof(length));
  }

  std::vector<uint8_t> bytes_;
  size_t current_ = 0;
};

}  // namespace sluice::agent::testing
