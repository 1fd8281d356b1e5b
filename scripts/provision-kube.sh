#!/usr/bin/env bash
# Builds the test-cluster binaries from the Go module proxy into a cache outside the repo:
#   ${MESHOPS_CACHE_DIR:-~/.cache/meshops}/bin/<name>-<version>
# Reuses binaries already there; skips any binary present in $KUBEBUILDER_ASSETS (envtest convention).
# Usage: scripts/provision-kube.sh [etcd|kubernetes|kubectl|kwok|istioctl|pilot-discovery ...]   (default: all but kubectl)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kube-versions.env
source "$here/kube-versions.env"

cache="${MESHOPS_CACHE_DIR:-$HOME/.cache/meshops}"
bin="$cache/bin"
build="$cache/build"
timings="$cache/build-times.log"
mkdir -p "$bin" "$build"

ldflags_base="-s -w"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export GOTOOLCHAIN=local

die() { echo "provision-kube: FAILED: $*" >&2; exit 1; }
log() { echo "provision-kube: $*" >&2; }

command -v go >/dev/null || die "go is not on PATH (Go >= 1.26 is needed)"

# have NAME VERSION -> true when the binary is available from KUBEBUILDER_ASSETS or the cache
have() {
  local name="$1" version="$2"
  if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/$name" ]]; then
    log "$name: using \$KUBEBUILDER_ASSETS/$name"; return 0
  fi
  if [[ -x "$bin/$name-$version" ]]; then
    log "$name: cached at $bin/$name-$version"; return 0
  fi
  return 1
}

# scratch_module DIR -> creates an empty module to build a dependency's main package in
scratch_module() {
  local dir="$1"
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module meshops.local/scratch\n\ngo 1.26\n' >"$dir/go.mod"
}

timed() {
  local what="$1"; shift
  local start end
  start=$(date +%s)
  "$@" || die "$what (see the go output above)"
  end=$(date +%s)
  echo "$(date -u +%FT%TZ) $what $((end - start))s" >>"$timings"
  log "$what took $((end - start))s"
}

build_etcd() {
  have etcd "$ETCD_VERSION" && return 0
  local dir="$build/etcd-$ETCD_VERSION"
  scratch_module "$dir"
  (
    cd "$dir" &&
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" &&
    go build -trimpath -ldflags "$ldflags_base" -o "$dir/etcd" go.etcd.io/etcd/server/v3
  ) || die "building etcd $ETCD_VERSION in $dir"
  mv "$dir/etcd" "$bin/etcd-$ETCD_VERSION" || die "moving a built binary into $bin"
}

# Writes DIR/go.mod requiring k8s.io/kubernetes and replacing each k8s.io/* v0.0.0 staging
# requirement of the release's own go.mod with the published v0.<minor>.<patch>.
kubernetes_module() {
  local dir="$1" gomod staging_version godebug
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || die "could not download the go.mod of k8s.io/kubernetes@$KUBERNETES_VERSION"
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  godebug="$(grep '^godebug ' "$gomod" || true)"
  local staging
  staging="$(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$1 ~ /^k8s\.io\// && $2=="v0.0.0"{print $1}' "$gomod")"
  [[ -n "$staging" ]] || die "found no k8s.io/* v0.0.0 requirements in $gomod"
  {
    printf 'module meshops.local/scratch\n\ngo 1.26\n\n%s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$godebug" "$KUBERNETES_VERSION"
    for m in $staging; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"; done
    printf ')\n'
  } >"$dir/go.mod"
  log "kubernetes: replaced $(wc -w <<<"$staging") staging modules with $staging_version"
}

build_kubernetes() { build_kube_commands kube-apiserver kube-controller-manager kube-scheduler; }

# kubectl is for benchmarks only (bench/readiness.ts compares with `kubectl wait`): not built by default.
build_kubectl() { build_kube_commands kubectl; }

