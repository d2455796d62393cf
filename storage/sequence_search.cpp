#include "storage/sequence_search.hpp"

#include <algorithm>
#include <utility>

namespace sluice::storage {

Result<std::uint64_t> first_sequence_received_from(const RecordLog& log, std::int64_t from_ms) {
  // Start at the oldest record retention left, so the answer is never a deleted sequence.
  std::uint64_t low = 1;
  const Result<std::uint64_t> oldest =
      log.read(1, 1, 0, [&](std::uint64_t sequence, const Record&) {
        low = sequence;
        return true;
      });
  if (!oldest.is_ok()) return oldest.status().with_context("cannot read the log");
  std::uint64_t high = log.last_sequence() + 1;
  while (low < high) {
    const std::uint64_t middle = low + (high - low) / 2;
    // The first record at or after middle: retention leaves gaps below the oldest record.
    std::optional<std::pair<std::uint64_t, std::int64_t>> found;
    const Result<std::uint64_t> read =
        log.read(middle, 1, 0, [&](std::uint64_t sequence, const Record& record) {
          found.emplace(sequence, record.received_at_ms);
          return true;
        });
    if (!read.is_ok()) return read.status().with_context("cannot read the log");
    if (!found || found->second >= from_ms) {
      high = middle;
    } else {
      low = std::min(found->first + 1, high);
    }
  }
  return low;
}

}  // namespace sluice::storage
