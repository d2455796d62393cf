#include "common/sha256.hpp"

#include <memory>
#include <openssl/evp.h>

namespace sluice {
namespace {

// Fetched once: an implicit fetch by EVP_sha256() on every digest would search the provider
// store each time.
const EVP_MD* sha256_method() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// One context per thread, reused by every digest of that thread: allocating one per digest
// would cost more than the digest.
EVP_MD_CTX* thread_digest_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

std::optional<Sha256Digest> sha256(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* context = thread_digest_context();
  if (context == nullptr || sha256_method() == nullptr ||
      EVP_DigestInit_ex(context, sha256_method(), nullptr) != 1) {
    return std::nullopt;
  }
  for (const std::string_view part : parts) {
    if (EVP_DigestUpdate(context, part.data(), part.size()) != 1) return std::nullopt;
  }
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest.data(), &length) != 1) return std::nullopt;
  return digest;
}

}  // namespace sluice
