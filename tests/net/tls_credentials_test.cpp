#include "net/tls_credentials.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificates.hpp"

namespace sluice::net {
namespace {

using Catch::Contains;
using namespace std::chrono_literals;

class RecordingObserver : public TlsObserver {
 public:
  void certificate_loaded(std::chrono::system_clock::time_point not_after) override {
    ++loads;
    last_not_after = not_after;
  }
  void reload_failed() override { ++failures; }

  int loads = 0;
  int failures = 0;
  std::chrono::system_clock::time_point last_not_after;
};

struct Files {
  test::TempDir dir;
  TlsFiles paths{(dir.path() / "cert.pem").string(), (dir.path() / "key.pem").string()};

  void install(const test::TestCertificates& certificates) const {
    test::install_certificate_files(paths.cert_file, paths.key_file, certificates);
  }
};

const std::vector<std::string> kNames = {"localhost"};

// Credentials loaded from files of fresh certificates, and what they reported.
struct LoadedCredentials {
  LoadedCredentials() {
    files.install(test::make_test_certificates(kNames));
    auto loaded = TlsCredentials::load(files.paths, observer);
    REQUIRE(loaded.is_ok());
    credentials = std::move(loaded).value();
  }

  Files files;
  RecordingObserver observer;
  std::unique_ptr<TlsCredentials> credentials;
};

TEST_CASE("TLS credentials load a certificate and report when it expires", "[tls]") {
  Files files;
  files.install(test::make_test_certificates(kNames, {-60, 3600}));
  RecordingObserver observer;
  auto credentials = TlsCredentials::load(files.paths, observer);
  REQUIRE(credentials.is_ok());
  CHECK(observer.loads == 1);
  const auto expected = std::chrono::system_clock::now() + 1h;
  CHECK(observer.last_not_after > expected - 10s);
  CHECK(observer.last_not_after < expected + 10s);
  CHECK((*credentials)->context() != nullptr);
}

TEST_CASE("TLS credentials refuse files they cannot use, saying why", "[tls]") {
  Files files;
  RecordingObserver observer;
  SECTION("missing") {
    auto credentials = TlsCredentials::load(files.paths, observer);
    REQUIRE_FALSE(credentials.is_ok());
    CHECK_THAT(credentials.status().message(),
               Contains("cannot read " + files.paths.cert_file + ": No such file or directory"));
  }
  SECTION("not PEM") {
    test::write_file_atomically(files.paths.cert_file, "hello\n");
    test::write_file_atomically(files.paths.key_file, test::make_test_certificates(kNames).key_pem);
    auto credentials = TlsCredentials::load(files.paths, observer);
    REQUIRE_FALSE(credentials.is_ok());
    CHECK_THAT(credentials.status().message(), Contains("as a PEM certificate chain"));
  }
  SECTION("a key of another certificate") {
    const auto certificates = test::make_test_certificates(kNames);
    test::write_file_atomically(files.paths.cert_file, certificates.certificate_pem);
    test::write_file_atomically(files.paths.key_file, test::make_test_certificates(kNames).key_pem);
    auto credentials = TlsCredentials::load(files.paths, observer);
    REQUIRE_FALSE(credentials.is_ok());
    CHECK_THAT(credentials.status().message(), Contains("does not belong to the certificate"));
  }
  CHECK(observer.loads == 0);
}

TEST_CASE("A reload replaces the context new connections get, or keeps it", "[tls]") {
  LoadedCredentials loaded;
  Files& files = loaded.files;
  RecordingObserver& observer = loaded.observer;
  TlsCredentials& credentials = *loaded.credentials;
  const auto before = credentials.context();

  SECTION("new files: a new context, the old one still usable by whoever holds it") {
    files.install(test::make_test_certificates(kNames));
    REQUIRE(credentials.reload().is_ok());
    CHECK(credentials.context() != before);
    CHECK(SSL_CTX_get0_certificate(before->native_handle()) != nullptr);
    CHECK(observer.loads == 2);
  }
  SECTION("a broken file: the context stays, the failure is counted") {
    test::write_file_atomically(files.paths.cert_file,
                                "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
    CHECK_FALSE(credentials.reload().is_ok());
    CHECK(credentials.context() == before);
    CHECK(observer.failures == 1);
  }
  SECTION("an expired certificate does not replace a valid one") {
    files.install(test::make_test_certificates(kNames, {-7200, -3600}));
    const Status reloaded = credentials.reload();
    REQUIRE_FALSE(reloaded.is_ok());
    CHECK_THAT(reloaded.message(), Contains("expired at"));
    CHECK(credentials.context() == before);
    CHECK(observer.failures == 1);
  }
}

TEST_CASE("The file watch reloads once the files have settled", "[tls]") {
  LoadedCredentials loaded;
  Files& files = loaded.files;
  RecordingObserver& observer = loaded.observer;
  TlsCredentials& credentials = *loaded.credentials;
  const auto first = credentials.context();

  REQUIRE(credentials.reload_if_changed().is_ok());
  CHECK(credentials.context() == first);  // nothing changed

  // The key changes first, the certificate a moment later: neither look is a reload of a
  // mismatched pair.
  const auto next = test::make_test_certificates(kNames);
  test::write_file_atomically(files.paths.key_file, next.key_pem);
  REQUIRE(credentials.reload_if_changed().is_ok());
  CHECK(credentials.context() == first);
  test::write_file_atomically(files.paths.cert_file, next.certificate_pem);
  REQUIRE(credentials.reload_if_changed().is_ok());
  CHECK(credentials.context() == first);
  // Unchanged since the last look: now it is read.
  REQUIRE(credentials.reload_if_changed().is_ok());
  CHECK(credentials.context() != first);
  CHECK(observer.failures == 0);
  CHECK(observer.loads == 2);
}

}  // namespace
}  // namespace sluice::net
