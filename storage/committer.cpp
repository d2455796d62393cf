#include "storage/committer.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "storage/backlog.hpp"
#include "storage/committed_sequence.hpp"
#include "storage/dedup_index.hpp"
#include "storage/record.hpp"
#include "storage/record_group.hpp"
#include "storage/shared_log_db.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

// Above this, the reusable write buffers are released after their group.
constexpr std::size_t kKeptBufferBytes = 16 << 20;

// The wait before the first Resume() after a failed write, and the longest between two.
constexpr std::chrono::milliseconds kFirstResumeDelay{100};
constexpr std::chrono::milliseconds kLongestResumeDelay{1000};

// A key no record uses (record keys are 8 bytes): deleting it puts a tombstone in the default
// family's memtable, which is harmless, and makes that memtable non-empty.
constexpr std::string_view kWalSwitchKey{};

// Whether an error can go away by itself (a full disk, no descriptors left) rather than mean
// the stored data cannot be trusted.
bool heals(const rocksdb::Status& status) {
  return !status.IsCorruption() && !status.IsIOFenced() &&
         status.severity() < rocksdb::Status::Severity::kFatalError;
}

void add_to_batch(const StatePut& put, rocksdb::WriteBatch& batch) {
  switch (put.op) {
    case StatePut::Op::kPut:
      batch.Put(put.family, put.key, put.value);
      break;
    case StatePut::Op::kDelete:
      batch.Delete(put.family, put.key);
      break;
    case StatePut::Op::kDeleteRange:
      batch.DeleteRange(put.family, put.key, put.value);
      break;
  }
}

}  // namespace

Committer::Committer(rocksdb::DB& db, config::Durability durability, CommittedSequence& sequence,
                     Backlog& backlog, DedupIndex* dedup, StorageMetrics* metrics)
    : db_(db),
      sync_(durability == config::Durability::kFsync),
      sequence_(sequence),
      backlog_(backlog),
      dedup_(dedup != nullptr && dedup->enabled() ? dedup : nullptr),
      metrics_(metrics) {
  if (metrics_) metrics_->last_sequence(sequence_.last());
  thread_ = std::thread([this] { run(); });
}

Committer::~Committer() {
  stop();
}

bool Committer::submit(std::vector<std::string> records, std::vector<std::optional<DedupKey>> keys,
                       std::uint64_t bytes, AppendCallback done) {
  PendingAppend append;
  append.records = std::move(records);
  append.keys = std::move(keys);
  append.bytes = bytes;
  append.done = std::move(done);
  {
    MutexLock lock(mutex_);
    if (stopping_) return false;
    // Counted under the lock, before the thread can see (and subtract) this append.
    pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    queue_.push_back(std::move(append));
  }
  wake_.notify_one();
  return true;
}

Status Committer::write(std::vector<StatePut> puts) {
  std::future<Status> written;
  if (Status queued = enqueue(std::move(puts), &written); !queued.is_ok()) return queued;
  return written.get();
}

Status Committer::queue(std::vector<StatePut> puts) {
  return enqueue(std::move(puts), nullptr);
}

Status Committer::enqueue(std::vector<StatePut> puts, std::future<Status>* written) {
  {
    MutexLock lock(mutex_);
    if (stopping_) return log_closed();
    StateWrite& write = state_queue_.emplace_back();
    write.puts = std::move(puts);
    if (written != nullptr) *written = write.done.get_future();
  }
  wake_.notify_one();
  return Status::ok();
}

void Committer::stop() {
  std::call_once(stop_once_, [this] {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  });
}

void Committer::run() {
  std::vector<PendingAppend> group;
  std::vector<StateWrite> state;
  for (;;) {
    const bool recovering = health_.load(std::memory_order_relaxed) == Health::kRecovering;
    {
      MutexLock lock(mutex_);
      const auto has_work = [this]() REQUIRES(mutex_) {
        return stopping_ || !queue_.empty() || !state_queue_.empty();
      };
      if (recovering) {
        wake_.wait_until(lock, resume_at_, has_work);
      } else {
        wake_.wait(lock, has_work);
      }
      if (stopping_ && queue_.empty() && state_queue_.empty()) return;  // drained
      group.swap(queue_);
      state.swap(state_queue_);
    }
    if (recovering && std::chrono::steady_clock::now() >= resume_at_) try_resume();
    if (group.empty() && state.empty()) continue;
    commit_group(group, state);
    group.clear();
    state.clear();
  }
}

