#pragma once

// One source's controls ([sources.settings]) in the form the hot path checks: a bit per
// allowed event type, blocked track names split into exact names and prefixes, the source's
// CORS origins, and its rate limiter. Built with the SourceRegistry and immutable afterwards,
// except for the rate limiter's bucket, which is thread-safe (rate_limiter.hpp).
//
// The bucket outlives one registry: a registry built to replace another (a reload, a change
// through the admin API) keeps a source's bucket when its limit is unchanged, so that changing
// one source does not hand every other one a full burst.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/rate_limiter.hpp"
#include "config/config.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

class SourceControls {
 public:
  SourceControls() = default;  // everything allowed, no limit
  // previous: the same source's controls in the registry being replaced, if any.
  explicit SourceControls(const config::SourceSettings& settings,
                          const SourceControls* previous = nullptr);

  bool allows_type(storage::EventType type) const { return (allowed_types_ & type_bit(type)) != 0; }
  // Whether a track event of this name is blocked (an exact name, or a prefix written "Test *").
  bool blocks_event(std::string_view event) const;

  // The source's rate limit; null without one, so the unlimited path costs one comparison.
  RateLimiter* rate_limiter() const { return rate_limiter_.get(); }

  // The origins allowed to read this source's answers ("*": any); null when the server's rule
  // applies.
  const std::vector<std::string>* allowed_origins() const {
    return allowed_origins_ ? &*allowed_origins_ : nullptr;
  }

 private:
  static constexpr std::uint8_t type_bit(storage::EventType type) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(type));
  }
  static constexpr std::uint8_t kAllTypes = (1u << storage::kEventTypeCount) - 1;

  std::uint8_t allowed_types_ = kAllTypes;
  std::vector<std::string> blocked_names_;
  std::vector<std::string> blocked_prefixes_;
  std::optional<std::vector<std::string>> allowed_origins_;
  std::shared_ptr<RateLimiter> rate_limiter_;
};

}  // namespace sluice::api
