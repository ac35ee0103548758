#!/usr/bin/env bash
# Entrepot benchmark: side by side on this machine, everything on 127.0.0.1 in a temp dir.
#
#   e2e/bench/run.sh            # builds the proxy if needed, prints progress on stderr, markdown on stdout
#   e2e/bench/run.sh > e2e/bench/RESULTS.md
#
# Measures
#   1. warm cached manifest by tag, wrk -t2 -c32: Entrepot vs distribution 2.8 proxy mode vs nginx proxy_cache
#   2. warm 256 MiB blob throughput, wrk -t2 -c4: Entrepot vs nginx static sendfile of the same file vs
#      nginx proxy_cache vs distribution proxy mode
#   3. upstream GETs for one 64 MiB blob under 20 concurrent cold pulls (from the upstream's access log)
#   4. peak RSS (VmHWM) of a fresh Entrepot (default heap) serving a 1 GiB blob cold to 8 concurrent clients
#   5. push of one 256 MiB layer (curl POST+PUT, curl single POST ?digest=, skopeo copy of a one-layer image), MiB/s:
#      Entrepot (standard repository) vs distribution 2.8, same blobs, median of BENCH_PUSH_RUNS fresh layers
#   6. 10 concurrent skopeo pushes of 10 different images (3 x 4 MiB layers each): wall time, Entrepot vs distribution
#   7. node mirror fallback (root): ctr pull of a one-layer image through the node agent with the proxy up, killed and
#      SIGSTOPped (the first pull after the failure), next to a direct pull and to containerd straight at the proxy
#   8. cold skopeo copy (docker:// -> dir:) of an image of BENCH_COLD_LAYERS x BENCH_COLD_MIB random layers: straight
#      from a docker-registry vs through Entrepot (remote repository in front of it; a new image each round, so
#      Entrepot's store is cold for it; the JVM warmed by one image first), rounds alternating, medians, CPU seconds
#      per process; then once with a JVM started just before
#
# Needs: java 17, docker-registry (distribution 2.8), nginx (nginx-light), wrk, curl, python3, sha256sum; skopeo (push).
# Knobs (env): BENCH_DURATION (wrk seconds, default 10), BENCH_WORK_DIR (default mktemp), ENTREPOT_JAR,
#   BENCH_SECTIONS ("pull push" by default; "pull" is 1-4, "push" is 5-6, "fallback" is 7), BENCH_PUSH_RUNS (default 3),
#   BENCH_FALLBACK_RUNS (default 5), BENCH_FALLBACK_MIB (layer size, default 16), BENCH_FALLBACK_CAP (seconds a pull
#   may take before it counts as given up, default 60). "fallback" needs root, containerd and ctr. "cold" is 8:
#   BENCH_COLD_ROUNDS (default 5), BENCH_COLD_LAYERS (3), BENCH_COLD_MIB (64), BENCH_COLD_WARMUP (images each proxy
#   serves before the rounds, default 1), BENCH_COLD_NGINX (default 1: nginx proxy_cache as a contender too; empty: not),
#   BENCH_COLD_KEEP_STORE (1: keep what the proxies stored; by default each
#   proxy's blobs are deleted after each copy, as skopeo's output is), BENCH_COLD_BASELINE_JAR (a second
#   proxy build measured in the same rounds, e.g. main's quarkus-run.jar copied with its quarkus-app directory).
#   BENCH_JAVA_OPTS: extra JVM options for every Entrepot started (e.g. -XX:StartFlightRecording=...).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${BENCH_DURATION:-10}
JAR=${ENTREPOT_JAR:-$ROOT/cache-proxy/target/quarkus-app/quarkus-run.jar}
ACCEPT='application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'
NAME=library/bench
SECTIONS=${BENCH_SECTIONS:-pull push}
PUSH_RUNS=${BENCH_PUSH_RUNS:-3}
FALLBACK_RUNS=${BENCH_FALLBACK_RUNS:-5}
FALLBACK_MIB=${BENCH_FALLBACK_MIB:-16}
FALLBACK_CAP=${BENCH_FALLBACK_CAP:-60}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# also from inside $(...) and <(...) subshells: stop the whole run (the EXIT trap cleans up)
die() { log "FAILED: $*"; kill -TERM $$; exit 1; }

TOOLS="java docker-registry curl python3 sha256sum"
want pull && TOOLS="$TOOLS nginx wrk"
want push && TOOLS="$TOOLS skopeo"
want fallback && TOOLS="$TOOLS containerd ctr timeout"
want cold && TOOLS="$TOOLS skopeo"
for tool in $TOOLS; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install docker-registry nginx-light wrk curl skopeo containerd)"
done

WORK=${BENCH_WORK_DIR:-$(mktemp -d /tmp/entrepot-bench.XXXXXX)}
mkdir -p "$WORK"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -z ${BENCH_KEEP:-} ]]; then
        rm -rf "$WORK"
    else
        log "kept $WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [seconds]: until the URL answers 200
wait_http() {
    local url=$1 deadline=$((SECONDS + ${2:-60}))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]]; do
        ((SECONDS < deadline)) || die "no 200 from $url"
        sleep 0.2
    done
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

upload_blob() { # upload_blob BASE NAME FILE DIGEST: monolithic upload to a registry, POST, then PUT with the digest
    local base=$1 location sep code
    location=$(curl -s -D - -o /dev/null -X POST "$base/v2/$2/blobs/uploads/" \
        | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
    [[ $location == http* ]] || location=$base$location
    [[ $location == *\?* ]] && sep='&' || sep='?'
    code=$(curl -s -o /dev/null -w '%{http_code}' -T "$3" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
        "$location${sep}digest=$4")
    [[ $code == 201 ]] || die "push of $3 to $base/v2/$2 answered $code"
}

# ---------------------------------------------------------------------------------------------------------
# The proxy jar
if [[ ! -f $JAR || -n $(find "$ROOT/cache-proxy/src/main" "$ROOT/cache-proxy/pom.xml" -newer "$JAR" -print -quit 2>/dev/null) ]]; then
    log "building the proxy (mvn -B -pl cache-proxy -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -pl cache-proxy -am package -DskipTests >"$WORK/build.log" 2>&1) \
        || die "build failed, see $WORK/build.log"
fi

# ---------------------------------------------------------------------------------------------------------
# Servers every section starts
registry_config() { # registry_config FILE PORT DATA [REMOTE]
    cat >"$1" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $3
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$2
EOF
    if [[ -n ${4:-} ]]; then
        printf 'proxy:\n  remoteurl: %s\n' "$4" >>"$1"
    fi
}

# write_nginx_conf DIR UPSTREAM_PORT CACHE_PORT STATIC_PORT STATIC_FILE: nginx proxy_cache in front of a registry on
# CACHE_PORT, and STATIC_FILE as /blob on STATIC_PORT; DIR/nginx.conf, cache and temp files under DIR
write_nginx_conf() {
    mkdir -p "$1/cache" "$1/tmp"
    cat >"$1/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $1/nginx.pid;
error_log $1/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $1/tmp/body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
    proxy_cache_path $1/cache levels=1:2 keys_zone=registry:10m max_size=8g inactive=1h use_temp_path=off;
    upstream registry { server 127.0.0.1:$2; keepalive 32; }
    server {
        listen 127.0.0.1:$3;
        location /v2/ {
            proxy_pass http://registry;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache registry;
            proxy_cache_key "\$request_method\$request_uri\$http_accept";
            proxy_cache_valid 200 206 1h;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 120s;
            proxy_cache_lock_age 120s;
            proxy_max_temp_file_size 0;
        }
    }
    server {
        listen 127.0.0.1:$4;
        location = /blob { alias $5; default_type application/octet-stream; }
    }
}
EOF
}

start_entrepot() { # start_entrepot DIR [UPSTREAM_URL [JAR]] -> sets EP_PID, EP_URL; pulling through from $UPSTREAM
    mkdir -p "$1"
    cat >"$1/entrepot.yaml" <<EOF
storage:
  path: $1/store
  maxSize: 20Gi
repositories:
  - name: hub
    mode: remote
    mirrorOf: [docker.io]
    remote:
      url: ${2:-$UPSTREAM}
      tagTtl: 1h
EOF
    start_entrepot_with "$1" "${3:-$JAR}"
}

