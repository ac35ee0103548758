#!/usr/bin/env bash
# Entrepot start-up: how long from `java` until the registry port answers GET /v2/ and GET /q/health/ready is 200.
# A measurement, not a test: it prints figures and checks nothing but that the proxy came up.
#
#   e2e/bench/startup.sh                     # 5 runs with an empty store, 5 with a store of many blobs and manifests
#   STARTUP_BASELINE_JAR=/tmp/old/quarkus-app/quarkus-run.jar e2e/bench/startup.sh   # two builds, runs alternating
#
# Each run starts the built proxy as the Deployment does: from the directory of quarkus-run.jar (the image's working
# directory; an AppCDS archive made by the package step only maps from there), with a config file (ENTREPOT_CONFIG:
# the embedded default's Docker Hub mirror, nothing reaches Docker Hub, with its store in the work dir), the
# Deployment's JVM options (operator entrepot.operator.proxy.jvm-options) and the image's entry point
# (-Djava.util.logging.manager=org.jboss.logmanager.LogManager), on 127.0.0.1; STARTUP_EMBEDDED=1 runs the README's
# standalone way instead (no config file: the embedded default, ./data in the work dir). It polls both URLs every 5 ms from
# this shell (bash /dev/tcp: no process forked per poll, so the poller takes next to no CPU from the JVM starting),
# stops the proxy and prints: ms until /v2/ answered (any HTTP status), ms until ready answered 200, the "started in"
# Quarkus logs, the CPU time the JVM had used by then (less sensitive to other load on the machine than the wall
# times), and the medians (with min-max) per build and store.
#
# "empty": a new data directory each run. "full": a copy of one store made before the runs with STARTUP_BLOBS blobs
# of the cache (blobs/sha256/<2 hex>/<hex>, real digests, 1-4 KiB) of which STARTUP_MANIFESTS are manifests known
# to repository dockerhub (repositories/dockerhub/<name>/_manifests/{revisions,tags}), and STARTUP_HOSTED blobs in
# the hosted store (hosted/blobs/...). The page cache is warm for it (the copy was just made): a node's first start
# after a reboot reads the store's directories from disk and takes longer.
#
# Needs: java 17, python3 (to lay out the store once). Knobs (env): ENTREPOT_JAR (default the worktree's build),
#   STARTUP_BASELINE_JAR (a second build measured in the same rounds), STARTUP_RUNS (5), STARTUP_STORES ("empty full"),
#   STARTUP_BLOBS (4000), STARTUP_MANIFESTS (400), STARTUP_HOSTED (1000), STARTUP_PORT (25380),
#   STARTUP_JVM_OPTS (default the Deployment's: -XX:MaxRAMPercentage=50 -Xms32m -XX:MetaspaceSize=64m
#   -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC), STARTUP_MAX_RAM (512m: -XX:MaxRAM standing for the Deployment's
#   memory limit, which the JVM would read from the cgroup; empty: the machine's RAM),
#   STARTUP_JAVA_OPTS (extra options for every run, e.g. -XX:StartFlightRecording=...), STARTUP_NEW_OPTS and
#   STARTUP_BASELINE_OPTS (extra options for one build only: the same jar twice compares two option sets), STARTUP_WORK_DIR (mktemp),
#   STARTUP_TIMEOUT (seconds a start may take, 60), STARTUP_KEEP_LOGS (1: keep the work dir and the proxies' logs),
#   STARTUP_EMBEDDED (1: the embedded default config, as the README's one command), STARTUP_NICE (a nice level for the
#   JVMs, e.g. -10 as root: on a machine other jobs keep busy, closer to what a quiet one would show; say so with the
#   figures).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${ENTREPOT_JAR:-$ROOT/cache-proxy/target/quarkus-app/quarkus-run.jar}
BASELINE=${STARTUP_BASELINE_JAR:-}
RUNS=${STARTUP_RUNS:-5}
STORES=${STARTUP_STORES:-empty full}
BLOBS=${STARTUP_BLOBS:-4000}
MANIFESTS=${STARTUP_MANIFESTS:-400}
HOSTED=${STARTUP_HOSTED:-1000}
PORT=${STARTUP_PORT:-25380}
JVM_OPTS=${STARTUP_JVM_OPTS:--XX:MaxRAMPercentage=50 -Xms32m -XX:MetaspaceSize=64m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC}
MAX_RAM=${STARTUP_MAX_RAM-512m}
[[ -n $MAX_RAM ]] && JVM_OPTS="-XX:MaxRAM=$MAX_RAM $JVM_OPTS"
EXTRA_OPTS=${STARTUP_JAVA_OPTS:-}
TIMEOUT=${STARTUP_TIMEOUT:-60}
TICKS=$(getconf CLK_TCK)
NEW_OPTS=${STARTUP_NEW_OPTS:-}
NICE=()
[[ -n ${STARTUP_NICE:-} ]] && NICE=(nice -n "$STARTUP_NICE")
BASELINE_OPTS=${STARTUP_BASELINE_OPTS:-}

