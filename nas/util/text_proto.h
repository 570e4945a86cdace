// Parsing Protobuf text format with one clear error line ("<origin>:<line>:<col>: <what>"); an unknown enum
// name lists the known ones.
#ifndef NAS_UTIL_TEXT_PROTO_H_
#define NAS_UTIL_TEXT_PROTO_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace nas {

absl::Status ParseTextProto(const std::string& text, const std::string& origin, google::protobuf::Message* message);

}  // namespace nas

#endif  // NAS_UTIL_TEXT_PROTO_H_