start_entrepot_with() { # start_entrepot_with DIR [JAR] (DIR/entrepot.yaml written) -> sets EP_PID, EP_URL
    local dir=$1 port
    port=$(free_port)
    # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
    java ${BENCH_JAVA_OPTS:-} -Dentrepot.config="$dir/entrepot.yaml" -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
        -jar "${2:-$JAR}" >"$dir/proxy.log" 2>&1 &
    EP_PID=$!
    PIDS+=("$EP_PID")
    EP_URL=http://127.0.0.1:$port
    wait_http "$EP_URL/q/health/ready" 90
}

if want pull; then
# ---------------------------------------------------------------------------------------------------------
# Upstream: a plain distribution registry with one image whose layers are the benchmark blobs
log "generating blobs in $WORK/blobs"
mkdir -p "$WORK/blobs"
head -c 4096 /dev/urandom >"$WORK/blobs/small"
head -c $((64 << 20)) /dev/urandom >"$WORK/blobs/cold64"
head -c $((256 << 20)) /dev/urandom >"$WORK/blobs/warm256"
head -c $((1024 << 20)) /dev/urandom >"$WORK/blobs/big1g"
declare -A DIGEST SIZE
for blob in small cold64 warm256 big1g; do
    DIGEST[$blob]=sha256:$(sha256_of "$WORK/blobs/$blob")
    SIZE[$blob]=$(stat -c %s "$WORK/blobs/$blob")
done
# distribution's proxy mode needs a history array in the config (schema1 fallback)
python3 - "$WORK/blobs/config" <<'EOF'
import json, sys
config = {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
          "config": {"Env": ["PATH=/usr/bin:/bin"]},
          "rootfs": {"type": "layers", "diff_ids": []},
          "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "entrepot bench"}]}
open(sys.argv[1], "w").write(json.dumps(config))
EOF
DIGEST[config]=sha256:$(sha256_of "$WORK/blobs/config")
SIZE[config]=$(stat -c %s "$WORK/blobs/config")


UP_PORT=$(free_port)
mkdir -p "$WORK/upstream"
registry_config "$WORK/upstream/config.yml" "$UP_PORT" "$WORK/upstream/data"
docker-registry serve "$WORK/upstream/config.yml" >"$WORK/upstream/access.log" 2>"$WORK/upstream/error.log" &
PIDS+=($!)
UPSTREAM=http://127.0.0.1:$UP_PORT
wait_http "$UPSTREAM/v2/"

log "pushing blobs and the manifest to the upstream"
push_blob() { # push_blob BLOB: one of $WORK/blobs to $UPSTREAM/$NAME
    upload_blob "$UPSTREAM" "$NAME" "$WORK/blobs/$1" "${DIGEST[$1]}"
}
for blob in config small cold64 warm256 big1g; do
    push_blob "$blob"
done
python3 - "$WORK/manifest.json" "${DIGEST[config]}" "${SIZE[config]}" "${DIGEST[small]}" "${SIZE[small]}" <<'EOF'
import json, sys
out, cdigest, csize, ldigest, lsize = sys.argv[1:]
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": cdigest, "size": int(csize)},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": ldigest, "size": int(lsize)}]}
open(out, "w").write(json.dumps(manifest))
EOF
MANIFEST_DIGEST=sha256:$(sha256_of "$WORK/manifest.json")
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
    --data-binary @"$WORK/manifest.json" "$UPSTREAM/v2/$NAME/manifests/1")
[[ $code == 201 ]] || die "manifest push answered $code"

# The contenders

log "starting Entrepot"
start_entrepot "$WORK/entrepot"
ENTREPOT=$EP_URL
ENTREPOT_PID=$EP_PID

log "starting distribution in proxy mode"
DP_PORT=$(free_port)
mkdir -p "$WORK/distproxy"
registry_config "$WORK/distproxy/config.yml" "$DP_PORT" "$WORK/distproxy/data" "$UPSTREAM"
docker-registry serve "$WORK/distproxy/config.yml" >"$WORK/distproxy/access.log" 2>"$WORK/distproxy/error.log" &
PIDS+=($!)
DISTPROXY=http://127.0.0.1:$DP_PORT
wait_http "$DISTPROXY/v2/"

log "starting nginx (proxy_cache + static)"
NC_PORT=$(free_port)
NS_PORT=$(free_port)
fi # want pull

# ---------------------------------------------------------------------------------------------------------
# Helpers for measuring
cat >"$WORK/accept.lua" <<EOF
wrk.headers["Accept"] = "$ACCEPT"
EOF

# wrk_run CONNECTIONS URL [lua] -> prints "requests_per_sec bytes_per_sec non2xx socket_errors|none"
wrk_run() {
    local out
    out=$(wrk -t2 -c"$1" -d"${DURATION}s" --timeout 30s ${3:+-s "$3"} "$2" 2>&1) || die "wrk failed: $out"
    echo "$out" >>"$WORK/wrk.log"
    python3 - "$out" <<'EOF'
import re, sys
text = sys.argv[1]
units = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", text)
bps = float(m.group(1)) * units[m.group(2)]
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:\s*(.*)", text)
detail = errors.group(1).replace(" ", "").replace(",", "/") if errors else "none"
print(f"{rps:.0f} {bps:.0f} {non2xx.group(1) if non2xx else 0} {detail}")
EOF
}

# check_manifest URL: 200 and the pushed digest with the Accept header
check_manifest() {
    local got
    got=$(curl -s -H "Accept: $ACCEPT" "$1" | sha256sum | cut -d' ' -f1)
    [[ sha256:$got == "$MANIFEST_DIGEST" ]] || die "$1 did not serve the manifest (got sha256:$got)"
}

# blob_ok URL BLOB: "yes" when the full body has the right digest
blob_ok() {
    local got
    got=$(curl -s "$1" | sha256sum | cut -d' ' -f1)
    if [[ sha256:$got == "${DIGEST[$2]}" ]]; then echo yes; else echo no; fi
}

# check_blob URL BLOB: dies unless the full body has the right digest
check_blob() {
    [[ $(blob_ok "$1" "$2") == yes ]] || die "$1 did not serve $2 intact"
}

upstream_gets() { # upstream_gets DIGEST: GETs of that blob in the upstream's access log so far
    grep -c "\"GET /v2/$NAME/blobs/$1 " "$WORK/upstream/access.log" || true
}

# cold_crowd URL BLOB N -> "ok_clients upstream_gets seconds"
cold_crowd() {
    local url=$1 blob=$2 n=$3 before after ok=0 start end i
    before=$(upstream_gets "${DIGEST[$blob]}")
    start=$(date +%s.%N)
    for ((i = 0; i < n; i++)); do
        (curl -s --max-time 300 "$url" | sha256sum | cut -d' ' -f1 >"$WORK/crowd.$i") &
    done
    wait_children
    end=$(date +%s.%N)
    for ((i = 0; i < n; i++)); do
        [[ sha256:$(cat "$WORK/crowd.$i") == "${DIGEST[$blob]}" ]] && ok=$((ok + 1))
        rm -f "$WORK/crowd.$i"
    done
    sleep 0.5 # access log lines are written when the upstream response ends
    after=$(upstream_gets "${DIGEST[$blob]}")
    echo "$ok $((after - before)) $(python3 -c "print(f'{$end - $start:.1f}')")"
}

# waits for the background jobs of this shell except the long-running servers
wait_children() {
    local pid job
    for job in $(jobs -p); do
        for pid in "${PIDS[@]}"; do
            [[ $job == "$pid" ]] && continue 2
        done
        wait "$job" || true
    done
}

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
median() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
mib() { python3 -c "print(f'{$1 / 1048576:.0f}')"; }
ratio() { python3 -c "b = $2; print(f'{$1 / b:.2f}' if b else 'n/a')"; }

if want pull; then
# ---------------------------------------------------------------------------------------------------------
# 3 first (it needs cold caches): 20 concurrent cold pulls of one 64 MiB blob, per system
log "20 concurrent cold pulls of a 64 MiB blob"
read -r EP_OK EP_UP EP_T < <(cold_crowd "$ENTREPOT/v2/hub/$NAME/blobs/${DIGEST[cold64]}" cold64 20)
read -r DP_OK DP_UP DP_T < <(cold_crowd "$DISTPROXY/v2/$NAME/blobs/${DIGEST[cold64]}" cold64 20)

