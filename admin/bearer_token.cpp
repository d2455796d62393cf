#include "admin/bearer_token.hpp"

#include <cassert>

#include <boost/algorithm/string/predicate.hpp>

namespace sluice::admin {
namespace {

constexpr std::string_view kScheme = "Bearer";

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
  assert(!b.empty() && "the token is checked to be non-empty by config/");
  // Every byte of a is compared (with b repeated to a's length) and the differences are OR-ed
  // together, with no early exit; a length mismatch is folded in the same way.
  unsigned difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i % b.size()]);
  }
  return difference == 0;
}

BearerToken::BearerToken(std::string token) : token_(std::move(token)) {
  assert(!token_.empty());
}

bool BearerToken::accepts(std::string_view authorization) const {
  authorization = trim_blanks(authorization);
  if (authorization.size() <= kScheme.size() ||
      !boost::algorithm::iequals(authorization.substr(0, kScheme.size()), kScheme) ||
      (authorization[kScheme.size()] != ' ' && authorization[kScheme.size()] != '\t')) {
    return false;
  }
  return constant_time_equals(trim_blanks(authorization.substr(kScheme.size())), token_);
}

}  // namespace sluice::admin
