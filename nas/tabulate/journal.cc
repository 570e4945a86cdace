#include "nas/tabulate/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

std::string Hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

bool ParseHex(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string Check(const std::string& body) { return Sha256Hex(body).substr(0, 16); }

bool ParseRecord(const std::string& line, JournalRecord* r) {
  const size_t sp = line.rfind(' ');
  if (sp == std::string::npos) return false;
  const std::string body = line.substr(0, sp);
  if (line.substr(sp + 1) != Check(body)) return false;
  std::vector<std::string> f = absl::StrSplit(body, ' ');
  if (f.size() != 10 || f[0] != "item") return false;
  return absl::SimpleAtoi(f[1], &r->representative) && absl::SimpleAtoi(f[2], &r->seed) &&
         absl::SimpleAtoi(f[3], &r->fidelity) && ParseHex(f[4], &r->train_acc) && ParseHex(f[5], &r->valid_acc) &&
         ParseHex(f[6], &r->test_acc) && ParseHex(f[7], &r->train_time) && ParseHex(f[8], &r->params_m) &&
         ParseHex(f[9], &r->flops_m);
}

absl::Status Errno(const std::string& path, const std::string& what) {
  return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

std::string JournalHeader(const std::string& spec_sha256, const std::string& shard) {
  return absl::StrCat("nas-build-journal 1 spec_sha256=", spec_sha256, " shard=", shard);
}

std::string FormatJournalRecord(const JournalRecord& r) {
  const std::string body =
      absl::StrCat("item ", r.representative, " ", r.seed, " ", r.fidelity, " ", Hex(r.train_acc), " ",
                   Hex(r.valid_acc), " ", Hex(r.test_acc), " ", Hex(r.train_time), " ", Hex(r.params_m), " ",
                   Hex(r.flops_m));
  return absl::StrCat(body, " ", Check(body), "\n");
}

absl::StatusOr<JournalContents> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the build journal"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  JournalContents out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < data.size()) {
    const size_t nl = data.find('\n', pos);
    ++line_no;
    if (nl == std::string::npos) {  // torn last line
      out.torn_tail = true;
      break;
    }
    const std::string line = data.substr(pos, nl - pos);
    const bool last = nl + 1 == data.size();
    if (line_no == 1) {
      if (line.rfind("nas-build-journal 1 ", 0) != 0)
        return absl::DataLossError(absl::StrCat(path, ": not a nas build-table journal (bad first line)"));
      out.header = line;
    } else {
      JournalRecord r;
      if (!ParseRecord(line, &r)) {
        if (last) {
          out.torn_tail = true;
          break;
        }
        return absl::DataLossError(absl::StrCat(path, ":", line_no, ": corrupt journal line"));
      }
      out.records.push_back(r);
    }
    pos = nl + 1;
    out.valid_bytes = static_cast<int64_t>(pos);
  }
  if (out.header.empty())
    return absl::DataLossError(absl::StrCat(path, ": empty or torn journal header; pass --overwrite to start over"));
  return out;
}

absl::StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Create(const std::string& path,
                                                                     const std::string& header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(path, "cannot create the build journal");
  std::unique_ptr<JournalWriter> w(new JournalWriter(path, fd));
  if (absl::Status s = w->WriteAll(header + "\n"); !s.ok()) return s;
  return w;
}

absl::StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Reopen(const std::string& path, int64_t valid_bytes) {
  if (::truncate(path.c_str(), valid_bytes) != 0) return Errno(path, "cannot cut the torn tail of the journal");
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Errno(path, "cannot open the build journal");
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd));
}

JournalWriter::~JournalWriter() { ::close(fd_); }

absl::Status JournalWriter::WriteAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(path_, "cannot append to the build journal");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) return Errno(path_, "cannot fsync the build journal");
  return absl::OkStatus();
}

absl::Status JournalWriter::Append(const JournalRecord& record) {
  const std::string line = FormatJournalRecord(record);
  std::lock_guard<std::mutex> lock(mu_);
  return WriteAll(line);
}

}  // namespace nas
