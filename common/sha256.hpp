#pragma once

// SHA-256 of the concatenation of a few byte strings, with the digest object fetched once and
// one context per thread, so a digest on a hot path (every request's key, every event's dedup
// key) costs the hashing and nothing else.

#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace sluice {

using Sha256Digest = std::array<unsigned char, 32>;

// nullopt only when OpenSSL cannot digest (out of memory, no SHA-256 provider).
std::optional<Sha256Digest> sha256(std::initializer_list<std::string_view> parts);

}  // namespace sluice
