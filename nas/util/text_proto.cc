#include "nas/util/text_proto.h"

#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace nas {
namespace {

class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

// The named values of the enum field called `field` anywhere in `message`'s type (nested messages included),
// without the "..._UNSPECIFIED" zero value; empty when there is no such field.
std::vector<std::string> KnownEnumValues(const google::protobuf::Descriptor* message, const std::string& field,
                                         std::set<const google::protobuf::Descriptor*>* seen) {
  if (!seen->insert(message).second) return {};
  for (int i = 0; i < message->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = message->field(i);
    if (f->name() == field && f->enum_type() != nullptr) {
      std::vector<std::string> names;
      for (int v = 0; v < f->enum_type()->value_count(); ++v)
        if (!absl::EndsWith(f->enum_type()->value(v)->name(), "_UNSPECIFIED"))
          names.push_back(f->enum_type()->value(v)->name());
      return names;
    }
  }
  for (int i = 0; i < message->field_count(); ++i)
    if (const google::protobuf::Descriptor* nested = message->field(i)->message_type()) {
      std::vector<std::string> names = KnownEnumValues(nested, field, seen);
      if (!names.empty()) return names;
    }
  return {};
}

// Protobuf's "Unknown enumeration value of "X" for field "F"." with the known values of F appended.
std::string WithKnownEnumValues(const std::string& error, const google::protobuf::Descriptor* message) {
  const std::string marker = "\" for field \"";
  const size_t at = error.find(marker);
  if (!absl::StrContains(error, "Unknown enumeration value") || at == std::string::npos) return error;
  const size_t begin = at + marker.size(), end = error.find('"', begin);
  if (end == std::string::npos) return error;
  std::set<const google::protobuf::Descriptor*> seen;
  const std::vector<std::string> names = KnownEnumValues(message, error.substr(begin, end - begin), &seen);
  if (names.empty()) return error;
  return absl::StrCat(absl::StripSuffix(error, "."), " (known: ", absl::StrJoin(names, ", "), ")");
}

}  // namespace

absl::Status ParseTextProto(const std::string& text, const std::string& origin, google::protobuf::Message* message) {
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message))
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", WithKnownEnumValues(errors.first(), message->GetDescriptor())));
  return absl::OkStatus();
}

}  // namespace nas
