#pragma once

// Which messageIds a source has sent within storage.dedup_window, so that an event sent again
// (a client's retry after a lost response, an SDK's flush repeated, a provider's redelivery) is
// not stored twice. Keys (dedup_key.hpp) live in the log's "dedup" column family, written in the
// same WriteBatch as the records they stand for, so an acknowledged event's key survives
// whatever the event survives (a restart, kill -9).
//
// Time buckets: a key is stored under the bucket of time it was first seen in, as
// <bucket end, 8 bytes big-endian ms><dedup key> -> the big-endian sequence the event was
// stored under. Buckets are half a window wide. A bucket whose end is more than a window ago is
// deleted whole, with one range delete in the committer's batch; retention then drops the
// files that held only that range and compacts what is left of it. Expiry scans nothing. So an
// id is recognised for at least the window and at most one and a half windows after it was
// first seen; a lookup asks the (at most three) live buckets, whose bloom filters answer most
// misses from memory.
//
// The block cache for the family's index and filter blocks is sized by storage.dedup_cache,
// so memory stays bounded whatever the number of ids.
//
// Thread-safety: check(), plan() and committed() only on the committer's thread (the
// database's one writer, so a check and the write it leads to are one step); find() from any
// thread; reclaim() from one thread at a time (retention's); close() once the committer has
// stopped.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.hpp"
#include "common/status.hpp"
#include "storage/dedup_key.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace sluice::storage {

class LogDb;

class DedupIndex {
 public:
  // Finds the buckets the index holds (one seek per bucket); with a zero window (dedup off)
  // deletes them all. status() says whether that worked.
  DedupIndex(LogDb& db, std::chrono::milliseconds window);

  // An index key: the bucket's end (this many bytes, big-endian ms), then the dedup key.
  static constexpr std::size_t kPrefixBytes = 8;
  using IndexKey = std::array<char, kPrefixBytes + sizeof(DedupKey::bytes)>;
  // The index key of key in the bucket whose prefix (Plan::prefix) is given.
  static IndexKey index_key(std::string_view bucket_prefix, const DedupKey& key);

  bool enabled() const { return window_ms_ > 0; }
  // Not ok when the buckets could not be read at open: the log must not run on a partial
  // index.
  const Status& status() const { return status_; }
  rocksdb::ColumnFamilyHandle* family() const { return family_; }

  // For each key, in order: whether it was seen within the window, in the index or earlier in
  // keys itself (the same id twice in one group: the first is stored, the rest are not).
  std::vector<bool> check(const std::vector<DedupKey>& keys, std::int64_t now_ms) EXCLUDES(mutex_);

  // Where a group's new keys go and what expires with it, decided before its write and
  // applied (committed()) only once the write succeeded, so a failed write changes nothing.
  struct Plan {
    std::string prefix;  // of the index keys of keys first seen now (their bucket's end)
    std::int64_t bucket_end = 0;
    std::vector<std::int64_t> expired;  // bucket ends deleted by the group's write
  };
  // The plan at now_ms; the deletes of expired buckets are added to batch.
  Plan plan(std::int64_t now_ms, rocksdb::WriteBatch& batch) const EXCLUDES(mutex_);
  void committed(const Plan& plan) EXCLUDES(mutex_, reclaim_mutex_);

  // The sequence the event of key was stored under, when it was seen within the window.
  std::optional<std::uint64_t> find(const DedupKey& key, std::int64_t now_ms) EXCLUDES(mutex_);

  // Drops the files of deleted buckets and compacts what is left of their ranges. The
  // database work runs without a lock held, so the committer never waits for it.
  void reclaim() EXCLUDES(reclaim_mutex_);

  // Live and expired-but-not-yet-deleted buckets (tests).
  std::size_t bucket_count() const EXCLUDES(mutex_);

  // After this, find() and reclaim() do nothing; the database may close.
  void close() EXCLUDES(mutex_, reclaim_mutex_);

 private:
  // Bucket ends of the live buckets at now_ms, newest first.
  std::vector<std::int64_t> live(std::int64_t now_ms) const REQUIRES_SHARED(mutex_);

  LogDb& db_;
  rocksdb::ColumnFamilyHandle* const family_;
  const std::int64_t window_ms_;
  Status status_ = Status::ok();
  mutable SharedMutex mutex_;
  std::vector<std::int64_t> bucket_ends_ GUARDED_BY(mutex_);  // ascending
  bool closed_ GUARDED_BY(mutex_) = false;
  Mutex reclaim_mutex_;
  // Key ranges deleted and not yet reclaimed: [first, second) of bucket ends.
  std::vector<std::pair<std::int64_t, std::int64_t>> to_reclaim_ GUARDED_BY(reclaim_mutex_);
  bool reclaim_closed_ GUARDED_BY(reclaim_mutex_) = false;
};

}  // namespace sluice::storage
