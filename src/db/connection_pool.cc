#include "db/connection_pool.h"

#include <utility>

namespace ava::db {

ConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

ConnectionPool::ConnectionPool(Factory factory, size_t max_connections)
    : factory_(std::move(factory)), max_connections_(max_connections == 0 ? 1 : max_connections) {}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      std::unique_ptr<SqlConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->healthy()) return Lease(this, std::move(conn));
      --open_;
      continue;
    }
    if (open_ < max_connections_) break;
    cv_.wait(lock);
  }
  ++open_;
  lock.unlock();
  // Opening may take a network round trip; nobody waits on mu_ meanwhile.
  Result<std::unique_ptr<SqlConnection>> conn = factory_();
  if (!conn.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void ConnectionPool::Release(std::unique_ptr<SqlConnection> conn) {
  std::unique_ptr<SqlConnection> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conn->healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      dropped = std::move(conn);  // closed outside the lock
      --open_;
    }
  }
  cv_.notify_one();
}

}  // namespace ava::db
