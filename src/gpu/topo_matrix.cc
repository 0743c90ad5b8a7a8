#include "gpu/topo_matrix.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <numeric>

namespace ava::gpu {
namespace {

std::vector<std::string_view> SplitWords(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// "GPU12" → 12; -1 for anything else.
int GpuColumnIndex(std::string_view word) {
  if (word.size() < 4 || word.substr(0, 3) != "GPU") return -1;
  int v = -1;
  auto [end, ec] = std::from_chars(word.data() + 3, word.data() + word.size(), v);
  return (ec == std::errc() && end == word.data() + word.size()) ? v : -1;
}

int Find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Groups 0..n-1 by the transitive closure of `joined`, numbering groups in order of first member.
template <typename Joined>
std::vector<int> Groups(int n, Joined joined) {
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      if (joined(a, b)) parent[Find(parent, a)] = Find(parent, b);
    }
  }
  std::vector<int> id(n, -1), out(n);
  int next = 0;
  for (int a = 0; a < n; ++a) {
    int r = Find(parent, a);
    if (id[r] < 0) id[r] = next++;
    out[a] = id[r];
  }
  return out;
}

}  // namespace

Result<TopoMatrix> ParseTopoMatrix(std::string_view text, std::string_view source) {
  auto error = [&](int line, std::string msg) {
    return Status::InvalidArgument(line > 0 ? fmt::format("{}:{}: {}", source, line, msg)
                                            : fmt::format("{}: {}", source, msg));
  };
  TopoMatrix m;
  int device_columns = 0;  // GPU + NIC columns before "CPU Affinity"
  int numa_offset = -1;    // word index of the NUMA affinity in a GPU row
  bool header_seen = false;
  std::vector<bool> row_seen;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) continue;
    if (words[0].rfind("Legend", 0) == 0) break;
    if (!header_seen) {
      if (GpuColumnIndex(words[0]) != 0) continue;  // banners before the header
      header_seen = true;
      for (const std::string_view w : words) {
        if (w == "CPU" || w == "NUMA" || w == "GPU" || w == "Affinity") break;
        if (GpuColumnIndex(w) >= 0) {
          if (GpuColumnIndex(w) != m.gpu_count)
            return error(line_no, fmt::format("column '{}' out of order", w));
          ++m.gpu_count;
        }
        ++device_columns;
      }
      // After the device columns come named columns ("CPU Affinity", "NUMA Affinity", "GPU NUMA ID"),
      // each a single word in the rows; find the position of "NUMA Affinity" among them.
      int named_before = 0;
      for (size_t i = device_columns; i < words.size(); ++i) {
        if (words[i] == "NUMA" && i + 1 < words.size() && words[i + 1] == "Affinity") {
          numa_offset = 1 + device_columns + named_before;
          break;
        }
        if (words[i] == "Affinity" || words[i] == "ID") ++named_before;
      }
      if (m.gpu_count > kMaxGpusPerNode) {
        return error(line_no,
                     fmt::format("{} GPUs; Ava supports at most {} per node", m.gpu_count, kMaxGpusPerNode));
      }
      m.cells.assign(static_cast<size_t>(m.gpu_count) * m.gpu_count, GpuPath{});
      m.numa.assign(m.gpu_count, -1);
      row_seen.assign(m.gpu_count, false);
      continue;
    }
    const int row = GpuColumnIndex(words[0]);
    if (row < 0) continue;  // NIC rows
    if (row >= m.gpu_count)
      return error(line_no, fmt::format("row '{}' has no column in the header", words[0]));
    if (row_seen[row]) return error(line_no, fmt::format("row '{}' appears twice", words[0]));
    row_seen[row] = true;
    if (static_cast<int>(words.size()) < 1 + m.gpu_count) {
      return error(line_no, fmt::format("row '{}' has {} cells; expected {}", words[0], words.size() - 1,
                                        m.gpu_count));
    }
    for (int col = 0; col < m.gpu_count; ++col) {
      Result<GpuPath> p = ParseGpuPath(words[1 + col]);
      if (!p.ok()) return error(line_no, fmt::format("GPU{}→GPU{}: {}", row, col, p.status().message()));
      m.cells[static_cast<size_t>(row) * m.gpu_count + col] = *p;
    }
    if (numa_offset > 0 && numa_offset < static_cast<int>(words.size())) {
      int v = -1;
      std::string_view w = words[numa_offset];
      auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
      if (ec == std::errc() && end == w.data() + w.size()) m.numa[row] = v;
    }
  }
  if (!header_seen || m.gpu_count == 0) return error(0, "no header line starting with GPU0 was found");
  for (int r = 0; r < m.gpu_count; ++r) {
    if (!row_seen[r]) return error(0, fmt::format("row GPU{} is missing", r));
  }
  for (int a = 0; a < m.gpu_count; ++a) {
    for (int b = 0; b < m.gpu_count; ++b) {
      if ((a == b) != (m.At(a, b).kind == PathKind::kSelf)) {
        return error(0, fmt::format("GPU{}→GPU{} is {}; X belongs on the diagonal only", a, b,
                                    GpuPathName(m.At(a, b))));
      }
      if (!(m.At(a, b) == m.At(b, a))) {
        return error(0, fmt::format("GPU{}→GPU{} is {} but GPU{}→GPU{} is {}", a, b, GpuPathName(m.At(a, b)),
                                    b, a, GpuPathName(m.At(b, a))));
      }
    }
  }
  return m;
}

Status ApplyTopoMatrix(const TopoMatrix& matrix, NodeInventory* node) {
  const int n = matrix.gpu_count;
  if (node->gpus.empty()) {
    node->gpus.resize(n);
    for (int i = 0; i < n; ++i) node->gpus[i].index = i;
  } else if (node->gpu_count() != n) {
    return Status::InvalidArgument(
        fmt::format("node '{}': the topology matrix has {} GPUs but the node declares {}", node->name, n,
                    node->gpu_count()));
  }
  const bool numa_known = std::all_of(matrix.numa.begin(), matrix.numa.end(), [](int v) { return v >= 0; });
  std::vector<int> socket =
      numa_known ? matrix.numa
                 : Groups(n, [&](int a, int b) { return matrix.At(a, b).kind != PathKind::kSys; });
  std::vector<int> pcie_switch = Groups(n, [&](int a, int b) {
    PathKind k = matrix.At(a, b).kind;
    return k == PathKind::kPix || k == PathKind::kPxb;
  });
  for (int i = 0; i < n; ++i) {
    node->gpus[i].socket = socket[i];
    node->gpus[i].pcie_switch = pcie_switch[i];
    const bool known = std::any_of(node->sockets.begin(), node->sockets.end(),
                                   [&](const CpuSocket& s) { return s.id == socket[i]; });
    if (!known) node->sockets.push_back(CpuSocket{socket[i], 0, 0});
  }
  std::sort(node->sockets.begin(), node->sockets.end(),
            [](const CpuSocket& a, const CpuSocket& b) { return a.id < b.id; });
  node->paths = matrix.cells;
  return Status::OK();
}

std::string FormatTopoMatrix(const NodeInventory& node) {
  const int n = node.gpu_count();
  std::string out = "\t";
  for (int b = 0; b < n; ++b) out += fmt::format("GPU{}\t", b);
  out += "NUMA Affinity\n";
  for (int a = 0; a < n; ++a) {
    out += fmt::format("GPU{}", a);
    for (int b = 0; b < n; ++b) out += fmt::format("\t {}", GpuPathName(node.Path(a, b)));
    out += fmt::format("\t{}\n", node.gpus[a].socket);
  }
  return out;
}

}  // namespace ava::gpu
