#!/bin/sh
# Installs routerscope onto an OpenWrt router over SSH: the bundle, the procd init script, and the
# UCI and YAML configs (kept if already there). Needs `node` on the router (opkg install node).
# Usage: procd/install.sh root@192.168.1.1 [ssh options...]
set -eu

[ $# -ge 1 ] || { echo "usage: $0 user@router [ssh options...]" >&2; exit 2; }
target=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bundle="$here/../dist/routerscope-router.mjs"
[ -f "$bundle" ] || { echo "no $bundle: run 'npm run build' first" >&2; exit 1; }

# scp needs an SFTP server that Dropbear lacks; plain cat over ssh works everywhere.
put() { # put <local file> <remote path> <mode> [keep]
	if [ "${4:-}" = keep ] && ssh "$target" "test -e '$2'"; then
		echo "kept existing $2"
		return 0
	fi
	ssh "$target" "mkdir -p '$(dirname "$2")' && cat > '$2.new' && chmod $3 '$2.new' && mv '$2.new' '$2'" < "$1"
	echo "installed $2"
}

ssh "$target" 'command -v node >/dev/null' || {
	echo "node is not installed on $target: opkg update && opkg install node (OpenWrt 24.10)," >&2
	echo "or run routerscope agentless beside Prometheus instead" >&2
	exit 1
}
put "$bundle" /usr/lib/routerscope/routerscope.mjs 0644
put "$here/routerscope.init" /etc/init.d/routerscope 0755
put "$here/routerscope.uci" /etc/config/routerscope 0600 keep
put "$here/config.yml" /etc/routerscope/config.yml 0644 keep
ssh "$target" 'node /usr/lib/routerscope/routerscope.mjs check-config --config.file /etc/routerscope/config.yml && /etc/init.d/routerscope enable && /etc/init.d/routerscope restart'
echo "routerscope is running on $target; curl http://127.0.0.1:9100/metrics on the router"
