#pragma once

// RocksDB options shared by the server's writer and the read-only tools, so both open the log
// the same way.

#include <rocksdb/options.h>

namespace sluice::storage {

rocksdb::Options log_db_options();

}  // namespace sluice::storage
