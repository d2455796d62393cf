#pragma once

// A small blocking HTTPS client for the integration tests: a real TLS client (OpenSSL through
// Asio) that verifies the server's certificate against a CA the test gives and checks that it
// was issued for `server_name`, as a browser or SDK would. One keep-alive connection at a time,
// reconnecting after the server closes. Every step has a deadline; failures throw
// boost::system::system_error, a refused handshake with OpenSSL's reason.
//
// It runs Asio's asynchronous calls on an io_context of its own until each completes, because
// Asio's synchronous socket calls have no timeout. Not thread-safe: one client per thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http_client.hpp"

namespace sluice::integration {

struct HttpsClientOptions {
  std::string ca_pem;                     // the CA (or CAs) trusted
  std::string server_name = "localhost";  // sent as SNI and checked against the certificate
  std::optional<int> max_version;         // e.g. TLS1_2_VERSION, to test a minimum version
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

class HttpsClient {
 public:
  HttpsClient(std::uint16_t port, HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Connects and handshakes (done by request() when not connected).
  void connect();
  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {});
  void close();
  bool is_open() const { return stream_ != nullptr; }
  int connections_opened() const { return connections_opened_; }

  // Of the open connection: the server's certificate (PEM), and the protocol ALPN chose.
  std::string peer_certificate_pem() const;
  std::string negotiated_protocol() const;

 private:
  // Runs the io_context until `done` is set, or throws a timeout.
  void run_until(const bool& done);

  std::uint16_t port_;
  HttpsClientOptions options_;
  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
  int connections_opened_ = 0;
};

}  // namespace sluice::integration
