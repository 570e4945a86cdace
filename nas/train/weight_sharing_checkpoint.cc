#include "nas/train/weight_sharing_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <torch/serialize/archive.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/search/torch/enas_controller.h"
#include "nas/train/supernet_evaluator.h"
#include "nas/util/exception_status.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {
namespace {

constexpr char kFormat[] = "nas-weight-sharing-checkpoint 1";

template <typename T>
void AppendBits(std::string* out, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

int64_t AsInt64(uint64_t v) {
  int64_t out;
  std::memcpy(&out, &v, sizeof(out));
  return out;
}

uint64_t AsUint64(int64_t v) {
  uint64_t out;
  std::memcpy(&out, &v, sizeof(out));
  return out;
}

absl::Status Errno(const std::string& path, const std::string& what) {
  return absl::Status(errno == ENOSPC || errno == EDQUOT ? absl::StatusCode::kResourceExhausted
                                                         : absl::StatusCode::kInternal,
                      absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// `bytes` to `path`: a temporary file in the same directory, fsync'd, renamed over `path`, the directory fsync'd.
absl::Status WriteDurably(const std::string& path, const std::string& bytes) {
  const std::string dir = DirOf(path);
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) return Errno(dir, "cannot create the checkpoint directory");
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Errno(tmp, "cannot create a checkpoint");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = Errno(tmp, "cannot write a checkpoint");
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    absl::Status s = Errno(tmp, "cannot fsync a checkpoint");
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = Errno(path, "cannot rename the checkpoint into place");
    ::unlink(tmp.c_str());
    return s;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) return Errno(dir, "cannot open the checkpoint directory");
  const int synced = ::fsync(dfd);
  ::close(dfd);
  if (synced != 0) return Errno(dir, "cannot fsync the checkpoint directory");
  return absl::OkStatus();
}

}  // namespace

std::string ChainStart(const std::string& identity) { return Sha256Hex(absl::StrCat(kFormat, "\n", identity)); }

std::string ChainNext(const std::string& chain, const std::vector<int32_t>& actions, double log_prob, double entropy,
                      double reward) {
  std::string data = chain;
  AppendBits(&data, static_cast<int64_t>(actions.size()));
  for (int32_t a : actions) AppendBits(&data, a);
  AppendBits(&data, log_prob);
  AppendBits(&data, entropy);
  AppendBits(&data, reward);
  return Sha256Hex(data);
}

std::string ChainOf(const std::string& identity, const std::vector<Episode>& episodes, int64_t n) {
  std::string chain = ChainStart(identity);
  for (int64_t i = 0; i < n; ++i) {
    const Episode& e = episodes[i];
    chain = ChainNext(chain, e.actions, e.log_prob, e.entropy, e.reward);
  }
  return chain;
}

std::string CheckpointPath(const std::string& prefix, int epoch) { return absl::StrCat(prefix, ".epoch", epoch, ".pt"); }

absl::StatusOr<std::string> WriteWeightSharingCheckpoint(const std::string& prefix, const std::string& identity,
                                                         const WeightSharingState& state,
                                                         const SupernetEvaluator& supernet,
                                                         const EnasController* controller) {
  const std::string path = CheckpointPath(prefix, state.epoch);
  std::string bytes;
  try {
    torch::serialize::OutputArchive archive, net, ctl;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("identity", c10::IValue(identity));
    archive.write("epoch", c10::IValue(static_cast<int64_t>(state.epoch)));
    archive.write("episodes", c10::IValue(state.episodes));
    archive.write("chain", c10::IValue(state.chain));
    archive.write("next_id", c10::IValue(state.next_id));
    for (int i = 0; i < 4; ++i) archive.write(absl::StrCat("rng", i), c10::IValue(AsInt64(state.rng.s[i])));
    archive.write("rng_has_spare", c10::IValue(state.rng.has_spare_normal));
    archive.write("rng_spare", c10::IValue(state.rng.spare_normal));
    archive.write("have_baseline", c10::IValue(state.have_baseline));
    archive.write("baseline", c10::IValue(state.baseline));
    supernet.Save(net);
    archive.write("supernet", net);
    archive.write("has_controller", c10::IValue(controller != nullptr));
    if (controller != nullptr) {
      controller->Save(ctl);
      archive.write("controller", ctl);
    }
    std::ostringstream out;
    archive.save_to(out);
    bytes = out.str();
  } catch (...) {
    return CurrentExceptionToStatus(absl::StrCat(path, ": cannot serialise the checkpoint"));
  }
  NAS_RETURN_IF_ERROR(WriteDurably(path, bytes));
  if (state.epoch >= 2) ::unlink(CheckpointPath(prefix, state.epoch - 2).c_str());
  return Sha256Hex(bytes);
}

struct WeightSharingCheckpoint::Archive {
  torch::serialize::InputArchive archive;
};

WeightSharingCheckpoint::WeightSharingCheckpoint() = default;
WeightSharingCheckpoint::~WeightSharingCheckpoint() = default;

absl::StatusOr<std::unique_ptr<WeightSharingCheckpoint>> WeightSharingCheckpoint::Open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the checkpoint"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": cannot read the checkpoint"));
  std::unique_ptr<WeightSharingCheckpoint> c(new WeightSharingCheckpoint());
  c->path_ = path;
  c->sha256_ = Sha256Hex(bytes);
  c->archive_ = std::make_unique<Archive>();
  try {
    std::istringstream stream(bytes);
    c->archive_->archive.load_from(stream);
    torch::serialize::InputArchive& a = c->archive_->archive;
    c10::IValue v;
    if (!a.try_read("format", v) || !v.isString() || v.toStringRef() != kFormat)
      return absl::DataLossError(absl::StrCat(path, ": not a weight-sharing checkpoint (", kFormat, ")"));
    auto read = [&](const char* key) {
      c10::IValue value;
      a.read(key, value);
      return value;
    };
    c->identity_ = read("identity").toStringRef();
    c->state_.epoch = static_cast<int>(read("epoch").toInt());
    c->state_.episodes = read("episodes").toInt();
    c->state_.chain = read("chain").toStringRef();
    c->state_.next_id = read("next_id").toInt();
    for (int i = 0; i < 4; ++i) c->state_.rng.s[i] = AsUint64(read(absl::StrCat("rng", i).c_str()).toInt());
    c->state_.rng.has_spare_normal = read("rng_has_spare").toBool();
    c->state_.rng.spare_normal = read("rng_spare").toDouble();
    c->state_.have_baseline = read("have_baseline").toBool();
    c->state_.baseline = read("baseline").toDouble();
    c->has_controller_ = read("has_controller").toBool();
  } catch (...) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a readable checkpoint: ", CurrentExceptionToStatus().message()));
  }
  return c;
}

absl::Status WeightSharingCheckpoint::Restore(SupernetEvaluator* supernet, EnasController* controller) const {
  if ((controller != nullptr) != has_controller_)
    return absl::DataLossError(absl::StrCat(path_, ": ", has_controller_ ? "has" : "has no", " controller state"));
  try {
    torch::serialize::InputArchive net, ctl;
    archive_->archive.read("supernet", net);
    absl::Status s = supernet->Load(net);
    if (s.ok() && controller != nullptr) {
      archive_->archive.read("controller", ctl);
      s = controller->Load(ctl);
    }
    if (!s.ok()) return absl::DataLossError(absl::StrCat(path_, ": ", s.message()));
  } catch (...) {
    return absl::DataLossError(absl::StrCat(path_, ": ", CurrentExceptionToStatus().message()));
  }
  return absl::OkStatus();
}

}  // namespace nas
