#include "migration_tools/core/checksum.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

// OpenSSL 3 looks an algorithm up in its provider tables on every
// EVP_sha256() use, which costs more than hashing a small file: fetch it once.
const EVP_MD* sha256() {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
#else
  return EVP_sha256();
#endif
}

}  // namespace

std::string migration_checksum(std::string_view file_text) {
  std::string_view text = strip_bom(file_text);
  // Most files have no carriage return: hash them in place, without a copy.
  std::string normalised;
  if (text.find('\r') != std::string_view::npos) {
    normalised = strip_carriage_returns(text);
    text = normalised;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 computation failed");
  static const char hex[] = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace migration_tools
