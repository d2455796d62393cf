#pragma once

// What an event is recognised by when it comes again: its source and its messageId. The pair
// is hashed into 16 bytes (SHA-256, cut), so every key has the same small size in the dedup
// index (dedup_index.hpp) whatever the ids look like, and ids of one source cannot be made to
// meet another source's.

#include <array>
#include <optional>
#include <string_view>

namespace sluice::storage {

struct DedupKey {
  std::array<char, 16> bytes{};

  std::string_view view() const { return {bytes.data(), bytes.size()}; }
  bool operator==(const DedupKey&) const = default;
};

// nullopt only when OpenSSL cannot digest; the event is then stored unchecked.
std::optional<DedupKey> dedup_key(std::string_view source, std::string_view message_id);

}  // namespace sluice::storage
