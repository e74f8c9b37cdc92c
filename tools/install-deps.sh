#!/usr/bin/env bash
# Installs the Debian 12 packages Plaudit builds, runs and tests with.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libhiredis-dev libabsl-dev prometheus-cpp-dev libgoogle-glog-dev
  libgtest-dev libgmock-dev libssl-dev
  golang-github-gogo-googleapis-dev
  libboost1.74-dev libcurl4-openssl-dev nodejs
  redis-server tzdata prometheus openssl
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Plaudit needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root with:" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
sh -c "$command" >&2
