#pragma once

// HttpSink: a small HTTP/1.1 server for tests of code that sends HTTP (the webhook
// destination, integration tests). It listens on 127.0.0.1 on an ephemeral port, on its own
// thread, records every request it reads and answers each from a script the test sets: a status,
// extra headers (Retry-After), a body, an optional delay before answering, or closing the
// connection instead of answering. Connections are kept alive as the client asks. With
// Options::https it speaks TLS only, with a certificate from a CA made at start (ca_file()).
//
// Thread-safety: every public method may be called from any thread while the sink runs. The
// sink's thread calls the responder, so the responder must not call back into the sink.
// The destructor stops the sink (stop() may also be called earlier); afterwards requests() and
// the counters still report what happened.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request as the sink read it.
struct SinkRequest {
  std::string method;
  std::string target;
  Headers headers;  // in the order received
  std::string body;
  std::size_t connection = 0;  // which accepted connection carried it, from 1
  unsigned answered = 0;       // the status of the answer, 0 when there was none
  std::chrono::steady_clock::time_point received;

  // The value of the first header called name (case-insensitive), empty when absent.
  std::string header(std::string_view name) const;
};

// How to answer one request.
struct SinkAnswer {
  unsigned status = 200;
  Headers headers;  // added to the answer, e.g. {"Retry-After", "1"}
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before answering (or closing)
  bool close_without_answer = false;   // close the connection instead of answering
  bool close_after_answer = false;     // answer as if keeping the connection, then close it
  std::string raw;  // when not empty: written instead of an answer (malformed HTTP), then close
};

class HttpSink {
 public:
  struct Options {
    bool https = false;
    // Names the HTTPS certificate is valid for; a test may leave out the one it connects to.
    std::vector<std::string> certificate_names{"127.0.0.1", "localhost"};
  };
  // Chooses the answer to a request that no queued answer is left for.
  using Responder = std::function<SinkAnswer(const SinkRequest&)>;

  // Listening and running when the constructor returns; throws if it cannot start.
  HttpSink();
  explicit HttpSink(const Options& options);
  ~HttpSink();
  HttpSink(const HttpSink&) = delete;
  HttpSink& operator=(const HttpSink&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port><path>" (https:// with Options::https).
  std::string url(std::string_view path = "/") const;
  // The PEM file of the CA that signed the HTTPS certificate; empty without Options::https.
  const std::filesystem::path& ca_file() const;

  // Answers to give first, in order, one per request; afterwards the responder answers.
  void enqueue(SinkAnswer answer);
  // Replaces the responder; the default answers 200 with an empty body.
  void respond_with(Responder responder);

  // Every request read so far, in order of arrival.
  std::vector<SinkRequest> requests() const;
  std::size_t request_count() const;
  // Waits until at least count requests were read; false when timeout passed first.
  bool wait_for_requests(std::size_t count,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::size_t connections_accepted() const;

  // Closes every open connection (the next request needs a new one) and waits until done.
  void close_connections();
  // Stops listening, closes every connection and joins the thread. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::test
