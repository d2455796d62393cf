#include "storage/rocksdb_options.hpp"

#include <rocksdb/table.h>

namespace sluice::storage {

rocksdb::Options log_db_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Memory stays bounded: a few memtables and a small block cache, whatever the backlog.
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  options.max_background_jobs = 2;
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  // Secondary instances (sluice log cat while the server runs) need every file open.
  options.max_open_files = -1;
  // Keys are appended in order; sequential appends do not need a bloom filter.
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 32 << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace sluice::storage
