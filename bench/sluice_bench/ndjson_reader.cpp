#include "bench/sluice_bench/ndjson_reader.hpp"

#include <cstring>

#include <zlib.h>

namespace sluice::bench {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;

gzFile as_gz(void* file) {
  return static_cast<gzFile>(file);
}

}  // namespace

std::unique_ptr<NdjsonReader> NdjsonReader::open(const std::string& path, std::string* error) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  gzbuffer(file, 256 * 1024);
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(file, path));
}

NdjsonReader::NdjsonReader(void* file, std::string path) : file_(file), path_(std::move(path)) {
  buffer_.resize(kReadChunk + simdjson::SIMDJSON_PADDING);
}

NdjsonReader::~NdjsonReader() {
  gzclose(as_gz(file_));
}

bool NdjsonReader::fill() {
  if (eof_) return false;
  const std::size_t unread = data_end_ - line_start_;
  if (line_start_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + line_start_, unread);
    scanned_ -= line_start_;
    line_start_ = 0;
    data_end_ = unread;
  }
  // A line longer than the buffer grows it; the padding always stays behind the data.
  if (buffer_.size() - data_end_ < kReadChunk + simdjson::SIMDJSON_PADDING) {
    buffer_.resize(data_end_ + kReadChunk + simdjson::SIMDJSON_PADDING);
  }
  const int read = gzread(as_gz(file_), buffer_.data() + data_end_, kReadChunk);
  if (read < 0) {
    int code = 0;
    error_ = "reading " + path_ + " failed: " + gzerror(as_gz(file_), &code);
    eof_ = true;
    return false;
  }
  if (read == 0) {
    // gzread reports a truncated gzip stream at its end, not as a failed read.
    int code = 0;
    const char* message = gzerror(as_gz(file_), &code);
    if (code != Z_OK) error_ = "reading " + path_ + " failed: " + message;
    eof_ = true;
    return false;
  }
  data_end_ += static_cast<std::size_t>(read);
  return true;
}

bool NdjsonReader::next(simdjson::padded_string_view* line) {
  for (;;) {
    const char* begin = buffer_.data() + scanned_;
    const void* newline = std::memchr(begin, '\n', data_end_ - scanned_);
    std::size_t end;
    if (newline != nullptr) {
      end = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data());
    } else {
      scanned_ = data_end_;
      if (fill()) continue;
      if (!error_.empty() || line_start_ == data_end_) return false;
      end = data_end_;  // the last line has no '\n'
    }
    const std::size_t start = line_start_;
    line_start_ = end + (end < data_end_ ? 1 : 0);
    scanned_ = line_start_;
    if (end == start) continue;  // empty line
    *line =
        simdjson::padded_string_view(buffer_.data() + start, end - start, buffer_.size() - start);
    return true;
  }
}

}  // namespace sluice::bench
