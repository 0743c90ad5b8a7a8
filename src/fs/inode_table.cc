#include "fs/inode_table.h"

#include <vector>

namespace ava::fs {

InodeTable::InodeTable() {
  Node root;
  root.info.ino = kRootIno;
  root.info.parent = kRootIno;
  root.info.is_dir = true;
  root.permanent = true;
  nodes_.emplace(kRootIno, std::move(root));
}

std::string InodeTable::ChildKey(uint64_t parent, const std::string& name) {
  std::string k = std::to_string(parent);
  k += '/';
  k += name;
  return k;
}

std::string InodeTable::RelLocked(uint64_t ino) const {
  std::vector<const Node*> chain;
  for (auto it = nodes_.find(ino); it != nodes_.end() && it->second.info.mount >= 0;) {
    const Node& n = it->second;
    if (n.info.parent == kRootIno) break;  // a mount root: rel ""
    chain.push_back(&n);
    it = nodes_.find(n.info.parent);
  }
  std::string rel;
  for (auto c = chain.rbegin(); c != chain.rend(); ++c) {
    rel += (*c)->name;
    if ((*c)->info.is_dir) rel += '/';
  }
  return rel;
}

InodeInfo InodeTable::InfoLocked(const Node& node) const {
  InodeInfo out = node.info;
  out.rel = RelLocked(node.info.ino);
  return out;
}

uint64_t InodeTable::AddMountRoot(const std::string& name, int mount) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t ino = next_ino_++;
  Node n;
  n.info.ino = ino;
  n.info.parent = kRootIno;
  n.info.mount = mount;
  n.info.is_dir = true;
  n.name = name;
  n.permanent = true;
  nodes_.emplace(ino, std::move(n));
  by_name_[ChildKey(kRootIno, name)] = ino;
  return ino;
}

InodeInfo InodeTable::Remember(uint64_t parent, const std::string& name, const InodeInfo& info,
                               uint64_t lookups, bool* etag_changed) {
  if (etag_changed != nullptr) *etag_changed = false;
  std::lock_guard<std::mutex> lock(mu_);
  std::string key = ChildKey(parent, name);
  auto it = by_name_.find(key);
  if (it != by_name_.end()) {
    Node& n = nodes_.at(it->second);
    // A name that changed kind (file replaced by a directory) gets a new inode.
    if (n.info.is_dir == info.is_dir) {
      if (etag_changed != nullptr) *etag_changed = !info.is_dir && n.info.etag != info.etag;
      n.nlookup += lookups;
      n.info.size = info.size;
      n.info.etag = info.etag;
      n.info.mtime_ns = info.mtime_ns;
      return InfoLocked(n);
    }
    by_name_.erase(it);  // the old inode lives on until the kernel forgets it
  }
  uint64_t ino = next_ino_++;
  Node n;
  n.info = info;
  n.info.ino = ino;
  n.info.parent = parent;
  n.name = name;
  n.nlookup = lookups;
  nodes_.emplace(ino, std::move(n));
  by_name_[key] = ino;
  return InfoLocked(nodes_.at(ino));
}

std::optional<InodeInfo> InodeTable::Get(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return std::nullopt;
  return InfoLocked(it->second);
}

void InodeTable::Rename(uint64_t parent, const std::string& name, uint64_t new_parent,
                        const std::string& new_name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(ChildKey(parent, name));
  if (it == by_name_.end()) return;
  uint64_t ino = it->second;
  by_name_.erase(it);
  by_name_[ChildKey(new_parent, new_name)] = ino;  // replaces whatever had the target name
  Node& n = nodes_.at(ino);
  n.info.parent = new_parent;
  n.name = new_name;
}

void InodeTable::Unlink(uint64_t parent, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  by_name_.erase(ChildKey(parent, name));
}

uint64_t InodeTable::Find(uint64_t parent, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(ChildKey(parent, name));
  return it == by_name_.end() ? 0 : it->second;
}

void InodeTable::UpdateAttrs(uint64_t ino, uint64_t size, const std::string& etag, int64_t mtime_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return;
  it->second.info.size = size;
  it->second.info.etag = etag;
  it->second.info.mtime_ns = mtime_ns;
}

std::string InodeTable::SetOpenedEtag(uint64_t ino, const std::string& etag) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return "";
  std::string prev = std::move(it->second.info.opened_etag);
  it->second.info.opened_etag = etag;
  return prev;
}

void InodeTable::Forget(uint64_t ino, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return;
  Node& node = it->second;
  node.nlookup -= std::min(n, node.nlookup);
  if (node.nlookup > 0 || node.permanent) return;
  auto name_it = by_name_.find(ChildKey(node.info.parent, node.name));
  if (name_it != by_name_.end() && name_it->second == ino) by_name_.erase(name_it);
  nodes_.erase(it);
}

size_t InodeTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nodes_.size();
}

uint64_t InodeTable::LookupCount(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  return it == nodes_.end() ? 0 : it->second.nlookup;
}

}  // namespace ava::fs
