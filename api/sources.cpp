#include "api/sources.hpp"

#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>

#include "api/api_metrics.hpp"

namespace sluice::api {
namespace {

// Fetched once: an implicit fetch by EVP_sha256() on every digest would search the provider
// store each time.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// One context per thread, reused by every lookup of that thread: allocating one per lookup
// would cost more than the digest.
EVP_MD_CTX* thread_digest_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

bool SourceRegistry::DigestEqual::operator()(const KeyDigest& a, const KeyDigest& b) const {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SourceRegistry::SourceRegistry(const std::vector<config::SourceConfig>& sources,
                               ApiMetrics* metrics) {
  if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1 || sha256() == nullptr) {
    throw std::runtime_error("cannot set up the write-key lookup: OpenSSL's RNG or SHA-256 failed");
  }
  sources_.reserve(sources.size());
  for (const auto& source : sources) {
    const std::size_t index = sources_.size();
    sources_.push_back(Source{source.name, SourceControls(source.settings),
                              metrics != nullptr ? &metrics->counters_for(source.name) : nullptr});
    for (const auto& key : source.write_keys) {
      const auto digest = digest_of(key);
      if (!digest) throw std::runtime_error("cannot set up the write-key lookup: out of memory");
      by_key_digest_.emplace(*digest, index);
    }
  }
}

std::optional<SourceRegistry::KeyDigest> SourceRegistry::digest_of(
    std::string_view write_key) const {
  KeyDigest digest{};
  EVP_MD_CTX* context = thread_digest_context();
  unsigned int length = 0;
  const bool ok = context != nullptr && EVP_DigestInit_ex(context, sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(context, secret_.data(), secret_.size()) == 1 &&
                  EVP_DigestUpdate(context, write_key.data(), write_key.size()) == 1 &&
                  EVP_DigestFinal_ex(context, digest.data(), &length) == 1;
  if (!ok) return std::nullopt;
  return digest;
}

const Source* SourceRegistry::find_by_write_key(std::string_view write_key) const {
  // Without a digest the key cannot be checked; refusing it is the safe answer.
  const auto digest = digest_of(write_key);
  if (!digest) return nullptr;
  const auto it = by_key_digest_.find(*digest);
  return it == by_key_digest_.end() ? nullptr : &sources_[it->second];
}

}  // namespace sluice::api
