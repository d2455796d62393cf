#include "storage/log_db.hpp"

#include <algorithm>

#include "storage/rocksdb_logger.hpp"
#include "storage/rocksdb_options.hpp"

namespace sluice::storage {
namespace {

// Cursors, dead letters and sources are small and rarely written; small memtables keep their memory
// low. RocksDB flushes them when the WAL they pin passes max_total_wal_size (by default four
// times all memtable budgets), so a quiet column family cannot keep old WAL files alive.
rocksdb::ColumnFamilyOptions small_family_options() {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = 1 << 20;
  options.max_write_buffer_number = 2;
  return options;
}

}  // namespace

Result<std::unique_ptr<LogDb>> LogDb::open(const std::string& path,
                                           const std::shared_ptr<rocksdb::FileSystem>& file_system,
                                           std::uint64_t dedup_cache_bytes) {
  const rocksdb::Options log_options = log_db_options();
  rocksdb::DBOptions db_options(log_options);
  db_options.create_missing_column_families = true;
  db_options.info_log = std::make_shared<RocksdbLogger>();
  std::unique_ptr<rocksdb::Env> env;
  if (file_system) {
    env = rocksdb::NewCompositeEnv(file_system);
    db_options.env = env.get();
  }

  // Every existing family must be opened; a new database has none yet.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_options, path, &names).ok()) names.clear();
  for (const char* ours : {rocksdb::kDefaultColumnFamilyName.c_str(), kCursorsColumnFamily,
                           kDeadLettersColumnFamily, kSourcesColumnFamily, kDedupColumnFamily}) {
    if (std::find(names.begin(), names.end(), ours) == names.end()) names.emplace_back(ours);
  }
  const rocksdb::ColumnFamilyOptions dedup_options = dedup_family_options(dedup_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.reserve(names.size());
  for (const std::string& name : names) {
    if (name == rocksdb::kDefaultColumnFamilyName) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions(log_options));
    } else if (name == kDedupColumnFamily) {
      families.emplace_back(name, dedup_options);
    } else {
      families.emplace_back(name, small_family_options());
    }
  }

  rocksdb::DB* raw_db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  const rocksdb::Status status = rocksdb::DB::Open(db_options, path, families, &handles, &raw_db);
  if (!status.ok()) {
    return Status::io_error("cannot open the event log at " + path + ": " + status.ToString());
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  return std::unique_ptr<LogDb>(new LogDb(std::move(env), std::move(db), std::move(handles)));
}

LogDb::LogDb(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : env_(std::move(env)), db_(std::move(db)), handles_(std::move(handles)) {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (handle->GetName() == kCursorsColumnFamily) cursors_ = handle;
    if (handle->GetName() == kDeadLettersColumnFamily) dead_letters_ = handle;
    if (handle->GetName() == kSourcesColumnFamily) sources_ = handle;
    if (handle->GetName() == kDedupColumnFamily) dedup_ = handle;
  }
}

LogDb::~LogDb() {
  if (sync_wal_at_close_) db_->FlushWAL(true).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

}  // namespace sluice::storage
