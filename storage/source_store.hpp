#pragma once

// The sources created through the admin API, in the event log's database: the "sources" column
// family maps a source's name to its stored form, which the caller encodes (api/source_codec.hpp
// owns the format; this store only keeps bytes). Sources from the config file are never stored:
// the file is their only truth.
//
// Writes go through the committer, the database's only writer, and are waited for: once put()
// returns ok the source is as durable as an acknowledged event (fsynced with durability
// "fsync", in the WAL with "wal"), so it survives kill -9.
//
// Part of an EventLog, which builds it. Thread-safety: every method may be called from any
// thread. After the log closes every method fails with kClosed.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "storage/committer.hpp"

namespace sluice::storage {

class SharedLogDb;

class SourceStore {
 public:
  // db and committer must outlive the SourceStore.
  SourceStore(SharedLogDb& db, Committer& committer);
  SourceStore(const SourceStore&) = delete;
  SourceStore& operator=(const SourceStore&) = delete;

  // Every stored source as (name, stored form), in name order.
  Result<std::vector<std::pair<std::string, std::string>>> load_all() const;
  // Stores (or replaces) a source and waits until it is written.
  Status put(std::string_view name, std::string_view stored);
  // Removes a source and waits until the removal is written; ok when there was none.
  Status erase(std::string_view name);

 private:
  Status write(StatePut change);

  SharedLogDb& db_;
  Committer& committer_;
};

}  // namespace sluice::storage
