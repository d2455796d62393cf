#include "storage/delivery_state.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "storage/record.hpp"

namespace sluice::storage {
namespace {

rocksdb::Slice slice(std::string_view text) {
  return rocksdb::Slice(text.data(), text.size());
}

std::string_view view(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

}  // namespace

DeliveryState::DeliveryState(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& cursors,
                             rocksdb::ColumnFamilyHandle& dead_letters)
    : db_(db), cursors_(cursors), dead_letters_(dead_letters) {}

Result<std::uint64_t> DeliveryState::load_cursor(std::string_view destination) const {
  std::string value;
  const rocksdb::Status status =
      db_.Get(rocksdb::ReadOptions(), &cursors_, slice(destination), &value);
  if (status.IsNotFound()) return std::uint64_t{0};
  if (!status.ok()) {
    return Status::io_error("cannot read the cursor of " + std::string(destination) + ": " +
                            status.ToString());
  }
  const auto sequence = decode_sequence_key(value);
  if (!sequence) return Status::corruption("malformed cursor of " + std::string(destination));
  return *sequence;
}

Result<std::vector<DeadLetter>> DeliveryState::dead_letters(std::string_view destination) const {
  const std::string prefix = dead_letter_prefix(destination);
  std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), &dead_letters_));
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
  std::string value;
  const std::string key = dead_letter_key(destination, first_sequence);
  const rocksdb::Status status = db_.Get(rocksdb::ReadOptions(), &dead_letters_, key, &value);
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

std::vector<StatePut> DeliveryState::cursor_puts(std::string_view destination,
                                                 std::uint64_t sequence) const {
  std::vector<StatePut> puts;
  puts.push_back({&cursors_, std::string(destination), encode_sequence_key(sequence)});
  return puts;
}

std::vector<StatePut> DeliveryState::dead_letter_puts(const DeadLetter& letter,
                                                      std::optional<std::uint64_t> cursor) const {
  std::vector<StatePut> puts;
  puts.push_back({&dead_letters_, dead_letter_key(letter.destination, letter.first_sequence),
                  encode_dead_letter_value(letter)});
  if (cursor) puts.push_back({&cursors_, letter.destination, encode_sequence_key(*cursor)});
  return puts;
}

std::vector<StatePut> DeliveryState::dead_letter_erase_puts(std::string_view destination,
                                                            std::uint64_t first_sequence) const {
  std::vector<StatePut> puts;
  puts.push_back(
      {&dead_letters_, dead_letter_key(destination, first_sequence), {}, StatePut::Op::kDelete});
  return puts;
}

}  // namespace sluice::storage
