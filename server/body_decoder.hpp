#pragma once

// Content-Encoding decoding of request bodies with a hard bound on the decoded size, so a
// gzip bomb costs at most `limit` bytes of memory and is refused, never inflated.
//
// One BodyDecoder per IO thread: it owns the libdeflate decompressor and the output buffer.

#include <string>
#include <string_view>

struct libdeflate_decompressor;

namespace sluice::server {

enum class DecodeStatus {
  kOk,
  kUnsupportedEncoding,  // not identity, gzip or deflate
  kCorrupt,              // not valid data of the named encoding
  kTooLarge,             // decodes to more than the limit
};

class BodyDecoder {
 public:
  explicit BodyDecoder(std::size_t limit);
  ~BodyDecoder();
  BodyDecoder(const BodyDecoder&) = delete;
  BodyDecoder& operator=(const BodyDecoder&) = delete;

  // Decodes body per the Content-Encoding header value. On kOk, *decoded points at the body
  // itself (identity) or at the decoder's buffer, valid until the next call.
  DecodeStatus decode(std::string_view content_encoding, std::string_view body,
                      std::string_view* decoded);

 private:
  std::size_t limit_;
  libdeflate_decompressor* decompressor_;
  std::string buffer_;
};

}  // namespace sluice::server
