#include "services/auth/key_service.h"

#include "google/protobuf/util/time_util.h"
#include "services/auth/api_key.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {

KeyService::KeyService(KeyStore* keys, CallGate gate, AuditLog* audit,
                       Clock clock)
    : RpcService(v1::KeyService::service_full_name(), gate),
      keys_(keys),
      audit_(audit),
      clock_(std::move(clock)) {
  Handle("CreateKey", &KeyService::CreateKey);
  Handle("RevokeKey", &KeyService::RevokeKey);
  Handle("ListKeys", &KeyService::ListKeys);
}

absl::Status KeyService::CreateKey(const Caller& caller,
                                   const v1::CreateKeyRequest& request,
                                   v1::CreateKeyResponse* response) {
  if (request.role() == v1::OPERATOR) {
    return InvalidField("role",
                        "OPERATOR keys are written to the keys file "
                        "(plauditctl keys new), never created through the API");
  }
  if (request.role() == v1::ROLE_UNSPECIFIED ||
      !v1::Role_IsValid(request.role())) {
    return InvalidField("role", "must be READER, INTEGRATION or ADMIN");
  }
  if (request.name().empty()) return InvalidField("name", "is required");
  if (auto s = ValidateText("name", request.name(), 128); !s.ok()) return s;
  absl::StatusOr<NewKey> key =
      keys_->Issue(caller.tenant, request.role(), request.name(), clock_());
  if (!key.ok()) return key.status();
  *response->mutable_key() = key->record;
  response->set_secret(key->secret);
  audit_->Record(caller, "KEY_CREATED", key->record.key_id(), nullptr,
                 &key->record);
  return absl::OkStatus();
}

absl::Status KeyService::RevokeKey(const Caller& caller,
                                   const v1::RevokeKeyRequest& request,
                                   v1::RevokeKeyResponse* response) {
  if (auto s = ValidateId("key_id", request.key_id(), 64); !s.ok()) return s;
  absl::StatusOr<v1::ApiKey> key =
      keys_->Revoke(caller.tenant, request.key_id());
  if (!key.ok()) return key.status();
  audit_->Record(caller, "KEY_REVOKED", key->key_id(), nullptr, &*key);
  *response->mutable_key() = *std::move(key);
  return absl::OkStatus();
}

absl::Status KeyService::ListKeys(const Caller& caller,
                                  const v1::ListKeysRequest&,
                                  v1::ListKeysResponse* response) {
  absl::StatusOr<std::vector<v1::ApiKey>> keys = keys_->List(caller.tenant);
  if (!keys.ok()) return keys.status();
  for (auto& key : *keys) *response->add_keys() = std::move(key);
  return absl::OkStatus();
}

}  // namespace plaudit
