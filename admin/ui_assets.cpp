#include "admin/ui_assets.hpp"

#include <algorithm>
#include <string>

#include "admin/admin_handler.hpp"

namespace sluice::admin {
namespace {

namespace http = net::http;

constexpr std::string_view kPrefix = "/ui/";

// Nothing but this origin's own files; the page calls only this origin's API.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view content_type(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::string_view path_of(const net::Request& request) {
  const std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

void secure(net::Response& response) {
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
}

}  // namespace

bool is_ui_request(const net::Request& request) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) return false;
  const std::string_view path = path_of(request);
  return path == "/" || path == "/ui" || path.starts_with(kPrefix);
}

net::Response ui_answer(const net::Request& request) {
  const std::string_view path = path_of(request);
  if (path == "/" || path == "/ui") {
    net::Response response{http::status::found, request.version()};
    response.set(http::field::location, kPrefix);
    response.set(http::field::cache_control, "no-store");
    secure(response);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    return response;
  }
  std::string_view file = path.substr(kPrefix.size());
  if (file.empty()) file = "index.html";
  const auto files = ui_files();
  const auto found = std::find_if(files.begin(), files.end(),
                                  [file](const EmbeddedFile& entry) { return entry.path == file; });
  if (found == files.end()) {
    net::Response response = AdminHandler::error(request.version(), http::status::not_found,
                                                 "not_found", "no such file: " + std::string(path));
    secure(response);
    return response;
  }
  net::Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, content_type(found->path));
  // The files change only with the binary; revalidating each load keeps an upgrade visible.
  response.set(http::field::cache_control, "no-cache");
  secure(response);
  response.body() = std::string(found->content);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

}  // namespace sluice::admin
