#pragma once
// The workspace UI's static files (admin/ui/), compiled into the binary, and their answers on
// the admin listener: GET or HEAD /ui/ (index.html), /ui/<file>; /ui and / redirect to /ui/.
// They hold no secret, so they are served without the admin token; the page then asks for it
// and sends it as a bearer header on every API call.
//
// Every answer carries a strict Content-Security-Policy (scripts, styles and connections only
// from this origin, no inline code, no framing), nosniff and no-referrer.
#include <optional>
#include <span>
#include <string_view>

#include "net/http_types.hpp"

namespace sluice::admin {

struct EmbeddedFile {
  std::string_view path;  // relative to admin/ui/, such as "app.js"
  std::string_view content;
};

// Generated at build time (cmake/EmbedFiles.cmake).
std::span<const EmbeddedFile> ui_files();

// Whether the request is the UI's to answer: GET or HEAD of /, /ui or a path under /ui/.
bool is_ui_request(const net::Request& request);
// The answer to such a request: the file, a redirect, or 404.
net::Response ui_answer(const net::Request& request);

}  // namespace sluice::admin
