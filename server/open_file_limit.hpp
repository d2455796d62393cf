#pragma once

// Every connection is a file descriptor, and RocksDB keeps its files open (max_open_files is
// unlimited), so the 1,024 descriptors many systems give a process by default would refuse
// connections long before server.max_connections. At startup the server raises its soft
// limit to the hard limit, as far as it needs, and says so when even that is too low.

#include <cstddef>
#include <string>

namespace sluice::server {

struct OpenFileLimit {
  std::size_t soft = 0;  // after raising
  std::size_t hard = 0;
};

// Raises RLIMIT_NOFILE's soft limit towards `wanted` (never above the hard limit, never
// lowering it). On failure to read the limit returns {} with *error set.
OpenFileLimit raise_open_file_limit(std::size_t wanted, std::string* error);

}  // namespace sluice::server
