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

// The descriptors kept out of the connections' reach: RocksDB's WAL and table files, the admin
// API, destinations' sockets and files. At most kDescriptorReserve, and at most a quarter of a
// small limit, so a process with few descriptors still serves some connections.
inline constexpr std::size_t kDescriptorReserve = 4096;
std::size_t descriptor_reserve(std::size_t soft_limit);

// How many connections the tracking port may hold at once: server.max_connections, or fewer
// when the open file limit minus the reserve is lower. A flood of connections must never take
// the descriptors the log needs for its next file: that would turn a flood into failed writes.
std::size_t connection_cap(std::size_t configured, const OpenFileLimit& limit);

// Raises RLIMIT_NOFILE's soft limit towards `wanted` (never above the hard limit, never
// lowering it). On failure to read the limit returns {} with *error set.
OpenFileLimit raise_open_file_limit(std::size_t wanted, std::string* error);

}  // namespace sluice::server
