#pragma once

// The TLS server side of a listener: the certificate and key it presents, loaded from PEM files
// into an OpenSSL context, and replaced while the server runs. Each connection takes the
// context in force when it starts its handshake and keeps it (a shared_ptr) for its lifetime,
// so a reload changes what new handshakes present and never disturbs open connections. A
// reload that fails (a file missing, unreadable or not PEM, a key that does not match the
// certificate, a certificate already expired) keeps the context in force and says why.
//
// Thread-safe: the IO threads call context() while an operator's SIGHUP or the file watch
// calls reload() or reload_if_changed() on another thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

#include "common/mutex.hpp"
#include "common/status.hpp"

namespace sluice::net {

enum class TlsMinVersion { kTls12, kTls13 };

struct TlsFiles {
  std::string cert_file;  // PEM: the certificate, then its chain
  std::string key_file;   // PEM: the private key
  TlsMinVersion min_version = TlsMinVersion::kTls12;
};

// What the credentials report, for metrics. Called on the thread that loads or reloads.
class TlsObserver {
 public:
  virtual ~TlsObserver() = default;
  // A certificate is now in force; not_after is the end of its validity.
  virtual void certificate_loaded(std::chrono::system_clock::time_point /*not_after*/) {}
  virtual void reload_failed() {}
};

class TlsCredentials {
 public:
  // Loads the files. A certificate that has expired is served (with an error in the log):
  // clients decide, and an outage should not also stop the server's other listeners.
  static Result<std::unique_ptr<TlsCredentials>> load(TlsFiles files, TlsObserver& observer);

  // The context new handshakes use.
  std::shared_ptr<boost::asio::ssl::context> context() const;
  // The end of the validity of the certificate in force.
  std::chrono::system_clock::time_point not_after() const;

  // Re-reads both files now (SIGHUP). On failure the context in force stays, the observer
  // hears reload_failed(), and the Status says why.
  Status reload();
  // Reloads once the files have changed and then stayed unchanged for one call, so that a
  // certificate and key replaced one after the other are read as a pair: for a periodic
  // watch. Ok when nothing was to be done.
  Status reload_if_changed();

 private:
  // What tells one version of a file from the next: replacing it (a rename, as certbot and
  // Kubernetes secrets do) changes the inode, rewriting it changes the time or size.
  struct FileStamp {
    std::uint64_t inode = 0;
    std::int64_t modified_ns = 0;
    std::int64_t size = -1;
    bool operator==(const FileStamp&) const = default;
  };
  struct Stamps {
    FileStamp cert;
    FileStamp key;
    bool operator==(const Stamps&) const = default;
  };
  struct Loaded {
    std::shared_ptr<boost::asio::ssl::context> context;
    std::chrono::system_clock::time_point not_after;
  };

  TlsCredentials(TlsFiles files, TlsObserver& observer);

  Stamps read_stamps() const;
  // A context from the files as they are now, or why there is none.
  Result<Loaded> build() const;
  Status install(bool refuse_expired);

  const TlsFiles files_;
  TlsObserver& observer_;
  mutable Mutex mutex_;
  Loaded current_ GUARDED_BY(mutex_);
  Stamps loaded_stamps_ GUARDED_BY(mutex_);
  Stamps seen_stamps_ GUARDED_BY(mutex_);  // at the last reload_if_changed()
};

}  // namespace sluice::net
