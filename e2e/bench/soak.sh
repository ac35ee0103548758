#!/usr/bin/env bash
# Entrepot soak benchmark: 200 clients for 60 s against one proxy, mixing warm manifests (by tag and digest), warm
# blobs, cold images (each pulled by 3 clients at once), a hot 404, a slow upstream (200 ms per answer, ~8 MiB/s)
# and a flaky upstream (every second blob GET cut after half its body). Everything on 127.0.0.1 in a temp dir.
#
#   e2e/bench/soak.sh             # builds the proxy if needed, progress on stderr, a markdown report on stdout
#
# Every body is checked (status, error code, sha256 of each manifest and blob). The proxy runs with the JVM options
# the operator renders for the Deployment, under -XX:MaxRAM=512m standing in for a 512 MiB container limit.
# Knobs (env): SOAK_SECONDS (60), SOAK_CLIENTS (200), SOAK_COLD (cold images, 600), SOAK_KEEP (keep the temp dir),
#   ENTREPOT_JAR, SOAK_JVM (the proxy's JVM options).
# Needs: java 17, docker-registry (distribution 2.8), curl, python3. Exits 1 on any unexpected error or wrong digest.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_RUN=${SOAK_SECONDS:-60}
CLIENTS=${SOAK_CLIENTS:-200}
COLD=${SOAK_COLD:-600}
JAR=${ENTREPOT_JAR:-$ROOT/cache-proxy/target/quarkus-app/quarkus-run.jar}
JVM=${SOAK_JVM:--XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC}
SOAK="java -cp $ROOT/e2e/target/soak Soak"

log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for tool in java javac docker-registry curl python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install docker-registry curl python3)"
done

WORK=$(mktemp -d /tmp/entrepot-soak.XXXXXX)
PIDS=()
cleanup() {
    kill "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    if [[ -z ${SOAK_KEEP:-} ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_http() { # wait_http URL: until it answers 200 (60 s at most)
    local deadline=$((SECONDS + 60))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]]; do
        ((SECONDS < deadline)) || die "no 200 from $1"
        sleep 0.2
    done
}
proc() { awk -v k="$2:" '$1 == k {print int($2 / 1024)}' "/proc/$1/status"; } # proc PID VmHWM -> MiB
fds() { # fds PID -> "all (files)": open descriptors, and how many of them are files (not sockets, pipes, epoll)
    local all files
    all=$(ls "/proc/$1/fd" | wc -l)
    files=$(find "/proc/$1/fd" -mindepth 1 -lname '/*' | wc -l)
    echo "$all ($files files)"
}

if [[ ! -f $JAR || -n $(find "$ROOT/cache-proxy/src/main" "$ROOT/cache-proxy/pom.xml" -newer "$JAR" -print -quit) ]]; then
    log "building the proxy (mvn -B -pl cache-proxy -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -pl cache-proxy -am package -DskipTests >"$WORK/build.log" 2>&1) || die "build failed: $WORK/build.log"
fi
mkdir -p "$ROOT/e2e/target/soak"
javac -d "$ROOT/e2e/target/soak" "$ROOT/e2e/bench/Soak.java"

log "upstream: docker-registry with 20 warm, $COLD cold and 100 flaky images"
UP_PORT=$(free_port)
mkdir -p "$WORK/upstream"
cat >"$WORK/upstream/config.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $WORK/upstream/data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$UP_PORT}
EOF
docker-registry serve "$WORK/upstream/config.yml" >"$WORK/upstream/access.log" 2>"$WORK/upstream/error.log" &
PIDS+=($!)
UPSTREAM=http://127.0.0.1:$UP_PORT
wait_http "$UPSTREAM/v2/"
$SOAK seed "$UPSTREAM" "$WORK/plan" 20 "$COLD" 100

SLOW_PORT=$(free_port)
FLAKY_PORT=$(free_port)
$SOAK faults "$SLOW_PORT" "$UPSTREAM" slow 2>"$WORK/slow.log" &
PIDS+=($!)
$SOAK faults "$FLAKY_PORT" "$UPSTREAM" flaky 2>"$WORK/flaky.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$SLOW_PORT/v2/"
wait_http "http://127.0.0.1:$FLAKY_PORT/v2/"

log "Entrepot with $JVM"
mkdir -p "$WORK/entrepot"
cat >"$WORK/entrepot/entrepot.yaml" <<EOF
storage:
  path: $WORK/entrepot/store
  maxSize: 20Gi
