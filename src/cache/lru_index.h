// LruIndex<V>: the index of one cache tier — a hash map from BlockKey to an entry, threaded on a
// recency list, with charge accounting (the sum of every entry's charge, maintained on each change).
//
// Entries live in a std::list ordered from least to most recently used; a hash set of list
// iterators, hashed and compared by the entry's key (heterogeneous lookup), finds them, so each key
// is stored once. Moving an entry to the most recent end is a splice: O(1), no allocation.
//
// Metadata cost per entry, counted by the tiers in their usage: see kEntryOverheadBytes and
// EntryMetadataBytes below — the list node (entry + two links), the hash node (next pointer,
// iterator, cached hash), about one bucket pointer, and the key's strings.
//
// Errors: none; lookups of absent keys return nullptr / nullopt.
// Thread safety: none. The owning tier guards it with its mutex.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_set>
#include <utility>

#include "cache/block_key.h"

namespace ava::cache {

template <typename V>
class LruIndex {
 public:
  struct Entry {
    BlockKey key;
    uint64_t charge = 0;
    V value{};
  };

  // List node (entry + prev/next) + hash node (next, iterator, cached hash) + ~one bucket pointer.
  static constexpr uint64_t kEntryOverheadBytes =
      sizeof(Entry) + 2 * sizeof(void*) + 3 * sizeof(void*) + sizeof(void*);

  // The bytes of index memory one entry for `key` costs (the key's strings counted by size, which
  // under-counts their heap rounding slightly and over-counts short strings kept inline).
  static uint64_t EntryMetadataBytes(const BlockKey& key) {
    return kEntryOverheadBytes + key.store.size() + key.key.size() + key.etag.size();
  }

  LruIndex() = default;
  LruIndex(const LruIndex&) = delete;
  LruIndex& operator=(const LruIndex&) = delete;
  LruIndex(LruIndex&&) = default;
  LruIndex& operator=(LruIndex&&) = default;

  // The entry, or nullptr; recency unchanged. The pointer is valid until the entry is erased.
  Entry* Find(const BlockKey& key) {
    auto it = set_.find(key);
    return it == set_.end() ? nullptr : &**it;
  }
  const Entry* Find(const BlockKey& key) const {
    auto it = set_.find(key);
    return it == set_.end() ? nullptr : &**it;
  }

  // Like Find, and makes the entry the most recently used.
  Entry* FindAndTouch(const BlockKey& key) {
    auto it = set_.find(key);
    if (it == set_.end()) return nullptr;
    list_.splice(list_.end(), list_, *it);
    return &**it;
  }

  enum class Position { kMostRecent, kLeastRecent };

  // Adds an entry; `key` must not be present (use Find first). kLeastRecent puts it at the cold end
  // (used when merging older entries under newer ones).
  Entry& Insert(BlockKey key, uint64_t charge, V value, Position pos = Position::kMostRecent) {
    auto where = pos == Position::kMostRecent ? list_.end() : list_.begin();
    auto it = list_.insert(where, Entry{std::move(key), charge, std::move(value)});
    set_.insert(it);
    total_charge_ += charge;
    return *it;
  }

  // Changes an entry's charge, keeping the total right.
  void SetCharge(Entry* e, uint64_t charge) {
    total_charge_ = total_charge_ - e->charge + charge;
    e->charge = charge;
  }

  // Removes and returns the entry for `key`, if any.
  std::optional<Entry> Erase(const BlockKey& key) {
    auto it = set_.find(key);
    if (it == set_.end()) return std::nullopt;
    return Remove(it);
  }

  // Removes and returns the least recently used entry, if any.
  std::optional<Entry> PopLeastRecent() {
    if (list_.empty()) return std::nullopt;
    return Remove(set_.find(list_.front().key));
  }

  // The least recently used entry, or nullptr when empty.
  const Entry* LeastRecent() const { return list_.empty() ? nullptr : &list_.front(); }

  // Calls fn(const Entry&) from the least to the most recently used.
  template <typename Fn>
  void ForEachLeastToMostRecent(Fn&& fn) const {
    for (const Entry& e : list_) fn(e);
  }
  // Calls fn(const Entry&) from the most to the least recently used.
  template <typename Fn>
  void ForEachMostToLeastRecent(Fn&& fn) const {
    for (auto it = list_.rbegin(); it != list_.rend(); ++it) fn(*it);
  }

  size_t size() const { return list_.size(); }
  bool empty() const { return list_.empty(); }
  uint64_t total_charge() const { return total_charge_; }

 private:
  using ListIter = typename std::list<Entry>::iterator;

  struct Hash {
    using is_transparent = void;
    size_t operator()(const BlockKey& k) const { return BlockKeyHash{}(k); }
    size_t operator()(const ListIter& it) const { return BlockKeyHash{}(it->key); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(const ListIter& a, const ListIter& b) const { return a == b; }
    bool operator()(const BlockKey& a, const ListIter& b) const { return a == b->key; }
    bool operator()(const ListIter& a, const BlockKey& b) const { return a->key == b; }
  };

  Entry Remove(typename std::unordered_set<ListIter, Hash, Eq>::iterator set_it) {
    ListIter it = *set_it;
    set_.erase(set_it);
    total_charge_ -= it->charge;
    Entry e = std::move(*it);
    list_.erase(it);
    return e;
  }

  std::list<Entry> list_;  // least recently used first
  std::unordered_set<ListIter, Hash, Eq> set_;
  uint64_t total_charge_ = 0;
};

}  // namespace ava::cache
