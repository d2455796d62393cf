#pragma once

// The admin API's credential: checks an Authorization header against the configured token
// (RFC 6750 "Bearer"). The comparison takes the same time whatever the token's content and
// however much of it a guess gets right, so timing does not leak the token a byte at a time.
//
// Immutable after construction; safe to use from any thread.

#include <string>
#include <string_view>

namespace sluice::admin {

class BearerToken {
 public:
  // token must not be empty (config/ requires 16 characters or more).
  explicit BearerToken(std::string token);

  // True when authorization is "Bearer <token>" (the scheme in any case, blanks around the
  // credentials tolerated).
  bool accepts(std::string_view authorization) const;

 private:
  std::string token_;
};

// True when a and b are equal. The time taken depends on a's length only, not on the content
// of either or on where they first differ; b must not be empty.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace sluice::admin
