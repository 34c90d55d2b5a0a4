#include "k8s/base64.h"

#include <openssl/evp.h>

#include <cctype>

namespace sluice::k8s {

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  if (compact.empty()) return std::string();
  // EVP_DecodeBlock insists on whole 4-character groups; kubectl's decoder
  // (Go's StdEncoding) does too, so unpadded input is rejected by both.
  if (compact.size() % 4 != 0) return std::nullopt;
  // Padding only at the very end: EVP_DecodeBlock does not police that itself.
  size_t data_end = compact.find_last_not_of('=') + 1;
  if (compact.size() - data_end > 2 || compact.find('=') < data_end) return std::nullopt;

  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes of output; drop them.
  out.resize(static_cast<size_t>(n) - (compact.size() - data_end));
  return out;
}

}  // namespace sluice::k8s
