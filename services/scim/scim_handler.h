// SCIM 2.0 provisioning (RFC 7643/7644) on the HTTP port: /scim/v2/Users and
// /scim/v2/Groups, so that Active Directory, Azure AD or an HR system keeps
// users, groups, managers and leavers in sync without a script. Every
// operation is a call of UserService through the gRPC server's in-process
// channel with the caller's own key: the same guard, roles, limits, audit.
#ifndef PLAUDIT_SERVICES_SCIM_SCIM_HANDLER_H_
#define PLAUDIT_SERVICES_SCIM_SCIM_HANDLER_H_

#include <functional>
#include <memory>

#include "grpcpp/channel.h"
#include "services/http/http_server.h"

namespace plaudit {

class ScimHandler {
 public:
  explicit ScimHandler(std::shared_ptr<grpc::Channel> channel);
  ~ScimHandler();

  // `request.target` starts with "/scim/v2/". `extra_metadata` are the
  // (name, value) pairs the gateway adds to every in-process call (the
  // forwarded peer and its token).
  void Handle(HttpRequest request,
              std::vector<std::pair<std::string, std::string>> extra_metadata,
              std::function<void(HttpResponse)> respond);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_SCIM_SCIM_HANDLER_H_
