#include "net/http_connection.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <utility>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>

namespace sluice::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Beast reads at most the free capacity of the buffer, and at least 512 bytes: a buffer that
// starts this large takes a typical request (an SDK's headers and a one-event body) in one
// recv instead of two or three.
constexpr std::size_t kInitialReadBuffer = 4096;

constexpr auto kTlsShutdownTime = std::chrono::milliseconds(250);

bool expects_continue(const Request& request) {
  return boost::algorithm::iequals(request[http::field::expect], "100-continue");
}

}  // namespace

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset;
}

template <typename Stream>
BasicHttpConnection<Stream>::BasicHttpConnection(Stream stream, SessionTracker& tracker,
                                                 const ConnectionLimits& limits)
    : stream_(std::move(stream)), state_{&tcp()}, tracker_(tracker), limits_(limits) {
  buffer_.reserve(kInitialReadBuffer);
  tracker_.add(&state_);
}

template <typename Stream>
BasicHttpConnection<Stream>::~BasicHttpConnection() {
  tracker_.remove(&state_);
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::read_header(
    RequestParser& parser) {
  parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser.body_limit(limits_.max_body_bytes);
  state_.idle = true;
  tcp().expires_after(first_request_ ? limits_.header_timeout : limits_.idle_timeout);
  auto [ec, bytes] = co_await http::async_read_header(stream_, buffer_, parser, kAwait);
  state_.idle = false;
  first_request_ = false;
  client_keep_alive_ = !ec && parser.get().keep_alive();
  body_unread_ = !ec && !parser.is_done();
  co_return ec;
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::read_body(
    RequestParser& parser) {
  const Request& request = parser.get();
  if (expects_continue(request)) {
    http::response<http::empty_body> go_on{http::status::continue_, request.version()};
    tcp().expires_after(limits_.body_timeout);
    co_await http::async_write(stream_, go_on, kAwait);
  }
  tcp().expires_after(limits_.body_timeout);
  auto [ec, bytes] = co_await http::async_read(stream_, buffer_, parser, kAwait);
  // Over the limit, the rest of the body is still coming. After any other failure (a deadline,
  // the client gone) there is nobody to answer, and nothing to linger for.
  body_unread_ = ec == http::error::body_limit;
  // Trailers of a chunked body are fields of the request too.
  if (!ec) client_keep_alive_ = request.keep_alive();
  co_return ec;
}

template <typename Stream>
void BasicHttpConnection<Stream>::decide_keep_alive(Response& response) const {
  response.keep_alive(client_keep_alive_ && !body_unread_ && !end_after_answer_ &&
                      !state_.stop_requested);
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::write(Response& response) {
  decide_keep_alive(response);
  tcp().expires_after(limits_.body_timeout);
  auto [ec, bytes] = co_await http::async_write(stream_, response, kAwait);
  // An answer that could not be written is not read: no reason to linger for it.
  if (ec) body_unread_ = false;
  co_return ec;
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::write_header(
    Response& response) {
  decide_keep_alive(response);
  tcp().expires_after(limits_.body_timeout);
  http::response_serializer<http::string_body> serializer(response);
  auto [ec, bytes] = co_await http::async_write_header(stream_, serializer, kAwait);
  if (ec) body_unread_ = false;
  co_return ec;
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::write_chunk(
    std::string_view data) {
  if (data.empty()) co_return boost::system::error_code();
  tcp().expires_after(limits_.body_timeout);
  auto [ec, bytes] = co_await asio::async_write(
      stream_, http::make_chunk(asio::const_buffer(data.data(), data.size())), kAwait);
  co_return ec;
}

template <typename Stream>
asio::awaitable<boost::system::error_code> BasicHttpConnection<Stream>::write_last_chunk() {
  tcp().expires_after(limits_.body_timeout);
  auto [ec, bytes] = co_await asio::async_write(stream_, http::make_chunk_last(), kAwait);
  co_return ec;
}

template <typename Stream>
asio::awaitable<void> BasicHttpConnection<Stream>::wait_for_close() {
  // On the socket, not the stream: the stream's deadlines are the writes'.
  std::array<char, 512> discard{};
  for (;;) {
    auto [ec, n] = co_await tcp().socket().async_read_some(asio::buffer(discard), kAwait);
    if (ec) co_return;
  }
}

template <typename Stream>
void BasicHttpConnection<Stream>::detect_dead_peer(std::chrono::seconds after) {
  const int fd = tcp().socket().native_handle();
  const int on = 1;
  const int idle = static_cast<int>(std::max<std::chrono::seconds::rep>(after.count() / 2, 1));
  const int interval = static_cast<int>(std::max<std::chrono::seconds::rep>(after.count() / 6, 1));
  const int probes = 3;
  const auto user_timeout =
      static_cast<unsigned>(std::chrono::duration_cast<std::chrono::milliseconds>(after).count());
  // Best effort: a socket that refuses an option keeps the kernel's defaults.
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes));
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof(user_timeout));
}

template <typename Stream>
void BasicHttpConnection<Stream>::abort() {
  boost::system::error_code ignored;
  tcp().socket().close(ignored);
}

template <typename Stream>
asio::awaitable<void> BasicHttpConnection<Stream>::close() {
  if (body_unread_) {
    co_await linger_close();
    co_return;
  }
  co_await shutdown_send();
  boost::system::error_code ec;
  tcp().socket().close(ec);
}

template <typename Stream>
asio::awaitable<void> BasicHttpConnection<Stream>::shutdown_send() {
  if constexpr (kTls) {
    // close_notify tells the client the answer ended where it did. async_shutdown then waits
    // for the client's own close_notify, which few clients send: a short deadline ends it.
    tcp().expires_after(kTlsShutdownTime);
    co_await stream_.async_shutdown(kAwait);
  }
  boost::system::error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  co_return;  // a coroutine also where the TLS branch above is compiled out
}

template <typename Stream>
asio::awaitable<void> BasicHttpConnection<Stream>::linger_close() {
  body_unread_ = false;  // read or given up on below
  co_await shutdown_send();
  const auto deadline = std::chrono::steady_clock::now() + limits_.linger_time;
  std::size_t discarded = 0;
  while (discarded < limits_.linger_bytes) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    tcp().expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(left));
    buffer_.consume(buffer_.size());
    // Raw bytes: what is discarded need not be decrypted.
    auto [read_ec, n] = co_await tcp().async_read_some(buffer_.prepare(64 * 1024), kAwait);
    if (read_ec) break;
    discarded += n;
  }
  boost::system::error_code ec;
  tcp().socket().close(ec);
}

template class BasicHttpConnection<beast::tcp_stream>;
template class BasicHttpConnection<TlsStream>;

}  // namespace sluice::net
