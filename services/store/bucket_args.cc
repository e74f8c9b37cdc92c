#include "services/store/bucket_args.h"

#include "absl/strings/str_cat.h"

namespace plaudit {

void AppendBucketArgs(const std::vector<BoardBucket>& buckets,
                      std::vector<std::string>* args) {
  args->push_back(absl::StrCat(buckets.size()));
  for (const BoardBucket& bucket : buckets) {
    args->push_back(bucket.key);
    args->push_back(absl::StrCat(bucket.retained_until_ms));
  }
}

}  // namespace plaudit
