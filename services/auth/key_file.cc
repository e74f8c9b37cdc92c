#include "services/auth/key_file.h"

#include "absl/strings/str_cat.h"
#include "services/common/json_file.h"
#include "services/common/validation.h"

namespace plaudit {

absl::StatusOr<v1::KeyFile> ReadKeyFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::KeyFile> file =
      ParseJsonMessage<v1::KeyFile>(*text, absl::StrCat("keys file ", path));
  if (!file.ok()) return file.status();
  for (int i = 0; i < file->keys_size(); ++i) {
    const v1::ApiKey& key = file->keys(i);
    const std::string field = absl::StrCat(path, ": keys[", i, "]");
    if (auto s = ValidateSlug(field + ".tenant", key.tenant()); !s.ok())
      return s;
    if (key.key_id().empty() || key.salt().empty() ||
        key.secret_sha256().size() != 64 ||
        key.role() == v1::ROLE_UNSPECIFIED) {
      return InvalidField(field,
                          "needs key_id, role, salt and secret_sha256 "
                          "(write it with plauditctl keys new)");
    }
  }
  return file;
}

}  // namespace plaudit
