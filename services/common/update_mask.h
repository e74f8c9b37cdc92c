// update_mask of an Update RPC (AIP-134): every path must name a field of
// the resource, and none of the fields the caller may never change.
#ifndef PLAUDIT_SERVICES_COMMON_UPDATE_MASK_H_
#define PLAUDIT_SERVICES_COMMON_UPDATE_MASK_H_

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/validation.h"

namespace plaudit {

template <class Resource>
absl::Status ValidateUpdateMask(
    const google::protobuf::FieldMask& mask,
    std::initializer_list<absl::string_view> fixed_fields) {
  for (const std::string& path : mask.paths()) {
    for (absl::string_view fixed : fixed_fields) {
      if (path == fixed) {
        return InvalidField("update_mask",
                            absl::StrCat(path, " cannot be changed"));
      }
    }
    google::protobuf::FieldMask single;
    single.add_paths(path);
    if (!google::protobuf::util::FieldMaskUtil::IsValidFieldMask<Resource>(
            single)) {
      return InvalidField(
          "update_mask",
          absl::StrCat("unknown ", Resource::descriptor()->name(), " field \"",
                       path, "\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_UPDATE_MASK_H_
