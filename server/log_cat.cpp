#include "server/log_cat.hpp"

#include <ostream>

#include "storage/log_reader.hpp"

namespace sluice::server {

int log_cat(const std::string& log_path, std::uint64_t from, std::uint64_t limit, std::ostream& out,
            std::ostream& err) {
  auto reader = storage::LogReader::open(log_path);
  if (!reader.is_ok()) {
    err << "sluice log cat: " << reader.status().message() << '\n';
    return 1;
  }
  std::string line;
  const Status scanned =
      (*reader)->scan(from, limit, [&](std::uint64_t sequence, const storage::Record& record) {
        line.clear();
        line += "{\"seq\":";
        line += std::to_string(sequence);
        line += ",\"event\":";
        line += record.json;
        line += "}\n";
        out << line;
        return static_cast<bool>(out);
      });
  out.flush();
  if (!scanned.is_ok()) {
    err << "sluice log cat: " << scanned.message() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace sluice::server
