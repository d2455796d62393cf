#pragma once

// A RocksDB file system for tests that can run out of space on demand: while full, creating a
// file for writing and every append, flush and sync of a file open for writing fail with
// IOStatus::NoSpace(), as on a full disk. Reads, renames and deletes go on working. Everything
// else is RocksDB's default file system.
//
// Thread-safety: set_full() from any thread while RocksDB uses the file system.

#include <atomic>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

namespace sluice::storage::test {

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem();

  const char* Name() const override { return "FaultyFileSystem"; }

  void set_full(bool full) { full_->store(full, std::memory_order_release); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override;

 private:
  // Wraps a file just opened, when opening succeeded.
  rocksdb::IOStatus wrap(rocksdb::IOStatus opened, std::unique_ptr<rocksdb::FSWritableFile>* file);

  // Shared with the files, which may outlive the file system object's last user.
  std::shared_ptr<std::atomic<bool>> full_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace sluice::storage::test
