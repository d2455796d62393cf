#include "http_client.hpp"

#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

namespace sluice::integration {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxIovecs = 16;
constexpr std::size_t kResponseBodyLimit = 64 << 20;
constexpr int kMaxInterimResponses = 8;

// A SyncReadStream/SyncWriteStream over a connected socket's descriptor whose every call
// gives up at a fixed deadline. Asio's own synchronous socket calls have no timeout.
class DeadlineStream {
 public:
  DeadlineStream(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, error_code& ec) {
    std::array<iovec, kMaxIovecs> list{};
    std::size_t count = fill(buffers, list);
    ec = {};
    if (count == 0) return 0;
    if (!wait_ready(POLLIN, ec)) return 0;
    ssize_t n;
    do {
      n = ::readv(fd_, list.data(), static_cast<int>(count));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      ec.assign(errno, boost::system::system_category());
      return 0;
    }
    if (n == 0) {
      ec = asio::error::eof;
      return 0;
    }
    return static_cast<std::size_t>(n);
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    error_code ec;
    std::size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    std::array<iovec, kMaxIovecs> list{};
    std::size_t count = fill(buffers, list);
    ec = {};
    if (count == 0) return 0;
    if (!wait_ready(POLLOUT, ec)) return 0;
    msghdr message{};
    message.msg_iov = list.data();
    message.msg_iovlen = count;
    ssize_t n;
    do {
      // MSG_NOSIGNAL: a server that closed early must not kill the test binary with SIGPIPE.
      n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      ec.assign(errno, boost::system::system_category());
      return 0;
    }
    return static_cast<std::size_t>(n);
  }

 private:
  template <class BufferSequence>
  static std::size_t fill(const BufferSequence& buffers, std::array<iovec, kMaxIovecs>& list) {
    std::size_t count = 0;
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && count < list.size(); ++it) {
      auto buffer = *it;
      if (buffer.size() == 0) continue;
      list[count].iov_base = const_cast<void*>(static_cast<const void*>(buffer.data()));
      list[count].iov_len = buffer.size();
      ++count;
    }
    return count;
  }

  bool wait_ready(short events, error_code& ec) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        ec = asio::error::timed_out;
        return false;
      }
      pollfd entry{fd_, events, 0};
      int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) {
        ec.assign(errno, boost::system::system_category());
        return false;
      }
    }
  }

  int fd_;
  Clock::time_point deadline_;
};

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : std::string(it->value());
}

bool HttpResponse::has_header(std::string_view name) const {
  return headers.find(name) != headers.end();
}

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout), socket_(io_) {}

HttpClient::~HttpClient() {
  close();
}

void HttpClient::connect() {
  close();
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port_);
  socket_.connect(endpoint);  // loopback: refused or connected at once
  socket_.set_option(asio::ip::tcp::no_delay(true));
  buffer_.clear();
  ++connections_opened_;
}

void HttpClient::close() {
  error_code ignored;
  if (socket_.is_open()) socket_.close(ignored);
  buffer_.clear();
}

void HttpClient::write_raw(std::string_view bytes) {
  if (!is_open()) connect();
  DeadlineStream stream(socket_.native_handle(), Clock::now() + timeout_);
  error_code ec;
  asio::write(stream, asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec) {
    close();
    throw boost::system::system_error(ec, "writing to 127.0.0.1:" + std::to_string(port_));
  }
}

HttpResponse HttpClient::read_response(bool to_head) {
  if (!is_open()) throw boost::system::system_error(asio::error::not_connected);
  DeadlineStream stream(socket_.native_handle(), Clock::now() + timeout_);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBodyLimit);
  parser.skip(to_head);
  error_code ec;
  http::read(stream, buffer_, parser, ec);
  if (ec) {
    close();
    throw boost::system::system_error(ec, "reading from 127.0.0.1:" + std::to_string(port_));
  }
  auto message = parser.release();
  HttpResponse response;
  response.status = message.result_int();
  response.keep_alive = message.keep_alive();
  response.body = std::move(message.body());
  for (const auto& field : message) response.headers.insert(field.name_string(), field.value());
  if (response.status >= 200 && !response.keep_alive) close();
  return response;
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 const Headers& headers, std::string_view body) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = std::string(body);
  request.prepare_payload();

  if (!is_open()) connect();
  {
    DeadlineStream stream(socket_.native_handle(), Clock::now() + timeout_);
    error_code ec;
    http::write(stream, request, ec);
    if (ec) {
      close();
      throw boost::system::system_error(ec, "writing to 127.0.0.1:" + std::to_string(port_));
    }
  }
  for (int i = 0; i < kMaxInterimResponses; ++i) {
    HttpResponse response = read_response(method == "HEAD");
    if (response.status >= 200) return response;
  }
  close();
  throw boost::system::system_error(asio::error::message_size, "too many interim responses");
}

std::string basic_auth(std::string_view write_key) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string plain = std::string(write_key) + ":";
  std::string encoded;
  for (std::size_t i = 0; i < plain.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(plain[i]) << 16;
    if (i + 1 < plain.size()) chunk |= static_cast<unsigned char>(plain[i + 1]) << 8;
    if (i + 2 < plain.size()) chunk |= static_cast<unsigned char>(plain[i + 2]);
    encoded += kAlphabet[(chunk >> 18) & 63];
    encoded += kAlphabet[(chunk >> 12) & 63];
    encoded += i + 1 < plain.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    encoded += i + 2 < plain.size() ? kAlphabet[chunk & 63] : '=';
  }
  return "Basic " + encoded;
}

}  // namespace sluice::integration
