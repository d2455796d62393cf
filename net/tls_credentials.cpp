#include "net/tls_credentials.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::net {
namespace asio = boost::asio;
namespace ssl = asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only. TLS 1.3 suites are
// OpenSSL's defaults, all of which qualify.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The one application protocol spoken: HTTP/1.1, in ALPN's wire form.
constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// A client that offers ALPN gets http/1.1 when it lists it. One that lists only others (h2
// alone) gets no ALPN answer rather than a failed handshake, as most servers do; it may still
// speak HTTP/1.1.
int select_http11(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* offered, unsigned offered_length, void* /*arg*/) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof kHttp11, offered,
                            offered_length) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

// The reason a PEM file cannot be used, in words, or empty when it can be opened and read.
std::string unreadable(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::strerror(errno);
  return {};
}

// OpenSSL's queued errors as one line; clears the queue.
std::string openssl_errors(const boost::system::error_code& ec) {
  std::string text = ec.message();
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += "; ";
    text += buffer;
  }
  return text;
}

Result<std::chrono::system_clock::time_point> certificate_not_after(SSL_CTX* context) {
  X509* certificate = SSL_CTX_get0_certificate(context);
  std::tm when{};
  if (certificate == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &when) != 1) {
    return Status::invalid_argument("the certificate has no readable expiry date");
  }
  return std::chrono::system_clock::from_time_t(timegm(&when));
}

std::string utc_text(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

TlsCredentials::TlsCredentials(TlsFiles files, TlsObserver& observer)
    : files_(std::move(files)), observer_(observer) {}

Result<std::unique_ptr<TlsCredentials>> TlsCredentials::load(TlsFiles files,
                                                             TlsObserver& observer) {
  std::unique_ptr<TlsCredentials> credentials(new TlsCredentials(std::move(files), observer));
  if (Status installed = credentials->install(/*refuse_expired=*/false); !installed.is_ok()) {
    return installed;
  }
  return credentials;
}

std::shared_ptr<ssl::context> TlsCredentials::context() const {
  MutexLock lock(mutex_);
  return current_.context;
}

std::chrono::system_clock::time_point TlsCredentials::not_after() const {
  MutexLock lock(mutex_);
  return current_.not_after;
}

TlsCredentials::Stamps TlsCredentials::read_stamps() const {
  const auto stamp = [](const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return FileStamp{};
    return FileStamp{
        static_cast<std::uint64_t>(info.st_ino),
        static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
        static_cast<std::int64_t>(info.st_size)};
  };
  return Stamps{stamp(files_.cert_file), stamp(files_.key_file)};
}

Result<TlsCredentials::Loaded> TlsCredentials::build() const {
  for (const std::string* path : {&files_.cert_file, &files_.key_file}) {
    if (std::string reason = unreadable(*path); !reason.empty()) {
      return Status::invalid_argument("cannot read " + *path + ": " + reason);
    }
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  const int min_version =
      files_.min_version == TlsMinVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(native, min_version);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  // Compression invites CRIME; renegotiation by the client is a denial-of-service lever.
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An idle keep-alive connection holds no read and write buffers (about 34 KiB each).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);

  boost::system::error_code ec;
  ERR_clear_error();
  context->use_certificate_chain_file(files_.cert_file, ec);
  if (ec) {
    return Status::invalid_argument("cannot use " + files_.cert_file +
                                    " as a PEM certificate chain: " + openssl_errors(ec));
  }
  context->use_private_key_file(files_.key_file, ssl::context::pem, ec);
  const auto mismatch = [&] {
    return Status::invalid_argument("the private key in " + files_.key_file +
                                    " does not belong to the certificate in " + files_.cert_file);
  };
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    ERR_clear_error();
    return mismatch();
  }
  if (ec) {
    return Status::invalid_argument("cannot use " + files_.key_file +
                                    " as a PEM private key: " + openssl_errors(ec));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return mismatch();
  }
  auto not_after = certificate_not_after(native);
  if (!not_after.is_ok()) return not_after.status();
  return Loaded{std::move(context), *not_after};
}

Status TlsCredentials::install(bool refuse_expired) {
  const Stamps stamps = read_stamps();
  auto built = build();
  if (!built.is_ok()) return built.status();
  const auto now = std::chrono::system_clock::now();
  const bool expired = built->not_after <= now;
  {
    MutexLock lock(mutex_);
    // Replacing a certificate that still works with one that has expired is a mistake (an old
    // file put back); keep serving the one that works.
    if (expired && refuse_expired && current_.not_after > now) {
      return Status::invalid_argument(
          "the certificate in " + files_.cert_file + " expired at " + utc_text(built->not_after) +
          "; keeping the one in force, valid until " + utc_text(current_.not_after));
    }
    current_ = *built;
    loaded_stamps_ = stamps;
    seen_stamps_ = stamps;
  }
  if (expired) {
    spdlog::error("TLS: the certificate in {} expired at {}: clients will refuse it",
                  files_.cert_file, utc_text(built->not_after));
  }
  observer_.certificate_loaded(built->not_after);
  return Status::ok();
}

Status TlsCredentials::reload() {
  Status installed = install(/*refuse_expired=*/true);
  if (!installed.is_ok()) {
    observer_.reload_failed();
    return installed;
  }
  spdlog::info("TLS: loaded the certificate in {}, valid until {}", files_.cert_file,
               utc_text(not_after()));
  return Status::ok();
}

Status TlsCredentials::reload_if_changed() {
  const Stamps stamps = read_stamps();
  {
    MutexLock lock(mutex_);
    if (stamps == loaded_stamps_) return Status::ok();
    const bool settled = stamps == seen_stamps_;
    seen_stamps_ = stamps;
    if (!settled) return Status::ok();
    // A failed reload of these very files is not retried until they change again.
    loaded_stamps_ = stamps;
  }
  return reload();
}

}  // namespace sluice::net
