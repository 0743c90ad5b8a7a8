// ConnectionPool: up to `max_connections` SqlConnections, opened lazily by a factory and lent out
// one at a time. A connection that reports !healthy() when it comes back is dropped, so the next
// Acquire opens a fresh one; that is how a store survives a PostgreSQL restart.
//
// Errors: Acquire returns the factory's error (Unavailable when the server cannot be reached).
// Thread safety: Acquire and lease release are safe from any thread. Acquire blocks while every
// connection is lent out, so a thread must not hold two leases at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.h"
#include "common/thread_annotations.h"
#include "db/sql_connection.h"

namespace ava::db {

class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<SqlConnection>>()>;

  // Returns its connection to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    SqlConnection& operator*() const { return *conn_; }
    SqlConnection* operator->() const { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<SqlConnection> conn_;
  };

  ConnectionPool(Factory factory, size_t max_connections);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A healthy idle connection, or a new one while fewer than max_connections exist.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqlConnection> conn);

  const Factory factory_;
  const size_t max_connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_ GUARDED_BY(mu_);
  size_t open_ GUARDED_BY(mu_) = 0;  // idle + lent out + being opened
};

}  // namespace ava::db
