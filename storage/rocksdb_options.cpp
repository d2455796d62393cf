#include "storage/rocksdb_options.hpp"

#include <memory>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "storage/resumable_errors.hpp"

namespace sluice::storage {

rocksdb::Options log_db_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Memory stays bounded: a few memtables and a small block cache, whatever the backlog.
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  options.max_background_jobs = 2;
  // One compression for every level: a compaction that only moves a file (the log's keys
  // arrive in order, so its files rarely overlap) is then a trivial move, not a rewrite. A
  // stronger compression for the last level made every file that reached it be recompressed:
  // a sixth of the server's CPU per event under batch load, for 37% less disk
  // (bench/RESULTS.md). LZ4 is compressed once, at flush.
  options.compression = rocksdb::kLZ4Compression;
  // The committer is the database's only writer, so writes never share a memtable insert.
  options.allow_concurrent_memtable_write = false;
  // Secondary instances (sluice log cat while the server runs) need every file open.
  options.max_open_files = -1;
  // Keys are appended in order; sequential appends do not need a bloom filter.
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 32 << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // After a failed write only the committer resumes the database (committer.hpp): RocksDB's
  // own retries would touch the WAL behind its back.
  options.max_bgerror_resume_count = 0;
  options.listeners.push_back(std::make_shared<ResumableErrors>());
  return options;
}

rocksdb::ColumnFamilyOptions dedup_family_options(std::uint64_t cache_bytes) {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  // The keys are digests, which do not compress.
  options.compression = rocksdb::kNoCompression;
  // Most lookups find nothing: a bloom filter over the memtable's whole keys answers them
  // without walking its skiplist.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  // Filters and indexes in partitions of a few KiB, kept in the block cache: a large file's
  // whole filter (megabytes) would not fit a cache shard and be read from disk at every
  // lookup, and unpartitioned filters outside the cache would grow with the ids.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace sluice::storage
