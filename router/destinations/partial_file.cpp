#include "router/destinations/partial_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::router {
namespace {

constexpr std::string_view kPartialPrefix = ".";
constexpr std::string_view kPartialSuffix = ".partial";
constexpr std::string_view kExtensionStart = ".ndjson";

// Enough suffixes for any realistic collision (the names carry a millisecond and a sequence).
constexpr int kMaxSuffix = 999;

std::string errno_text(std::string_view what, const std::filesystem::path& path, int error) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(error);
}

// rename() that fails with EEXIST instead of replacing to.
int rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  // The file system cannot refuse to replace; link() can (EEXIST), then the old name goes.
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

// name with "_001" (and so on) before its extension: '_' sorts after '.', and the digits are
// padded, so suffixed names still sort after the name they collided with.
std::string suffixed(const std::string& name, int suffix) {
  std::size_t at = name.rfind(kExtensionStart);
  if (at == std::string::npos) at = name.size();
  char digits[8];
  std::snprintf(digits, sizeof digits, "_%03d", suffix);
  return name.substr(0, at) + digits + name.substr(at);
}

}  // namespace

std::string partial_name(std::string_view name) {
  return std::string(kPartialPrefix).append(name).append(kPartialSuffix);
}

std::optional<std::string> visible_name(std::string_view partial) {
  if (!partial.starts_with(kPartialPrefix) || !partial.ends_with(kPartialSuffix) ||
      partial.size() <= kPartialPrefix.size() + kPartialSuffix.size()) {
    return std::nullopt;
  }
  partial.remove_prefix(kPartialPrefix.size());
  partial.remove_suffix(kPartialSuffix.size());
  return std::string(partial);
}

Status sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(errno_text("cannot open directory", dir, errno));
  Status synced;
  if (::fsync(fd) != 0) synced = Status::io_error(errno_text("cannot fsync directory", dir, errno));
  ::close(fd);
  return synced;
}

Result<std::string> move_into_place(const std::filesystem::path& from,
                                    const std::filesystem::path& dir, const std::string& name) {
  for (int suffix = 0; suffix <= kMaxSuffix; ++suffix) {
    const std::string candidate = suffix == 0 ? name : suffixed(name, suffix);
    const int result = rename_no_replace(from, dir / candidate);
    if (result == EEXIST) continue;
    if (result != 0) return Status::io_error(errno_text("cannot rename", from, result));
    return candidate;
  }
  return Status::error(StatusCode::kAlreadyExists, "cannot rename " + from.string() + ": " + name +
                                                       " and its suffixed names are taken");
}

Result<std::unique_ptr<PartialFile>> PartialFile::create(const std::filesystem::path& dir,
                                                         std::string name) {
  const std::filesystem::path path = dir / partial_name(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error(errno_text("cannot create", path, errno));
  std::unique_ptr<PartialFile> file(new PartialFile(dir, std::move(name), fd));
  // Without this, a crash could lose the whole file, including appends already acknowledged.
  if (Status synced = sync_directory(dir); !synced.is_ok()) {
    ::unlink(path.c_str());
    return synced;
  }
  return file;
}

PartialFile::PartialFile(std::filesystem::path dir, std::string name, int fd)
    : dir_(std::move(dir)), name_(std::move(name)), path_(dir_ / partial_name(name_)), fd_(fd) {}

PartialFile::~PartialFile() {
  close_descriptor();
}

void PartialFile::close_descriptor() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status PartialFile::append(std::string_view data) {
  if (!writable()) {
    return Status::closed("file " + path_.string() + " takes no more appends");
  }
  std::size_t written = 0;
  int failure = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure = n < 0 ? errno : EIO;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (failure == 0 && ::fdatasync(fd_) != 0) failure = errno;
  if (failure == 0) {
    size_ += data.size();
    return Status::ok();
  }
  // A partial batch left in the file would be a torn line in the middle of it after a retry.
  // (After a failed fdatasync the written pages' fate is unknown, so they are cut too.)
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 ||
      ::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) {
    broken_ = true;
  }
  return Status::io_error(errno_text("cannot write", path_, failure));
}

Status PartialFile::complete() {
  completing_ = true;
  if (fd_ >= 0) {
    if (::fsync(fd_) != 0) return Status::io_error(errno_text("cannot fsync", path_, errno));
    close_descriptor();
  }
  if (size_ == 0) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      return Status::io_error(errno_text("cannot remove", path_, errno));
    }
    return sync_directory(dir_);
  }
  if (!renamed_) {
    Result<std::string> published = move_into_place(path_, dir_, name_);
    if (!published.is_ok()) return published.status();
    name_ = std::move(published).value();
    renamed_ = true;
  }
  return sync_directory(dir_);
}

}  // namespace sluice::router
