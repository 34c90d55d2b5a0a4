// The production MapSet: sluice's pinned BPF maps, opened by path. The agent opens
// them read-write after loading its programs; sluicectl opens them read-only, with
// or without an agent running.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "datapath/map_set.h"

namespace sluice::datapath {

// A file descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

class DatapathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BpfMapSet final : public MapSet {
 public:
  // Opens the maps pinned under <bpffs>/maps. Throws DatapathError naming the map and
  // the reason when one is missing or not readable.
  static std::unique_ptr<BpfMapSet> OpenPinned(const std::string& bpffs, bool read_only);
  ~BpfMapSet() override;

  Table<lb_service_key, lb_service>& services() override;
  Table<lb_slot_key, uint32_t>& slots() override;
  Table<uint32_t, lb_backend>& backends() override;
  Table<uint32_t, lb_service_meta>& service_meta() override;
  std::vector<uint64_t> ReadCounters() const override;
  Table<ct_key, ct_entry>& ct() override;
  Table<nat_key, nat_entry>& nat() override;
  Table<affinity_key, affinity_entry>& affinity() override;
  Table<src_range_key, uint8_t>& src_ranges() override;
  Table<uint32_t, sluice_config>& config() override;
  bool ReadMaglev(uint32_t offset, std::span<uint32_t> out) const override;
  bool WriteMaglev(std::span<const MaglevWrite> writes) override;
  ServiceStats ReadServiceStats(uint32_t id) const override;
  void ResetServiceStats(uint32_t id) override;
  uint32_t MaglevCapacity() const override;

 private:
  struct Tables;
  explicit BpfMapSet(std::unique_ptr<Tables> tables);
  std::unique_ptr<Tables> tables_;
};

}  // namespace sluice::datapath