# build_kube_commands NAME... -> builds k8s.io/kubernetes/cmd/NAME for each missing NAME
build_kube_commands() {
  local missing=()
  for name in "$@"; do
    have "$name" "$KUBERNETES_VERSION" || missing+=("$name")
  done
  ((${#missing[@]})) || return 0
  local dir="$build/kubernetes-$KUBERNETES_VERSION"
  rm -rf "$dir" && mkdir -p "$dir"
  kubernetes_module "$dir"
  local minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  local v ldflags="$ldflags_base"
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor"
    ldflags+=" -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
  done
  local pkgs=()
  for name in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$name"); done
  (
    cd "$dir" &&
    go get "${pkgs[@]/%/@$KUBERNETES_VERSION}" &&
    mkdir -p out &&
    go build -trimpath -ldflags "$ldflags" -o out/ "${pkgs[@]}"
  ) || die "building ${missing[*]} $KUBERNETES_VERSION in $dir"
  for name in "${missing[@]}"; do mv "$dir/out/$name" "$bin/$name-$KUBERNETES_VERSION"; done
}

# kwok plays no stage without configuration: keep the release's own "fast" node/pod stages
# (the set kwokctl uses) next to the binary, as one multi-document kwok --config file.
kwok_stages() {
  local out="$bin/kwok-stages-$KWOK_VERSION.yaml" src f
  [[ -s "$out" ]] && return 0
  src="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src/kustomize/stage" ]] || die "could not download sigs.k8s.io/kwok@$KWOK_VERSION for its stages"
  for f in node/fast/node-initialize node/heartbeat/node-heartbeat pod/fast/pod-ready \
    pod/fast/pod-complete pod/fast/pod-delete; do
    [[ -f "$src/kustomize/stage/$f.yaml" ]] || die "kwok $KWOK_VERSION has no stage $f.yaml"
    printf -- '---\n'; cat "$src/kustomize/stage/$f.yaml"
  done >"$out.tmp" && mv "$out.tmp" "$out" || die "writing $out"
}

# kwok serves port-forwards of the pods listed in PortForward objects (the agent writes one for each
# pod it runs a process for): their CRD, from the release, beside the binary.
kwok_crds() {
  local out="$bin/kwok-crds-$KWOK_VERSION.yaml" src
  [[ -s "$out" ]] && return 0
  src="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -f "$src/kustomize/crd/bases/kwok.x-k8s.io_portforwards.yaml" ]] || die "kwok $KWOK_VERSION has no PortForward CRD"
  cp "$src/kustomize/crd/bases/kwok.x-k8s.io_portforwards.yaml" "$out.tmp" && mv "$out.tmp" "$out" || die "writing $out"
}

build_kwok() {
  kwok_stages
  kwok_crds
  have kwok "$KWOK_VERSION" && return 0
  local dir="$build/kwok-$KWOK_VERSION"
  scratch_module "$dir"
  (
    cd "$dir" &&
    go get "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" &&
    go build -trimpath -ldflags "$ldflags_base -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
      -o "$dir/kwok" sigs.k8s.io/kwok/cmd/kwok
  ) || die "building kwok $KWOK_VERSION in $dir"
  mv "$dir/kwok" "$bin/kwok-$KWOK_VERSION" || die "moving a built binary into $bin"
}

# istioctl's version: the module's VERSION file plus "-dev" (as istio's Makefile does for a
# commit between releases) and the pseudo-version's commit.
istio_ldflags() {
  local dir="$1" src v="istio.io/istio/pkg/version"
  src="$(go mod download -json "istio.io/istio@$ISTIO_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -f "$src/VERSION" ]] || { echo "istio.io/istio@$ISTIO_VERSION has no VERSION file" >&2; return 1; }
  printf -- '-X %s.buildVersion=%s-dev -X %s.buildGitRevision=%s -X %s.buildStatus=Clean -X %s.buildTag=%s' \
    "$v" "$(cat "$src/VERSION")" "$v" "${ISTIO_VERSION##*-}" "$v" "$v" "$ISTIO_VERSION" >"$dir/ldflags"
}

build_istioctl() {
  have istioctl "$ISTIO_VERSION" && return 0
  local dir="$build/istioctl-$ISTIO_VERSION"
  scratch_module "$dir"
  (
    cd "$dir" &&
    go get "istio.io/istio/istioctl/cmd/istioctl@$ISTIO_VERSION" &&
    istio_ldflags "$dir" &&
    go build -trimpath -ldflags "$ldflags_base $(cat "$dir/ldflags")" -o "$dir/istioctl" istio.io/istio/istioctl/cmd/istioctl
  ) || die "building istioctl $ISTIO_VERSION in $dir"
  mv "$dir/istioctl" "$bin/istioctl-$ISTIO_VERSION" || die "moving a built binary into $bin"
}

# istiod's binary from the same commit as istioctl: the test clusters run it for each istiod Deployment.
build_pilot_discovery() {
  have pilot-discovery "$ISTIO_VERSION" && return 0
  local dir="$build/pilot-discovery-$ISTIO_VERSION"
  scratch_module "$dir"
  (
    cd "$dir" &&
    go get "istio.io/istio/pilot/cmd/pilot-discovery@$ISTIO_VERSION" &&
    istio_ldflags "$dir" &&
    go build -trimpath -ldflags "$ldflags_base $(cat "$dir/ldflags")" -o "$dir/pilot-discovery" istio.io/istio/pilot/cmd/pilot-discovery
  ) || die "building pilot-discovery $ISTIO_VERSION in $dir"
  mv "$dir/pilot-discovery" "$bin/pilot-discovery-$ISTIO_VERSION" || die "moving a built binary into $bin"
}

targets=("$@")
((${#targets[@]})) || targets=(kubernetes etcd kwok istioctl pilot-discovery)
total_start=$(date +%s)
for t in "${targets[@]}"; do
  case "$t" in
    etcd | kubernetes | kubectl | kwok | istioctl | pilot-discovery) timed "build $t" "build_${t//-/_}" ;;
    *) die "unknown target '$t' (expected etcd, kubernetes, kubectl, kwok, istioctl or pilot-discovery)" ;;
  esac
done
log "all done in $(($(date +%s) - total_start))s; binaries in $bin"
