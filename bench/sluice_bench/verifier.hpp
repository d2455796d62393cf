#pragma once

// `sluice-bench verify`: checks that every event a load run saw acknowledged (its --acked
// file) is in what the server stored, read back as NDJSON: a file destination's output
// (events one per line, possibly gzip) or `sluice log cat` (`{"seq":N,"event":{...}}` lines).
// Both shapes may be mixed; each line's messageId is looked up among the acknowledged ones.
//
// Missing events are data loss; duplicates are allowed by at-least-once delivery but counted;
// stored events that were never acknowledged (another run, a request that timed out after
// the server stored it) are counted apart and are not errors.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench {

struct VerifyResult {
  std::uint64_t acked = 0;                    // distinct messageIds in the acked file
  std::uint64_t acked_repeats = 0;            // acked-file lines repeating an id already listed
  std::uint64_t stored_lines = 0;             // NDJSON lines read
  std::uint64_t found = 0;                    // acknowledged ids stored at least once
  std::uint64_t missing = 0;                  // acknowledged ids never stored
  std::uint64_t duplicated = 0;               // acknowledged ids stored more than once
  std::uint64_t extra_copies = 0;             // the copies beyond the first of those
  std::uint64_t unacknowledged = 0;           // stored events whose id was not acknowledged
  std::uint64_t unreadable_lines = 0;         // not a JSON object, or without a string messageId
  std::vector<std::string> missing_examples;  // the first few, in acked-file order

  static constexpr std::size_t kMaxExamples = 10;
};

// False with *error when a file cannot be read; the counts are then incomplete.
bool verify_acknowledged(const std::string& acked_path,
                         const std::vector<std::string>& ndjson_paths, VerifyResult* result,
                         std::string* error);

}  // namespace sluice::bench
