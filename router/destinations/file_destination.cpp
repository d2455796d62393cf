#include "router/destinations/file_destination.hpp"

#include <cstdio>
#include <ctime>
#include <unistd.h>

#include <libdeflate.h>
#include <spdlog/spdlog.h>

#include "router/destinations/file_recovery.hpp"

namespace sluice::router {
namespace {

// libdeflate's default level: most of the ratio of the slow levels at several times the speed.
constexpr int kGzipLevel = 6;

}  // namespace

void FileDestination::CompressorDeleter::operator()(libdeflate_compressor* compressor) const {
  libdeflate_free_compressor(compressor);
}

Result<std::unique_ptr<FileDestination>> FileDestination::open(
    const config::FileDestinationConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.path, ec);
  if (ec) return Status::io_error("cannot create " + config.path + ": " + ec.message());
  if (::access(config.path.c_str(), W_OK | X_OK) != 0) {
    return Status::io_error("cannot write to " + config.path);
  }
  if (Status recovered = recover_partial_files(config.path); !recovered.is_ok()) return recovered;
  std::unique_ptr<FileDestination> destination(new FileDestination(config));
  if (config.gzip && !destination->compressor_) {
    return Status::internal("cannot allocate a gzip compressor");
  }
  return destination;
}

FileDestination::FileDestination(const config::FileDestinationConfig& config)
    : config_(config), dir_(config.path) {
  if (config_.gzip) compressor_.reset(libdeflate_alloc_compressor(kGzipLevel));
}

FileDestination::~FileDestination() {
  close();
}

DeliveryResult FileDestination::deliver(std::span<const OutgoingEvent> events) {
  if (events.empty()) return DeliveryResult::ok();  // the loop never sends one; nothing to name
  if (current_ && current_->broken()) abandon_current();
  // A file that is due (or was left half-completed) is completed before anything is added.
  if (current_ && (!current_->writable() || due_by_time())) {
    if (Status completed = complete_current(); !completed.is_ok()) {
      return DeliveryResult::retry("complete_failed", completed.message());
    }
  }
  if (Status encoded = encode(events); !encoded.is_ok()) {
    return DeliveryResult::retry("encode_failed", encoded.message());
  }
  const std::string& data = config_.gzip ? compressed_ : lines_;
  if (current_ && current_->size() > 0 && current_->size() + data.size() > config_.rotate_bytes) {
    if (Status completed = complete_current(); !completed.is_ok()) {
      return DeliveryResult::retry("complete_failed", completed.message());
    }
  }
  if (!current_) {
    Result<std::unique_ptr<PartialFile>> created =
        PartialFile::create(dir_, file_name(events.front().sequence));
    if (!created.is_ok()) return DeliveryResult::retry("open_failed", created.status().message());
    current_ = std::move(created).value();
  }
  if (Status appended = current_->append(data); !appended.is_ok()) {
    return DeliveryResult::retry("write_failed", appended.message());
  }
  // The batch is durable: a failure to complete now is retried before the next write.
  if (current_->size() >= config_.rotate_bytes) {
    if (Status completed = complete_current(); !completed.is_ok()) {
      spdlog::error("file destination: {}", completed.message());
    }
  }
  return DeliveryResult::ok();
}

void FileDestination::tick() {
  if (current_ && current_->broken()) abandon_current();
  if (current_ && (!current_->writable() || due_by_time())) {
    if (Status completed = complete_current(); !completed.is_ok()) {
      spdlog::error("file destination: {}", completed.message());
    }
  }
}

void FileDestination::close() {
  if (current_ && current_->broken()) abandon_current();
  if (!current_) return;
  if (Status completed = complete_current(); !completed.is_ok()) {
    spdlog::error("file destination: {}; it is completed at the next start", completed.message());
    current_.reset();
  }
}

Status FileDestination::encode(std::span<const OutgoingEvent> events) {
  lines_.clear();
  for (const OutgoingEvent& event : events) {
    // Stored JSON is minified, so it holds no raw line break: one event, one line.
    lines_.append(event.record.json).push_back('\n');
  }
  if (!config_.gzip) return Status::ok();
  compressed_.resize(libdeflate_gzip_compress_bound(compressor_.get(), lines_.size()));
  const std::size_t size = libdeflate_gzip_compress(compressor_.get(), lines_.data(), lines_.size(),
                                                    compressed_.data(), compressed_.size());
  if (size == 0) return Status::internal("gzip compression failed");
  compressed_.resize(size);
  return Status::ok();
}

bool FileDestination::due_by_time() const {
  return std::chrono::steady_clock::now() - current_->created_at() >= config_.rotate_interval;
}

Status FileDestination::complete_current() {
  if (!current_) return Status::ok();
  if (Status completed = current_->complete(); !completed.is_ok()) return completed;
  current_.reset();
  return Status::ok();
}

void FileDestination::abandon_current() {
  const std::filesystem::path path = current_->path();
  current_.reset();
  if (Status recovered = recover_partial_file(path); !recovered.is_ok()) {
    spdlog::error("file destination: {}; it is completed at the next start", recovered.message());
  }
}

std::string FileDestination::file_name(std::uint64_t first_sequence) const {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char name[96];
  std::snprintf(name, sizeof name, "events-%04d%02d%02dT%02d%02d%02d.%03dZ-%020llu.ndjson%s",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, static_cast<int>(millis),
                static_cast<unsigned long long>(first_sequence), config_.gzip ? ".gz" : "");
  return name;
}

}  // namespace sluice::router
