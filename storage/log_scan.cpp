#include "storage/log_scan.hpp"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include "storage/record.hpp"
#include "storage/record_group.hpp"

namespace sluice::storage {
namespace {

std::string_view view(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

Result<std::uint64_t> scan_records(rocksdb::Iterator& it, std::uint64_t from,
                                   std::size_t max_records, std::size_t max_bytes,
                                   const RecordVisitor& visit, std::uint64_t end) {
  // `from` may be in the middle of a request's value: start at the value holding it.
  const std::string from_key = encode_sequence_key(from);
  it.SeekForPrev(from_key);
  if (!it.Valid() && it.status().ok()) it.Seek(from_key);

  std::uint64_t next = from;
  std::size_t records = 0;
  std::size_t bytes = 0;
  for (; it.Valid(); it.Next()) {
    const auto first = decode_sequence_key(view(it.key()));
    const std::string_view value = view(it.value());
    const auto count = stored_record_count(value);
    if (!first || !count) {
      return Status::corruption("undecodable value at sequence " +
                                std::to_string(first.value_or(next)));
    }
    if (*first + *count <= from) continue;

    bool stopped = false;
    bool undecodable = false;
    const bool well_formed =
        for_each_stored_record(value, [&](std::uint64_t index, std::string_view stored) {
          const std::uint64_t sequence = *first + index;
          if (sequence < from) return true;
          const auto record = decode_record(stored);
          if (!record) {
            undecodable = true;
            return false;
          }
          if ((max_records != 0 && records >= max_records) ||
              (max_bytes != 0 && records > 0 && bytes + stored.size() > max_bytes) ||
              !visit(sequence, *record)) {
            stopped = true;
            next = sequence;
            return false;
          }
          next = sequence + 1;
          ++records;
          bytes += stored.size();
          return true;
        });
    if (undecodable || !well_formed) {
      return Status::corruption("undecodable record at sequence " + std::to_string(next));
    }
    if (stopped) return next;
  }
  if (!it.status().ok()) return Status::io_error(it.status().ToString());
  return end;
}

std::uint64_t sequence_after_last(rocksdb::Iterator& it) {
  it.SeekToLast();
  if (!it.Valid()) return 1;
  const auto first = decode_sequence_key(view(it.key()));
  const auto count = stored_record_count(view(it.value()));
  if (!first || !count) return 0;
  return *first + *count;
}

std::uint64_t approximate_range_bytes(rocksdb::DB& db, std::uint64_t from, std::uint64_t to) {
  const std::string begin = encode_sequence_key(from);
  const std::string end = encode_sequence_key(to);
  const rocksdb::Range range(begin, end);
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  options.files_size_error_margin = 0.1;  // a cheaper estimate; a gauge needs no more
  std::uint64_t size = 0;
  const rocksdb::Status status =
      db.GetApproximateSizes(options, db.DefaultColumnFamily(), &range, 1, &size);
  return status.ok() ? size : 0;
}

}  // namespace sluice::storage