log() { printf '[startup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

for tool in java python3; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -f $JAR ]] || die "$JAR not found: build with mvn -B -pl cache-proxy -am package -DskipTests"
[[ -z $BASELINE || -f $BASELINE ]] || die "$BASELINE not found"

WORK=${STARTUP_WORK_DIR:-$(mktemp -d /tmp/entrepot-startup-XXXXXX)}
mkdir -p "$WORK"
PROXY_PID=
cleanup() {
    if [[ -n $PROXY_PID ]]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    if [[ ${STARTUP_KEEP_LOGS:-} != 1 && -z ${STARTUP_WORK_DIR:-} ]]; then
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# A file descriptor nobody writes to: `read -t` on it sleeps without forking a `sleep`.
exec {NAP}<> <(:)
nap() { read -r -t "$1" -u "$NAP" _ || true; }

# Sets NOW to the wall clock in ms (no fork).
now_ms() { local t=${EPOCHREALTIME/./}; NOW=$((t / 1000)); }

# Sets STATUS to the HTTP status of GET $1 on 127.0.0.1:$PORT, empty when nothing answers (yet). Bash builtins
# only (no $(...), no curl): a poll forks nothing.
status_of() {
    local fd line=
    STATUS=
    { exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 0
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&"$fd" 2>/dev/null || true
    read -r -t 2 -u "$fd" line 2>/dev/null || true
    exec {fd}>&-
    if [[ $line =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]]; then
        STATUS=${BASH_REMATCH[1]}
    fi
}

make_store() { # $1 directory
    python3 - "$1" "$BLOBS" "$MANIFESTS" "$HOSTED" <<'EOF'
import hashlib, json, os, random, sys, time
root, blobs, manifests, hosted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(18)
now = int(time.time() * 1000)

def put(base, data):
    hexd = hashlib.sha256(data).hexdigest()
    d = os.path.join(root, base, "blobs", "sha256", hexd[:2])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hexd), "wb") as f:
        f.write(data)
    return "sha256:" + hexd

layers = [put("", rnd.randbytes(rnd.randint(1024, 4096))) for _ in range(max(blobs - manifests, 0))]
for i in range(min(manifests, blobs)):
    layer = layers[i % len(layers)] if layers else "sha256:" + "0" * 64
    body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": layer, "size": 1},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer,
                                   "size": 1}], "annotations": {"n": str(i)}}).encode()
    digest = put("", body)
    m = os.path.join(root, "repositories", "dockerhub", "library", "img%d" % (i % 50), "_manifests")
    os.makedirs(os.path.join(m, "revisions", "sha256"), exist_ok=True)
    os.makedirs(os.path.join(m, "tags"), exist_ok=True)
    with open(os.path.join(m, "revisions", "sha256", digest[7:]), "w") as f:
        f.write("application/vnd.oci.image.manifest.v1+json\n%d\n" % now)
    with open(os.path.join(m, "tags", "v%d" % i), "w") as f:
        f.write("%s %d\n" % (digest, now))
for _ in range(hosted):
    put("hosted", rnd.randbytes(rnd.randint(1024, 4096)))
EOF
}

