#!/usr/bin/env bash
# The one command that runs Plaudit on a fresh Debian 12 machine:
#   tools/run.sh [--example-rules] [--redis=tcp://host:port] [--listen=HOST:PORT]
# Installs missing packages (as root), builds, starts a local Redis with AOF
# in ./data when no --redis is given, and serves on 127.0.0.1:50051.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/install-deps.sh
bazel build -c opt //services/plauditd:plauditd //tools/plauditctl:plauditctl
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
exec tools/serve.sh --plauditd="$bin/services/plauditd/plauditd" \
  --plauditctl="$bin/tools/plauditctl/plauditctl" "$@"
