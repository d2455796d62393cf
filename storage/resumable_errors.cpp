#include "storage/resumable_errors.hpp"

namespace sluice::storage {

void ResumableErrors::OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/,
                                        rocksdb::Status* error) {
  // Data loss arrives as an unrecoverable error and corruption with its own code; neither is
  // an I/O error above hard severity that this would lower.
  if (error->IsIOError() && !error->IsIOFenced() &&
      error->severity() == rocksdb::Status::Severity::kFatalError) {
    *error = rocksdb::Status(*error, rocksdb::Status::Severity::kHardError);
  }
}

void ResumableErrors::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                                           rocksdb::Status error, bool* auto_recovery) {
  error.PermitUncheckedError();
  *auto_recovery = false;
}

}  // namespace sluice::storage
