#pragma once

// The Beast message types both HTTP servers speak: whole requests and answers held in strings.

#include <boost/beast/http.hpp>

namespace sluice::net {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using RequestParser = http::request_parser<http::string_body>;

}  // namespace sluice::net
