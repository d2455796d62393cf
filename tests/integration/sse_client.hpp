#pragma once
// A Server-Sent Events client for the integration tests: one GET on a loopback socket, the
// answer's header, then the chunked body decoded and split into frames as they arrive.
//
// Reads are bounded by the deadline of each call. A receive buffer size makes a slow reader:
// the kernel then holds little for it, so a server that writes faster than it reads fills its
// own queue. Not thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::integration {

struct SseFrame {
  std::string event;  // "message" when the frame names none
  std::string id;
  std::string data;
};

class SseClient {
 public:
  // Connects and sends `GET target` with the bearer token. receive_buffer > 0 sets SO_RCVBUF
  // before connecting.
  SseClient(std::uint16_t port, std::string_view target, std::string_view token,
            int receive_buffer = 0);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Reads the answer's header (once): its status; 0 when it did not arrive in time.
  unsigned status(std::chrono::milliseconds within = std::chrono::seconds(5));
  // The header block as received, for header checks.
  const std::string& header() const { return header_; }
  // The next frame (comments skipped), or nullopt when none arrives in time or the stream
  // ended.
  std::optional<SseFrame> next(std::chrono::milliseconds within = std::chrono::seconds(5));
  // The next frame whose event is `event`, skipping others; nullopt as next().
  std::optional<SseFrame> next_of(std::string_view event,
                                  std::chrono::milliseconds within = std::chrono::seconds(5));
  // Whether the server sent the last chunk (a clean end of the stream).
  bool ended() const { return ended_; }
  // Whether the server closed the connection.
  bool closed() const { return closed_; }
  // For an answer that is not a stream: the body received so far, after status().
  std::string error_body(std::chrono::milliseconds within = std::chrono::seconds(5));

 private:
  // Reads what is available until the deadline; false when nothing more can come.
  bool receive(std::chrono::steady_clock::time_point deadline);
  // Moves whole chunks from raw_ to body_.
  void decode_chunks();

  int fd_ = -1;
  std::string raw_;     // bytes received and not yet decoded
  std::string header_;  // the status line and header fields
  std::string body_;    // decoded body not yet split into frames
  unsigned status_ = 0;
  bool ended_ = false;
  bool closed_ = false;
};

}  // namespace sluice::integration
