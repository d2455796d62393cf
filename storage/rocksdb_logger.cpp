#include "storage/rocksdb_logger.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

namespace sluice::storage {
namespace {

std::string format_line(const char* format, va_list arguments) {
  char line[1024];
  const int length = std::vsnprintf(line, sizeof line, format, arguments);
  if (length < 0) return format;
  return std::string(line,
                     std::min<std::size_t>(static_cast<std::size_t>(length), sizeof line - 1));
}

}  // namespace

void RocksdbLogger::Logv(const char* /*format*/, va_list /*arguments*/) {
  // Lines without a level: the options dump at open (header lines). Not passed on.
}

void RocksdbLogger::Logv(rocksdb::InfoLogLevel level, const char* format, va_list arguments) {
  if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
  const std::string line = format_line(format, arguments);
  if (level == rocksdb::InfoLogLevel::WARN_LEVEL) {
    spdlog::warn("rocksdb: {}", line);
  } else {
    spdlog::error("rocksdb: {}", line);
  }
}

}  // namespace sluice::storage
