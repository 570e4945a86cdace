// The harness against Python, side by side in one run, a -c opt harness that prints figures:
//   bazel run -c opt //benchmarks:side_by_side [-- --pairs N --seconds S --starts N --allocators --skip_protocol
//                                               --skip_training --net 0|1]
// (a) Child training of the same NB201 net (the fixed cell of train_benchmark; C=16 N=5 on 3x32x32 and C=8 N=1
//     on 1x12x12; batch 64; one thread): images per CPU second, C++ (train_benchmark throughput) against the
//     NB201 authors' TinyNetwork in PyTorch-Python (benchmarks/nb201_train_reference.py, Debian's
//     python3-torch; skipped, saying so, when it is absent), in each NetworkSpec.memory_layout: NCHW (the
//     authors' format), CHANNELS_LAST_LEGACY and CHANNELS_LAST; each C++ figure's ratio is against Python in the
//     same layout (Python's channels-last is Module.to(memory_format=torch.channels_last), which is
//     CHANNELS_LAST; against it CHANNELS_LAST_LEGACY shows what the ambiguous weight strides cost), and
//     CHANNELS_LAST with NetworkSpec.cell_kernels SHARED_RELU (one ReLU per node, a separable pooling). --net I
//     measures only net I (0: C=16 N=5, 1: C=8 N=1). --allocators adds the C++ NCHW figure with glibc's default
//     malloc (NAS_MALLOC_TUNING=0), with jemalloc and with tcmalloc (LD_PRELOAD, when installed).
// (b) The NB201 protocol, random search + REA, 500 runs x 120 evaluations on the NB201 CIFAR-10 CSV table, as
//     whole processes: `nas run benchmarks/experiments/nb201_protocol_rs_rea_cifar10.textproto` (HDF5 log,
//     default durability) against benchmarks/nb201_protocol_reference.py (plain Python over the same CSV, no
//     log), and against the authors' whole-process 11.8 s measured once on this VM (their code is not in the repo).
// (c) Start-up: `nas --help`, `nas inspect TABLE`, and `nas-torch --help` for contrast: wall time and max RSS.
// Every A/B pair runs interleaved (the order alternating); figures are medians, ratios the median of the
// per-pair ratios. Training is measured in CPU seconds of the measured process, so that the load of a shared
// machine matters less; whole processes report wall and CPU (user + system) time.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "benchmarks/child_process.h"

namespace {

using nas::bench::ImagesPerSecond;
using nas::bench::InterleavedPairs;
using nas::bench::Median;
using nas::bench::Proc;
using nas::bench::RunProcess;
using nas::bench::Stderr;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// The three load averages of /proc/loadavg.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double SelfHwmMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return 0;
}


struct Options {
  int pairs = 7, starts = 20;  // 7 pairs: run-to-run spread on a shared 2-core VM is +-15%
  double seconds = 3;
  bool allocators = false, skip_protocol = false, skip_training = false;
  int net = -1;  // -1: both nets
};

const char kPython[] = "/usr/bin/python3";  // Debian's, where python3-torch installs
// The NB201 authors' random search + REA (500 runs x 120 evaluations, CIFAR-10), whole process, wall seconds on
// this 2-core VM, measured once there (the authors' code is not in the repository).
constexpr double kAuthorsProtocolWallS = 11.8;

