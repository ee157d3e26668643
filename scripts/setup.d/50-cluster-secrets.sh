# shellcheck shell=bash
# The local Compose cluster's secrets (issue #15), in .peerweave/ of the checkout (git-ignored, and
# outside the image's build context):
#   .peerweave/ca/ca.crt, ca.key   the cluster CA (`peerweave cluster ca init`); holding ca.key admits
#                                  a node. Both are mounted into every node as Compose secrets.
#   .peerweave/token               a write token for the HTTP API (`pw_` + 43 base64url chars, 0600)
#   .peerweave/tokens.json         its SHA-256 with scopes write + admin (PEERWEAVE_API_TOKENS_FILE)
# Checks: both CA files present, the key matching the certificate and owned by the image's user;
# the token well-formed and its hash in tokens.json. Makes only what is missing; never replaces a
# CA (a half-present or mismatched one stops setup with what to do) and never changes a token.
# Compose mounts file secrets as bind mounts with the host's owner and mode (no uid/mode without
# Swarm), and the image runs as 1000:1000, so ca.key is 0600 owned by 1000:1000 when run as root.
# PEERWEAVE_LOCAL_SECRETS_DIR picks another directory (the setup spec uses it).
# Sourced by scripts/setup.sh, which defines ok, doing, run, die, apt_update_once and now/since.

CLUSTER_SECRETS_UID=1000
CLUSTER_SECRETS_GID=1000

# Node with the checkout's libraries; inline scripts only (no files outside the checkout).
cluster_secrets_node() { (cd "$ROOT" && node "$@"); }

ensure_cluster_secrets() {
  local dir=${PEERWEAVE_LOCAL_SECRETS_DIR:-$ROOT/.peerweave}
  local ca_crt=$dir/ca/ca.crt ca_key=$dir/ca/ca.key token=$dir/token tokens=$dir/tokens.json
  local made=()
  mkdir -p "$dir"
  chmod 0700 "$dir"

  # The cluster CA.
  if [[ -e $ca_crt && -e $ca_key ]]; then
    local cert_pub key_pub
    cert_pub=$(openssl x509 -in "$ca_crt" -noout -pubkey 2>>"$LOG") || die "${ca_crt} is not a certificate: move ${dir}/ca away and run setup again to make a new CA"
    key_pub=$(openssl pkey -in "$ca_key" -pubout 2>>"$LOG") || die "${ca_key} is not a private key: move ${dir}/ca away and run setup again to make a new CA"
    [[ $cert_pub == "$key_pub" ]] || die "${ca_key} does not belong to ${ca_crt}: restore the pair, or move ${dir}/ca away and run setup again"
  elif [[ -e $ca_crt || -e $ca_key ]]; then
    die "only one of ${ca_crt} and ${ca_key} exists: restore the other, or move ${dir}/ca away and run setup again to make a new CA"
  else
    run 'peerweave cluster ca init' cluster_secrets_node apps/cli/src/main.ts --quiet cluster ca init "$dir/ca" --name 'Peerweave local cluster CA'
    made+=('cluster CA')
  fi
  if ! openssl x509 -in "$ca_crt" -noout -checkend 2592000 >/dev/null 2>&1; then
    printf '! %s expires within 30 days: make a new CA (README "Admission and the cluster CA")\n' "$ca_crt"
  fi
  if [[ $(id -u) == 0 && $(stat -c '%u:%g %a' "$ca_key") != "${CLUSTER_SECRETS_UID}:${CLUSTER_SECRETS_GID} 600" ]]; then
    chown "${CLUSTER_SECRETS_UID}:${CLUSTER_SECRETS_GID}" "$ca_key"
    chmod 0600 "$ca_key"
    made+=("ca.key owned by ${CLUSTER_SECRETS_UID} (the image's user)")
  fi

  # The write token and the tokens file with its hash.
  if [[ -e $token ]]; then
    grep -qxE 'pw_[A-Za-z0-9_-]{43}' "$token" || die "${token} does not hold a token (pw_ + 43 base64url characters): remove it and run setup again for a new one"
    [[ $(stat -c '%a' "$token") == 600 ]] || { chmod 0600 "$token"; made+=('token mode 0600'); }
  else
    (umask 077 && cluster_secrets_node -e 'process.stdout.write(`pw_${require("node:crypto").randomBytes(32).toString("base64url")}\n`)' >"$token.tmp")
    mv "$token.tmp" "$token"
    made+=('write token')
  fi
  # Adds {"name":"local","sha256":…,"scopes":["write","admin"]} unless its hash is there; other
  # entries (tokens made with the CLI) are kept. Prints "added" or "present".
  local tokens_state
  tokens_state=$(cluster_secrets_node -e '
    const fs = require("node:fs");
    const [tokenFile, tokensFile] = process.argv.slice(1);
    const sha256 = require("node:crypto").createHash("sha256").update(fs.readFileSync(tokenFile, "utf8").trim(), "utf8").digest("hex");
    let doc = { tokens: [] };
    if (fs.existsSync(tokensFile)) {
      try { doc = JSON.parse(fs.readFileSync(tokensFile, "utf8")); } catch (err) { console.error(`${tokensFile}: ${err.message}`); process.exit(2); }
      if (!Array.isArray(doc?.tokens)) { console.error(`${tokensFile}: expected {"tokens": [...]}`); process.exit(2); }
    }
    if (doc.tokens.some((t) => t?.sha256 === sha256)) { console.log("present"); process.exit(0); }
    doc.tokens.push({ name: "local", sha256, scopes: ["write", "admin"] });
    // In place, not a rename: Compose bind-mounts this file, and a running node would keep the old one.
    fs.writeFileSync(tokensFile, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
    console.log("added");
  ' "$token" "$tokens" 2>>"$LOG") || die "${tokens} is not a tokens file (see ${LOG}): fix or remove it and run setup again"
  [[ $tokens_state == added ]] && made+=('tokens.json entry')

  if ((${#made[@]} == 0)); then
    ok "cluster CA and write token in ${dir}"
  else
    local joined; joined=$(printf ', %s' "${made[@]}")
    ok "cluster secrets in ${dir}: made ${joined:2}"
  fi
}

EXTRA_STEPS+=(ensure_cluster_secrets)
