// PlaceGang: all members of a gang, or none. Members are placed one after another with the given
// policy, each allocated on the cluster before the next is placed (so two members never count on
// the same free GPU), the largest members first because they are the hardest to fit. If one member
// finds no node, everything taken so far is released and the cluster is exactly as before.
//
// Thread safety: mutates `cluster`; the caller serialises.
#pragma once

#include <optional>
#include <vector>

#include "sched/cluster.h"
#include "sched/policy.h"

namespace ava::sched {

// Placements in member order, or nullopt (cluster unchanged).
std::optional<GangPlacement> PlaceGang(Cluster& cluster, Policy& policy, const std::vector<Demand>& members);

// Releases every placement of a gang.
Status ReleaseGang(Cluster& cluster, const GangPlacement& placement);

}  // namespace ava::sched
