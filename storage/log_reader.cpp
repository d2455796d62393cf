#include "storage/log_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include "storage/log_scan.hpp"
#include "storage/rocksdb_options.hpp"

namespace sluice::storage {

Result<std::unique_ptr<LogReader>> LogReader::open(const std::string& path) {
  namespace fs = std::filesystem;
  if (!fs::exists(fs::path(path) / "CURRENT")) return Status::not_found("no event log at " + path);
  std::string scratch = (fs::temp_directory_path() / "sluice-reader-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) {
    return Status::io_error("cannot create a scratch directory in " +
                            fs::temp_directory_path().string());
  }
  rocksdb::Options options = log_db_options();
  options.create_if_missing = false;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenAsSecondary(options, path, scratch, &raw_db);
  if (!status.ok()) {
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    return Status::io_error("cannot open the event log at " + path + ": " + status.ToString());
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  status = db->TryCatchUpWithPrimary();
  if (!status.ok()) {
    return Status::io_error("cannot follow the event log at " + path + ": " + status.ToString());
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

Status LogReader::scan(std::uint64_t from, std::uint64_t limit,
                       const std::function<bool(std::uint64_t, const Record&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  return scan_records(*it, std::max<std::uint64_t>(from, 1), static_cast<std::size_t>(limit), 0,
                      visit, 0)
      .status();
}

}  // namespace sluice::storage
