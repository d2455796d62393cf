#include "storage/delivery_state.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "storage/log_db.hpp"
#include "storage/record.hpp"
#include "storage/shared_log_db.hpp"

namespace sluice::storage {
namespace {

rocksdb::Slice slice(std::string_view text) {
  return rocksdb::Slice(text.data(), text.size());
}

std::string_view view(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

DeliveryState::DeliveryState(SharedLogDb& db, Committer& committer)
    : db_(db), committer_(committer) {}

StatePut DeliveryState::cursor_put(LogDb& db, std::string_view destination,
                                   std::uint64_t sequence) {
  return {db.cursors(), std::string(destination), encode_sequence_key(sequence)};
}

Result<std::uint64_t> DeliveryState::load_cursor(std::string_view destination) const {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  std::string value;
  const rocksdb::Status status =
      db->db().Get(rocksdb::ReadOptions(), db->cursors(), slice(destination), &value);
  if (status.IsNotFound()) return std::uint64_t{0};
  if (!status.ok()) {
    return Status::io_error("cannot read the cursor of " + std::string(destination) + ": " +
                            status.ToString());
  }
  const auto sequence = decode_sequence_key(value);
  if (!sequence) return Status::corruption("malformed cursor of " + std::string(destination));
  return *sequence;
}

// The saves hold their lease until the committer has written (or queued) the change: it keeps
// the column family handle in the change alive, and close() stops the committer, which writes
// everything queued, before it waits for the leases.
Status DeliveryState::save_cursor(std::string_view destination, std::uint64_t sequence) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  return committer_.write({cursor_put(*db, destination, sequence)});
}

Status DeliveryState::queue_cursor(std::string_view destination, std::uint64_t sequence) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  return committer_.queue({cursor_put(*db, destination, sequence)});
}

Result<std::vector<DeadLetter>> DeliveryState::dead_letters(std::string_view destination) const {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  const std::string prefix = dead_letter_prefix(destination);
  std::unique_ptr<rocksdb::Iterator> it(
      db->db().NewIterator(rocksdb::ReadOptions(), db->dead_letters()));
  std::vector<DeadLetter> letters;
  for (it->Seek(prefix); it->Valid() && view(it->key()).starts_with(prefix); it->Next()) {
    auto letter = decode_dead_letter(view(it->key()), view(it->value()), false);
    if (!letter) {
      return Status::corruption("malformed dead letter of " + std::string(destination));
    }
    letters.push_back(std::move(*letter));
  }
  if (!it->status().ok()) {
    return Status::io_error("cannot read the dead letters of " + std::string(destination) + ": " +
                            it->status().ToString());
  }
  return letters;
}

Result<DeadLetter> DeliveryState::dead_letter(std::string_view destination,
                                              std::uint64_t first_sequence) const {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  std::string value;
  const std::string key = dead_letter_key(destination, first_sequence);
  const rocksdb::Status status =
      db->db().Get(rocksdb::ReadOptions(), db->dead_letters(), key, &value);
  if (status.IsNotFound()) {
    return Status::not_found("destination \"" + std::string(destination) +
                             "\" has no dead letter " + std::to_string(first_sequence));
  }
  if (!status.ok()) {
    return Status::io_error("cannot read a dead letter of " + std::string(destination) + ": " +
                            status.ToString());
  }
  auto letter = decode_dead_letter(key, value);
  if (!letter) return Status::corruption("malformed dead letter of " + std::string(destination));
  return std::move(*letter);
}

Status DeliveryState::save_dead_letter(const DeadLetter& letter,
                                       std::optional<std::uint64_t> cursor) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  std::vector<StatePut> puts;
  puts.push_back({db->dead_letters(), dead_letter_key(letter.destination, letter.first_sequence),
                  encode_dead_letter_value(letter)});
  if (cursor) puts.push_back(cursor_put(*db, letter.destination, *cursor));
  return committer_.write(std::move(puts));
}

Status DeliveryState::erase_dead_letter(std::string_view destination,
                                        std::uint64_t first_sequence) {
  const SharedLogDb::Lease db(db_);
  if (!db) return log_closed();
  return committer_.write({{db->dead_letters(),
                            dead_letter_key(destination, first_sequence),
                            {},
                            StatePut::Op::kDelete}});
}

}  // namespace sluice::storage