# Entrepot has now stored the blobs it served; nginx static serves the 256 MiB one from Entrepot's store
COLD256_OK=$(blob_ok "$ENTREPOT/v2/hub/$NAME/blobs/${DIGEST[warm256]}" warm256)
check_blob "$ENTREPOT/v2/hub/$NAME/blobs/${DIGEST[warm256]}" warm256
hex=${DIGEST[warm256]#sha256:}
STORED=$WORK/entrepot/store/blobs/sha256/${hex:0:2}/$hex
[[ -f $STORED ]] || STORED=$(find "$WORK/entrepot/store" -type f -name "$hex" | head -1)
[[ -f $STORED ]] || die "cannot find Entrepot's stored file for ${DIGEST[warm256]}"
write_nginx_conf "$WORK/nginx" "$UP_PORT" "$NC_PORT" "$NS_PORT" "$STORED"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/stderr.log" &
PIDS+=($!)
NGINXC=http://127.0.0.1:$NC_PORT
NGINXS=http://127.0.0.1:$NS_PORT
wait_http "$NGINXS/blob"
read -r NC_OK NC_UP NC_T < <(cold_crowd "$NGINXC/v2/$NAME/blobs/${DIGEST[cold64]}" cold64 20)

# ---------------------------------------------------------------------------------------------------------
# 1. warm manifest by tag
log "warm manifest by tag, wrk -t2 -c32 -d${DURATION}s"
for url in "$ENTREPOT/v2/hub/$NAME/manifests/1" "$DISTPROXY/v2/$NAME/manifests/1" "$NGINXC/v2/$NAME/manifests/1"; do
    check_manifest "$url"
    check_manifest "$url"
done
read -r M_EP_RPS _ M_EP_BAD M_EP_ERR < <(wrk_run 32 "$ENTREPOT/v2/hub/$NAME/manifests/1" "$WORK/accept.lua")
read -r M_DP_RPS _ M_DP_BAD M_DP_ERR < <(wrk_run 32 "$DISTPROXY/v2/$NAME/manifests/1" "$WORK/accept.lua")
read -r M_NC_RPS _ M_NC_BAD M_NC_ERR < <(wrk_run 32 "$NGINXC/v2/$NAME/manifests/1" "$WORK/accept.lua")

# ---------------------------------------------------------------------------------------------------------
# 2. warm 256 MiB blob
log "warm 256 MiB blob, wrk -t2 -c4 -d${DURATION}s"
check_blob "$NGINXS/blob" warm256
check_blob "$NGINXC/v2/$NAME/blobs/${DIGEST[warm256]}" warm256
check_blob "$DISTPROXY/v2/$NAME/blobs/${DIGEST[warm256]}" warm256
check_blob "$DISTPROXY/v2/$NAME/blobs/${DIGEST[warm256]}" warm256
read -r _ B_EP_BPS B_EP_BAD B_EP_ERR < <(wrk_run 4 "$ENTREPOT/v2/hub/$NAME/blobs/${DIGEST[warm256]}")
read -r _ B_NS_BPS B_NS_BAD B_NS_ERR < <(wrk_run 4 "$NGINXS/blob")
read -r _ B_NC_BPS B_NC_BAD B_NC_ERR < <(wrk_run 4 "$NGINXC/v2/$NAME/blobs/${DIGEST[warm256]}")
read -r _ B_DP_BPS B_DP_BAD B_DP_ERR < <(wrk_run 4 "$DISTPROXY/v2/$NAME/blobs/${DIGEST[warm256]}")

# ---------------------------------------------------------------------------------------------------------
# 4. peak RSS: a fresh Entrepot (default heap), 1 GiB blob cold to 8 concurrent clients
log "peak RSS: fresh Entrepot, 1 GiB blob cold to 8 clients"
kill "$ENTREPOT_PID" 2>/dev/null || true
wait "$ENTREPOT_PID" 2>/dev/null || true
start_entrepot "$WORK/entrepot-rss"
RSS_IDLE_KB=$(awk '/VmHWM/ {print $2}' "/proc/$EP_PID/status")
read -r R_OK R_UP R_T < <(cold_crowd "$EP_URL/v2/hub/$NAME/blobs/${DIGEST[big1g]}" big1g 8)
RSS_PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$EP_PID/status")
RSS_NOW_KB=$(awk '/VmRSS/ {print $2}' "/proc/$EP_PID/status")
fi # want pull
HEAP_MAX=$(java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}')

# ---------------------------------------------------------------------------------------------------------
# 5 and 6: pushes into an Entrepot standard repository and into a plain distribution, the same blobs to both
if want push; then
PUSH_LOAD=$(cut -d' ' -f1 /proc/loadavg)
log "push: generating $PUSH_RUNS x 256 MiB blobs, $PUSH_RUNS one-layer images of 256 MiB and 10 images of 3 x 4 MiB"
mkdir -p "$WORK/push"
# An OCI layout (tags big<i>, small<i>) and raw blobs raw<i>. Layers are gzip streams of stored deflate blocks over
# random bytes: skopeo sees gzip and sends them as they are (no compression CPU on either side), and no two layers
# share a digest (a repeated digest would turn an upload into a HEAD or a mount).
python3 - "$WORK/push" "$PUSH_RUNS" <<'EOF' || die "generating the push images failed"
import hashlib, json, os, sys, zlib
root, runs = sys.argv[1], int(sys.argv[2])
layout = os.path.join(root, "layout")
blobs = os.path.join(layout, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')

def put_bytes(data):
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

def layer(size):
    tmp = os.path.join(blobs, "layer.tmp")
    gz, raw = hashlib.sha256(), hashlib.sha256()
    deflate = zlib.compressobj(0, zlib.DEFLATED, 31)
    with open(tmp, "wb") as out:
        def write(chunk):
            gz.update(chunk)
            out.write(chunk)
        left = size
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            raw.update(chunk)
            write(deflate.compress(chunk))
            left -= len(chunk)
        write(deflate.flush())
    os.rename(tmp, os.path.join(blobs, gz.hexdigest()))
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + gz.hexdigest(),
            "size": os.path.getsize(os.path.join(blobs, gz.hexdigest()))}, "sha256:" + raw.hexdigest()

refs = []
def image(tag, sizes):
    layers, diff_ids = zip(*[layer(s) for s in sizes])
    config = put_bytes(json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                                   "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
                                   "history": [{"created_by": "entrepot bench"} for _ in sizes]}).encode())
    manifest = put_bytes(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                     "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config),
                                     "layers": list(layers)}).encode())
    refs.append(dict(mediaType="application/vnd.oci.image.manifest.v1+json", annotations={
        "org.opencontainers.image.ref.name": tag}, **manifest))
    open(os.path.join(root, tag + ".digest"), "w").write(manifest["digest"])

for i in range(runs):
    image("big%d" % i, [256 << 20])
for i in range(10):
    image("small%d" % i, [4 << 20] * 3)
json.dump({"schemaVersion": 2, "manifests": refs}, open(os.path.join(layout, "index.json"), "w"))
for i in range(runs * 2 + 2):  # raw<i>: curl bodies, one per run and method, and two to warm up with
    with open(os.path.join(root, "raw%d" % i), "wb") as out:
        left = 256 << 20
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            out.write(chunk)
            left -= len(chunk)
EOF
declare -A RAW_DIGEST
for ((i = 0; i < PUSH_RUNS * 2 + 2; i++)); do
    RAW_DIGEST[$i]=sha256:$(sha256_of "$WORK/push/raw$i")
done
PUSH_LAYOUT=$WORK/push/layout

log "push: starting Entrepot (standard repository team) and a plain distribution"
mkdir -p "$WORK/entrepot-push"
cat >"$WORK/entrepot-push/entrepot.yaml" <<EOF
storage:
  path: $WORK/entrepot-push/store
  maxSize: 20Gi
repositories:
  - name: team
    mode: standard
    standard:
      immutableTags: false
EOF
start_entrepot_with "$WORK/entrepot-push"
PUSH_EP=$EP_URL
PUSH_EP_PID=$EP_PID
PD_PORT=$(free_port)
mkdir -p "$WORK/distpush"
registry_config "$WORK/distpush/config.yml" "$PD_PORT" "$WORK/distpush/data"
docker-registry serve "$WORK/distpush/config.yml" >"$WORK/distpush/access.log" 2>"$WORK/distpush/error.log" &
PIDS+=($!)
PUSH_DP=http://127.0.0.1:$PD_PORT
wait_http "$PUSH_DP/v2/"


