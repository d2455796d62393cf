#pragma once

// How a request's records are stored: as one RocksDB value under the sequence number of its
// first record, so a 100-event batch costs one key, not a hundred. A value holds either one
// record as encode_record() wrote it (its first byte is the record format version), or a group:
//   u8 kGroupMarker, u32 count, then count times: u32 length, the record's bytes
// (integers little-endian). Record i of the value at key k has sequence k + i.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage {

// The value for records (each an encode_record() output), appended to out.
void encode_record_group(const std::vector<std::string>& records, std::string& out);

// The number of records a stored value holds; nullopt when it is malformed.
std::optional<std::uint64_t> stored_record_count(std::string_view value);

// Calls visit(index, record bytes) for each record of a stored value, in order, until visit
// returns false. Returns false when the value is malformed.
bool for_each_stored_record(std::string_view value,
                            const std::function<bool(std::uint64_t, std::string_view)>& visit);

}  // namespace sluice::storage