void Committer::find_duplicates(std::vector<PendingAppend>& group, std::int64_t now_ms) {
  std::vector<DedupKey> keys;
  for (const PendingAppend& append : group) {
    for (const auto& key : append.keys) {
      if (key) keys.push_back(*key);
    }
  }
  if (keys.empty()) return;
  const std::vector<bool> seen = dedup_->check(keys, now_ms);
  std::size_t at = 0;
  for (PendingAppend& append : group) {
    for (std::size_t i = 0; i < append.keys.size(); ++i) {
      if (!append.keys[i] || !seen[at++]) continue;
      if (append.duplicate.empty()) append.duplicate.assign(append.records.size(), false);
      append.duplicate[i] = true;
    }
  }
}

Committer::Added Committer::add_append(PendingAppend& append, std::uint64_t first,
                                       const std::string& bucket_prefix) {
  std::string& value = group_value_;
  value.clear();
  Added added{append.records.size(), append.bytes};
  if (append.duplicate.empty()) {
    // One value per request (record_group.hpp): RocksDB's cost is per key, not per byte.
    encode_record_group(append.records, value);
  } else {
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < append.records.size(); ++i) {
      if (!append.duplicate[i]) {
        kept.push_back(std::move(append.records[i]));
        continue;
      }
      DuplicateRecord& duplicate = append.result.duplicates.emplace_back();
      duplicate.record = static_cast<std::uint32_t>(i);
      if (const auto record = decode_record(append.records[i])) {
        duplicate.type = record->type;
        duplicate.message_id = record->message_id;
      }
    }
    added.records = kept.size();
    added.bytes = 0;
    for (const std::string& record : kept) added.bytes += record.size();
    if (added.records > 0) encode_record_group(kept, value);
  }
  if (added.records > 0) batch_.Put(encode_sequence_key(first), value);
  if (dedup_ != nullptr) {
    std::uint64_t sequence = first;
    for (std::size_t i = 0; i < append.keys.size(); ++i) {
      if (!append.duplicate.empty() && append.duplicate[i]) continue;
      if (append.keys[i]) {
        index_entries_.push_back(IndexEntry{DedupIndex::index_key(bucket_prefix, *append.keys[i]),
                                            sequence_key(sequence)});
      }
      ++sequence;
    }
  }
  return added;
}

