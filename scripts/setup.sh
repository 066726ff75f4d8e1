#!/usr/bin/env bash
# Installs what building and testing need on Debian 12, and nothing when it is
# all there already. Non-interactive; run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ pkg-config
  # libraries (Debian 12 versions: Boost 1.74, protobuf 3.21, OpenSSL 3,
  # yaml-cpp 0.7, GoogleTest 1.12, mosquitto 2.0.11)
  libboost-dev libprotobuf-dev protobuf-compiler libssl-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
  libmosquitto-dev mosquitto-dev
  # the broker the integration tests and the demo run
  mosquitto
  # the broker plugin's leak test runs mosquitto under it
  valgrind
  # the asan and fuzz presets: clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # usp-bench: micro-benchmarks (Google Benchmark) and the plots in docs/perf
  libbenchmark-dev gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# The interop tests (tests/interop) run usp-js on Node.js; a node that is
# already there (e.g. from NodeSource) is kept.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
