#include "net/tls_handshake.hpp"

#include <cctype>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace sluice::net {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Every TLS connection opens with a handshake record (RFC 8446 5.1: content type 22).
constexpr unsigned char kHandshakeRecord = 0x16;

// Enough for a ClientHello to arrive in one read more often than not; the handshake reads the
// rest itself.
constexpr std::size_t kFirstRead = 1024;

// The registration of a connection still in its handshake: idle, so a stop closes it.
class HandshakeRegistration {
 public:
  HandshakeRegistration(SessionTracker& tracker, beast::tcp_stream& stream)
      : tracker_(tracker), state_{&stream} {
    tracker_.add(&state_);
  }
  ~HandshakeRegistration() { tracker_.remove(&state_); }
  HandshakeRegistration(const HandshakeRegistration&) = delete;
  HandshakeRegistration& operator=(const HandshakeRegistration&) = delete;

 private:
  SessionTracker& tracker_;
  SessionState state_;
};

// HttpConnection's disconnects, and the ways a TLS client or a stop can end a handshake: a
// close without close_notify, a socket closed under it.
bool is_disconnect_error(const boost::system::error_code& error) {
  return is_disconnect(error) || error == asio::ssl::error::stream_truncated ||
         error == asio::error::bad_descriptor;
}

}  // namespace

std::string_view handshake_failure_reason(const boost::system::error_code& error) {
  if (error == beast::error::timeout) return "timeout";
  if (is_disconnect_error(error)) return "client_closed";
  if (error.category() != asio::error::get_ssl_category()) return "other";
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(error.value()));
  switch (reason) {
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
      return "plaintext_http";
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return "protocol_version";
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
      return "no_shared_cipher";
    // The client's alert about our certificate: it does not trust it, or it has expired.
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      return "certificate_rejected";
    default:
      break;
  }
  // OpenSSL numbers a received alert as this offset plus the alert's code.
  if (reason >= SSL_AD_REASON_OFFSET) return "alert";
  return "protocol_error";
}

asio::awaitable<TlsHandshakeResult> tls_server_handshake(TlsStream& stream, SessionTracker& tracker,
                                                         std::chrono::milliseconds timeout) {
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
  const HandshakeRegistration registration(tracker, tcp);
  tcp.expires_after(timeout);

  beast::flat_buffer first;
  auto [read_error, n] = co_await tcp.async_read_some(first.prepare(kFirstRead), kAwait);
  if (read_error)
    co_return TlsHandshakeResult{false, handshake_failure_reason(read_error), read_error};
  first.commit(n);
  const auto* bytes = static_cast<const unsigned char*>(first.data().data());
  if (bytes[0] != kHandshakeRecord) {
    // A request line starts with a method in capitals; anything else is not worth an answer.
    const bool http = std::isupper(bytes[0]) != 0;
    co_return TlsHandshakeResult{false, http ? "plaintext_http" : "not_tls", {}};
  }
  auto [error, used] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, first.data(), kAwait);
  if (error) co_return TlsHandshakeResult{false, handshake_failure_reason(error), error};
  co_return TlsHandshakeResult{true, {}, {}};
}

}  // namespace sluice::net
