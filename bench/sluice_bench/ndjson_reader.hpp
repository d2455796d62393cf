#pragma once

// Reads an NDJSON file line by line, plain or gzip-compressed: a file destination's
// `.ndjson` / `.ndjson.gz` output (concatenated gzip members, one per batch) or what
// `sluice log cat` printed. zlib's gzread tells gzip from plain text by the content, not by
// the file name, and reads member after member.
//
// Lines come out as simdjson::padded_string_view over the reader's buffer, with the padding
// simdjson needs readable behind them, so they parse without a copy. A line stays valid until
// the next call. Not thread-safe.

#include <memory>
#include <string>

#include <simdjson.h>

namespace sluice::bench {

class NdjsonReader {
 public:
  static std::unique_ptr<NdjsonReader> open(const std::string& path, std::string* error);
  ~NdjsonReader();
  NdjsonReader(const NdjsonReader&) = delete;
  NdjsonReader& operator=(const NdjsonReader&) = delete;

  // The next non-empty line without its '\n'. False at the end of the file or on an error;
  // then error() says which (empty at a clean end).
  bool next(simdjson::padded_string_view* line);
  const std::string& error() const { return error_; }

 private:
  NdjsonReader(void* file, std::string path);
  // Moves the unread bytes to the front and reads more after them; false at EOF or error.
  bool fill();

  void* file_;  // gzFile; kept out of this header with zlib's macros
  std::string path_;
  std::string buffer_;  // data_end_ bytes of data, then at least SIMDJSON_PADDING spare
  std::size_t line_start_ = 0;
  std::size_t scanned_ = 0;  // no '\n' in [line_start_, scanned_)
  std::size_t data_end_ = 0;
  bool eof_ = false;
  std::string error_;
};

}  // namespace sluice::bench
