#pragma once

// The `--acked` file: the messageId of every event whose request was answered 2xx, one per
// line, so that `sluice-bench verify` can later prove each of them reached the log.
//
// Worker threads collect ids in their own buffers and hand over whole chunks of about
// 64 KiB; a chunk is written under a mutex with one write() into the page cache, a few
// microseconds every few thousand requests, which keeps the file off the hot path without a
// writer thread. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice::bench {

class AckedLog {
 public:
  static std::unique_ptr<AckedLog> create(const std::string& path, std::string* error);
  ~AckedLog();
  AckedLog(const AckedLog&) = delete;
  AckedLog& operator=(const AckedLog&) = delete;

  // Appends chunk (complete lines). A failed write is remembered and reported by close().
  void write(std::string_view chunk);
  // Flushes to disk and closes; false with a message when any write failed.
  bool close(std::string* error);

  static constexpr std::size_t kChunkBytes = 64 * 1024;

 private:
  AckedLog(int fd, std::string path);

  std::mutex mutex_;
  int fd_;
  std::string path_;
  int write_errno_ = 0;
};

}  // namespace sluice::bench
