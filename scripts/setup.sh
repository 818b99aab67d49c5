#!/usr/bin/env bash
# Prepares this checkout: `npm start` runs it for the exporter's Node packages, `npm test` with
# --test for the Debian packages the tests use as well (test/setup/requirements.json).
# Idempotent: installs only what is missing, and waits for an apt lock another process holds.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node packages, when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "routerscope setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

[ "${1:-}" = "--test" ] || exit 0

mapfile -t packages < <(node -e '
  const r = require("./test/setup/requirements.json");
  console.log([...new Set(r.tools.map((t) => t.package))].join("\n"));')
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "routerscope setup: the tests need these Debian packages, and installing them needs root: ${missing[*]} (run npm test as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "routerscope setup: no apt-get here; install these Debian 12 packages by other means: ${missing[*]}" >&2
  exit 1
fi

echo "routerscope setup: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# apt waits up to 10 minutes for a lock another apt or unattended-upgrades holds.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@"; }
# An old package list may not know a package yet: update first, then install.
apt_get update -qq >&2
apt_get install -y -qq --no-install-recommends "${missing[@]}" >&2
