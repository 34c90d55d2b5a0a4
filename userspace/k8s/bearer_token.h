// The bearer token requests carry: given inline, or read from a file that is read
// again whenever it changes on disk. kubelet rotates projected service-account tokens
// (about hourly, by swapping a symlink), so a long-running agent must not keep the
// token it read at start. Thread-safe: every reflector thread asks the same instance.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <mutex>
#include <string>

namespace sluice::k8s {

class BearerToken {
 public:
  // `file` "" means the inline `token` only. While the file is readable its content
  // wins over `token` (client-go's rule for BearerTokenFile).
  BearerToken(std::string token, std::string file);

  // The token to send now, "" for none. Costs one stat(): the file is read again when
  // its inode, size or modification time differ from the last read. A file that
  // cannot be read (or holds a line break inside the token) keeps the last good token
  // and is logged once.
  std::string Current();

  // After a 401: reads the file even if stat() shows no change (a rewrite within the
  // same timestamp tick and size). True when the token is now different, so one retry
  // can succeed; false means retrying would send the same token again.
  bool Refresh();

 private:
  // What stat() says about the file; equal stamps mean "not changed".
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    bool operator==(const Stamp& o) const;
  };

  // Reads the file into file_token_ (under mu_); false when it cannot be used.
  bool ReadLocked(const Stamp& stamp);

  const std::string inline_token_;
  const std::string file_;
  std::mutex mu_;
  std::string file_token_;  // the last good content of file_
  bool have_file_token_ = false;
  bool have_stamp_ = false;
  Stamp stamp_;
  bool warned_ = false;  // the current failure has been logged
};

}  // namespace sluice::k8s
