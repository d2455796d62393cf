#include "storage/source_store.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "storage/log_db.hpp"
#include "storage/shared_log_db.hpp"

namespace sluice::storage {

SourceStore::SourceStore(SharedLogDb& db, Committer& committer) : db_(db), committer_(committer) {}

Result<std::vector<std::pair<std::string, std::string>>> SourceStore::load_all() const {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  std::unique_ptr<rocksdb::Iterator> it(
      db->db().NewIterator(rocksdb::ReadOptions(), db->sources()));
  std::vector<std::pair<std::string, std::string>> sources;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    sources.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok()) {
    return Status::io_error("cannot read the stored sources: " + it->status().ToString());
  }
  return sources;
}

Status SourceStore::put(std::string_view name, std::string_view stored) {
  return write(StatePut{nullptr, std::string(name), std::string(stored), StatePut::Op::kPut});
}

Status SourceStore::erase(std::string_view name) {
  return write(StatePut{nullptr, std::string(name), {}, StatePut::Op::kDelete});
}

// The lease is held until the committer has written the change: it keeps the column family
// handle in the change alive (delivery_state.cpp does the same).
Status SourceStore::write(StatePut change) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  change.family = db->sources();
  std::vector<StatePut> changes;
  changes.push_back(std::move(change));
  return committer_.write(std::move(changes));
}

}  // namespace sluice::storage
