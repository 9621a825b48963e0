#!/usr/bin/env bash
# Runs the Dockerfile's steps without Docker (this machine cannot run containers): the tracked
# files copied to a clean directory, owned by a non-root user who runs scripts/container/build.sh
# and then the image's command and health check, sends one event and reads it back.
# Needs root (to create the user). Exit 0 when the collector served, else 1.
set -euo pipefail
# useradd lives in /usr/sbin, which a minimal PATH (env -i, some CI runners) leaves out.
export PATH="$PATH:/usr/sbin:/sbin"
repo=$(cd "$(dirname "$0")/../.." && pwd)
user=${TIGHTLOOP_CONTAINER_USER:-tightloop-ci}
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
work=$(mktemp -d /tmp/tightloop-container.XXXXXX)
trap 'pkill -u "$user" -f "dist/main.js" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# COPY . . with .dockerignore: the tracked files, nothing built, no node_modules.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf -) | tar -xf - -C "$work/"
mkdir -p "$work/home" "$work/volume"
chown -R "$user" "$work"
as_user() {
  su "$user" -s /bin/bash -c "cd '$work' && export HOME='$work/home' PATH='$PATH' \
    npm_config_nodedir='${npm_config_nodedir:-/usr}' npm_config_store_dir='$work/home/store' && $1"
}
as_user "sh scripts/container/build.sh"
port=$((20000 + RANDOM % 10000))
as_user "HOST=127.0.0.1 PORT=$port TIGHTLOOP_DATABASE='$work/volume/tightloop.db' TIGHTLOOP_LOG=json \
  TIGHTLOOP_PUBLIC_KEY=pk_container_check_01 TIGHTLOOP_SECRET_KEY=sk_container_check_secret_01 \
  nohup node apps/collector/dist/main.js > '$work/server.log' 2>&1 &"
for _ in $(seq 1 50); do
  as_user "PORT=$port node scripts/container/healthcheck.mjs" && break
  sleep 0.2
done
as_user "PORT=$port node scripts/container/healthcheck.mjs" || { cat "$work/server.log"; exit 1; }
owner=$(ps -o user= -p "$(pgrep -u "$user" -f dist/main.js | head -n 1)")
[ "$owner" = "$user" ] || { echo "container-check: server runs as $owner, not $user"; exit 1; }
event='{"events":[{"eventId":"container-1","signal":"thumbs_down","requestId":"r1","sessionId":"s1","userId":"u1","occurredAt":"2026-12-05T12:00:00Z"}]}'
node --input-type=module -e "
const [port, body] = process.argv.slice(1)
const base = 'http://127.0.0.1:' + port
const sent = await (await fetch(base + '/v1/events?key=pk_container_check_01', { method: 'POST', headers: { 'content-type': 'text/plain' }, body })).json()
if (sent.accepted !== 1) throw new Error('not accepted: ' + JSON.stringify(sent))
const raw = await (await fetch(base + '/v1/events', { headers: { authorization: 'Bearer sk_container_check_secret_01' } })).text()
if (!raw.includes('container-1')) throw new Error('not stored')
" "$port" "$event"
[ -s "$work/volume/tightloop.db" ] || { echo "container-check: no database on the volume"; exit 1; }
echo "container-check: built and served as $user from a clean copy (port $port)"
