#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "plaudit/v1/key_service.grpc.pb.h"
#include "services/auth/api_key.h"
#include "services/auth/key_file.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

absl::StatusOr<v1::Role> ParseRole(const std::string& name) {
  v1::Role role;
  if (!v1::Role_Parse(absl::AsciiStrToUpper(name), &role) ||
      role == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "role: expected admin, integration, reader or operator, got ", name));
  }
  return role;
}

absl::Status KeysNew(std::ostream& out, const std::string& path,
                     const std::string& tenant, v1::Role role,
                     const std::string& name) {
  v1::KeyFile file;
  if (std::ifstream(path).good()) {
    absl::StatusOr<v1::KeyFile> read = ReadKeyFile(path);
    if (!read.ok()) return read.status();
    file = *std::move(read);
  }
  NewKey key = GenerateKey(tenant, role, name);
  *key.record.mutable_create_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  *file.add_keys() = key.record;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  google::protobuf::util::MessageToJsonString(file, &json, options);
  std::ofstream(path, std::ios::trunc) << json;
  if (!std::ofstream(path, std::ios::app)) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  out << key.secret << "\n";
  return absl::OkStatus();
}

absl::Status KeysCreate(const Connection& c, v1::Role role,
                        const std::string& name) {
  v1::CreateKeyRequest request;
  request.set_role(role);
  request.set_name(name);
  absl::StatusOr<v1::CreateKeyResponse> response =
      Call(c, &v1::KeyService::Stub::CreateKey, request);
  if (!response.ok()) return response.status();
  *c.out << response->secret() << "\n";
  return absl::OkStatus();
}

absl::Status KeysList(const Connection& c) {
  absl::StatusOr<v1::ListKeysResponse> response =
      Call(c, &v1::KeyService::Stub::ListKeys, v1::ListKeysRequest());
  if (!response.ok()) return response.status();
  for (const auto& key : response->keys()) {
    *c.out << absl::StrFormat("%-18s %-12s %-12s %s%s\n", key.key_id(),
                              key.tenant(), v1::Role_Name(key.role()),
                              key.name(), key.revoked() ? "  [revoked]" : "");
  }
  return absl::OkStatus();
}

absl::Status KeysRevoke(const Connection& c, const std::string& key_id) {
  v1::RevokeKeyRequest request;
  request.set_key_id(key_id);
  absl::StatusOr<v1::RevokeKeyResponse> response =
      Call(c, &v1::KeyService::Stub::RevokeKey, request);
  if (!response.ok()) return response.status();
  *c.out << "key " << key_id << " revoked\n";
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
