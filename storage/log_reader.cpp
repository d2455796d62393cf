#include "storage/log_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include "storage/log_scan.hpp"
#include "storage/rocksdb_options.hpp"

namespace sluice::storage {

std::unique_ptr<LogReader> LogReader::open(const std::string& path, std::string* error) {
  namespace fs = std::filesystem;
  if (!fs::exists(fs::path(path) / "CURRENT")) {
    *error = "no event log at " + path;
    return nullptr;
  }
  std::string scratch = (fs::temp_directory_path() / "sluice-reader-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) {
    *error = "cannot create a scratch directory in " + fs::temp_directory_path().string();
    return nullptr;
  }
  rocksdb::Options options = log_db_options();
  options.create_if_missing = false;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenAsSecondary(options, path, scratch, &raw_db);
  if (!status.ok()) {
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    *error = "cannot open the event log at " + path + ": " + status.ToString();
    return nullptr;
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  status = db->TryCatchUpWithPrimary();
  if (!status.ok()) {
    *error = "cannot follow the event log at " + path + ": " + status.ToString();
    return nullptr;
  }
  return std::unique_ptr<LogReader>(new LogReader(std::move(db), std::move(scratch)));
}

LogReader::LogReader(std::unique_ptr<rocksdb::DB> db, std::string secondary_path)
    : db_(std::move(db)), secondary_path_(std::move(secondary_path)) {}

LogReader::~LogReader() {
  db_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(secondary_path_, ignored);
}

bool LogReader::scan(std::uint64_t from, std::uint64_t limit,
                     const std::function<bool(std::uint64_t, const Record&)>& visit,
                     std::string* error) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const ReadStatus status = scan_records(*it, std::max<std::uint64_t>(from, 1),
                                         static_cast<std::size_t>(limit), 0, visit, 0);
  if (!status.ok) *error = status.error;
  return status.ok;
}

}  // namespace sluice::storage
