#pragma once

// gzip-compresses request bodies for `--gzip` (Content-Encoding: gzip) with libdeflate, whose
// one-shot compressor is several times faster than zlib's at the same level: the generator
// must not become the bottleneck of a gzip run.
//
// One encoder per thread (it owns the compressor state); not thread-safe.

#include <memory>
#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace sluice::bench {

class GzipEncoder {
 public:
  // level: 1 (fastest) to 12; SDKs that compress use zlib's default, 6, which inflates at
  // about the same cost.
  explicit GzipEncoder(int level);

  // The gzip member of input, written into scratch, which only ever grows: a buffer reused for
  // bodies of similar size is neither reallocated nor cleared. Empty only when the compressor
  // could not be allocated or failed.
  std::string_view encode(std::string_view input, std::string& scratch);

  bool ok() const { return compressor_ != nullptr; }

 private:
  struct Free {
    void operator()(libdeflate_compressor* compressor) const;
  };
  std::unique_ptr<libdeflate_compressor, Free> compressor_;
};

}  // namespace sluice::bench
