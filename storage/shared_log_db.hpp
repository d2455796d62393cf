#pragma once

// The open database (log_db.hpp), shared by the parts of the log that read it or hand writes to
// the committer (RecordLog, DeliveryState), with the promise that it is not closed under them.
// A part holds a Lease for the length of one operation; close() waits until no lease is held,
// then closes RocksDB, and every later lease is empty: the operation fails with log_closed().
//
// The committer uses the database without a lease: EventLog::close() stops it before close().
//
// Thread-safety: leases may be taken from any thread, concurrently; close() from the owner.

#include <memory>

#include "common/mutex.hpp"
#include "common/status.hpp"
#include "storage/log_db.hpp"

namespace sluice::storage {

// What an operation on the log answers once it is closed.
Status log_closed();

class SharedLogDb {
 public:
  explicit SharedLogDb(std::unique_ptr<LogDb> db);
  ~SharedLogDb();
  SharedLogDb(const SharedLogDb&) = delete;
  SharedLogDb& operator=(const SharedLogDb&) = delete;

  // The database for as long as the Lease lives; empty (false) once closed. A lease must not be
  // held while waiting for something that close() waits for.
  class SCOPED_CAPABILITY Lease {
   public:
    explicit Lease(const SharedLogDb& shared) ACQUIRE_SHARED(shared.mutex_);
    ~Lease() RELEASE();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    explicit operator bool() const { return db_ != nullptr; }
    LogDb* operator->() const { return db_; }
    LogDb& operator*() const { return *db_; }

   private:
    SharedMutex& mutex_;
    LogDb* db_;
  };

  // Waits for the leases in progress, then closes the database, syncing its WAL when sync_wal
  // (log_db.hpp says when it must not). Idempotent.
  void close(bool sync_wal = true) EXCLUDES(mutex_);

 private:
  mutable SharedMutex mutex_;
  std::unique_ptr<LogDb> db_ GUARDED_BY(mutex_);
};

}  // namespace sluice::storage
