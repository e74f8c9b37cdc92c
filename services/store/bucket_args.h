// The buckets a script writes, as it reads them: the one owner of the
// argument protocol between C++ (AppendBucketArgs) and Lua (read_buckets in
// lua/boards_lib.lua). Change both together.
#ifndef PLAUDIT_SERVICES_STORE_BUCKET_ARGS_H_
#define PLAUDIT_SERVICES_STORE_BUCKET_ARGS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace plaudit {

struct BoardBucket {
  std::string key;                // BucketKey(), e.g. "w:2026-W48"
  int64_t retained_until_ms = 0;  // unix ms; 0 = kept forever (all time)
};

// Appends n, then n x (key, retained_until_ms).
void AppendBucketArgs(const std::vector<BoardBucket>& buckets,
                      std::vector<std::string>* args);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_BUCKET_ARGS_H_
