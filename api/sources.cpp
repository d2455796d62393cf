#include "api/sources.hpp"

#include <chrono>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdexcept>

#include "api/api_metrics.hpp"
#include "common/sha256.hpp"

namespace sluice::api {

bool SourceRegistry::DigestEqual::operator()(const KeyDigest& a, const KeyDigest& b) const {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SourceRegistry::SourceRegistry(const std::vector<SourceDefinition>& sources, ApiMetrics* metrics,
                               const SourceRegistry* previous) {
  if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1 || !sha256({})) {
    throw std::runtime_error("cannot set up the write-key lookup: OpenSSL's RNG or SHA-256 failed");
  }
  sources_.reserve(sources.size());
  for (const auto& source : sources) {
    const std::size_t index = sources_.size();
    by_name_.emplace(source.name, index);
    const Source* before = previous != nullptr ? previous->find_by_name(source.name) : nullptr;
    sources_.push_back(Source{
        source.name, source.kind, source.enabled,
        SourceControls(source.settings, before != nullptr ? &before->controls : nullptr),
        metrics != nullptr ? &metrics->counters_for(source.name) : nullptr, source.settings});
    for (const auto& key : source.keys) {
      const auto digest = digest_of(key.key);
      if (!digest) throw std::runtime_error("cannot set up the write-key lookup: out of memory");
      by_key_digest_.emplace(*digest, KeyEntry{index, key.expires_at_ms});
    }
  }
}

SourceRegistry::SourceRegistry(const std::vector<config::SourceConfig>& sources,
                               ApiMetrics* metrics)
    : SourceRegistry(definitions_of(sources), metrics) {}

std::optional<SourceRegistry::KeyDigest> SourceRegistry::digest_of(
    std::string_view write_key) const {
  const std::string_view secret(reinterpret_cast<const char*>(secret_.data()), secret_.size());
  return sha256({secret, write_key});
}

KeyLookup SourceRegistry::lookup(std::string_view write_key, std::int64_t now_ms) const {
  // Without a digest the key cannot be checked; refusing it is the safe answer.
  const auto digest = digest_of(write_key);
  if (!digest) return {};
  const auto it = by_key_digest_.find(*digest);
  if (it == by_key_digest_.end()) return {};
  const Source& source = sources_[it->second.source];
  if (now_ms >= it->second.expires_at_ms) return {&source, KeyRefusal::kRevoked};
  if (!source.enabled) return {&source, KeyRefusal::kDisabled};
  return {&source, KeyRefusal::kNone};
}

const Source* SourceRegistry::find_by_write_key(std::string_view write_key) const {
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const KeyLookup found = lookup(write_key, now_ms);
  return found.accepted() ? found.source : nullptr;
}

const Source* SourceRegistry::find_by_name(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &sources_[it->second];
}

}  // namespace sluice::api
