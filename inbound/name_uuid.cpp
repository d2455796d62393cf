#include "inbound/name_uuid.hpp"

#include <array>
#include <openssl/sha.h>

namespace sluice::inbound {
namespace {

// Sluice's namespace UUID, 6c1d5f0e-3a8b-5e4f-9d2c-7b1a0e6f4c3d: fixed forever, since changing
// it would give every recipient a new anonymousId.
constexpr std::array<unsigned char, 16> kNamespace{0x6c, 0x1d, 0x5f, 0x0e, 0x3a, 0x8b, 0x5e, 0x4f,
                                                   0x9d, 0x2c, 0x7b, 0x1a, 0x0e, 0x6f, 0x4c, 0x3d};

}  // namespace

std::string name_uuid(std::string_view name) {
  std::string input(reinterpret_cast<const char*>(kNamespace.data()), kNamespace.size());
  input.append(name);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 9562 variant
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0xf];
  }
  return out;
}

}  // namespace sluice::inbound
