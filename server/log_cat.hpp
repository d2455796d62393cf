#pragma once

// `sluice log cat`: prints stored events as NDJSON, one `{"seq":N,"event":{...}}` line each,
// reading the log whether or not a server is running on it.

#include <cstdint>
#include <iosfwd>
#include <string>

namespace sluice::server {

// Returns the process exit status; errors go to err.
int log_cat(const std::string& log_path, std::uint64_t from, std::uint64_t limit, std::ostream& out,
            std::ostream& err);

}  // namespace sluice::server
