#pragma once

// POSTs bodies to one http:// or https:// URL over one kept-alive HTTP/1.1 connection, for the
// webhook destination. Synchronous: post() runs the connection's own io_context on the calling
// thread until the answer is read or the deadline passes, so the caller (a delivery loop, whose
// thread may block) needs no executor of its own.
//
// The connection is opened on first use and kept while the server keeps it alive. A request
// that fails on a reused connection before any byte of an answer arrived (the server closed the
// idle connection, perhaps while the request was on its way) is sent once more on a fresh
// connection, within the same deadline. Any failure closes the connection; the next post()
// opens a new one.
//
// The deadline bounds connecting, the TLS handshake, writing and reading (tcp_stream expiry).
// Name resolution uses the system resolver and is bounded by its own timeouts (resolv.conf):
// getaddrinfo cannot be cancelled, so a lookup that ends after the deadline counts as a timeout.
//
// HTTPS verifies the server's certificate chain (system default paths plus ca_file) and that the
// certificate names the URL's host, and sends the host as SNI.
//
// Of an answer only the status, Retry-After and the first kBodyPrefixBytes of the body are kept;
// the rest of the body is read and discarded, up to kMaxDiscardedBody, past which the connection
// is closed instead, so a large answer costs neither memory nor much time.
//
// Not thread-safe: one owner on one thread.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/status.hpp"
#include "router/destinations/webhook_url.hpp"

namespace sluice::router {

inline constexpr std::size_t kBodyPrefixBytes = 200;
inline constexpr std::size_t kMaxDiscardedBody = 64 << 10;

// How one post() ended: an answer's status, or why there was none.
struct HttpOutcome {
  enum class Failure {
    kNone,         // an answer arrived: status and the rest are set
    kTimeout,      // the deadline passed
    kConnect,      // the host could not be resolved or connected to
    kTls,          // the TLS handshake or the certificate check failed
    kIo,           // the connection failed while sending or receiving
    kBadResponse,  // what came back is not an HTTP/1.x answer
  };

  Failure failure = Failure::kNone;
  std::string error;  // what failed, for a failure

  unsigned status = 0;
  std::string retry_after;  // the Retry-After header, empty when absent
  std::string body_prefix;  // the first kBodyPrefixBytes of the body
};

class HttpConnection {
 public:
  // headers are sent with every request, as given (they include Host). An error when the TLS
  // settings cannot be loaded (an unreadable or invalid ca_file).
  static Result<std::unique_ptr<HttpConnection>> create(
      WebhookUrl url, const std::map<std::string, std::string>& headers,
      const std::string& ca_file);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // POSTs body (which need only live for the call) and reads the answer, all before deadline.
  HttpOutcome post(std::string_view body, std::chrono::steady_clock::time_point deadline);

  // Closes the connection; for HTTPS after a TLS close_notify exchange of at most a second.
  void close();

 private:
  using Request = boost::beast::http::request<boost::beast::http::span_body<const char>>;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  struct Attempt;

  HttpConnection(WebhookUrl url, const std::map<std::string, std::string>& headers);

  bool is_open() const { return plain_.has_value() || tls_.has_value(); }
  // Resolves, connects and (for HTTPS) handshakes; the failure, or nullopt once open.
  std::optional<HttpOutcome> open(std::chrono::steady_clock::time_point deadline);
  // Sends request_ on the open connection and reads the answer.
  Attempt exchange(std::chrono::steady_clock::time_point deadline);
  template <typename Stream>
  Attempt exchange_on(Stream& stream, std::chrono::steady_clock::time_point deadline);
  // Forgets the connection without a goodbye (after a failure or a "Connection: close").
  void drop();
  // Runs io_ until the operation that start(handler) begins completes; returns its error.
  template <typename Start>
  boost::system::error_code run(Start&& start);

  const WebhookUrl url_;
  boost::asio::io_context io_{1};                         // a hint: only the calling thread runs it
  std::optional<boost::asio::ssl::context> tls_context_;  // https only
  Request request_;
  // At most one of the two is open.
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
  boost::beast::flat_buffer buffer_;  // bytes read past the last answer's header
};

}  // namespace sluice::router
