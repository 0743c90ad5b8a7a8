#include "gpu/gpu_path.h"

#include <fmt/format.h>

#include <charconv>

namespace ava::gpu {

std::string GpuPathName(GpuPath path) {
  switch (path.kind) {
    case PathKind::kSelf:
      return "X";
    case PathKind::kNvLink:
      return fmt::format("NV{}", path.nvlinks);
    case PathKind::kPix:
      return "PIX";
    case PathKind::kPxb:
      return "PXB";
    case PathKind::kPhb:
      return "PHB";
    case PathKind::kNode:
      return "NODE";
    case PathKind::kSys:
      return "SYS";
  }
  return "?";
}

Result<GpuPath> ParseGpuPath(std::string_view cell) {
  if (cell == "X") return GpuPath{PathKind::kSelf, 0};
  if (cell == "PIX") return GpuPath{PathKind::kPix, 0};
  if (cell == "PXB") return GpuPath{PathKind::kPxb, 0};
  if (cell == "PHB") return GpuPath{PathKind::kPhb, 0};
  if (cell == "NODE") return GpuPath{PathKind::kNode, 0};
  if (cell == "SYS" || cell == "SOC") return GpuPath{PathKind::kSys, 0};
  if (cell.size() > 2 && cell.substr(0, 2) == "NV") {
    int links = 0;
    auto [end, ec] = std::from_chars(cell.data() + 2, cell.data() + cell.size(), links);
    if (ec == std::errc() && end == cell.data() + cell.size() && links > 0 && links <= 64) {
      return GpuPath{PathKind::kNvLink, links};
    }
  }
  return Status::InvalidArgument(
      fmt::format("'{}' is not a GPU connection type (expected X, NV<n>, PIX, PXB, PHB, NODE or SYS)", cell));
}

}  // namespace ava::gpu
