#include "bench/sluice_bench/gzip_encoder.hpp"

#include <libdeflate.h>

namespace sluice::bench {

void GzipEncoder::Free::operator()(libdeflate_compressor* compressor) const {
  libdeflate_free_compressor(compressor);
}

GzipEncoder::GzipEncoder(int level) : compressor_(libdeflate_alloc_compressor(level)) {}

std::string_view GzipEncoder::encode(std::string_view input, std::string& scratch) {
  if (!compressor_) return {};
  const std::size_t bound = libdeflate_gzip_compress_bound(compressor_.get(), input.size());
  if (scratch.size() < bound) scratch.resize(bound);
  const std::size_t size = libdeflate_gzip_compress(compressor_.get(), input.data(), input.size(),
                                                    scratch.data(), scratch.size());
  return std::string_view(scratch.data(), size);
}

}  // namespace sluice::bench
