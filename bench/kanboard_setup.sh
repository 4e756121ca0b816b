#!/bin/sh
# Prepares a Kanboard checkout for bench/kanboard_compare.py: PHP >= 8.1 with the extensions Kanboard needs (apt),
# its PHP dependencies (vendor/ is committed in Kanboard's git; composer from apt and Packagist only if it is missing),
# and a smoke test (php -S on loopback, one JSON-RPC call, on a throw-away data directory).
# Nothing else is downloaded: bring the checkout yourself (a clone or a release archive of kanboard/kanboard).
#
#     sh bench/kanboard_setup.sh /tmp/kanboard-src
set -eu

root=${1:?usage: $0 KANBOARD_CHECKOUT}
[ -f "$root/jsonrpc.php" ] && [ -f "$root/app/common.php" ] || { echo "$root is not a Kanboard checkout" >&2; exit 1; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
missing=""
command -v php >/dev/null || missing="php-cli"
for ext in pdo_sqlite mbstring dom gd zip "Zend OPcache"; do
    php -m 2>/dev/null | grep -qix "$ext" || missing="$missing $ext"
done
if [ -n "$missing" ]; then
    echo "installing PHP (missing:$missing)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq php-cli php-sqlite3 php-mbstring php-xml php-gd \
        php-zip php-opcache >/dev/null
fi
php -r 'exit(version_compare(PHP_VERSION, "8.1.0", ">=") ? 0 : 1);' || { echo "Kanboard needs PHP >= 8.1" >&2; exit 1; }

if [ ! -f "$root/vendor/autoload.php" ]; then
    command -v composer >/dev/null || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq composer >/dev/null
    (cd "$root" && composer install --no-dev --no-interaction --optimize-autoloader)
fi

# Smoke test: a fresh data directory, the server on a loopback port, getVersion as admin/admin (first request
# runs Kanboard's migrations).
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA_DIR=$data php -S "127.0.0.1:$port" -t "$root" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
cat >"$data/ask.py" <<'EOF'
import base64, http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
conn.request("POST", "/jsonrpc.php", body=b'{"jsonrpc":"2.0","method":"getVersion","id":1}',
             headers={"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()})
print(conn.getresponse().read().decode())
EOF
for _ in $(seq 50); do
    answer=$(python3 "$data/ask.py" "$port" 2>/dev/null) && break
    sleep 0.2
done
case ${answer:-} in
    *'"result"'*) echo "Kanboard answers: $answer"; echo "ready: .venv/bin/python bench/kanboard_compare.py --kanboard-root $root" ;;
    *) echo "Kanboard did not answer; its server log:" >&2; cat "$data/server.log" >&2; exit 1 ;;
esac
