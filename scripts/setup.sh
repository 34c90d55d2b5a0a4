#!/usr/bin/env bash
# Installs what building, testing and running sluice needs on Debian 12 (as root).
# Idempotent: packages already present are not touched, apt-get update runs only
# when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev
  libprotobuf-dev protobuf-compiler libcurl4-openssl-dev libssl-dev
  # tests
  libgtest-dev libgmock-dev libclang-rt-14-dev libcpp-httplib-dev
  iproute2 ethtool iptables nftables openssl libcap2-bin jq util-linux
  # benchmarks
  libbenchmark-dev gnuplot-nox
)

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: run as root (it installs packages with apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup.sh: all build and test dependencies are installed"
