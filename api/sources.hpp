#pragma once

// Write key → source lookup. Built from the sources' definitions (the config file's and the
// admin API's: source_definition.hpp) and built again on every change, published through a
// SourceDirectory; immutable afterwards, so it is shared by all IO threads without locking (a
// source's rate limiter is the one mutable part, and it is thread-safe).
//
// A key is refused when it is unknown, when it was revoked and its grace period has passed (the
// expiry is compared with the request's time, so no rebuild is needed when it ends), or when its
// source is disabled; the lookup says which.
//
// The lookup's time does not depend on how much of a real key a guess shares: the map is keyed
// by a keyed digest of the write key (SHA-256 over a secret drawn from the OpenSSL CSPRNG when
// the registry is built, then the key), and a match is confirmed by comparing digests with
// CRYPTO_memcmp. Comparing key strings would stop at the first differing byte, and an attacker
// timing many guesses could learn a key byte by byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/source_controls.hpp"
#include "api/source_definition.hpp"
#include "common/sha256.hpp"
#include "config/config.hpp"

namespace sluice::api {

class ApiMetrics;
class SourceCounters;  // api_metrics.hpp

struct Source {
  std::string name;
  config::SourceKind kind = config::SourceKind::kTracking;
  bool enabled = true;
  SourceControls controls;
  // Its counters in ApiMetrics; null for a registry built without metrics.
  SourceCounters* counters = nullptr;
  // Everything its definition says, for the routes that read more than the controls: the
  // webhook readers (their credentials and mappings) and the click links (link_secret).
  config::SourceSettings settings;
};

// Why a write key was refused.
enum class KeyRefusal : std::uint8_t {
  kNone,      // accepted
  kUnknown,   // no source has it
  kRevoked,   // revoked, and its grace period is over
  kDisabled,  // its source is disabled
};

struct KeyLookup {
  // The key's source: set when the key is accepted, and also when it is refused as revoked or
  // disabled (the refusal is then counted for that source).
  const Source* source = nullptr;
  KeyRefusal refusal = KeyRefusal::kUnknown;

  bool accepted() const { return refusal == KeyRefusal::kNone; }
};

class SourceRegistry {
 public:
  // Attaches each source's counters from `metrics` (optional in tests). previous: the registry
  // this one replaces, whose rate-limit buckets are kept for sources whose limit is unchanged
  // (source_controls.hpp). Keys are unique across sources (the config loader and the catalog
  // see to it). Throws std::runtime_error when the CSPRNG cannot supply the secret.
  explicit SourceRegistry(const std::vector<SourceDefinition>& sources,
                          ApiMetrics* metrics = nullptr, const SourceRegistry* previous = nullptr);
  // The sources of a config file.
  explicit SourceRegistry(const std::vector<config::SourceConfig>& sources,
                          ApiMetrics* metrics = nullptr);

  SourceRegistry(const SourceRegistry&) = delete;
  SourceRegistry& operator=(const SourceRegistry&) = delete;

  // The key's source, or why it is refused, at now_ms (Unix milliseconds: the request's time).
  KeyLookup lookup(std::string_view write_key, std::int64_t now_ms) const;
  // The key's source when it is accepted now; nullptr otherwise.
  const Source* find_by_write_key(std::string_view write_key) const;
  const std::vector<Source>& sources() const { return sources_; }
  // The source of this name; nullptr when there is none.
  const Source* find_by_name(std::string_view name) const;

 private:
  using KeyDigest = Sha256Digest;

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

  std::array<unsigned char, 32> secret_{};  // the keyed digest's key
  std::vector<Source> sources_;
  struct KeyEntry {
    std::size_t source = 0;  // index in sources_
    std::int64_t expires_at_ms = kNever;
  };
  std::unordered_map<KeyDigest, KeyEntry, DigestHash, DigestEqual> by_key_digest_;
  std::map<std::string, std::size_t, std::less<>> by_name_;  // index in sources_
};

}  // namespace sluice::api
