#!/usr/bin/env bash
# Builds the request fuzzer with clang, libFuzzer, ASan and UBSan, and runs
# it for N seconds (default 60) over tools/fuzz/corpus (new finds are kept in
# a work folder; crashes are written to the current directory).
#   tools/fuzz/run.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-60}"
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz: needs clang with libFuzzer: apt-get install clang libclang-rt-dev" >&2
  exit 1
fi
work="$(mktemp -d /tmp/plaudit-fuzz.XXXXXX)"
trap 'rm -rf "$work/gen"' EXIT

# The protos, generated as the Bazel macro does.
mkdir -p "$work/gen"
protoc -I protos -I /usr/include --cpp_out="$work/gen" \
  protos/plaudit/v1/{event_service,rule_service,reward_service,leaderboard_service,key_service}.proto

sources=(
  tools/fuzz/request_fuzzer.cc
  services/auth/api_key.cc services/common/period.cc services/common/validation.cc
  services/common/json_file.cc services/events/event_validation.cc
  services/rewards/reward_validation.cc services/rules/award_plan.cc
  services/rules/rule_validation.cc services/rules/rules_file.cc
  "$work"/gen/plaudit/v1/*.pb.cc
)
absl_libs=$(ls /usr/lib/x86_64-linux-gnu/libabsl_*.so | grep -v test_util | sed 's|.*/lib\(.*\)\.so|-l\1|')
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined \
  -I . -I "$work/gen" "${sources[@]}" -o "$work/request_fuzzer" \
  -lprotobuf -lcrypto $absl_libs

mkdir -p "$work/corpus"
"$work/request_fuzzer" -max_total_time="$seconds" -max_len=4096 \
  "$work/corpus" tools/fuzz/corpus
echo "fuzzer: no crash in ${seconds}s; corpus kept in $work/corpus"
