#pragma once

// RocksDB's diagnostic log, sent to the server's log (spdlog) instead of a LOG file beside the
// database. RocksDB's own LOG file writer aborts the process (an assertion in Debian's build)
// on the first line it logs after a failed write to that file, which a full disk makes
// certain; the server's log has no such failure mode. Only warnings and worse are passed on:
// RocksDB's informational lines (every flush and compaction) would drown the server's own.
//
// Thread-safety: RocksDB logs from any of its threads; spdlog's default logger is thread-safe.

#include <cstdarg>

#include <rocksdb/env.h>

namespace sluice::storage {

class RocksdbLogger final : public rocksdb::Logger {
 public:
  RocksdbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override;
  void Logv(rocksdb::InfoLogLevel level, const char* format, va_list arguments) override;
};

}  // namespace sluice::storage
