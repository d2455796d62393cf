#include "storage/log_reader.hpp"

#include <filesystem>
#include <unistd.h>

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
  std::uint64_t visited = 0;
  for (it->Seek(encode_sequence_key(from)); it->Valid(); it->Next()) {
    auto sequence = decode_sequence_key(std::string_view(it->key().data(), it->key().size()));
    auto record = decode_record(std::string_view(it->value().data(), it->value().size()));
    if (!sequence || !record) {
      *error = "undecodable record in the event log";
      return false;
    }
    if (!visit(*sequence, *record)) return true;
    if (limit != 0 && ++visited >= limit) return true;
  }
  if (!it->status().ok()) {
    *error = it->status().ToString();
    return false;
  }
  return true;
}

}  // namespace sluice::storage
