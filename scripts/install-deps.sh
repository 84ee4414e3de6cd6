#!/usr/bin/env bash
# Installs the Debian packages lockstep builds with, only those missing (needs root or sudo).
# The CUDA toolkit is optional and never installed here: CMake finds it if it is present.
set -euo pipefail
packages=(
  cmake g++ make python3
  libboost-test-dev librapidcheck-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libeigen3-dev libgraphviz-dev graphviz
  gnuplot-nox clang-format libpcre2-dev python3-venv
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "lockstep: all build dependencies are installed"
  exit 0
fi
echo "lockstep: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
