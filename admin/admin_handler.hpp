#pragma once

// Answers one admin API request that has passed the token check: matches its path, checks its
// method, calls RouterControl and renders the answer as JSON (admin/README.md). A plain
// request → response function with no socket types; sockets, limits and the token check are
// the session's job.
//
// One AdminHandler per admin thread: it holds a reused JSON parser, so it is not thread-safe.
// The RouterControl and the SourceCatalog must outlive it. Its calls run on the calling thread and
// may block briefly (they read the log); only other admin requests wait on them.

#include <functional>
#include <string_view>

#include "admin/admin_services.hpp"
#include "admin/replay_request.hpp"
#include "net/http_types.hpp"
#include "router/router_control.hpp"
#include "storage/event_finder.hpp"

namespace sluice::admin {

namespace http = net::http;
using net::Request;
using net::Response;

class AdminHandler {
 public:
  // Without a service, its endpoints are 404 (admin_services.hpp).
  explicit AdminHandler(router::RouterControl& control, AdminServices services = {});
  Response handle(const Request& request);

  // A JSON error response: {"error":{"code","message"}}.
  static Response error(unsigned version, http::status status, std::string_view code,
                        std::string_view message);
  // 401 with WWW-Authenticate: Bearer, for a request without the right token.
  static Response unauthorized(unsigned version);

 private:
  Response destination(const Request& request, std::string_view name) const;
  Response pause_or_resume(const Request& request, std::string_view name, bool pause);
  Response replay(const Request& request, std::string_view name);
  Response dead_letters(const Request& request, std::string_view name) const;
  Response dead_letter(const Request& request, std::string_view name, std::uint64_t id) const;
  Response redeliver(const Request& request, std::string_view name, std::uint64_t id);
  Response reload(const Request& request);
  Response sources(const Request& request);
  Response source(const Request& request, std::string_view name);
  Response add_key(const Request& request, std::string_view name);
  Response revoke_key(const Request& request, std::string_view name, std::string_view key);
  Response event(const Request& request, std::string_view message_id, std::string_view query) const;

  router::RouterControl& control_;
  Response workspace(const Request& request) const;

  AdminServices services_;
  ReplayRequestParser replay_parser_;
};

}  // namespace sluice::admin
