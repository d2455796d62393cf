#include "faulty_file_system.hpp"

#include <utility>

namespace sluice::storage::test {
namespace {

rocksdb::IOStatus no_space() {
  return rocksdb::IOStatus::NoSpace("injected: no space left on device");
}

class FaultyWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                     std::shared_ptr<std::atomic<bool>> full)
      : FSWritableFileOwnerWrapper(std::move(file)), full_(std::move(full)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, debug);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::Flush(options, debug);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::Sync(options, debug);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::Fsync(options, debug);
  }
  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t bytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* debug) override {
    if (full()) return no_space();
    return FSWritableFileOwnerWrapper::RangeSync(offset, bytes, options, debug);
  }

 private:
  bool full() const { return full_->load(std::memory_order_acquire); }

  std::shared_ptr<std::atomic<bool>> full_;
};

}  // namespace

FaultyFileSystem::FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

rocksdb::IOStatus FaultyFileSystem::NewWritableFile(const std::string& name,
                                                    const rocksdb::FileOptions& options,
                                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                    rocksdb::IODebugContext* debug) {
  if (full_->load(std::memory_order_acquire)) return no_space();
  return wrap(target()->NewWritableFile(name, options, file, debug), file);
}

rocksdb::IOStatus FaultyFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* debug) {
  if (full_->load(std::memory_order_acquire)) return no_space();
  return wrap(target()->ReopenWritableFile(name, options, file, debug), file);
}

rocksdb::IOStatus FaultyFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* debug) {
  if (full_->load(std::memory_order_acquire)) return no_space();
  return wrap(target()->ReuseWritableFile(name, old_name, options, file, debug), file);
}

rocksdb::IOStatus FaultyFileSystem::wrap(rocksdb::IOStatus opened,
                                         std::unique_ptr<rocksdb::FSWritableFile>* file) {
  if (opened.ok()) *file = std::make_unique<FaultyWritableFile>(std::move(*file), full_);
  return opened;
}

}  // namespace sluice::storage::test
