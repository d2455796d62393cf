#include "storage/record_log.hpp"

#include <algorithm>
#include <memory>

#include <rocksdb/db.h>

#include "storage/backlog.hpp"
#include "storage/committed_sequence.hpp"
#include "storage/committer.hpp"
#include "storage/record.hpp"
#include "storage/record_group.hpp"
#include "storage/shared_log_db.hpp"

namespace sluice::storage {

RecordLog::RecordLog(const config::StorageConfig& config, SharedLogDb& db, Committer& committer,
                     CommittedSequence& sequence, Backlog& backlog)
    : max_backlog_bytes_(config.max_backlog_bytes),
      max_pending_bytes_(config.max_pending_bytes),
      dedups_(config.dedup_window.count() > 0),
      db_(db),
      committer_(committer),
      sequence_(sequence),
      backlog_(backlog) {}

std::uint64_t RecordLog::last_sequence() const {
  return sequence_.last();
}

std::uint64_t RecordLog::backlog_bytes() const {
  return backlog_.bytes();
}

Admission RecordLog::admission(std::uint64_t bytes) const {
  if (!is_open() || !committer_.writable()) return Admission::kClosed;
  if (backlog_.bytes() >= max_backlog_bytes_) return Admission::kBacklogFull;
  if (committer_.pending_bytes() + bytes > max_pending_bytes_) return Admission::kPendingFull;
  return Admission::kAccepted;
}

Admission RecordLog::append(std::vector<std::string> records,
                            std::vector<std::optional<DedupKey>> keys, AppendCallback done) {
  std::uint64_t bytes = 0;
  for (const auto& record : records) bytes += record.size();
  const Admission verdict = admission(bytes);
  if (verdict != Admission::kAccepted) return verdict;
  if (!keys.empty() && keys.size() != records.size()) keys.clear();  // not one per record
  if (!committer_.submit(std::move(records), std::move(keys), bytes, std::move(done))) {
    return Admission::kClosed;
  }
  return Admission::kAccepted;
}

void RecordLog::close() {
  closed_.store(true, std::memory_order_release);
  sequence_.close();
}

bool RecordLog::wait_for_sequence(std::uint64_t sequence, std::chrono::milliseconds timeout,
                                  std::stop_token stop) const {
  return sequence_.wait_for(sequence, timeout, std::move(stop));
}

Result<std::uint64_t> RecordLog::read(std::uint64_t from, std::size_t max_records,
                                      std::size_t max_bytes, const RecordVisitor& visit) const {
  from = std::max<std::uint64_t>(from, 1);
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  // Records the committer has written but not yet published are not read: their appends are
  // not complete yet.
  const std::uint64_t last = last_sequence();
  if (from > last) return from;
  const std::string upper_bound = encode_sequence_key(last + 1);
  const rocksdb::Slice upper_bound_slice(upper_bound);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->db().NewIterator(options));
  return scan_records(*it, from, max_records, max_bytes, visit, last + 1);
}

Status RecordLog::delete_before(std::uint64_t sequence) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  sequence = std::min(sequence, last_sequence());
  if (sequence <= 1) return Status::ok();
  // A request's records share one value: a value that holds `sequence` stays whole.
  std::uint64_t end_sequence = sequence;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->db().NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(encode_sequence_key(sequence));
    if (it->Valid()) {
      const auto first = decode_sequence_key(std::string_view(it->key().data(), it->key().size()));
      const auto count =
          stored_record_count(std::string_view(it->value().data(), it->value().size()));
      if (first && count && *first + *count > sequence) end_sequence = *first;
    }
  }
  const std::string begin = encode_sequence_key(0);
  const std::string end = encode_sequence_key(end_sequence);
  std::vector<StatePut> puts;
  puts.push_back({db->db().DefaultColumnFamily(), begin, end, StatePut::Op::kDeleteRange});
  // The committer is the database's only writer, so the delete goes through it.
  if (Status written = committer_.write(std::move(puts)); !written.is_ok()) return written;
  // Compaction is not a write of the log's contents, so it need not go through the committer;
  // it drops the deleted range's files and tombstones now instead of whenever RocksDB gets to
  // them.
  const rocksdb::Slice begin_slice(begin);
  const rocksdb::Slice end_slice(end);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const rocksdb::Status status = db->db().CompactRange(options, &begin_slice, &end_slice);
  if (!status.ok()) {
    return Status::io_error("cannot compact the deleted range: " + status.ToString());
  }
  return Status::ok();
}

std::uint64_t RecordLog::approximate_bytes(std::uint64_t from, std::uint64_t to) const {
  const SharedLogDb::Lease db(db_);
  if (!db || from >= to) return 0;
  return approximate_range_bytes(db->db(), from, to);
}

void RecordLog::set_backlog_floor(std::uint64_t floor) {
  const SharedLogDb::Lease db(db_);
  if (db) backlog_.set_floor(floor);
}

}  // namespace sluice::storage
