#include "router/destinations/file_recovery.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <unistd.h>
#include <vector>

#include <zlib.h>

#include "router/destinations/partial_file.hpp"

namespace sluice::router {
namespace {

constexpr std::size_t kChunk = 64 << 10;

std::string errno_text(std::string_view what, const std::filesystem::path& path, int error) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(error);
}

// Closes a descriptor when it goes out of scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The length of the file up to and including its last '\n'; reads backwards from the end.
std::optional<off_t> complete_lines_length(int fd, off_t size) {
  std::vector<char> buffer(kChunk);
  off_t end = size;
  while (end > 0) {
    const off_t start = end > static_cast<off_t>(kChunk) ? end - static_cast<off_t>(kChunk) : 0;
    const auto length = static_cast<std::size_t>(end - start);
    const ssize_t n = ::pread(fd, buffer.data(), length, start);
    if (n != static_cast<ssize_t>(length)) return std::nullopt;
    for (std::size_t i = length; i > 0; --i) {
      if (buffer[i - 1] == '\n') return start + static_cast<off_t>(i);
    }
    end = start;
  }
  return 0;
}

// The length of the file up to the end of its last gzip member that inflates completely.
std::optional<off_t> complete_members_length(int fd) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::vector<unsigned char> input(kChunk);
  std::vector<unsigned char> output(kChunk);  // inflated text is checked, not kept
  off_t input_offset = 0;                     // file offset of input[0]
  off_t complete = 0;
  bool failed = false;
  for (;;) {
    const ssize_t n = ::pread(fd, input.data(), input.size(), input_offset);
    if (n < 0) {
      failed = true;
      break;
    }
    if (n == 0) break;
    stream.next_in = input.data();
    stream.avail_in = static_cast<uInt>(n);
    bool corrupt = false;
    while (stream.avail_in > 0 && !corrupt) {
      stream.next_out = output.data();
      stream.avail_out = static_cast<uInt>(output.size());
      const int result = inflate(&stream, Z_NO_FLUSH);
      if (result == Z_STREAM_END) {
        complete = input_offset + static_cast<off_t>(stream.next_in - input.data());
        inflateReset(&stream);
      } else if (result == Z_BUF_ERROR) {
        break;  // no progress possible without more input
      } else if (result != Z_OK) {
        corrupt = true;  // a torn member: everything before it is kept
      }
    }
    if (corrupt) break;
    input_offset += n;
  }
  inflateEnd(&stream);
  if (failed) return std::nullopt;
  return complete;
}

}  // namespace

Status recover_partial_file(const std::filesystem::path& path) {
  const auto name = visible_name(path.filename().string());
  if (!name) return Status::invalid_argument(path.string() + " is not an in-progress file");
  const std::filesystem::path dir = path.parent_path();
  {
    const Descriptor file(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (file.get() < 0) return Status::io_error(errno_text("cannot open", path, errno));
    const off_t size = ::lseek(file.get(), 0, SEEK_END);
    const bool gzip = name->ends_with(".gz");
    const auto keep = size < 0 ? std::nullopt
                      : gzip   ? complete_members_length(file.get())
                               : complete_lines_length(file.get(), size);
    if (!keep) return Status::io_error(errno_text("cannot read", path, errno));
    if (*keep == 0) {
      if (::unlink(path.c_str()) != 0) {
        return Status::io_error(errno_text("cannot remove", path, errno));
      }
      return sync_directory(dir);
    }
    if ((*keep < size && ::ftruncate(file.get(), *keep) != 0) || ::fsync(file.get()) != 0) {
      return Status::io_error(errno_text("cannot cut back", path, errno));
    }
  }
  if (const Result<std::string> moved = move_into_place(path, dir, *name); !moved.is_ok()) {
    return moved.status();
  }
  return sync_directory(dir);
}

Status recover_partial_files(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> partials;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && visible_name(entry.path().filename().string())) {
      partials.push_back(entry.path());
    }
  }
  if (ec) return Status::io_error("cannot list " + dir.string() + ": " + ec.message());
  Status recovered;
  for (const auto& path : partials) {
    // Each file is tried; the last failure is the answer.
    if (Status status = recover_partial_file(path); !status.is_ok()) recovered = std::move(status);
  }
  return recovered;
}

}  // namespace sluice::router
