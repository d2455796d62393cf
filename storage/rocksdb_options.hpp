#pragma once

// RocksDB options shared by the server's writer and the read-only tools, so both open the log
// the same way.

#include <cstddef>
#include <cstdint>

#include <rocksdb/options.h>

namespace sluice::storage {

rocksdb::Options log_db_options();

// The dedup index's buckets (dedup_index.hpp): random 16-byte keys looked up mostly to find
// them absent, so whole-key bloom filters, kept with the index blocks in a block cache of
// cache_bytes (bounded memory), and no compression (hashes do not compress).
rocksdb::ColumnFamilyOptions dedup_family_options(std::uint64_t cache_bytes);

}  // namespace sluice::storage
