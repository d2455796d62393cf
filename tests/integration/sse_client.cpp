#include "sse_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::integration {
namespace {

using Clock = std::chrono::steady_clock;

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("sse client: send failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

SseClient::SseClient(std::uint16_t port, std::string_view target, std::string_view token,
                     int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("sse client: socket failed");
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    throw std::runtime_error("sse client: connect failed");
  }
  send_all(fd_, "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    "Authorization: Bearer " + std::string(token) +
                    "\r\nAccept: text/event-stream\r\n\r\n");
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseClient::receive(Clock::time_point deadline) {
  if (closed_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd ready{fd_, POLLIN, 0};
  const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
  if (polled <= 0) return polled < 0 && errno == EINTR;
  char buffer[16 * 1024];
  const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (n < 0) return errno == EINTR;
  if (n == 0) {
    closed_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

unsigned SseClient::status(std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  while (status_ == 0) {
    const std::size_t end = raw_.find("\r\n\r\n");
    if (end != std::string::npos) {
      header_ = raw_.substr(0, end + 2);
      raw_.erase(0, end + 4);
      // "HTTP/1.1 200 OK"
      status_ = static_cast<unsigned>(std::stoul(header_.substr(9, 3)));
      break;
    }
    if (!receive(deadline) && (closed_ || Clock::now() >= deadline)) break;
  }
  return status_;
}

std::string SseClient::error_body(std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  while (!closed_ && Clock::now() < deadline) {
    if (raw_.find('}') != std::string::npos && raw_.back() == '}') break;
    receive(deadline);
  }
  return raw_;
}

void SseClient::decode_chunks() {
  for (;;) {
    const std::size_t line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    const std::size_t size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (size == 0) {
      ended_ = true;
      raw_.clear();
      return;
    }
    if (raw_.size() < line_end + 2 + size + 2) return;
    body_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
  }
}

std::optional<SseFrame> SseClient::next(std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  if (status_ == 0 && status(within) == 0) return std::nullopt;
  for (;;) {
    decode_chunks();
    std::size_t end;
    while ((end = body_.find("\n\n")) != std::string::npos) {
      const std::string block = body_.substr(0, end);
      body_.erase(0, end + 2);
      SseFrame frame{"message", {}, {}};
      bool has_field = false;
      std::size_t start = 0;
      while (start <= block.size()) {
        std::size_t stop = block.find('\n', start);
        if (stop == std::string::npos) stop = block.size();
        const std::string line = block.substr(start, stop - start);
        start = stop + 1;
        if (line.empty() || line.front() == ':') continue;
        const std::size_t colon = line.find(": ");
        const std::string name = line.substr(0, colon);
        const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
        has_field = true;
        if (name == "event") frame.event = value;
        if (name == "id") frame.id = value;
        if (name == "data") frame.data += value;
      }
      if (has_field) return frame;
    }
    if (ended_ || !receive(deadline)) {
      if (ended_ || closed_ || Clock::now() >= deadline) return std::nullopt;
    }
  }
}

std::optional<SseFrame> SseClient::next_of(std::string_view event,
                                           std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    std::optional<SseFrame> frame = next(left);
    if (!frame || frame->event == event) return frame;
  }
}

}  // namespace sluice::integration
