#include "storage/dedup_index.hpp"

#include <algorithm>
#include <limits>
#include <memory>

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "storage/log_db.hpp"
#include "storage/record.hpp"

namespace sluice::storage {
namespace {

std::string prefix_of(std::int64_t bucket_end) {
  return encode_sequence_key(static_cast<std::uint64_t>(bucket_end));
}

}  // namespace

DedupIndex::DedupIndex(LogDb& db, std::chrono::milliseconds window)
    : db_(db), family_(db.dedup()), window_ms_(window.count()) {
  std::vector<std::int64_t> ends;
  rocksdb::ReadOptions across_buckets;
  across_buckets.total_order_seek = true;  // the family's prefix is for lookups only
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(across_buckets, family_));
  for (it->SeekToFirst(); it->Valid();) {
    const auto end = decode_sequence_key(it->key().ToStringView().substr(0, kPrefixBytes));
    if (!end || *end >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      break;  // not a bucket's key: nothing after it is either
    }
    ends.push_back(static_cast<std::int64_t>(*end));
    it->Seek(prefix_of(static_cast<std::int64_t>(*end) + 1));
  }
  if (!it->status().ok()) {
    status_ = Status::io_error("cannot read the dedup index: " + it->status().ToString());
  }
  if (!enabled() && !ends.empty()) {
    // Off: what the buckets hold would never be asked again. Written before the committer
    // starts, so it is still the only writer once it runs.
    const rocksdb::Status status = db_.db().DeleteRange(rocksdb::WriteOptions(), family_,
                                                        prefix_of(0), prefix_of(ends.back() + 1));
    if (status.ok()) {
      MutexLock lock(reclaim_mutex_);
      to_reclaim_.emplace_back(0, ends.back() + 1);
    }
    ends.clear();
  }
  WriterLock lock(mutex_);
  bucket_ends_ = std::move(ends);
}

std::vector<std::int64_t> DedupIndex::live(std::int64_t now_ms) const {
  std::vector<std::int64_t> live;
  for (auto it = bucket_ends_.rbegin(); it != bucket_ends_.rend() && *it > now_ms - window_ms_;
       ++it) {
    live.push_back(*it);
  }
  return live;
}

std::vector<bool> DedupIndex::check(const std::vector<DedupKey>& keys, std::int64_t now_ms) {
  std::vector<bool> seen(keys.size(), false);
  if (keys.empty()) return seen;
  std::vector<std::int64_t> buckets;
  {
    ReaderLock lock(mutex_);
    buckets = live(now_ms);
  }
  // In RocksDB's (unsigned bytewise) key order, which MultiGet is told, so it need not sort
  // them itself; equal keys by their place, so the first of a repeated id leads its run.
  std::vector<std::size_t> order(keys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&keys](std::size_t a, std::size_t b) {
    const int compared = keys[a].view().compare(keys[b].view());
    return compared != 0 ? compared < 0 : a < b;
  });
  std::vector<IndexKey> index_keys(keys.size());
  std::vector<rocksdb::Slice> slices(keys.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  // One MultiGet per bucket for the whole group: RocksDB batches the filter and block reads.
  for (const std::int64_t bucket : buckets) {
    const std::string prefix = prefix_of(bucket);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      index_keys[i] = index_key(prefix, keys[order[i]]);
      slices[i] = rocksdb::Slice(index_keys[i].data(), index_keys[i].size());
    }
    db_.db().MultiGet(rocksdb::ReadOptions(), family_, slices.size(), slices.data(), values.data(),
                      statuses.data(), /*sorted_input=*/true);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].ok()) seen[order[i]] = true;
      values[i].Reset();
    }
  }
  // Ids repeated within the group: only the first is stored.
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (keys[order[i]] == keys[order[i - 1]]) seen[order[i]] = true;
  }
  return seen;
}