# One start: sets R_V2 and R_READY (ms to /v2/ answering, to ready 200), R_STARTED (Quarkus' "started in", s) and
# R_CPU (CPU ms the JVM had used, all threads, when ready answered 200).
# $1 jar, $2 store (empty|full), $3 log file, $4 options of this build
start_once() {
    local jar=$1 store=$2 logf=$3 opts=$4 data=$WORK/data t0 t_v2= t_ready= deadline started stat
    rm -rf "$data"
    if [[ $store == full ]]; then
        cp -a "$WORK/store" "$data"
    fi
    # shellcheck disable=SC2086 # the option lists are meant to split
    now_ms
    t0=$NOW
    if [[ ${STARTUP_EMBEDDED:-} == 1 ]]; then
        (cd "$WORK" && exec "${NICE[@]}" java -Djava.util.logging.manager=org.jboss.logmanager.LogManager $JVM_OPTS $EXTRA_OPTS $opts \
            -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" -jar "$jar") >"$logf" 2>&1 &
    else
        (cd "$(dirname "$jar")" && exec "${NICE[@]}" java -Djava.util.logging.manager=org.jboss.logmanager.LogManager $JVM_OPTS \
            $EXTRA_OPTS $opts -Dentrepot.config="$WORK/entrepot.yaml" -Dquarkus.http.host=127.0.0.1 \
            -Dquarkus.http.port="$PORT" -jar "$jar") >"$logf" 2>&1 &
    fi
    PROXY_PID=$!
    deadline=$((t0 + TIMEOUT * 1000))
    while [[ -z $t_ready ]]; do
        if [[ -z $t_v2 ]]; then
            status_of /v2/
            [[ -n $STATUS ]] && now_ms && t_v2=$NOW
        fi
        if [[ -n $t_v2 ]]; then
            status_of /q/health/ready
            if [[ $STATUS == 200 ]]; then
                now_ms
                t_ready=$NOW
                read -r -a stat </proc/"$PROXY_PID"/stat # utime, stime: fields 14, 15, in clock ticks
            fi
        fi
        if [[ -z $t_ready ]]; then
            kill -0 "$PROXY_PID" 2>/dev/null || die "the proxy exited while starting: $(tail -5 "$logf")"
            now_ms
            ((NOW < deadline)) || die "not ready after ${TIMEOUT}s: $(tail -5 "$logf")"
            nap 0.005
        fi
    done
    kill "$PROXY_PID"
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=
    started=$(grep -o 'started in [0-9.]*s' "$logf" | head -1 | tr -dc '0-9.')
    R_V2=$((t_v2 - t0))
    R_READY=$((t_ready - t0))
    R_STARTED=${started:-?}
    R_CPU=$(((stat[13] + stat[14]) * 1000 / TICKS))
}

median_spread() { # numbers on stdin: "median (min-max)"
    sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "-"; exit}
        m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%g (%g-%g)\n", m, v[1], v[NR]}'
}

cat >"$WORK/entrepot.yaml" <<EOF
# The embedded default (cache-proxy/src/main/resources/default-entrepot.yaml) with its store in the work dir
storage:
  path: $WORK/data
repositories:
  - name: dockerhub
    mode: remote
    mirrorOf: [docker.io]
    remote:
      url: https://registry-1.docker.io
      tagTtl: 5m
EOF
if [[ " $STORES " == *" full "* ]]; then
    log "laying out a store of $BLOBS cached blobs ($MANIFESTS of them manifests) and $HOSTED hosted blobs"
    make_store "$WORK/store"
fi

builds=("new=$JAR")
[[ -n $BASELINE ]] && builds+=("baseline=$BASELINE")
RESULTS=$WORK/results
: >"$RESULTS"
log "$RUNS runs per build and store${STARTUP_NICE:+, nice $STARTUP_NICE}; JVM options: $JVM_OPTS $EXTRA_OPTS (new: ${NEW_OPTS:-no more}; baseline: ${BASELINE_OPTS:-no more}); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| build | store | run | /v2/ answers (ms) | ready 200 (ms) | Quarkus "started in" (s) | CPU until ready (ms) |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: |\n'
for ((run = 1; run <= RUNS; run++)); do
    for store in $STORES; do
        # alternate which build goes first, so neither always starts right after the other's stop
        order=("${builds[@]}")
        if ((run % 2 == 0)) && ((${#builds[@]} == 2)); then
            order=("${builds[1]}" "${builds[0]}")
        fi
        for b in "${order[@]}"; do
            name=${b%%=*}
            jar=${b#*=}
            opts=$NEW_OPTS
            [[ $name == baseline ]] && opts=$BASELINE_OPTS
            start_once "$jar" "$store" "$WORK/proxy-$name-$store-$run.log" "$opts"
            printf '| %s | %s | %d | %d | %d | %s | %d |\n' "$name" "$store" "$run" "$R_V2" "$R_READY" "$R_STARTED" "$R_CPU"
            echo "$name $store $R_V2 $R_READY $R_STARTED $R_CPU" >>"$RESULTS"
        done
    done
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

printf '\nMedians (min-max) of %d runs:\n\n' "$RUNS"
printf '| build | store | /v2/ answers (ms) | ready 200 (ms) | Quarkus "started in" (s) | CPU until ready (ms) |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: |\n'
for b in "${builds[@]}"; do
    name=${b%%=*}
    for store in $STORES; do
        col() { awk -v n="$name" -v s="$store" -v c="$1" '$1==n && $2==s && $c != "?" {print $c}' "$RESULTS" | median_spread; }
        printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$store" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)"
    done
done