repositories:
  - name: hub
    mode: remote
    remote: {url: "$UPSTREAM", tagTtl: 1h, notFoundTtl: 10s}
  - name: slow
    mode: remote
    remote: {url: "http://127.0.0.1:$SLOW_PORT", tagTtl: 2s}
  - name: flaky
    mode: remote
    remote: {url: "http://127.0.0.1:$FLAKY_PORT", tagTtl: 1h}
EOF
EP_PORT=$(free_port)
# shellcheck disable=SC2086
java $JVM -Dentrepot.config="$WORK/entrepot/entrepot.yaml" -Dquarkus.http.port="$EP_PORT" -Dquarkus.http.host=127.0.0.1 \
    -jar "$JAR" >"$WORK/entrepot/proxy.log" 2>&1 &
EP_PID=$!
PIDS+=("$EP_PID")
PROXY=http://127.0.0.1:$EP_PORT
wait_http "$PROXY/q/health/ready"
$SOAK warm "$PROXY" "$WORK/plan"
FD_BEFORE=$(fds "$EP_PID")
RSS_BEFORE=$(proc "$EP_PID" VmRSS)
TYPO_BEFORE=$(grep -c '/v2/library/typo/manifests/' "$WORK/upstream/access.log" || true)
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

log "$CLIENTS clients for ${SECONDS_RUN}s"
$SOAK load "$PROXY" "$WORK/plan" "$SECONDS_RUN" "$CLIENTS" >"$WORK/load.md"
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
sleep 5 # connections the clients closed, downloads that were still running
FD_AFTER=$(fds "$EP_PID")
RSS_PEAK=$(proc "$EP_PID" VmHWM)
RSS_AFTER=$(proc "$EP_PID" VmRSS)
TYPO_AFTER=$(grep -c '/v2/library/typo/manifests/' "$WORK/upstream/access.log" || true)

log "every flaky layer once more"
CHECK=$($SOAK check "$PROXY" "$WORK/plan" 2>"$WORK/check.log" | awk '$1 == "CHECK" {print $2 "/" $3}') || true

# upstream GETs per cold layer the clients asked for (3 clients at once per image): 1.00 is one GET per digest
read -r COLD_PULLED COLD_GETS < <(python3 - "$WORK/plan" "$WORK/upstream/access.log" <<'EOF'
import re, sys
cold = {l.split()[4]: l.split()[1] for l in open(sys.argv[1]) if l.startswith("cold ")}
gets = {}
for line in open(sys.argv[2]):
    m = re.search(r'"GET /v2/[^ ]+/blobs/(sha256:[0-9a-f]{64}) ', line)
    if m and m.group(1) in cold:
        gets[m.group(1)] = gets.get(m.group(1), 0) + 1
print(len(gets), sum(gets.values()))
EOF
)
read -r TOTAL RPS UPFAIL UNEXPECTED WRONG < <(awk '$1 == "TOTAL" {print $2, $3, $4, $5, $6}' "$WORK/load.md")
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

cat <<EOF
## Soak: $CLIENTS clients for ${SECONDS_RUN}s (e2e/bench/soak.sh, proxy from $COMMIT, $(date -u +%Y-%m-%d))

Machine: $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after the run (the load generator, the
faulty upstreams, distribution and the proxy share the cores). Proxy JVM: \`$JVM\`.

$(grep -v '^TOTAL' "$WORK/load.md")

- Total: $TOTAL requests, $RPS per second; unexpected errors $UNEXPECTED, wrong digests $WRONG (target 0 and 0);
  upstream failures (cut answers of the flaky upstream reaching a client) $UPFAIL.
- Every flaky layer asked once more after the run arrived whole: $CHECK.
- Cold layers: $COLD_PULLED asked for, $COLD_GETS upstream GETs ($(python3 -c "print(f'{$COLD_GETS / max($COLD_PULLED, 1):.2f}')") per layer, target 1.00).
- Hot 404 (\`library/typo:latest\`, notFoundTtl 10s): $((TYPO_AFTER - TYPO_BEFORE)) upstream requests in ${SECONDS_RUN}s.
- Proxy RSS: $RSS_BEFORE MiB before, peak (VmHWM) $RSS_PEAK MiB, $RSS_AFTER MiB after; open file descriptors $FD_BEFORE
  before, $FD_AFTER 5 s after the clients stopped (sockets left are pooled upstream connections).
EOF
[[ $UNEXPECTED == 0 && $WRONG == 0 && $CHECK == 100/100 ]] || die "unexpected errors, wrong digests or flaky layers not healed (see $WORK)"
