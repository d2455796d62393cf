#include "server/body_decoder.hpp"

#include <new>

#include <boost/algorithm/string/predicate.hpp>
#include <libdeflate.h>

namespace sluice::server {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

BodyDecoder::BodyDecoder(std::size_t limit)
    : limit_(limit), decompressor_(libdeflate_alloc_decompressor()) {
  if (!decompressor_) throw std::bad_alloc();
}

BodyDecoder::~BodyDecoder() {
  libdeflate_free_decompressor(decompressor_);
}

DecodeStatus BodyDecoder::decode(std::string_view content_encoding, std::string_view body,
                                 std::string_view* decoded) {
  using boost::algorithm::iequals;
  std::string_view encoding = trim(content_encoding);
  if (encoding.empty() || iequals(encoding, "identity")) {
    *decoded = body;
    return DecodeStatus::kOk;
  }
  bool gzip = iequals(encoding, "gzip") || iequals(encoding, "x-gzip");
  if (!gzip && !iequals(encoding, "deflate")) return DecodeStatus::kUnsupportedEncoding;

  // One byte more than the limit, so "exactly full" and "would overflow" differ.
  if (buffer_.size() < limit_ + 1) buffer_.resize(limit_ + 1);
  std::size_t size = 0;
  libdeflate_result result;
  if (gzip) {
    result = libdeflate_gzip_decompress(decompressor_, body.data(), body.size(), buffer_.data(),
                                        limit_ + 1, &size);
  } else {
    // "deflate" is the zlib format per RFC 9110, but some clients send raw deflate.
    result = libdeflate_zlib_decompress(decompressor_, body.data(), body.size(), buffer_.data(),
                                        limit_ + 1, &size);
    if (result == LIBDEFLATE_BAD_DATA) {
      result = libdeflate_deflate_decompress(decompressor_, body.data(), body.size(),
                                             buffer_.data(), limit_ + 1, &size);
    }
  }
  if (result == LIBDEFLATE_INSUFFICIENT_SPACE || (result == LIBDEFLATE_SUCCESS && size > limit_)) {
    return DecodeStatus::kTooLarge;
  }
  if (result != LIBDEFLATE_SUCCESS) return DecodeStatus::kCorrupt;
  *decoded = std::string_view(buffer_.data(), size);
  return DecodeStatus::kOk;
}

}  // namespace sluice::server
