#pragma once

// Write key → source lookup. Built from the config (and again on a reload, published through
// a SourceDirectory); immutable afterwards, so it is shared by all IO threads without locking (a
// source's rate limiter is the one mutable part, and it is thread-safe).
//
// The lookup's time does not depend on how much of a real key a guess shares: the map is keyed
// by a keyed digest of the write key (SHA-256 over a secret drawn from the OpenSSL CSPRNG when
// the registry is built, then the key), and a match is confirmed by comparing digests with
// CRYPTO_memcmp. Comparing key strings would stop at the first differing byte, and an attacker
// timing many guesses could learn a key byte by byte.

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/source_controls.hpp"
#include "config/config.hpp"

namespace sluice::api {

class ApiMetrics;
class SourceCounters;  // api_metrics.hpp

struct Source {
  std::string name;
  SourceControls controls;
  // Its counters in ApiMetrics; null for a registry built without metrics.
  SourceCounters* counters = nullptr;
};

class SourceRegistry {
 public:
  // Attaches each source's counters from `metrics` (optional in tests). Throws
  // std::runtime_error when the CSPRNG cannot supply the secret.
  explicit SourceRegistry(const std::vector<config::SourceConfig>& sources,
                          ApiMetrics* metrics = nullptr);

  SourceRegistry(const SourceRegistry&) = delete;
  SourceRegistry& operator=(const SourceRegistry&) = delete;

  // nullptr for an unknown key.
  const Source* find_by_write_key(std::string_view write_key) const;
  const std::vector<Source>& sources() const { return sources_; }

 private:
  static constexpr std::size_t kDigestBytes = 32;
  using KeyDigest = std::array<unsigned char, kDigestBytes>;

  // The digest is uniformly random to anyone without the secret, so its first bytes are as good
  // a hash as any.
  struct DigestHash {
    std::size_t operator()(const KeyDigest& digest) const {
      std::size_t hash = 0;
      std::memcpy(&hash, digest.data(), sizeof hash);
      return hash;
    }
  };
  struct DigestEqual {
    bool operator()(const KeyDigest& a, const KeyDigest& b) const;
  };

  // nullopt only when OpenSSL cannot allocate.
  std::optional<KeyDigest> digest_of(std::string_view write_key) const;

  std::array<unsigned char, kDigestBytes> secret_{};
  std::vector<Source> sources_;
  std::unordered_map<KeyDigest, std::size_t, DigestHash, DigestEqual> by_key_digest_;
};

}  // namespace sluice::api
