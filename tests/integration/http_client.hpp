#pragma once

// A small blocking HTTP/1.1 client for the integration tests, over Boost.Beast's synchronous
// read/write on a loopback TCP connection.
//
// One connection at a time, kept alive across requests until the server answers with
// `Connection: close` or close() is called; the next request then reconnects. Besides
// request(), write_raw() + read_response() let a test put arbitrary bytes on the wire
// (chunked bodies, pipelining, half-sent bodies, malformed requests).
//
// Every operation has a deadline (the constructor's timeout, counted per call), so a stuck
// server fails the test instead of hanging it. Failures (refused connection, timeout, reset,
// unparseable answer) throw boost::system::system_error.
//
// Not thread-safe: one client per thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/fields.hpp>

namespace sluice::integration {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  unsigned status = 0;
  boost::beast::http::fields headers;
  std::string body;
  bool keep_alive = false;

  // The value of a header, empty when absent (names are case-insensitive).
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads its final answer (interim 1xx answers are skipped). Host and,
  // for a non-empty body, Content-Length are set here; `headers` are sent in order as given.
  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {});

  // Writes bytes as they are, connecting first if needed.
  void write_raw(std::string_view bytes);
  // Reads one response, interim ones (100 Continue) included. The answer to a HEAD request
  // has no body whatever its Content-Length says: pass to_head.
  HttpResponse read_response(bool to_head = false);

  void connect();
  void close();
  bool is_open() const { return socket_.is_open(); }
  // How many TCP connections this client has opened so far.
  int connections_opened() const { return connections_opened_; }
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  // Bytes read past the end of the last response (pipelined answers) stay here.
  boost::beast::flat_buffer buffer_;
  int connections_opened_ = 0;
};

// The Authorization header value for HTTP Basic with `write_key` as user and no password.
std::string basic_auth(std::string_view write_key);

}  // namespace sluice::integration
