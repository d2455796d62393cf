#include "storage/dedup_key.hpp"

#include <cstring>

#include "common/sha256.hpp"

namespace sluice::storage {

std::optional<DedupKey> dedup_key(std::string_view source, std::string_view message_id) {
  // Source names hold no NUL, so the separator keeps ("ab", "c") apart from ("a", "bc").
  constexpr std::string_view kSeparator("\0", 1);
  const auto digest = sha256({source, kSeparator, message_id});
  if (!digest) return std::nullopt;
  DedupKey key;
  std::memcpy(key.bytes.data(), digest->data(), key.bytes.size());
  return key;
}

}  // namespace sluice::storage