DedupIndex::IndexKey DedupIndex::index_key(std::string_view bucket_prefix, const DedupKey& key) {
  IndexKey index_key{};
  std::copy_n(bucket_prefix.data(), kPrefixBytes, index_key.data());
  std::copy_n(key.bytes.data(), key.bytes.size(), index_key.data() + kPrefixBytes);
  return index_key;
}

DedupIndex::Plan DedupIndex::plan(std::int64_t now_ms, rocksdb::WriteBatch& batch) const {
  const std::int64_t width = std::max<std::int64_t>(window_ms_ / 2, 1);
  Plan plan;
  plan.bucket_end = now_ms - now_ms % width + width;
  ReaderLock lock(mutex_);
  for (const std::int64_t end : bucket_ends_) {
    if (end > now_ms - window_ms_) break;
    batch.DeleteRange(family_, prefix_of(end), prefix_of(end + 1));
    plan.expired.push_back(end);
  }
  // A clock set back a little keeps using the newest bucket rather than starting one older
  // than it; a window made smaller since the newest was started does not.
  if (!bucket_ends_.empty() && bucket_ends_.back() > plan.bucket_end &&
      bucket_ends_.back() - plan.bucket_end <= width) {
    plan.bucket_end = bucket_ends_.back();
  }
  plan.prefix = prefix_of(plan.bucket_end);
  return plan;
}

void DedupIndex::committed(const Plan& plan) {
  {
    WriterLock lock(mutex_);
    for (const std::int64_t end : plan.expired) std::erase(bucket_ends_, end);
    const auto at = std::lower_bound(bucket_ends_.begin(), bucket_ends_.end(), plan.bucket_end);
    if (at == bucket_ends_.end() || *at != plan.bucket_end) {
      bucket_ends_.insert(at, plan.bucket_end);
    }
  }
  if (plan.expired.empty()) return;
  MutexLock lock(reclaim_mutex_);
  for (const std::int64_t end : plan.expired) to_reclaim_.emplace_back(end, end + 1);
}

std::optional<std::uint64_t> DedupIndex::find(const DedupKey& key, std::int64_t now_ms) {
  ReaderLock lock(mutex_);
  if (closed_ || !enabled()) return std::nullopt;
  std::string value;
  for (const std::int64_t bucket : live(now_ms)) {
    const std::string index_key = prefix_of(bucket).append(key.view());
    if (db_.db().Get(rocksdb::ReadOptions(), family_, index_key, &value).ok()) {
      return decode_sequence_key(value);
    }
  }
  return std::nullopt;
}

void DedupIndex::reclaim() {
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  {
    MutexLock lock(reclaim_mutex_);
    if (reclaim_closed_) return;
    ranges.swap(to_reclaim_);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> left;
  for (const auto& range : ranges) {
    const std::string begin = prefix_of(range.first);
    const std::string end = prefix_of(range.second);
    const rocksdb::Slice begin_slice(begin);
    const rocksdb::Slice end_slice(end);
    // Files holding only deleted keys go without being read; the rest is compacted.
    rocksdb::Status status = rocksdb::DeleteFilesInRange(&db_.db(), family_, &begin_slice,
                                                         &end_slice, /*include_end=*/false);
    if (status.ok()) {
      status =
          db_.db().CompactRange(rocksdb::CompactRangeOptions(), family_, &begin_slice, &end_slice);
    }
    if (!status.ok()) {
      spdlog::warn("cannot reclaim expired dedup keys yet: {}", status.ToString());
      left.push_back(range);  // tried again on the next pass
    }
  }
  if (left.empty()) return;
  MutexLock lock(reclaim_mutex_);
  to_reclaim_.insert(to_reclaim_.end(), left.begin(), left.end());
}

std::size_t DedupIndex::bucket_count() const {
  ReaderLock lock(mutex_);
  return bucket_ends_.size();
}

void DedupIndex::close() {
  {
    MutexLock lock(reclaim_mutex_);
    reclaim_closed_ = true;
  }
  WriterLock lock(mutex_);
  closed_ = true;
}

}  // namespace sluice::storage
