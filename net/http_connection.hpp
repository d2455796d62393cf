#pragma once

// One HTTP/1.1 connection for a session coroutine that keeps it in its frame: its socket, read
// buffer and deadlines. Reads a request's header and then its body within size limits and
// deadlines (answering 100 Continue in between), writes answers with the keep-alive HTTP/1.1
// allows, and closes, lingering after an answer that left a body unread. What to answer, and
// when to read the body, is the session's policy.
//
// The stream is a plain TCP stream or TLS over one (after its handshake: tls_handshake.hpp);
// both share every rule here. The connection registers in a SessionTracker for as long as it
// lives, so the tracker must outlive it; the limits are copied. Used only from the thread that
// runs the socket's io_context; not thread-safe.

#include <chrono>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include "net/http_types.hpp"
#include "net/session_tracker.hpp"

namespace sluice::net {

struct ConnectionLimits {
  std::size_t max_header_bytes = 0;            // request line and headers
  std::size_t max_body_bytes = 0;              // a larger body fails with http::error::body_limit
  std::chrono::milliseconds header_timeout{};  // the first request's header
  std::chrono::milliseconds idle_timeout{};    // keep-alive wait for the next request's header
  std::chrono::milliseconds body_timeout{};    // reading the body; also writing an answer
  // After an answer that leaves a body unread, linger_close() reads and discards at most
  // linger_bytes for at most linger_time before closing, so that the client reads the answer
  // instead of a connection reset.
  std::size_t linger_bytes = 0;
  std::chrono::milliseconds linger_time{};
};

// The client closed or went quiet past a deadline, or a stop cancelled the read: there is
// nobody to answer.
bool is_disconnect(const boost::system::error_code& ec);

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Stream: boost::beast::tcp_stream or TlsStream.
template <typename Stream>
class BasicHttpConnection {
 public:
  BasicHttpConnection(Stream stream, SessionTracker& tracker, const ConnectionLimits& limits);
  ~BasicHttpConnection();
  BasicHttpConnection(const BasicHttpConnection&) = delete;
  BasicHttpConnection& operator=(const BasicHttpConnection&) = delete;

  // The server is stopping: finish the current answer, then close.
  bool stop_requested() const { return state_.stop_requested; }

  // Sets the parser's header and body limits and reads a request's header into it, within the
  // header deadline for the first request and the idle deadline after that. While it waits the
  // connection is idle, so a stop closes it. A Content-Length over the body limit fails here
  // with http::error::body_limit. After a failure the request cannot be answered on a kept
  // connection; how to close is the session's choice (close() or linger_close()).
  boost::asio::awaitable<boost::system::error_code> read_header(RequestParser& parser);
  // Answers 100 Continue when the request asks for it, then reads the body within the body
  // deadline; http::error::body_limit when it is over the limit.
  boost::asio::awaitable<boost::system::error_code> read_body(RequestParser& parser);

  // Writes the answer to the current request within the body deadline. Sets its keep-alive
  // first: the connection is kept only when the client asked for it, the server is not
  // stopping, and no part of the request's body is left unread (whatever follows it on the wire
  // would be that body, not a request). response.keep_alive() tells the session which.
  boost::asio::awaitable<boost::system::error_code> write(Response& response);
  // The same, writing only the header: the answer to HEAD (RFC 9110 9.3.2).
  boost::asio::awaitable<boost::system::error_code> write_header(Response& response);

  // A streamed answer (Server-Sent Events): after write_header() of a response marked
  // chunked, each write_chunk() sends one chunk within the body deadline, and
  // write_last_chunk() ends the answer. An empty chunk would end it too, so it is not sent.
  boost::asio::awaitable<boost::system::error_code> write_chunk(std::string_view data);
  boost::asio::awaitable<boost::system::error_code> write_last_chunk();
  // For a streamed answer: completes when the client closes the connection (or the read fails).
  // Whatever the client sends meanwhile is discarded: it can only be a request that will not be
  // answered. No deadline; a cancellation (of the awaiting operation) ends the wait.
  boost::asio::awaitable<void> wait_for_close();
  // The answer being written is the connection's last: it says "Connection: close" whatever
  // the client asked (a stream that ends with the connection).
  void end_after_answer() { end_after_answer_ = true; }
  // For a long-lived answer: TCP keep-alive probes and a user timeout, so that a peer that
  // vanished without a FIN or RST (a partition, a laptop put to sleep) is found within about
  // `after` instead of when retransmissions give up.
  void detect_dead_peer(std::chrono::seconds after);
  // The next request's header must arrive within header_timeout, as the first request's does,
  // instead of the longer idle timeout: for a connection that has not yet earned keep-alive
  // patience (the admin API's, until it authenticates).
  void keep_header_deadline() { first_request_ = true; }

  // Closes the socket now, from the connection's own thread: a read or write in progress ends
  // with an error, and its session with it. For evicting a connection to make room.
  void abort();

  // What follows the current request on the wire must not be read as a request (the session
  // refused the request's framing): the answer is not kept alive and close() lingers, so the
  // client reads it instead of a reset.
  void discard_rest() { body_unread_ = true; }

  // Closes after the last answer: lingering (as linger_close()) when that answer left a body
  // unread and was written, at once otherwise.
  boost::asio::awaitable<void> close();
  // Half-closes, reads and discards what the client still sends (within the linger limits),
  // then closes.
  boost::asio::awaitable<void> linger_close();

 private:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }
  // Ends the sending side: TLS's close_notify first, then TCP's FIN.
  boost::asio::awaitable<void> shutdown_send();

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  SessionState state_;
  SessionTracker& tracker_;
  const ConnectionLimits limits_;
  bool first_request_ = true;
  bool client_keep_alive_ = false;  // the current request's header allows keep-alive
  bool body_unread_ = false;        // the current request's body is still (partly) on the wire
  bool end_after_answer_ = false;

  // Sets the answer's keep-alive as write() describes.
  void decide_keep_alive(Response& response) const;
};

using HttpConnection = BasicHttpConnection<boost::beast::tcp_stream>;
using HttpsConnection = BasicHttpConnection<TlsStream>;

extern template class BasicHttpConnection<boost::beast::tcp_stream>;
extern template class BasicHttpConnection<TlsStream>;

}  // namespace sluice::net
