#include "k8s/bearer_token.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/log.h"

namespace sluice::k8s {

namespace {

// The token in a file's content: surrounding whitespace (a trailing newline) is not
// part of it; a line break inside would split the Authorization header, so such
// content is refused.
std::optional<std::string> TokenFromContent(std::string text) {
  constexpr const char* kSpace = " \t\r\n";
  text.erase(text.find_last_not_of(kSpace) + 1);
  text.erase(0, text.find_first_not_of(kSpace));
  if (text.find_first_of("\r\n") != std::string::npos) return std::nullopt;
  return text;
}

}  // namespace

bool BearerToken::Stamp::operator==(const Stamp& o) const {
  return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
         mtime.tv_nsec == o.mtime.tv_nsec;
}

BearerToken::BearerToken(std::string token, std::string file)
    : inline_token_(std::move(token)), file_(std::move(file)) {}

bool BearerToken::ReadLocked(const Stamp& stamp) {
  std::ifstream in(file_, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  std::optional<std::string> token;
  if (in && !in.bad()) token = TokenFromContent(content.str());
  if (!token) {
    if (!warned_)
      log::Warn("cannot read the bearer token file; keeping the last token",
                {{"file", file_}, {"error", in ? "line break inside the token" : std::strerror(errno)}});
    warned_ = true;
    // Not recording the stamp makes the next request try again.
    have_stamp_ = false;
    return false;
  }
  warned_ = false;
  file_token_ = std::move(*token);
  have_file_token_ = true;
  stamp_ = stamp;
  have_stamp_ = true;
  return true;
}

std::string BearerToken::Current() {
  if (file_.empty()) return inline_token_;
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::stat(file_.c_str(), &st) == 0) {
    Stamp now{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    if (!have_stamp_ || !(now == stamp_)) ReadLocked(now);
  } else {
    ReadLocked(Stamp{});  // logs the failure once
  }
  return have_file_token_ ? file_token_ : inline_token_;
}

bool BearerToken::Refresh() {
  if (file_.empty()) return false;
  std::lock_guard lock(mu_);
  std::string before = have_file_token_ ? file_token_ : inline_token_;
  struct stat st {};
  Stamp now;
  if (::stat(file_.c_str(), &st) == 0) now = Stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
  ReadLocked(now);
  return (have_file_token_ ? file_token_ : inline_token_) != before;
}

}  // namespace sluice::k8s
