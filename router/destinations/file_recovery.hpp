#pragma once

// Completes the in-progress files (partial_file.hpp) that an earlier run of the file
// destination left behind: after a crash, or when a file could not be completed. Their content
// was acknowledged batch by batch, so it must become visible, but the last batch may be torn
// (the crash came mid-write; that batch was not acknowledged and is delivered again). A file is
// therefore cut back to its last complete line (NDJSON) or its last complete gzip member
// (.gz: one member per batch), made durable, and renamed to its visible name; a file with
// nothing complete is removed.

#include <filesystem>

#include "common/status.hpp"

namespace sluice::router {

// Recovers every ".<name>.partial" file in dir. An error if one could not be recovered (the
// others still are).
Status recover_partial_files(const std::filesystem::path& dir);

// Recovers one such file; path is the hidden file.
Status recover_partial_file(const std::filesystem::path& path);

}  // namespace sluice::router
