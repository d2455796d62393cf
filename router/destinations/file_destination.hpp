#pragma once

// The file destination: every event as one line of NDJSON (the stored, enriched JSON), in files
// of config.path named so that they sort by time:
//   events-<UTC yyyymmddThhmmss.mmm>Z-<first sequence, 20 digits>.ndjson[.gz]
// A file is written under a hidden name and renamed into place only when complete
// (partial_file.hpp); it is completed once it reaches rotate_bytes (a batch that would take it
// past that starts a new file, so only a single oversized batch makes a larger one), once it is
// rotate_interval old, and when the destination closes. With gzip, each batch is one gzip
// member (members concatenate into a valid .gz file, which zcat and gzread read whole);
// rotate_bytes then counts compressed bytes.
//
// deliver() acknowledges a batch only after it is written and fsynced. Opening the destination
// completes in-progress files that an earlier run left behind (file_recovery.hpp). The
// directory must not be shared with another destination or process (config/ checks the
// former).
//
// Not thread-safe; driven by one DeliveryLane.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "common/status.hpp"
#include "config/config.hpp"
#include "router/destination.hpp"
#include "router/destinations/partial_file.hpp"

struct libdeflate_compressor;

namespace sluice::router {

class FileDestination final : public Destination {
 public:
  // Creates the directory if needed and recovers leftovers.
  static Result<std::unique_ptr<FileDestination>> open(const config::FileDestinationConfig& config);

  // Completes the current file if close() was not called.
  ~FileDestination() override;

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override;
  // Completes the current file once it is rotate_interval old.
  void tick() override;
  void close() override;

 private:
  explicit FileDestination(const config::FileDestinationConfig& config);

  // The batch as bytes to append: its lines, or one gzip member of them.
  Status encode(std::span<const OutgoingEvent> events);
  bool due_by_time() const;
  // Completes current_ (if any); on failure keeps it, to try again before the next write.
  Status complete_current();
  // Gives up on a file that can take no more appends: completes what is whole in it.
  void abandon_current();
  std::string file_name(std::uint64_t first_sequence) const;

  struct CompressorDeleter {
    void operator()(libdeflate_compressor* compressor) const;
  };

  const config::FileDestinationConfig config_;
  const std::filesystem::path dir_;
  std::unique_ptr<PartialFile> current_;
  std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor_;  // null without gzip
  std::string lines_;       // the batch's NDJSON, reused
  std::string compressed_;  // its gzip member, reused
};

}  // namespace sluice::router
