// The keys file (plauditd --keys_file, plauditctl keys new): JSON of
// KeyFile, the bootstrap keys of a deployment. Read by the server and by
// the CLI, which therefore need no Redis to read it.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_FILE_H_
#define PLAUDIT_SERVICES_AUTH_KEY_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "plaudit/v1/key_service.pb.h"

namespace plaudit {

// Reads and checks a keys file: each key needs its tenant, id, role, salt
// and digest.
absl::StatusOr<v1::KeyFile> ReadKeyFile(const std::string& path);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_FILE_H_
