// `nas` is built without LibTorch, so that commands which need none (import, inspect, compare, export, table
// runs without the LSTM and their replay) start in milliseconds. `nas-torch` is the same CLI with every LibTorch
// component linked in (tools/BUILD: TORCH_COMPONENTS) and is installed next to it. A command that needs a
// component `nas` lacks hands itself over to nas-torch with execv(): same arguments, same process id, same
// outputs and logs.
#ifndef TOOLS_CLI_FULL_BINARY_H_
#define TOOLS_CLI_FULL_BINARY_H_

#include <string>
#include <vector>

#include "nas/proto/experiment.pb.h"

namespace nas::cli {

// main() records its arguments first, for ExecFullBinary.
void SetProcessArgs(int argc, char** argv);

// The components a resolved experiment needs that this binary was built without ("reinforce policy LSTM",
// "benchmark.train"); empty when it can run here.
std::vector<std::string> MissingComponents(const proto::Experiment& resolved);

// Replaces this process by nas-torch with the original arguments. Returns only when that fails: prints one line
// `nas: <what>: needs <why>; ...` and returns 1.
int ExecFullBinary(const std::string& what, const std::string& why);

// nas-torch's path: next to this executable (/proc/self/exe, also under bazel-bin), next to argv[0] (a runfiles
// tree), or in this executable's runfiles. Empty when none exists.
std::string FullBinaryPath();

// True when LibTorch is linked in (nas/search/torch:torch_runtime registered it): in nas-torch, not in nas.
bool HasLibTorch();

}  // namespace nas::cli

#endif  // TOOLS_CLI_FULL_BINARY_H_
