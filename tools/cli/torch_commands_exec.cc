// The LibTorch-only commands as `nas` (built without LibTorch) has them: each hands the process over to
// nas-torch (tools/cli/full_binary.h), which has the real ones (tools/cli/build_table.cc).
#include "tools/cli/commands.h"
#include "tools/cli/full_binary.h"

namespace nas::cli {

int BuildTableCommand(int, char**) { return ExecFullBinary("nas build-table", "LibTorch (it trains networks)"); }
int MergeTablesCommand(int, char**) { return ExecFullBinary("nas merge-tables", "LibTorch (build specs)"); }
int TauCommand(int, char**) { return ExecFullBinary("nas tau", "LibTorch (it trains a supernet)"); }

}  // namespace nas::cli
