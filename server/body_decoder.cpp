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
  DecodeStatus status = DecodeStatus::kOk;
  if (gzip) {
    status = decode_gzip_members(body, &size);
  } else {
    // "deflate" is the zlib format per RFC 9110, but some clients send raw deflate.
    status = decode_whole(libdeflate_zlib_decompress_ex, body, &size);
    if (status == DecodeStatus::kCorrupt) {
      status = decode_whole(libdeflate_deflate_decompress_ex, body, &size);
    }
  }
  if (status != DecodeStatus::kOk) return status;
  *decoded = std::string_view(buffer_.data(), size);
  return DecodeStatus::kOk;
}

DecodeStatus BodyDecoder::decode_gzip_members(std::string_view body, std::size_t* size) {
  // RFC 1952 2.2: a gzip file is a series of members; gzip -d decodes them all. Bytes after a
  // member that do not start another are not gzip data, and are refused rather than ignored.
  std::size_t decoded = 0;
  do {
    std::size_t consumed = 0;
    std::size_t produced = 0;
    const libdeflate_result result = libdeflate_gzip_decompress_ex(
        decompressor_, body.data(), body.size(), buffer_.data() + decoded, limit_ + 1 - decoded,
        &consumed, &produced);
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE) return DecodeStatus::kTooLarge;
    if (result != LIBDEFLATE_SUCCESS) return DecodeStatus::kCorrupt;
    decoded += produced;
    if (decoded > limit_) return DecodeStatus::kTooLarge;
    body.remove_prefix(consumed);
  } while (!body.empty());
  *size = decoded;
  return DecodeStatus::kOk;
}

DecodeStatus BodyDecoder::decode_whole(WholeDecompressor decompress, std::string_view body,
                                       std::size_t* size) {
  std::size_t consumed = 0;
  const libdeflate_result result = decompress(decompressor_, body.data(), body.size(),
                                              buffer_.data(), limit_ + 1, &consumed, size);
  if (result == LIBDEFLATE_INSUFFICIENT_SPACE || (result == LIBDEFLATE_SUCCESS && *size > limit_)) {
    return DecodeStatus::kTooLarge;
  }
  // Trailing bytes after the stream are not part of the body the client meant to send.
  if (result != LIBDEFLATE_SUCCESS || consumed != body.size()) return DecodeStatus::kCorrupt;
  return DecodeStatus::kOk;
}

}  // namespace sluice::server