# upload_post_put BASE REPO FILE DIGEST -> seconds: POST opens a session, PUT ?digest= carries the whole body
upload_post_put() {
    local base=$1 repo=$2 file=$3 digest=$4 start location code sep
    start=$(now)
    location=$(curl -s -D - -o /dev/null -X POST "$base/v2/$repo/blobs/uploads/" \
        | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
    [[ -n $location ]] || die "POST $base/v2/$repo/blobs/uploads/ gave no Location"
    [[ $location == http* ]] || location=$base$location
    [[ $location == *\?* ]] && sep='&' || sep='?'
    # Expect: off, or curl waits a second for a 100 Continue before a big body
    code=$(curl -s -o /dev/null -w '%{http_code}' -T "$file" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
        "$location${sep}digest=$digest")
    [[ $code == 201 ]] || die "PUT of $file to $base answered $code"
    elapsed "$start" "$(now)"
}

# upload_post BASE REPO FILE DIGEST -> seconds, or "n/a:<status>" when the server does not take one-request uploads
upload_post() {
    local base=$1 repo=$2 file=$3 digest=$4 start code
    start=$(now)
    # --request-target: with -T, a URL path ending in / would get the file name appended
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -T "$file" -H 'Expect:' \
        -H 'Content-Type: application/octet-stream' --request-target "/v2/$repo/blobs/uploads/?digest=$digest" "$base/")
    if [[ $code != 201 ]]; then
        echo "n/a:$code"
        return
    fi
    elapsed "$start" "$(now)"
}

# blob_stored BASE REPO DIGEST: dies unless the registry serves the blob with that digest
blob_stored() {
    local got
    got=$(curl -s "$1/v2/$2/blobs/$3" | sha256sum | cut -d' ' -f1)
    [[ sha256:$got == "$3" ]] || die "$1/v2/$2 does not serve $3 (got sha256:$got)"
}

# skopeo_push HOST:PORT TAG REPO -> seconds
skopeo_push() {
    local start
    start=$(now)
    skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$PUSH_LAYOUT:$2" "docker://$1/$3" \
        >>"$WORK/push/skopeo.log" 2>&1 || die "skopeo push of $2 to $1 failed, see $WORK/push/skopeo.log"
    elapsed "$start" "$(now)"
}

# manifest_is HOST:PORT REPO TAG: dies unless the registry serves the manifest skopeo pushed for TAG
manifest_is() {
    local got
    got=$(skopeo inspect --tls-verify=false --raw "docker://$1/$2" | sha256sum | cut -d' ' -f1)
    [[ sha256:$got == "$(cat "$WORK/push/$3.digest")" ]] || die "$1/$2 does not serve the manifest of $3"
}

mibps() { python3 -c "print(f'{256 / $1:.0f}')"; }

host_of() { echo "${1#http://}"; }
EPH=$(host_of "$PUSH_EP")
DPH=$(host_of "$PUSH_DP")
EP_PP=() DP_PP=() EP_P=() DP_P_CODE="" EP_SK=() DP_SK=()
# warm-up, not counted: one upload each of blobs nobody measures (the JVM compiles its upload path)
upload_post_put "$PUSH_EP" team/warm "$WORK/push/raw$((PUSH_RUNS * 2))" "${RAW_DIGEST[$((PUSH_RUNS * 2))]}" >/dev/null
upload_post_put "$PUSH_DP" team/warm "$WORK/push/raw$((PUSH_RUNS * 2 + 1))" "${RAW_DIGEST[$((PUSH_RUNS * 2 + 1))]}" >/dev/null
for ((i = 0; i < PUSH_RUNS; i++)); do
    # alternate who goes first; sync before each timed push, so none pays for the previous one's dirty pages
    order=(ep dp)
    ((i % 2)) && order=(dp ep)
    for who in "${order[@]}"; do
        if [[ $who == ep ]]; then
            log "push run $((i + 1))/$PUSH_RUNS: Entrepot"
            sync
            EP_PP+=("$(upload_post_put "$PUSH_EP" team/raw "$WORK/push/raw$i" "${RAW_DIGEST[$i]}")")
            blob_stored "$PUSH_EP" team/raw "${RAW_DIGEST[$i]}"
            j=$((PUSH_RUNS + i))
            sync
            t=$(upload_post "$PUSH_EP" team/raw "$WORK/push/raw$j" "${RAW_DIGEST[$j]}")
            [[ $t == n/a:* ]] && die "Entrepot refused a one-request upload (${t#n/a:})"
            EP_P+=("$t")
            blob_stored "$PUSH_EP" team/raw "${RAW_DIGEST[$j]}"
            sync
            EP_SK+=("$(skopeo_push "$EPH" "big$i" "team/big$i:v1")")
            manifest_is "$EPH" "team/big$i:v1" "big$i"
            log "  Entrepot: POST+PUT ${EP_PP[-1]} s, POST ${EP_P[-1]} s, skopeo ${EP_SK[-1]} s"
        else
            log "push run $((i + 1))/$PUSH_RUNS: distribution"
            sync
            DP_PP+=("$(upload_post_put "$PUSH_DP" team/raw "$WORK/push/raw$i" "${RAW_DIGEST[$i]}")")
            blob_stored "$PUSH_DP" team/raw "${RAW_DIGEST[$i]}"
            j=$((PUSH_RUNS + i))
            DP_P_CODE=$(upload_post "$PUSH_DP" team/raw "$WORK/push/raw$j" "${RAW_DIGEST[$j]}")
            sync
            DP_SK+=("$(skopeo_push "$DPH" "big$i" "team/big$i:v1")")
            manifest_is "$DPH" "team/big$i:v1" "big$i"
            log "  distribution: POST+PUT ${DP_PP[-1]} s, POST $DP_P_CODE, skopeo ${DP_SK[-1]} s"
        fi
    done
done
PUSH_EP_PP=$(median "${EP_PP[@]}") PUSH_DP_PP=$(median "${DP_PP[@]}")
PUSH_EP_P=$(median "${EP_P[@]}")
PUSH_EP_SK=$(median "${EP_SK[@]}") PUSH_DP_SK=$(median "${DP_SK[@]}")
if [[ $DP_P_CODE == n/a:* ]]; then
    PUSH_DP_P_CELL="n/a (answers ${DP_P_CODE#n/a:}: opens a session, drops the body)"
    PUSH_DP_P_RATIO="n/a"
else
    PUSH_DP_P_CELL=$(mibps "$DP_P_CODE")
    PUSH_DP_P_RATIO=$(ratio "$(mibps "$PUSH_EP_P")" "$PUSH_DP_P_CELL")×
fi

# concurrent_pushes HOST:PORT -> "ok seconds": small0..small9 at once, one image each
concurrent_pushes() {
    local host=$1 start end i ok=0
    start=$(now)
    for ((i = 0; i < 10; i++)); do
        (skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$PUSH_LAYOUT:small$i" \
            "docker://$host/team/small$i:v1" >"$WORK/push/concurrent.$i.log" 2>&1 && echo ok >"$WORK/push/concurrent.$i") &
    done
    wait_children
    end=$(now)
    for ((i = 0; i < 10; i++)); do
        if [[ -f $WORK/push/concurrent.$i ]]; then
            manifest_is "$host" "team/small$i:v1" "small$i"
            ok=$((ok + 1))
        fi
        rm -f "$WORK/push/concurrent.$i"
    done
    echo "$ok $(elapsed "$start" "$end")"
}
sync
log "10 concurrent skopeo pushes: Entrepot"
read -r CC_EP_OK CC_EP_T < <(concurrent_pushes "$EPH")
sync
log "10 concurrent skopeo pushes: distribution"
read -r CC_DP_OK CC_DP_T < <(concurrent_pushes "$DPH")
PUSH_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$PUSH_EP_PID/status")
fi # want push

# ---------------------------------------------------------------------------------------------------------
# 8. cold skopeo copy: docker:// -> dir: of images of COLD_LAYERS x COLD_MIB random layers, straight from a
# docker-registry vs through Entrepot (a remote repository in front of it). Each round copies a new image (cold for
# every proxy's store) with every contender, the order rotating; the proxies' JVMs are warmed by one image first.
if want cold; then
COLD_ROUNDS=${BENCH_COLD_ROUNDS:-5}
COLD_LAYERS=${BENCH_COLD_LAYERS:-3}
COLD_MIB=${BENCH_COLD_MIB:-64}
COLD_WARMUP=${BENCH_COLD_WARMUP:-1}
COLD_KEEP_STORE=${BENCH_COLD_KEEP_STORE:-}
COLD_NGINX=${BENCH_COLD_NGINX-1}
command -v nginx >/dev/null || COLD_NGINX=""
COLD_BASELINE_JAR=${BENCH_COLD_BASELINE_JAR:-}
COLD=$WORK/cold
# img1..ROUNDS are the rounds, then the warm-up images; img0 is for the fresh JVMs
COLD_IMAGES=$((COLD_ROUNDS + COLD_WARMUP + 1))
mkdir -p "$COLD"
COLD_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "cold: generating $COLD_IMAGES images of $COLD_LAYERS x $COLD_MIB MiB random layers"
python3 - "$COLD" "$COLD_IMAGES" "$COLD_LAYERS" "$COLD_MIB" <<'EOF' || die "generating the cold images failed"
import hashlib, json, os, sys
root, images, layers, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(images):
    out = os.path.join(root, "img%d" % i)
    os.makedirs(out, exist_ok=True)
    blobs, descriptors = [], []
    for n in range(layers):
        h = hashlib.sha256()
        with open(os.path.join(out, "layer%d" % n), "wb") as f:
            for _ in range(mib):
                chunk = os.urandom(1 << 20)
                h.update(chunk)
                f.write(chunk)
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + h.hexdigest(),
                            "size": mib << 20})
        blobs.append(("layer%d" % n, "sha256:" + h.hexdigest()))
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                         "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]},
                         "history": [{"created_by": "entrepot bench"} for _ in descriptors]}).encode()
    open(os.path.join(out, "config"), "wb").write(config)
    blobs.append(("config", "sha256:" + hashlib.sha256(config).hexdigest()))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blobs[-1][1],
                           "size": len(config)},
                "layers": descriptors}
    open(os.path.join(out, "manifest"), "w").write(json.dumps(manifest))
    open(os.path.join(out, "blobs"), "w").write("".join("%s %s\n" % b for b in blobs))
