#pragma once

// One output file of the file destination while it is being written. It lives under a hidden
// name in its directory, ".<name>.partial", and appears under <name> only when complete():
// fsynced, closed and renamed into place, with the directory fsynced. A reader listing the
// directory (ignoring dot files) therefore never sees a half-written file.
//
// Every append() is durable when it returns (fdatasync), and the file's directory entry is made
// durable at creation, so what was appended survives a crash in the hidden file; the next start
// completes such leftovers (file_recovery.hpp).
//
// Not thread-safe; owned by one FileDestination.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice::router {

// ".<name>.partial" for a visible name, and back (nullopt for other names).
std::string partial_name(std::string_view name);
std::optional<std::string> visible_name(std::string_view partial);

// Renames from to dir/name, or to name with "_001", "_002", ... before its ".ndjson" when that
// is taken (never replacing a file). Returns the name used. The caller fsyncs dir to make the
// rename durable.
Result<std::string> move_into_place(const std::filesystem::path& from,
                                    const std::filesystem::path& dir, const std::string& name);

// fsyncs a directory so that entries created, renamed or removed in it are durable.
Status sync_directory(const std::filesystem::path& dir);

class PartialFile {
 public:
  // Creates dir/.<name>.partial, which must not exist.
  static Result<std::unique_ptr<PartialFile>> create(const std::filesystem::path& dir,
                                                     std::string name);

  // Closes the descriptor. A file not completed stays hidden, to be recovered.
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  // Appends data and makes it durable. On failure the file is cut back to its size before the
  // call, so a retry appends cleanly; if even that fails, broken() turns true and the file takes
  // no more appends.
  Status append(std::string_view data);

  // Makes the file visible (see above); an empty file is removed instead. May be called again
  // after a failure; takes no more appends once called.
  Status complete();

  bool writable() const { return fd_ >= 0 && !broken_ && !completing_; }
  bool broken() const { return broken_; }
  std::uint64_t size() const { return size_; }
  std::chrono::steady_clock::time_point created_at() const { return created_at_; }
  const std::filesystem::path& path() const { return path_; }
  // The name the file got when completed (name, or a suffixed one if that was taken).
  const std::string& published_name() const { return name_; }

 private:
  PartialFile(std::filesystem::path dir, std::string name, int fd);
  void close_descriptor();

  std::filesystem::path dir_;
  std::string name_;
  std::filesystem::path path_;  // dir_ / partial_name(name_)
  int fd_;
  std::uint64_t size_ = 0;
  bool broken_ = false;
  bool completing_ = false;
  bool renamed_ = false;
  std::chrono::steady_clock::time_point created_at_ = std::chrono::steady_clock::now();
};

}  // namespace sluice::router
