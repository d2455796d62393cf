#pragma once

// Content-Encoding decoding of request bodies with a hard bound on the decoded size, so a
// gzip bomb costs at most `limit` bytes of memory and is refused, never inflated.
//
// One BodyDecoder per IO thread: it owns the libdeflate decompressor and the output buffer.

#include <string>
#include <string_view>

#include <libdeflate.h>

namespace sluice::server {

enum class DecodeStatus {
  kOk,
  kUnsupportedEncoding,  // not identity, gzip or deflate
  kCorrupt,              // not valid data of the named encoding, or bytes after it
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
  // The limit for the bodies decoded from now on (a reload changed it).
  void set_limit(std::size_t limit) { limit_ = limit; }

 private:
  // libdeflate's zlib or raw deflate decompressor, reporting the input it consumed.
  using WholeDecompressor = libdeflate_result (*)(libdeflate_decompressor*, const void*,
                                                  std::size_t, void*, std::size_t, std::size_t*,
                                                  std::size_t*);

  // Every gzip member of body, one after the other, into buffer_.
  DecodeStatus decode_gzip_members(std::string_view body, std::size_t* size);
  // One zlib or raw deflate stream that must span the whole body, into buffer_.
  DecodeStatus decode_whole(WholeDecompressor decompress, std::string_view body, std::size_t* size);

  std::size_t limit_;
  libdeflate_decompressor* decompressor_;
  std::string buffer_;
};

}  // namespace sluice::server