void Committer::commit_group(std::vector<PendingAppend>& group, std::vector<StateWrite>& state) {
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t next = sequence_.last() + 1;
  rocksdb::WriteBatch& batch = batch_;
  batch.Clear();
  std::uint64_t group_bytes = 0;
  std::size_t record_count = 0;
  std::string& value = group_value_;
  // Out of service, the database is not touched: its WAL may hold a failed write.
  const bool writable = health_.load(std::memory_order_relaxed) == Health::kWritable;
  // The check and the write of the keys it lets through are one step: the committer is the
  // index's only writer, so two requests carrying the same id store it once.
  std::optional<DedupIndex::Plan> plan;
  if (dedup_ != nullptr && writable) {
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    find_duplicates(group, now_ms);
    plan = dedup_->plan(now_ms, batch);
  }
  std::uint64_t stored_bytes = 0;
  for (auto& append : group) {
    const Added added = add_append(append, next + record_count, plan ? plan->prefix : "");
    // An append stored whole as duplicates has no sequence of its own.
    append.result.first_sequence = added.records > 0 ? next + record_count : 0;
    record_count += added.records;
    stored_bytes += added.bytes;
    group_bytes += append.bytes;
  }
  if (!index_entries_.empty()) {
    const auto view = [](const auto& bytes) {
      return std::string_view(bytes.data(), bytes.size());
    };
    std::sort(
        index_entries_.begin(), index_entries_.end(),
        [&view](const IndexEntry& a, const IndexEntry& b) { return view(a.key) < view(b.key); });
    for (const IndexEntry& entry : index_entries_) {
      batch.Put(dedup_->family(), view(entry.key), view(entry.sequence));
    }
    index_entries_.clear();
  }
  for (const StateWrite& write : state) {
    for (const StatePut& put : write.puts) add_to_batch(put, batch);
  }

  rocksdb::WriteOptions options;
  options.sync = sync_;
  rocksdb::Status status = rocksdb::Status::IOError("the event log is unavailable");
  if (writable) {
    // A group of duplicates only has nothing to write, and no fsync to pay for it.
    status = batch.Count() > 0 ? db_.Write(options, &batch) : rocksdb::Status::OK();
  }
  if (status.ok() && plan) dedup_->committed(*plan);
  // The batch and the value buffer keep their memory for the next group: a fresh megabyte
  // batch per group is a realloc chain and a page fault per page. A rare huge group (a
  // backlog of queued requests) does not keep its memory.
  if (batch.GetDataSize() > kKeptBufferBytes) batch = rocksdb::WriteBatch();
  if (value.capacity() > kKeptBufferBytes) std::string().swap(value);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (status.ok() && record_count > 0) {
    backlog_.grew(stored_bytes);
    sequence_.publish(next + record_count - 1);
  } else if (status.ok()) {
    // Only destination state was written: no new sequence, nothing for the metrics.
  } else if (writable) {
    write_failed(status);
  }
  pending_bytes_.fetch_sub(group_bytes, std::memory_order_relaxed);
  if (metrics_ && (record_count > 0 || !status.ok())) {
    if (status.ok()) {
      metrics_->group_committed(group.size(), record_count, seconds);
      metrics_->last_sequence(next + record_count - 1);
    } else {
      metrics_->commit_failed();
    }
    metrics_->pending_bytes(pending_bytes_.load(std::memory_order_relaxed));
  }

  for (auto& append : group) {
    append.result.ok = status.ok();
    if (!status.ok()) append.result = AppendResult{};
    append.done(append.result);
  }
  for (StateWrite& write : state) {
    write.done.set_value(
        status.ok() ? Status::ok()
                    : Status::io_error("cannot write to the event log: " + status.ToString()));
  }
  backlog_.refresh();
}

}  // namespace sluice::storage

namespace sluice::storage {

void Committer::write_failed(const rocksdb::Status& status) {
  if (metrics_) metrics_->write_failed();
  if (!heals(status)) {
    health_.store(Health::kFailed, std::memory_order_release);
    if (metrics_) metrics_->available(false);
    spdlog::error("event log write failed, refusing further events for good: {}",
                  status.ToString());
    return;
  }
  health_.store(Health::kRecovering, std::memory_order_release);
  if (metrics_) metrics_->available(false);
  resume_backoff_ = kFirstResumeDelay;
  resume_at_ = std::chrono::steady_clock::now() + resume_backoff_;
  spdlog::warn("event log write failed, refusing events until storage recovers: {}",
               status.ToString());
}

void Committer::try_resume() {
  rocksdb::Status status = db_.Resume();
  if (status.ok()) {
    // Resume() moves to a new WAL only when some memtable holds data; otherwise the WAL whose
    // write failed stays current, and the next write to it would abort. So: make the default
    // memtable non-empty without the WAL, and ask the WAL whether it takes writes (LockWAL
    // flushes its buffer, and only reports an earlier failure). If it does not, that report
    // stops RocksDB again, and the next Resume() switches to a new WAL.
    rocksdb::WriteOptions no_wal;
    no_wal.disableWAL = true;
    status = db_.Delete(no_wal, rocksdb::Slice(kWalSwitchKey.data(), kWalSwitchKey.size()));
    if (status.ok()) {
      status = db_.LockWAL();
      db_.UnlockWAL().PermitUncheckedError();
    }
  }
  if (status.ok()) {
    health_.store(Health::kWritable, std::memory_order_release);
    if (metrics_) {
      metrics_->recovered();
      metrics_->available(true);
    }
    spdlog::warn("event log storage recovered, taking events again");
    return;
  }
  if (!heals(status)) {
    health_.store(Health::kFailed, std::memory_order_release);
    spdlog::error("event log storage cannot recover, refusing further events for good: {}",
                  status.ToString());
    return;
  }
  spdlog::debug("event log storage not recovered yet: {}", status.ToString());
  resume_at_ = std::chrono::steady_clock::now() + resume_backoff_;
  resume_backoff_ = std::min(resume_backoff_ * 2, kLongestResumeDelay);
}

}  // namespace sluice::storage
