#pragma once

// The Beast message types the admin server speaks.

#include <boost/beast/http.hpp>

namespace sluice::admin {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

}  // namespace sluice::admin
