#pragma once

// Finding a place in the log by time, for retention and for replays from a point in time.

#include <cstdint>

#include "common/status.hpp"
#include "storage/record_log.hpp"

namespace sluice::storage {

// The first sequence whose record was received at or after from_ms, or last_sequence() + 1
// when there is none. A binary search over the log (O(log n) reads): receivedAt grows with
// the sequence, up to the few milliseconds by which concurrent requests can commit out of
// receipt order. An error when the log cannot be read.
Result<std::uint64_t> first_sequence_received_from(const RecordLog& log, std::int64_t from_ms);

}  // namespace sluice::storage
