#include "bench/sluice_bench/acked_log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sluice::bench {

std::unique_ptr<AckedLog> AckedLog::create(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<AckedLog>(new AckedLog(fd, path));
}

AckedLog::AckedLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

AckedLog::~AckedLog() {
  if (fd_ >= 0) ::close(fd_);
}

void AckedLog::write(std::string_view chunk) {
  std::lock_guard lock(mutex_);
  while (!chunk.empty() && write_errno_ == 0 && fd_ >= 0) {
    const ssize_t written = ::write(fd_, chunk.data(), chunk.size());
    if (written < 0) {
      if (errno != EINTR) write_errno_ = errno;
      continue;
    }
    chunk.remove_prefix(static_cast<std::size_t>(written));
  }
}

bool AckedLog::close(std::string* error) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return write_errno_ == 0;
  if (write_errno_ == 0 && ::fsync(fd_) != 0) write_errno_ = errno;
  if (::close(fd_) != 0 && write_errno_ == 0) write_errno_ = errno;
  fd_ = -1;
  if (write_errno_ != 0) {
    *error = "writing " + path_ + " failed: " + std::strerror(write_errno_);
    return false;
  }
  return true;
}

}  // namespace sluice::bench