EOF
COLD_UP_PORT=$(free_port)
registry_config "$COLD/upstream.yml" "$COLD_UP_PORT" "$COLD/upstream-data"
docker-registry serve "$COLD/upstream.yml" >"$COLD/upstream-access.log" 2>"$COLD/upstream-error.log" &
COLD_UP_PID=$!
PIDS+=("$COLD_UP_PID")
COLD_UP=http://127.0.0.1:$COLD_UP_PORT
wait_http "$COLD_UP/v2/"
log "cold: pushing them to a docker-registry"
for ((i = 0; i < COLD_IMAGES; i++)); do
    while read -r file digest; do
        upload_blob "$COLD_UP" "cold/img$i" "$COLD/img$i/$file" "$digest"
        rm -f "$COLD/img$i/$file" # the registry has it; keep the disk free
    done <"$COLD/img$i/blobs"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
        --data-binary @"$COLD/img$i/manifest" "$COLD_UP/v2/cold/img$i/manifests/1")
    [[ $code == 201 ]] || die "cold: manifest push of img$i answered $code"
done

cpu_seconds() { # cpu_seconds PID...: user + system CPU time of the processes so far
    python3 -c "import os, sys; print(sum((lambda f: int(f[11]) + int(f[12]))(open('/proc/%s/stat' % p).read()
        .rsplit(')', 1)[1].split()) for p in sys.argv[1:]) / os.sysconf('SC_CLK_TCK'))" "$@"
}
cold_gets() { grep -c "\"GET /v2/cold/img$1/blobs/" "$COLD/upstream-access.log" || true; }

# cold_copy WHO IMAGE -> "seconds skopeo_cpu registry_cpu proxy_cpu"; WHO is direct or a proxy's name (ep, base)
cold_copy() {
    local who=$1 image=$2 host prefix="" pid="" out=$COLD/out start end up0 pr0=0 gets0 gets pr1=0
    if [[ $who == direct ]]; then
        host=127.0.0.1:$COLD_UP_PORT
    else
        host=${COLD_HOST[$who]}
        pid=${COLD_PID[$who]} # nginx: its workers
        [[ $who == nginx ]] || prefix=hub/
    fi
    rm -rf "$out"
    sync
    gets0=$(cold_gets "$image")
    up0=$(cpu_seconds "$COLD_UP_PID")
    # shellcheck disable=SC2086 # a list of PIDs
    [[ -n $pid ]] && pr0=$(cpu_seconds $pid)
    start=$(now)
    /usr/bin/time -f '%U %S' -o "$COLD/skopeo.time" skopeo --insecure-policy copy --quiet --src-tls-verify=false \
        "docker://$host/${prefix}cold/img$image:1" "dir:$out" >>"$COLD/skopeo.log" 2>&1 \
        || die "cold: skopeo copy of img$image via $who failed, see $COLD/skopeo.log"
    end=$(now)
    # shellcheck disable=SC2086
    [[ -n $pid ]] && pr1=$(cpu_seconds $pid)
    sleep 0.3 # the registry writes an access log line when its response ends
    gets=$(($(cold_gets "$image") - gets0))
    # every blob exactly once from the upstream, proxied or not (skopeo fetches each blob once; nginx: proxy_cache_lock)
    ((gets == COLD_LAYERS + 1)) || die "cold: img$image via $who made $gets upstream blob GETs, not $((COLD_LAYERS + 1))"
    python3 - "$out" "$COLD/img$image/manifest" <<'EOF' || die "cold: img$image via $who: wrong or missing layers"
import hashlib, json, os, sys
out, manifest = sys.argv[1], json.load(open(sys.argv[2]))
for layer in manifest["layers"]:
    path = os.path.join(out, layer["digest"].split(":")[1])
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    assert "sha256:" + h.hexdigest() == layer["digest"], path
EOF
    rm -rf "$out"
    # A fresh store for the next round: skopeo's output is gone too, so both reuse the page-cache pages freed here
    # (on this VM, writing to memory never used before costs ~2 ms of system time per MiB more).
    [[ -n $pid && -z $COLD_KEEP_STORE ]] && find "${COLD_STORE[$who]}" -type f -delete
    read -r su ss <"$COLD/skopeo.time"
    python3 -c "print(f'{$end - $start:.3f} {$su + $ss:.2f} {$(cpu_seconds "$COLD_UP_PID") - $up0:.2f} {$pr1 - $pr0:.2f}')"
}

