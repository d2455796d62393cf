#include "storage/committer.hpp"

#include <chrono>

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "storage/backlog.hpp"
#include "storage/committed_sequence.hpp"
#include "storage/record.hpp"
#include "storage/record_group.hpp"
#include "storage/shared_log_db.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

// Above this, the reusable write buffers are released after their group.
constexpr std::size_t kKeptBufferBytes = 16 << 20;

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
                     Backlog& backlog, StorageMetrics* metrics)
    : db_(db),
      sync_(durability == config::Durability::kFsync),
      sequence_(sequence),
      backlog_(backlog),
      metrics_(metrics) {
  if (metrics_) metrics_->last_sequence(sequence_.last());
  thread_ = std::thread([this] { run(); });
}

Committer::~Committer() {
  stop();
}

bool Committer::submit(std::vector<std::string> records, std::uint64_t bytes, AppendCallback done) {
  {
    MutexLock lock(mutex_);
    if (stopping_) return false;
    // Counted under the lock, before the thread can see (and subtract) this append.
    pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    queue_.push_back(PendingAppend{std::move(records), bytes, std::move(done)});
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
    {
      MutexLock lock(mutex_);
      wake_.wait(lock, [this]() REQUIRES(mutex_) {
        return stopping_ || !queue_.empty() || !state_queue_.empty();
      });
      if (queue_.empty() && state_queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
      state.swap(state_queue_);
    }
    commit_group(group, state);
    group.clear();
    state.clear();
  }
}

void Committer::commit_group(std::vector<PendingAppend>& group, std::vector<StateWrite>& state) {
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t next = sequence_.last() + 1;
  rocksdb::WriteBatch& batch = batch_;
  batch.Clear();
  std::uint64_t group_bytes = 0;
  std::size_t record_count = 0;
  std::string& value = group_value_;
  for (const auto& append : group) {
    // One value per request (record_group.hpp): RocksDB's cost is per key, not per byte.
    value.clear();
    encode_record_group(append.records, value);
    batch.Put(encode_sequence_key(next + record_count), value);
    record_count += append.records.size();
    group_bytes += append.bytes;
  }
  for (const StateWrite& write : state) {
    for (const StatePut& put : write.puts) add_to_batch(put, batch);
  }

  rocksdb::WriteOptions options;
  options.sync = sync_;
  const rocksdb::Status status =
      failed_.load() ? rocksdb::Status::IOError("log failed earlier") : db_.Write(options, &batch);
  // The batch and the value buffer keep their memory for the next group: a fresh megabyte
  // batch per group is a realloc chain and a page fault per page. A rare huge group (a
  // backlog of queued requests) does not keep its memory.
  if (batch.GetDataSize() > kKeptBufferBytes) batch = rocksdb::WriteBatch();
  if (value.capacity() > kKeptBufferBytes) std::string().swap(value);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (status.ok() && record_count > 0) {
    backlog_.grew(group_bytes);
    sequence_.publish(next + record_count - 1);
  } else if (status.ok()) {
    // Only destination state was written: no new sequence, nothing for the metrics.
  } else if (!failed_.exchange(true)) {
    // A failed WAL write leaves RocksDB in read-only mode; refusing further appends (503) is
    // the honest answer until an operator looks.
    spdlog::error("event log write failed, refusing further events: {}", status.ToString());
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

  std::uint64_t first = next;
  for (auto& append : group) {
    append.done(AppendResult{status.ok(), status.ok() ? first : 0});
    first += append.records.size();
  }
  for (StateWrite& write : state) {
    write.done.set_value(
        status.ok() ? Status::ok()
                    : Status::io_error("cannot write to the event log: " + status.ToString()));
  }
  backlog_.refresh();
}

}  // namespace sluice::storage
