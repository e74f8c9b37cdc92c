// Who the caller says is behind a call ("plaudit-actor" metadata): a note
// beside the verified API key, never an identity. Empty when not said.
#ifndef PLAUDIT_SERVICES_COMMON_CALL_METADATA_H_
#define PLAUDIT_SERVICES_COMMON_CALL_METADATA_H_

#include <string>

#include "grpcpp/server_context.h"

namespace plaudit {

inline std::string CallerName(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("plaudit-actor");
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), std::min<size_t>(it->second.size(), 128));
}

// Sent with the headers of a server stream once the call was admitted and
// began (a refused call ends without it): how the HTTP gateway tells an
// event stream to open from an error to answer.
inline constexpr char kStreamBegunHeader[] = "plaudit-stream-begun";

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_CALL_METADATA_H_
