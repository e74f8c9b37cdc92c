#include "services/auth/key_service.h"

#include "google/protobuf/util/time_util.h"
#include "services/auth/api_key.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {

grpc::Status KeyService::CreateKey(grpc::ServerContext* context,
                                   const v1::CreateKeyRequest* request,
                                   v1::CreateKeyResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "KeyService/CreateKey");
  if (request->role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(request->role())) {
    return ToGrpcStatus(InvalidField("role", "must be READER, INTEGRATION or ADMIN"));
  }
  if (request->name().empty()) return ToGrpcStatus(InvalidField("name", "is required"));
  if (auto s = ValidateText("name", request->name(), 128); !s.ok()) {
    return ToGrpcStatus(s);
  }
  NewKey key = GenerateKey(caller.tenant, request->role(), request->name());
  *key.record.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(clock_()));
  if (auto s = keys_->Save(key.record); !s.ok()) return ToGrpcStatus(s);
  key.record.clear_salt();
  key.record.clear_secret_sha256();
  *response->mutable_key() = key.record;
  response->set_secret(key.secret);
  audit_->Record(caller, "KEY_CREATED", key.record.key_id(), nullptr, &key.record);
  return grpc::Status::OK;
}

grpc::Status KeyService::RevokeKey(grpc::ServerContext* context,
                                   const v1::RevokeKeyRequest* request,
                                   v1::RevokeKeyResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "KeyService/RevokeKey");
  if (auto s = ValidateId("key_id", request->key_id(), 64); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::ApiKey> key = keys_->Revoke(caller.tenant, request->key_id());
  if (!key.ok()) return ToGrpcStatus(key.status());
  audit_->Record(caller, "KEY_REVOKED", key->key_id(), nullptr, &*key);
  *response->mutable_key() = *std::move(key);
  return grpc::Status::OK;
}

grpc::Status KeyService::ListKeys(grpc::ServerContext* context,
                                  const v1::ListKeysRequest*,
                                  v1::ListKeysResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "KeyService/ListKeys");
  absl::StatusOr<std::vector<v1::ApiKey>> keys = keys_->List(caller.tenant);
  if (!keys.ok()) return ToGrpcStatus(keys.status());
  for (auto& key : *keys) *response->add_keys() = std::move(key);
  return grpc::Status::OK;
}

}  // namespace plaudit
