#pragma once

// The admin API server: an HTTP/1.1 listener of its own (config [admin]), separate from the
// tracking API's, serving JSON to operators over a router::RouterControl (admin/README.md).
// One io_context on one thread of its own, so admin requests never run on, or wait for, the
// intake IO threads; bounded by AdminLimits.
//
// Lifecycle: start() binds and serves at once → stop() (or the destructor) stops accepting,
// lets a request in progress finish for up to drain_timeout, and joins the thread. The
// RouterControl must outlive the server; the config is copied.
//
// Thread-safety: port() and stop() may be called from any thread but the admin thread itself
// (a RouterControl implementation must not stop the server from inside a call).

#include <cstdint>
#include <memory>
#include <string>

#include "admin/admin_handler.hpp"
#include "admin/admin_limits.hpp"
#include "admin/admin_services.hpp"
#include "config/config.hpp"
#include "router/router_control.hpp"

namespace sluice::admin {

class AdminServer {
 public:
  // Binds config.listen_host:listen_port and starts serving on a new thread. nullptr and
  // *error (for the operator: what could not be done, and why) when it cannot listen.
  // config.token must not be empty (config/ guarantees 16+ characters when enabled).
  static std::unique_ptr<AdminServer> start(const config::AdminConfig& config,
                                            router::RouterControl& control, std::string* error,
                                            const AdminLimits& limits = {},
                                            const AdminServices& services = {});
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The bound port: the real one when the config asked for port 0.
  std::uint16_t port() const;

  // Stops accepting, closes idle connections, lets a request in progress finish for up to
  // AdminLimits::drain_timeout, then closes the rest and joins the admin thread. Idempotent.
  void stop();

 private:
  class Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::admin
