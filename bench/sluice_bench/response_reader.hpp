#pragma once

// Parses one HTTP response for the load generator with Beast's basic_parser, keeping only
// what sluice-bench needs: the status, keep-alive, and the first bytes of the body (enough to
// see a batch's "rejected" list). Unlike http::response_parser it stores no header fields,
// so reading a response allocates nothing.
//
// One reader per response: construct it, pass it to http::async_read, then read status() and
// body(). The body buffer belongs to the caller and is reused across responses.

#include <cstddef>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

namespace sluice::bench {

class ResponseReader : public boost::beast::http::basic_parser<false> {
 public:
  // Keeps at most body_limit bytes of the body in *body (cleared first).
  ResponseReader(std::string* body, std::size_t body_limit);

  int status() const { return status_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view data, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code&) override;
  void on_finish_impl(error_code&) override {}

  std::string* body_;
  std::size_t body_limit_;
  int status_ = 0;
};

}  // namespace sluice::bench