declare -A COLD_HOST COLD_PID COLD_STORE COLD_T COLD_CPU_SK COLD_CPU_UP COLD_CPU_EP
COLD_WHO=(direct ep)
[[ -n $COLD_BASELINE_JAR ]] && COLD_WHO+=(base)
cold_proxy_start() { # cold_proxy_start WHO DIR
    local jar=$JAR
    [[ $1 == base ]] && jar=$COLD_BASELINE_JAR
    start_entrepot "$2" "$COLD_UP" "$jar"
    COLD_HOST[$1]=${EP_URL#http://}
    COLD_PID[$1]=$EP_PID
    COLD_STORE[$1]=$2/store/blobs
}
for who in "${COLD_WHO[@]}"; do
    [[ $who == direct ]] || cold_proxy_start "$who" "$COLD/entrepot-$who"
done
if [[ -n $COLD_NGINX ]]; then
    # the same cold copy through nginx proxy_cache (streams to the client while it writes its cache file; no digest
    # check, no fsync): what a lean C proxy costs on this machine
    COLD_NGINX_PORT=$(free_port)
    write_nginx_conf "$COLD/nginx" "$COLD_UP_PORT" "$COLD_NGINX_PORT" "$(free_port)" /dev/null
    nginx -p "$COLD/nginx" -c "$COLD/nginx/nginx.conf" 2>"$COLD/nginx/stderr.log" &
    COLD_NGINX_PID=$!
    PIDS+=("$COLD_NGINX_PID")
    wait_http "http://127.0.0.1:$COLD_NGINX_PORT/v2/"
    COLD_HOST[nginx]=127.0.0.1:$COLD_NGINX_PORT
    sleep 0.5 # its workers started (the cache loader and manager come and go: not counted)
    COLD_PID[nginx]=$(pgrep -f -P "$COLD_NGINX_PID" "worker process" | tr '\n' ' ')
    [[ -n ${COLD_PID[nginx]// /} ]] || die "cold: no nginx worker processes"
    COLD_STORE[nginx]=$COLD/nginx/cache
    COLD_WHO+=(nginx)
fi
log "cold: warming up ($COLD_WARMUP image(s) through every contender)"
for ((w = 1; w <= COLD_WARMUP; w++)); do
    for who in "${COLD_WHO[@]}"; do
        cold_copy "$who" $((COLD_ROUNDS + w)) >/dev/null
    done
done
for ((r = 1; r <= COLD_ROUNDS; r++)); do
    n=${#COLD_WHO[@]}
    for ((k = 0; k < n; k++)); do
        who=${COLD_WHO[$(((k + r) % n))]}
        read -r t sk up ep < <(cold_copy "$who" "$r")
        COLD_T[$who]+="$t " COLD_CPU_SK[$who]+="$sk " COLD_CPU_UP[$who]+="$up " COLD_CPU_EP[$who]+="$ep "
        log "cold round $r/$COLD_ROUNDS: $who $t s (CPU s: skopeo $sk, registry $up, proxy $ep; load $(cut -d' ' -f1 /proc/loadavg))"
    done
done
# fresh JVMs: each proxy restarted on an empty store, the last image copied as soon as it is ready
COLD_FRESH=()
for who in "${COLD_WHO[@]}"; do
    [[ $who == nginx ]] && continue
    if [[ $who != direct ]]; then
        kill "${COLD_PID[$who]}" 2>/dev/null || true
        wait "${COLD_PID[$who]}" 2>/dev/null || true
        cold_proxy_start "$who" "$COLD/entrepot-$who-fresh"
    fi
    read -r t _ < <(cold_copy "$who" 0)
    COLD_FRESH+=("$t")
    log "cold, fresh JVM: $who $t s"
done
COLD_LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
fi # want cold

# ---------------------------------------------------------------------------------------------------------
# 7. node mirror fallback: containerd (ctr --hosts-dir, as root) pulling docker.io/library/fallback:1 with the
# node agent in front of the proxy, the proxy healthy, killed and SIGSTOPped, next to a direct pull and to
# containerd pointed straight at the proxy (no agent). The registry the hosts.toml names as server is a second
# docker-registry standing in for Docker Hub.
if want fallback; then
[[ $(id -u) == 0 ]] || die "the fallback section runs containerd and needs root"
FB=$WORK/fallback
mkdir -p "$FB"
log "fallback: two registries (the proxy's upstream, a stand-in for Docker Hub) with one ${FALLBACK_MIB} MiB layer image"
FB_UP_PORT=$(free_port) FB_HUB_PORT=$(free_port)
for reg in up:$FB_UP_PORT hub:$FB_HUB_PORT; do
    registry_config "$FB/${reg%%:*}.yml" "${reg##*:}" "$FB/${reg%%:*}-data"
    docker-registry serve "$FB/${reg%%:*}.yml" >"$FB/${reg%%:*}-access.log" 2>"$FB/${reg%%:*}-error.log" &
    PIDS+=($!)
    wait_http "http://127.0.0.1:${reg##*:}/v2/"
done
# a pullable image: a gzip tar layer of random bytes (containerd unpacks it), its config and an OCI manifest
python3 - "$FB/image" "$FALLBACK_MIB" <<'EOF' || die "generating the fallback image failed"
import gzip, hashlib, io, json, os, sys, tarfile
out, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tar:
    data = os.urandom(mib << 20)
    info = tarfile.TarInfo("fallback/random.bin")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
layer = gzip.compress(raw.getvalue(), compresslevel=1)
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
                     "diff_ids": ["sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()]}}).encode()
def put(name, data):
    open(os.path.join(out, name), "wb").write(data)
    return {"digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put("config", config)),
            "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **put("layer", layer))]}
put("manifest", json.dumps(manifest).encode())
EOF
for port in $FB_UP_PORT $FB_HUB_PORT; do
    for blob in config layer; do
        location=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$port/v2/library/fallback/blobs/uploads/" \
            | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
        [[ $location == http* ]] || location=http://127.0.0.1:$port$location
        [[ $location == *\?* ]] && sep='&' || sep='?'
        code=$(curl -s -o /dev/null -w '%{http_code}' -T "$FB/image/$blob" -H 'Content-Type: application/octet-stream' \
            "$location${sep}digest=sha256:$(sha256_of "$FB/image/$blob")")
        [[ $code == 201 ]] || die "fallback image: push of $blob answered $code"
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
        --data-binary @"$FB/image/manifest" "http://127.0.0.1:$port/v2/library/fallback/manifests/1")
    [[ $code == 201 ]] || die "fallback image: manifest push answered $code"
done

FB_PROXY_PORT=$(free_port)
cat >"$FB/entrepot.yaml" <<EOF
storage:
  path: $FB/store
repositories:
  - name: hub
    mode: remote
    mirrorOf: [docker.io]
    remote:
      url: http://127.0.0.1:$FB_UP_PORT
      tagTtl: 1h
EOF
FB_STARTS=0
fb_proxy_start() { # (re)starts the proxy on the same port -> FB_PROXY_PID
    FB_STARTS=$((FB_STARTS + 1))
    java -Dentrepot.config="$FB/entrepot.yaml" -Dquarkus.http.port="$FB_PROXY_PORT" -Dquarkus.http.host=127.0.0.1 \
        -jar "$JAR" >"$FB/proxy-$FB_STARTS.log" 2>&1 &
    FB_PROXY_PID=$!
    PIDS+=("$FB_PROXY_PID")
    wait_http "http://127.0.0.1:$FB_PROXY_PORT/q/health/ready" 90
}
fb_proxy_start

log "fallback: a private containerd ($(containerd --version | awk '{print $3}')) and the node agent"
CTD=$FB/containerd
mkdir -p "$CTD"
cat >"$CTD/config.toml" <<EOF
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$CTD/containerd.sock"
[ttrpc]
  address = "$CTD/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTD/opt"
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "$FB/certs-agent"
EOF
containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
PIDS+=($!)
ctr_() { ctr --address "$CTD/containerd.sock" "$@"; }
deadline=$((SECONDS + 30))
until ctr_ version >/dev/null 2>&1; do ((SECONDS < deadline)) || die "containerd did not start, see $CTD/containerd.log"; sleep 0.2; done

HUB=http://127.0.0.1:$FB_HUB_PORT
AGENT_PORT=$(free_port) AGENT_STATUS=$(free_port)
hosts_toml() { # hosts_toml DIR MIRROR_URL: docker.io -> MIRROR_URL, then the stand-in (containerd 1.6 wants a [host])
    mkdir -p "$1/docker.io"
    printf 'server = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n' "$HUB" "$2" >"$1/docker.io/hosts.toml"
}
hosts_toml "$FB/certs-direct" "$HUB"                                 # no mirror at all
hosts_toml "$FB/certs-proxy" "http://127.0.0.1:$FB_PROXY_PORT"       # containerd straight at the proxy
mkdir -p "$FB/certs-agent" "$FB/mirror-files"
hosts_toml "$FB/rendered" "http://127.0.0.1:$AGENT_PORT"             # what the agent writes into certs-agent
cp "$FB/rendered/docker.io/hosts.toml" "$FB/mirror-files/docker.io.hosts.toml"
# the JVM options and entry point of the DaemonSet the operator renders (golden file of NodeAgentRenderer)
mapfile -t AGENT_JVM < <(python3 - "$ROOT/operator/src/test/resources/golden/node-agent-daemonset.yaml" <<'EOF'
import sys
lines, args, inside = open(sys.argv[1]).read().splitlines(), [], False
for line in lines:
    s = line.strip()
    if s == "- command:":
        inside = True
    elif inside and s.startswith("- \""):
        args.append(s[3:-1])
    elif inside:
        break
print("\n".join(a for a in args[1:] if a != "-cp" and not a.startswith("/home/jboss") and not a.startswith("dev.entrepot")))
EOF
)
APP=$(dirname "$JAR")
ENTREPOT_AGENT_PROXY_URL=http://127.0.0.1:$FB_PROXY_PORT ENTREPOT_AGENT_LISTEN=127.0.0.1:$AGENT_PORT \
    ENTREPOT_AGENT_STATUS_LISTEN=127.0.0.1:$AGENT_STATUS ENTREPOT_AGENT_SOURCE_DIR=$FB/mirror-files \
    ENTREPOT_AGENT_HOSTS_DIR=$FB/certs-agent ENTREPOT_AGENT_CONTAINERD_CONFIG=$CTD/config.toml \
    ENTREPOT_AGENT_CONTAINERD_VERSION=1.6 \
    java "${AGENT_JVM[@]}" -cp "$APP/app/*:$APP/lib/boot/*:$APP/lib/main/*" dev.entrepot.proxy.agent.NodeAgent \
    >"$FB/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
wait_http "http://127.0.0.1:$AGENT_STATUS/ready" 30
cmp -s "$FB/certs-agent/docker.io/hosts.toml" "$FB/rendered/docker.io/hosts.toml" || die "the agent did not write hosts.toml"

FB_REF=docker.io/library/fallback:1
# fb_pull HOSTS_DIR -> seconds, or "gave up" after FALLBACK_CAP seconds; an empty content store first
fb_pull() {
    local start end
    ctr_ images rm --sync "$FB_REF" >/dev/null 2>&1 || true
    start=$(now)
    if ! timeout "$FALLBACK_CAP" ctr --address "$CTD/containerd.sock" images pull --snapshotter native \
        --hosts-dir "$1" "$FB_REF" >>"$FB/ctr.log" 2>&1; then
        end=$(now)
        if python3 -c "import sys; sys.exit(0 if $end - $start >= $FALLBACK_CAP - 0.5 else 1)"; then
            echo "gave up"
            return
        fi
        die "ctr pull via $1 failed, see $FB/ctr.log"
    fi
    elapsed "$start" "$(now)"
}
hub_gets() { grep -c '"GET /v2/library/fallback/blobs/' "$FB/hub-access.log" || true; }
proxy_healthy() { # proxy up and the agent forwarding again, its connections warm
    kill -CONT "$FB_PROXY_PID" 2>/dev/null || true
    kill -0 "$FB_PROXY_PID" 2>/dev/null || fb_proxy_start
    deadline=$((SECONDS + 15))
    until curl -s "http://127.0.0.1:$AGENT_STATUS/status" | grep -q '"proxyDown":false'; do
        ((SECONDS < deadline)) || die "the agent does not see the proxy again, see $FB/agent.log"
        sleep 0.2
    done
    [[ $(fb_pull "$FB/certs-agent") != "gave up" ]] || die "pull through the agent and the proxy gave up"
}
median_or() { # median of numbers, "gave up" if any gave up
    local v
    for v in "$@"; do [[ $v == "gave up" ]] && { echo "gave up"; return; }; done
    median "$@"
}

FB_DIRECT=() FB_UP=() FB_KILLED=() FB_STOPPED=() FB_KILLED_HUB=0 FB_STOPPED_HUB=0
for ((i = 0; i < FALLBACK_RUNS; i++)); do
    log "fallback run $((i + 1))/$FALLBACK_RUNS"
    FB_DIRECT+=("$(fb_pull "$FB/certs-direct")")
    proxy_healthy
    FB_UP+=("$(fb_pull "$FB/certs-agent")")
    kill -9 "$FB_PROXY_PID"
    wait "$FB_PROXY_PID" 2>/dev/null || true
    before=$(hub_gets)
    FB_KILLED+=("$(fb_pull "$FB/certs-agent")")
    (($(hub_gets) > before)) && FB_KILLED_HUB=$((FB_KILLED_HUB + 1))
    proxy_healthy
    kill -STOP "$FB_PROXY_PID"
    before=$(hub_gets)
    FB_STOPPED+=("$(fb_pull "$FB/certs-agent")")
    (($(hub_gets) > before)) && FB_STOPPED_HUB=$((FB_STOPPED_HUB + 1))
    kill -CONT "$FB_PROXY_PID"
done
log "fallback: containerd straight at the proxy, no agent (one pull each; gives up after ${FALLBACK_CAP}s)"
proxy_healthy
FB_NOAGENT_UP=$(fb_pull "$FB/certs-proxy")
kill -9 "$FB_PROXY_PID"
wait "$FB_PROXY_PID" 2>/dev/null || true
FB_NOAGENT_KILLED=$(fb_pull "$FB/certs-proxy")
fb_proxy_start
fb_pull "$FB/certs-proxy" >/dev/null
kill -STOP "$FB_PROXY_PID"
FB_NOAGENT_STOPPED=$(fb_pull "$FB/certs-proxy")
kill -CONT "$FB_PROXY_PID"
FB_AGENT_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$AGENT_PID/status")
FB_CTD_V=$(containerd --version | awk '{print $3}')
fi # want fallback

# ---------------------------------------------------------------------------------------------------------
# Report (markdown on stdout)
verdict() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo "met"; else echo "**missed**"; fi; }
note_bad() { # non-2xx count, socket errors
    local s=""
    [[ $1 != 0 ]] && s=" ($1 non-2xx!)"
    [[ $2 != none ]] && s="$s (socket errors $2)"
    echo "$s"
}

PROXY_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "an unknown commit")
git -C "$ROOT" diff --quiet HEAD -- cache-proxy 2>/dev/null || PROXY_COMMIT="$PROXY_COMMIT with uncommitted proxy changes"
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
JAVA=$(java -version 2>&1 | head -1)
DIST_V=$(docker-registry --version | awk '{print $3}')
TOOLS_V="distribution $DIST_V"
if want pull; then
    NGINX_V=$(nginx -v 2>&1 | sed 's/.*nginx\///')
    WRK_V=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $2}')
    TOOLS_V="$TOOLS_V, nginx $NGINX_V, wrk $WRK_V"
fi
if want push; then
    TOOLS_V="$TOOLS_V, skopeo $(skopeo --version | awk '{print $3}'), curl $(curl --version | head -1 | awk '{print $2}')"
fi
if want fallback; then
    TOOLS_V="$TOOLS_V, containerd $FB_CTD_V"
fi

cat <<EOF
# Entrepot benchmark results

Machine: $(nproc) cores ($CPU), $MEM RAM, Linux $(uname -r); $JAVA (default heap, max $(mib "${HEAP_MAX:-0}") MiB);
$TOOLS_V. Load generator, servers and the upstream share the same $(nproc) cores.
Command: \`BENCH_SECTIONS="$SECTIONS" e2e/bench/run.sh\` (wrk duration ${DURATION}s, $PUSH_RUNS push runs, $FALLBACK_RUNS fallback runs), run on $(date -u +%Y-%m-%d) against the proxy built from $PROXY_COMMIT.

EOF

if want pull; then
cat <<EOF
## Warm cached manifest by tag (wrk -t2 -c32, Accept: OCI + Docker manifest types)

| server | requests/s | vs distribution proxy |
| --- | ---: | ---: |
| Entrepot | $M_EP_RPS$(note_bad "$M_EP_BAD" "$M_EP_ERR") | $(ratio "$M_EP_RPS" "$M_DP_RPS")× |
| nginx proxy_cache (+lock, key incl. Accept) | $M_NC_RPS$(note_bad "$M_NC_BAD" "$M_NC_ERR") | $(ratio "$M_NC_RPS" "$M_DP_RPS")× |
| distribution 2.8 proxy mode | $M_DP_RPS$(note_bad "$M_DP_BAD" "$M_DP_ERR") | 1.00× |

Target Entrepot ≥ 10× distribution proxy: $(verdict "$M_EP_RPS >= 10 * $M_DP_RPS").

## Warm 256 MiB blob (wrk -t2 -c4)

| server | MiB/s | vs nginx static |
| --- | ---: | ---: |
| Entrepot | $(mib "$B_EP_BPS")$(note_bad "$B_EP_BAD" "$B_EP_ERR") | $(ratio "$B_EP_BPS" "$B_NS_BPS")× |
| nginx static sendfile (Entrepot's stored file) | $(mib "$B_NS_BPS")$(note_bad "$B_NS_BAD" "$B_NS_ERR") | 1.00× |
| nginx proxy_cache | $(mib "$B_NC_BPS")$(note_bad "$B_NC_BAD" "$B_NC_ERR") | $(ratio "$B_NC_BPS" "$B_NS_BPS")× |
| distribution 2.8 proxy mode | $(mib "$B_DP_BPS")$(note_bad "$B_DP_BAD" "$B_DP_ERR") | $(ratio "$B_DP_BPS" "$B_NS_BPS")× |

Target Entrepot ≥ 0.8× nginx static: $(verdict "$B_EP_BPS >= 0.8 * $B_NS_BPS").

## 20 concurrent cold pulls of one 64 MiB blob

| server | clients with the right digest | upstream GETs of the blob | wall time (s) |
| --- | ---: | ---: | ---: |
| Entrepot | $EP_OK/20 | $EP_UP | $EP_T |
| nginx proxy_cache + proxy_cache_lock | $NC_OK/20 | $NC_UP | $NC_T |
| distribution 2.8 proxy mode | $DP_OK/20 | $DP_UP | $DP_T |

Target exactly 1 upstream GET per blob (Entrepot): $(verdict "$EP_UP == 1 and $EP_OK == 20").
A single cold GET of the 256 MiB blob through Entrepot served the right bytes: $COLD256_OK.

## Peak memory: fresh Entrepot, one 1 GiB blob cold to 8 concurrent clients

| measure | value |
| --- | ---: |
| clients with the right digest | $R_OK/8 |
| upstream GETs of the blob | $R_UP |
| wall time (s) | $R_T |
| VmHWM after start, before the load | $((RSS_IDLE_KB / 1024)) MiB |
| VmHWM (peak RSS) after the load | $((RSS_PEAK_KB / 1024)) MiB |
| VmRSS after the load | $((RSS_NOW_KB / 1024)) MiB |

Target peak RSS < 512 MiB: $(verdict "$RSS_PEAK_KB < 512 * 1024 and $R_OK == 8").
EOF
fi # want pull

if want push; then
cat <<EOF

## Push of one 256 MiB layer into a hosted repository (median of $PUSH_RUNS fresh layers, MiB/s)

| method | Entrepot (standard repository) | distribution 2.8 | Entrepot vs distribution |
| --- | ---: | ---: | ---: |
| curl: POST, then PUT ?digest= with the whole body | $(mibps "$PUSH_EP_PP") | $(mibps "$PUSH_DP_PP") | $(ratio "$PUSH_DP_PP" "$PUSH_EP_PP")× |
| curl: one POST ?digest= with the body (monolithic) | $(mibps "$PUSH_EP_P") | $PUSH_DP_P_CELL | $PUSH_DP_P_RATIO |
| skopeo copy of a one-layer OCI image (POST, PATCH, PUT; config, manifest) | $(mibps "$PUSH_EP_SK") | $(mibps "$PUSH_DP_SK") | $(ratio "$PUSH_DP_SK" "$PUSH_EP_SK")× |

Each layer went to each server once (no digest repeats: a repeat would be a HEAD or a mount); every upload was read
back and its digest checked; runs alternate which server goes first, \`sync\` runs before each timed push, and one
upload to each server before the runs warms them up.

## 10 concurrent skopeo pushes of 10 different images (3 × 4 MiB layers each)

| server | pushes that served back their manifest | wall time for all (s) | MiB/s (120 MiB of layers) |
| --- | ---: | ---: | ---: |
| Entrepot (standard repository) | $CC_EP_OK/10 | $CC_EP_T | $(python3 -c "print(f'{120 / $CC_EP_T:.0f}')") |
| distribution 2.8 | $CC_DP_OK/10 | $CC_DP_T | $(python3 -c "print(f'{120 / $CC_DP_T:.0f}')") |

Entrepot's peak RSS (VmHWM) over the push sections: $((PUSH_RSS_KB / 1024)) MiB. Load average (1 min) when they
started: $PUSH_LOAD, at the end: $(cut -d' ' -f1 /proc/loadavg) (on $(nproc) cores; above $(nproc), other work shared them).
EOF
fi
if want fallback; then
fb_cell() { # fb_cell VALUES...: the median and the runs
    local m
    m=$(median_or "$@")
    if [[ $m == "gave up" ]]; then echo "gave up after ${FALLBACK_CAP} s"; else echo "$m ($(echo "$@" | tr ' ' '/'))"; fi
}
fb_ratio() { if [[ $1 == "gave up" ]]; then echo "–"; else echo "$(ratio "$1" "$(median "${FB_DIRECT[@]}")")×"; fi; }
fb_one() { if [[ $1 == "gave up" ]]; then echo "gave up after ${FALLBACK_CAP} s"; else echo "$1"; fi; }
cat <<EOF

## Node mirror fallback: containerd $FB_CTD_V pulling docker.io/library/fallback:1 ($FALLBACK_MIB MiB layer)

\`ctr images pull --hosts-dir\` with an empty content store each time; hosts.toml names the mirror first and a
second docker-registry (standing in for Docker Hub) as \`server\`. Killed and SIGSTOPped are the first pull after
the proxy failed (the agent had just served a pull, its connections to the proxy open). Median of $FALLBACK_RUNS runs,
the runs in brackets, seconds.

| pull | seconds | vs direct |
| --- | ---: | ---: |
| direct from the registry (no mirror) | $(fb_cell "${FB_DIRECT[@]}") | 1.00× |
| through the node agent, proxy up (cached) | $(fb_cell "${FB_UP[@]}") | $(fb_ratio "$(median_or "${FB_UP[@]}")") |
| through the node agent, proxy killed (connection refused) | $(fb_cell "${FB_KILLED[@]}") | $(fb_ratio "$(median_or "${FB_KILLED[@]}")") |
| through the node agent, proxy SIGSTOPped (accepts, never answers) | $(fb_cell "${FB_STOPPED[@]}") | $(fb_ratio "$(median_or "${FB_STOPPED[@]}")") |
| containerd straight at the proxy, proxy up (one pull) | $(fb_one "$FB_NOAGENT_UP") | $(fb_ratio "$FB_NOAGENT_UP") |
| containerd straight at the proxy, proxy killed (one pull) | $(fb_one "$FB_NOAGENT_KILLED") | $(fb_ratio "$FB_NOAGENT_KILLED") |
| containerd straight at the proxy, proxy SIGSTOPped (one pull) | $(fb_one "$FB_NOAGENT_STOPPED") | $(fb_ratio "$FB_NOAGENT_STOPPED") |

The stand-in served the layer in $FB_KILLED_HUB/$FALLBACK_RUNS killed and $FB_STOPPED_HUB/$FALLBACK_RUNS stopped runs
(its access log). The node agent's peak RSS (VmHWM) with the DaemonSet's JVM options: $((FB_AGENT_RSS_KB / 1024)) MiB.
EOF
fi
if want cold; then
cold_median() { # cold_median DECIMALS "v1 v2 ...": the median, rounded
    # shellcheck disable=SC2086
    python3 -c "print(f'{$(median $2):.$1f}')"
}
cold_cell() { # cold_cell "v1 v2 ...": the median and the rounds
    # shellcheck disable=SC2086
    echo "$(cold_median 3 "$1") ($(echo $1 | tr ' ' '/'))"
}
COLD_DIRECT_MEDIAN=$(median ${COLD_T[direct]})
cold_name() { case $1 in direct) echo "direct from the docker-registry" ;; ep) echo "through Entrepot ($PROXY_COMMIT)" ;;
    base) echo "through Entrepot, baseline ($COLD_BASELINE_JAR)" ;;
    nginx) echo "through nginx proxy_cache (no digest check, no fsync)" ;; esac; }
cat <<EOF

## Cold skopeo copy: $COLD_LAYERS × $COLD_MIB MiB random layers (config and manifest too), docker:// → dir:

Each round copies an image no contender has seen (a cold store for every proxy), the contenders' order rotating;
\`sync\` before each copy; the proxies' JVMs served $COLD_WARMUP image(s) of the same shape first. Every copy made exactly one
upstream GET per blob and gave the right layer digests. Median of $COLD_ROUNDS rounds (the rounds in brackets), seconds;
CPU seconds (user + system) of each process during the copy, medians. $(if [[ -n $COLD_KEEP_STORE ]]; then
echo "The proxies kept what they stored."; else echo "After each copy the proxy's stored blobs were deleted, as skopeo's output was."; fi) Load average (1, 5, 15 min) $COLD_LOAD_START at
the start, $COLD_LOAD_END at the end.

| contender | seconds | vs direct | skopeo CPU s | registry CPU s | proxy CPU s |
| --- | ---: | ---: | ---: | ---: | ---: |
EOF
for who in "${COLD_WHO[@]}"; do
    proxy_cpu=–
    [[ $who == direct ]] || proxy_cpu=$(cold_median 2 "${COLD_CPU_EP[$who]}")
    # shellcheck disable=SC2086
    echo "| $(cold_name "$who") | $(cold_cell "${COLD_T[$who]}") | $(ratio "$(median ${COLD_T[$who]})" "$COLD_DIRECT_MEDIAN")× | $(cold_median 2 "${COLD_CPU_SK[$who]}") | $(cold_median 2 "${COLD_CPU_UP[$who]}") | $proxy_cpu |"
done
echo
echo "Target through Entrepot ≤ 1.10× direct (warm JVM, medians): $(verdict "$(median ${COLD_T[ep]}) <= 1.10 * $COLD_DIRECT_MEDIAN")."
echo
echo "Fresh JVM (started just before, one image): $(for k in "${!COLD_FRESH[@]}"; do printf '%s %s s; ' "${COLD_WHO[$k]}" "${COLD_FRESH[$k]}"; done)"
fi
log "done"