void Training(const Options& o, bool python) {
  struct Net {
    const char* label;
    int c, n, in, size;
  };
  const Net nets[] = {{"NB201 C=16 N=5, 3x32x32", 16, 5, 3, 32}, {"C=8 N=1, 1x12x12", 8, 1, 1, 12}};
  struct Variant {
    std::string name;
    std::vector<std::string> env;
    std::string layout;  // train_benchmark's layout argument: "" (NCHW), "channels_last", "channels_last_all_weights",
                         // "+shared_relu" for cell_kernels SHARED_RELU
    size_t py = 0;       // the Python layout of the same memory format (py_layouts)
  };
  std::vector<Variant> variants = {{"C++ NCHW", {}, "", 0},
                                   {"C++ CHANNELS_LAST_LEGACY", {}, "channels_last", 1},
                                   {"C++ CHANNELS_LAST", {}, "channels_last_all_weights", 1},
                                   {"C++ CHANNELS_LAST+SHARED_RELU", {}, "channels_last_all_weights+shared_relu", 1}};
  if (o.allocators) {
    variants.push_back({"C++ glibc defaults", {"NAS_MALLOC_TUNING=0"}, "", 0});
    for (const char* lib : {"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                            "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"})
      if (Exists(lib))
        variants.push_back({std::string("C++ ") + (std::strstr(lib, "jemalloc") ? "jemalloc" : "tcmalloc"),
                            {"NAS_MALLOC_TUNING=0", std::string("LD_PRELOAD=") + lib}, "", 0});
  }
  // The authors' code runs NCHW; with "channels_last" the reference puts its net and batch in channels-last.
  const std::vector<std::string> py_layouts = {"", "channels_last"};
  std::printf("\n(a) child training, batch 64, 1 thread, images per CPU second (medians of %d interleaved runs)\n",
              o.pairs);
  if (!python)
    std::printf("    PyTorch-Python skipped: %s cannot import torch (apt-get install python3-torch)\n", kPython);
  const std::string secs = std::to_string(o.seconds);
  for (int i = 0; i < 2; ++i) {
    if (o.net >= 0 && o.net != i) continue;
    const Net& net = nets[i];
    const std::vector<std::string> shape = {std::to_string(net.c), std::to_string(net.n), std::to_string(net.in),
                                            std::to_string(net.size), secs, "1"};
    auto with_layout = [&](std::vector<std::string> argv, const std::string& layout) {
      argv.insert(argv.end(), shape.begin(), shape.end());
      if (!layout.empty()) argv.push_back(layout);
      return argv;
    };
    std::vector<std::vector<double>> rates(variants.size()), ratios(variants.size());
    std::vector<std::vector<double>> py(py_layouts.size());
    std::vector<double> p(py_layouts.size(), 0.0), c(variants.size(), 0.0);
    auto pyrun = [&](int) {
      for (size_t l = 0; l < py_layouts.size(); ++l)
        p[l] = ImagesPerSecond(
            RunProcess(with_layout({kPython, "benchmarks/nb201_train_reference.py"}, py_layouts[l])));
    };
    auto crun = [&](int) {
      for (size_t v = 0; v < variants.size(); ++v)
        c[v] = ImagesPerSecond(RunProcess(
            with_layout({"benchmarks/train_benchmark", "throughput"}, variants[v].layout), variants[v].env));
    };
    auto record = [&](int) {
      for (size_t v = 0; v < variants.size(); ++v) {
        rates[v].push_back(c[v]);
        if (python && p[variants[v].py] > 0) ratios[v].push_back(c[v] / p[variants[v].py]);
      }
      for (size_t l = 0; python && l < py_layouts.size(); ++l) py[l].push_back(p[l]);
    };
    InterleavedPairs(o.pairs, python ? std::function<void(int)>(pyrun) : nullptr, crun, record);
    std::printf("  %s (load average after it: %s)\n", net.label, LoadAverage().c_str());
    for (size_t v = 0; v < variants.size(); ++v) {
      std::printf("    %-30s %7.1f img/s", variants[v].name.c_str(), Median(rates[v]));
      if (python) {
        const double r = Median(ratios[v]);
        std::printf("   C++/Python(%s) %.2fx (goal >= 1.2x: %s)", variants[v].py ? "ch.-last" : "NCHW", r,
                    r >= 1.2 ? "met" : "MISSED");
      }
      std::printf("\n");
    }
    if (python)
      std::printf("    %-30s %7.1f img/s\n    %-30s %7.1f img/s\n", "PyTorch-Python NCHW", Median(py[0]),
                  "PyTorch-Python ch.-last", Median(py[1]));
    std::fflush(stdout);
  }
}

void Protocol(const Options& o, const std::string& dir, const std::string& table, const std::string& csv) {
  std::printf("\n(b) NB201 protocol, random search + REA, 500 runs x 120 evaluations each, whole process "
              "(medians of %d interleaved pairs)\n", o.pairs);
  const std::vector<std::string> nas = {"tools/nas", "run",
                                        "benchmarks/experiments/nb201_protocol_rs_rea_cifar10.textproto",
                                        "--table", table, "--out", dir + "/protocol.h5", "--overwrite", "--quiet"};
  const std::vector<std::string> py = {kPython, "benchmarks/nb201_protocol_reference.py", csv};
  std::vector<double> nw, nc, pw, pc, wall_ratio, cpu_ratio;
  std::string nas_out, py_out;
  for (int i = 0; i < o.pairs; ++i) {
    Proc a, b;
    if (i % 2) b = RunProcess(py);
    a = RunProcess(nas);
    if (i % 2 == 0) b = RunProcess(py);
    if (a.code != 0 || b.code != 0) {
      std::printf("  failed: nas exit %d, python exit %d\n%s%s", a.code, b.code, a.out.c_str(), b.out.c_str());
      return;
    }
    nas_out = a.out, py_out = b.out;
    nw.push_back(a.wall_s), nc.push_back(a.cpu_s), pw.push_back(b.wall_s), pc.push_back(b.cpu_s);
    wall_ratio.push_back(b.wall_s / a.wall_s), cpu_ratio.push_back(b.cpu_s / a.cpu_s);
  }
  std::printf("  nas run (HDF5 log, default durability)  wall %.2f s  cpu %.2f s\n", Median(nw), Median(nc));
  std::printf("  Python loop (no log)                     wall %.2f s  cpu %.2f s\n", Median(pw), Median(pc));
  std::printf("  this lean Python loop / nas: wall %.2fx, cpu %.2fx\n", Median(wall_ratio), Median(cpu_ratio));
  // The goal's reference: the NB201 authors' own code, whole process, as measured once on this VM (it is
  // not in the repository, so this is a committed figure rather than a run).
  const double authors = kAuthorsProtocolWallS / Median(nw);
  std::printf("  authors' code (%.1f s wall, measured once on this VM) / nas: %.1fx (goal >= 10x: %s)\n",
              kAuthorsProtocolWallS, authors, authors >= 10 ? "met" : "MISSED");
  std::printf("  nas's summary:\n%s  Python's:\n%s", nas_out.c_str(), py_out.c_str());
}

void Startup(const Options& o, const std::string& table) {
  std::printf("\n(c) start-up, medians of %d runs (max RSS is at least this harness's own, %.1f MB)\n", o.starts,
              SelfHwmMb());
  struct Cmd {
    std::string label;
    std::vector<std::string> argv;
  };
  std::vector<Cmd> cmds = {{"nas --help", {"tools/nas", "--help"}}};
  if (table.empty()) std::printf("  (nas inspect TABLE skipped: no table, see above)\n");
  if (!table.empty()) cmds.push_back({"nas inspect TABLE", {"tools/nas", "inspect", table}});
  cmds.push_back({"nas-torch --help (LibTorch linked)", {"tools/nas-torch", "--help"}});
  for (const Cmd& c : cmds) {
    std::vector<double> wall, cpu, rss;
    for (int i = 0; i < o.starts; ++i) {
      Proc p = RunProcess(c.argv);
      wall.push_back(p.wall_s * 1e3), cpu.push_back(p.cpu_s * 1e3), rss.push_back(p.max_rss_mb);
    }
    std::printf("  %-36s wall %7.1f ms  cpu %7.1f ms  %6.1f MB max RSS%s\n", c.label.c_str(), Median(wall),
                Median(cpu), Median(rss),
                c.label == "nas --help" ? (Median(wall) < 50 && Median(rss) < 20 ? "  (goal < 50 ms, < 20 MB: met)"
                                                                                  : "  (goal < 50 ms, < 20 MB: MISSED)")
                                        : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (a == "--pairs") o.pairs = std::max(1, static_cast<int>(next()));
    else if (a == "--seconds") o.seconds = next();
    else if (a == "--starts") o.starts = std::max(1, static_cast<int>(next()));
    else if (a == "--allocators") o.allocators = true;
    else if (a == "--skip_protocol") o.skip_protocol = true;
    else if (a == "--skip_training") o.skip_training = true;
    else if (a == "--net") o.net = static_cast<int>(next());
    else {
      std::fprintf(stderr, "usage: side_by_side [--pairs N] [--seconds S] [--starts N] [--allocators] "
                           "[--skip_protocol] [--skip_training] [--net 0|1]\n");
      return 2;
    }
  }
  const bool python = RunProcess({kPython, "-c", "import torch"}).code == 0;
  std::printf("side_by_side: C++ vs Python; this machine: %ld CPUs, load average ", sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream load("/proc/loadavg");
  std::string l1;
  load >> l1;
  std::printf("%s\n", l1.c_str());

  char tmpl[] = "/tmp/side_by_side.XXXXXX";
  const std::string dir = mkdtemp(tmpl) ? tmpl : "/tmp";
  std::string tried, why_no_table;
  const std::string csv = nas::bench::FindNb201Cifar10Csv(&tried);
  std::string table;
  if (csv.empty()) {
    why_no_table = "nasbench201/nasbench201_cifar10.csv of ../shared/data is in none of " + tried;
  } else {
    table = dir + "/nb201_cifar10.h5";
    Proc imp = RunProcess({"tools/nas", "import", "nb201-csv", csv, table}, {}, Stderr::kStdout);
    if (imp.code != 0) {
      why_no_table = "`tools/nas import nb201-csv " + csv + " " + table + "` failed (exit " +
                     std::to_string(imp.code) + "): " + imp.out;
      table.clear();
    }
  }
  if (!o.skip_training) Training(o, python);
  if (!o.skip_protocol) {
    if (table.empty()) std::printf("\n(b) skipped: %s\n", why_no_table.c_str());
    else if (RunProcess({kPython, "-c", "1"}).code != 0) std::printf("\n(b) skipped: %s does not run\n", kPython);
    else Protocol(o, dir, table, csv);
  }
  Startup(o, table);
  RunProcess({"/bin/rm", "-rf", dir});
  return 0;
}
