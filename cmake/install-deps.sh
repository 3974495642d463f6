#!/usr/bin/env bash
# Installs the Debian 12 packages raftlab builds with, if any is missing:
# the toolchain and libraries, and etcd 3.4 (etcdctl for the live tests,
# the server as the reference the live tests and benchmarks compare with,
# and its Go source with Go, to build etcd's own client for live_clientv3).
# Idempotent and quiet when everything is present; needs root (or sudo) otherwise.
set -euo pipefail
packages=(
  cmake ninja-build g++ clang pkg-config
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libyaml-cpp-dev libfmt-dev libcli11-dev libexpected-dev
  rapidjson-dev libabsl-dev
  libgrpc++-dev protobuf-compiler-grpc
  liblmdb-dev
  etcd-client etcd-server
  golang-go golang-etcd-server-dev
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
