#include "net/tls_handshake.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <catch2/catch.hpp>

#include "loopback.hpp"
#include "net/tls_credentials.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificates.hpp"

namespace sluice::net::test {
namespace {

// The server side of a handshake over a Loopback, with a certificate of its own.
struct TlsServerSide {
  TlsServerSide() {
    const auto certificates = sluice::test::make_test_certificates({"localhost"});
    sluice::test::install_certificate_files(dir.path() / "cert.pem", dir.path() / "key.pem",
                                            certificates);
    auto loaded = TlsCredentials::load(
        TlsFiles{(dir.path() / "cert.pem").string(), (dir.path() / "key.pem").string()}, observer);
    REQUIRE(loaded.is_ok());
    credentials = std::move(loaded).value();
  }

  TlsHandshakeResult handshake(Loopback& loop, std::chrono::milliseconds timeout = 5s) {
    SessionTracker tracker(loop.io.get_executor());
    const auto context = credentials->context();
    TlsStream stream(std::move(loop.server), *context);
    TlsHandshakeResult result;
    loop.run([&]() -> asio::awaitable<void> {
      result = co_await tls_server_handshake(stream, tracker, timeout);
    }());
    return result;
  }

  sluice::test::TempDir dir;
  TlsObserver observer;
  std::unique_ptr<TlsCredentials> credentials;
};

TEST_CASE("Plaintext HTTP on a TLS port is recognised before any TLS", "[tls]") {
  TlsServerSide server;
  Loopback loop;
  loop.send("POST /v1/track HTTP/1.1\r\nHost: x\r\n\r\n");
  const TlsHandshakeResult result = server.handshake(loop);
  CHECK_FALSE(result.ok);
  CHECK(result.failure == "plaintext_http");
}

TEST_CASE("Bytes that are neither TLS nor HTTP are not TLS", "[tls]") {
  TlsServerSide server;
  Loopback loop;
  loop.send(std::string("\x00\x01\x02garbage", 10));
  CHECK(server.handshake(loop).failure == "not_tls");
}

TEST_CASE("A client that leaves before its hello has closed", "[tls]") {
  TlsServerSide server;
  Loopback loop;
  loop.client.shutdown(tcp::socket::shutdown_send);
  CHECK(server.handshake(loop).failure == "client_closed");
}

TEST_CASE("A client that sends nothing meets the deadline", "[tls]") {
  TlsServerSide server;
  Loopback loop;
  const auto started = std::chrono::steady_clock::now();
  CHECK(server.handshake(loop, 200ms).failure == "timeout");
  CHECK(std::chrono::steady_clock::now() - started < 3s);
}

TEST_CASE("A truncated ClientHello is a protocol error", "[tls]") {
  TlsServerSide server;
  Loopback loop;
  // A handshake record header announcing 5 bytes, then a body that is no ClientHello.
  loop.send(std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10));
  loop.client.shutdown(tcp::socket::shutdown_send);
  const TlsHandshakeResult result = server.handshake(loop);
  CHECK_FALSE(result.ok);
  CHECK((result.failure == "protocol_error" || result.failure == "client_closed"));
}

TEST_CASE("Handshake errors are named for metrics", "[tls]") {
  const auto ssl_error = [](int reason) {
    return boost::system::error_code(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)),
                                     boost::asio::error::get_ssl_category());
  };
  CHECK(handshake_failure_reason(boost::beast::error::timeout) == "timeout");
  CHECK(handshake_failure_reason(boost::asio::ssl::error::stream_truncated) == "client_closed");
  CHECK(handshake_failure_reason(boost::asio::error::connection_reset) == "client_closed");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_HTTP_REQUEST)) == "plaintext_http");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)) == "protocol_version");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_NO_SHARED_CIPHER)) == "no_shared_cipher");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_TLSV1_ALERT_UNKNOWN_CA)) ==
        "certificate_rejected");
  CHECK(handshake_failure_reason(ssl_error(SSL_AD_REASON_OFFSET + SSL_AD_DECODE_ERROR)) == "alert");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_BAD_PACKET_LENGTH)) == "protocol_error");
  CHECK(handshake_failure_reason(boost::asio::error::no_memory) == "other");
}

}  // namespace
}  // namespace sluice::net::test
