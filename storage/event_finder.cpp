#include "storage/event_finder.hpp"

#include "storage/dedup_key.hpp"
#include "storage/event_log.hpp"
#include "storage/record.hpp"

namespace sluice::storage {

std::optional<FoundEvent> EventFinder::find(std::string_view source,
                                            std::string_view message_id) const {
  const std::optional<DedupKey> key = dedup_key(source, message_id);
  if (!key) return std::nullopt;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const std::optional<std::uint64_t> sequence = log_.dedup().find(*key, now_ms);
  if (!sequence) return std::nullopt;
  FoundEvent found;
  found.sequence = *sequence;
  const auto read =
      log_.records().read(*sequence, 1, 0, [&found](std::uint64_t at, const Record& record) {
        if (at == found.sequence) encode_record(record, found.record);
        return true;
      });
  if (!read.is_ok()) return std::nullopt;
  return found;
}

}  // namespace sluice::storage
