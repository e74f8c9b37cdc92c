// SCIM's discovery documents (RFC 7644 §4): /ServiceProviderConfig,
// /Schemas and /ResourceTypes. Static, no tenant data: no key is needed.
#ifndef PLAUDIT_SERVICES_SCIM_SCIM_DISCOVERY_H_
#define PLAUDIT_SERVICES_SCIM_SCIM_DISCOVERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "services/http/http_server.h"

namespace plaudit::scim {

google::protobuf::Struct ServiceProviderConfig();
// Those of User, the enterprise extension and Group.
std::vector<google::protobuf::Struct> Schemas();
// User (with the enterprise extension) and Group.
std::vector<google::protobuf::Struct> ResourceTypes();

// All of `documents`, or the one whose id is `id`.
absl::StatusOr<HttpResponse> Discovery(
    std::vector<google::protobuf::Struct> documents, const std::string& id,
    absl::string_view query);

}  // namespace plaudit::scim

#endif  // PLAUDIT_SERVICES_SCIM_SCIM_DISCOVERY_H_
