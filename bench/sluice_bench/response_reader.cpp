#include "bench/sluice_bench/response_reader.hpp"

#include <algorithm>

namespace sluice::bench {

ResponseReader::ResponseReader(std::string* body, std::size_t body_limit)
    : body_(body), body_limit_(body_limit) {
  body_->clear();
  // Whatever a server answers, the run goes on: a large body is skipped, not refused.
  this->body_limit(boost::none);
  // Parse header and body in one put() when both are there: one pass per response.
  eager(true);
}

std::size_t ResponseReader::on_body_impl(string_view data, error_code&) {
  if (body_->size() < body_limit_) {
    body_->append(data.data(), std::min(data.size(), body_limit_ - body_->size()));
  }
  return data.size();
}

std::size_t ResponseReader::on_chunk_body_impl(std::uint64_t, string_view data, error_code& ec) {
  return on_body_impl(data, ec);
}

}  // namespace sluice::bench
