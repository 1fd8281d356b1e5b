#!/usr/bin/env bash
# Builds the Docker Compose CLI plugin from the Go module proxy (no Docker engine is needed to run
# `docker compose config`, which validates docker-compose.yml) and installs it for this user.
set -euo pipefail

version="${COMPOSE_VERSION:-v5.6.0}"   # v5.7 needs Go >= 1.26.10
cache="${MESHOPS_CACHE_DIR:-$HOME/.cache/meshops}"
bin="$cache/bin/docker-compose-$version"
plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { echo "provision-compose: go is not on PATH" >&2; exit 1; }
  dir="$cache/build/compose-$version"
  rm -rf "$dir" && mkdir -p "$dir" "$cache/bin"
  printf 'module meshops.local/scratch\n\ngo 1.26\n' >"$dir/go.mod"
  (
    cd "$dir"
    export GOFLAGS=-mod=mod GOTOOLCHAIN=local
    go get "github.com/docker/compose/v5/cmd@$version"
    go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$version" -o "$bin" github.com/docker/compose/v5/cmd
  ) || { echo "provision-compose: building docker compose $version failed" >&2; exit 1; }
fi
mkdir -p "$plugins"
ln -sf "$bin" "$plugins/docker-compose"
docker compose version >&2
