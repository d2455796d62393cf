#pragma once

// The Beast message types the server speaks.

#include <boost/beast/http.hpp>

namespace sluice::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

}  // namespace sluice::server
