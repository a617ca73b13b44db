#!/usr/bin/env bash
# Runs a Confluent-compatible schema registry without Docker: Apicurio Registry 3
# (io.apicurio:apicurio-registry-app, its Quarkus runner, the `all` tar.gz on Maven Central),
# with in-memory storage (H2 in memory: everything is gone when it stops). It serves the
# Confluent API at http://$REGISTRY_HOST:$REGISTRY_PORT/apis/ccompat/v7.
#
#   scripts/registry.sh start     resolve the app if needed, start, wait until the ccompat API answers
#   scripts/registry.sh stop      SIGTERM, wait for the exit (SIGKILL after 20 s)
#   scripts/registry.sh status    exit 0 when running and answering
#   scripts/registry.sh resolve   only fetch and unpack the app
#   scripts/registry.sh url       print the Confluent API URL (SCHEMA_REGISTRY_URL)
#   scripts/registry.sh logs      tail the registry log
#
# It needs Java 21 or newer: REGISTRY_JAVA_HOME (or JAVA_HOME) when it is 21+, else the newest
# JDK under /usr/lib/jvm that is 21+ (this project's machines have a Temurin JDK there), else
# `java` on PATH when 21+. Debian/Ubuntu: `apt-get install openjdk-21-jre-headless` (or newer).
#
# Environment:
#   REGISTRY_PORT=8081  REGISTRY_MANAGEMENT_PORT=$((REGISTRY_PORT + 1))  REGISTRY_HOST=127.0.0.1
#   REGISTRY_VERSION=3.3.3  REGISTRY_HEAP_OPTS="-Xms64m -Xmx512m"  REGISTRY_START_TIMEOUT=120 (s)
#   REGISTRY_DATA_DIR=<repo>/.cache/registry/run-$REGISTRY_PORT (pid file, log, start-up time)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${REGISTRY_VERSION:-3.3.3}
port=${REGISTRY_PORT:-8081}
management_port=${REGISTRY_MANAGEMENT_PORT:-$((port + 1))}
host=${REGISTRY_HOST:-127.0.0.1}
cache=${REGISTRY_CACHE_DIR:-$root/.cache/registry}
app=$cache/apicurio-registry-app-$version
data=${REGISTRY_DATA_DIR:-$cache/run-$port}
heap=${REGISTRY_HEAP_OPTS:--Xms64m -Xmx512m}
start_timeout=${REGISTRY_START_TIMEOUT:-120}
pidfile=$data/registry.pid
logfile=$data/registry.log
url=http://$host:$port/apis/ccompat/v7

name=registry.sh
# shellcheck source=lib/daemon.sh
source "$root/scripts/lib/daemon.sh"

java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

# The first java of 21 or newer: REGISTRY_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/* (newest first), PATH.
find_java() {
  local candidates=() dir major
  [ -n "${REGISTRY_JAVA_HOME:-}" ] && candidates+=("$REGISTRY_JAVA_HOME/bin/java")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir%/}/bin/java"); done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for java in "${candidates[@]}"; do
    [ -x "$java" ] || continue
    major=$(java_major "$java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$java"
      return 0
    fi
  done
  return 1
}

require_java() {
  java_bin=$(find_java) ||
    die "Apicurio Registry needs Java 21 or newer and none was found (REGISTRY_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*, PATH); install e.g. openjdk-21-jre-headless or a Temurin 21+ JDK."
}

resolve() {
  [ -f "$app/quarkus-run.jar" ] && return 0
  command -v mvn >/dev/null 2>&1 ||
    die "Apache Maven is required to fetch Apicurio Registry $version from Maven Central and 'mvn' is not on PATH (apt-get install maven)."
  say "resolving Apicurio Registry $version from Maven Central into $app"
  local tmp
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/tmp.XXXXXX")
  mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" -DoutputDirectory="$tmp" >&2 ||
    die "mvn could not resolve io.apicurio:apicurio-registry-app:$version:tar.gz:all (see above)"
  mkdir -p "$tmp/app"
  tar xzf "$tmp/apicurio-registry-app-$version-all.tar.gz" -C "$tmp/app"
  [ -f "$tmp/app/quarkus-run.jar" ] || die "the $version archive has no quarkus-run.jar"
  rm -rf "$app"
  mv "$tmp/app" "$app"
  rm -rf "$tmp"
}

answers() {
  curl -sf -o /dev/null --max-time 2 "$url/subjects"
}

accepts_connections() {
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

start() {
  if pid=$(running_pid); then
    say "already running (pid $pid) at $url"
    return 0
  fi
  accepts_connections && die "something else already listens on $host:$port; set REGISTRY_PORT or stop it"
  require_java
  resolve
  mkdir -p "$data"
  local began_ns pid
  began_ns=$(date +%s%N)
  # The class-data archive (JDK 19+, in the cache) is written at the first exit; later starts load it.
  # setsid: its own session, so a Ctrl-C in the caller's terminal reaches it only through 'stop'.
  (cd "$data" && exec setsid "$java_bin" $heap -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$cache/registry-$version.jsa" \
    -Dquarkus.http.host="$host" -Dquarkus.http.port="$port" \
    -Dquarkus.management.host="$host" -Dquarkus.management.port="$management_port" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.storage.snapshot.location="$data" -Djava.io.tmpdir="$data" \
    -jar "$app/quarkus-run.jar") >"$logfile" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  while [ $((($(date +%s%N) - began_ns) / 1000000000)) -lt "$start_timeout" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logfile" >&2 || true
      rm -f "$pidfile"
      die "registry exited during start-up (log: $logfile)"
    fi
    if answers; then
      local ms=$((($(date +%s%N) - began_ns) / 1000000))
      echo "$ms" >"$data/startup-ms"
      say "started at $url (pid $pid, $("$java_bin" -version 2>&1 | head -n 1)) in $ms ms"
      return 0
    fi
    sleep 0.2
  done
  stop
  die "registry not answering after $start_timeout s (log: $logfile)"
}

stop() { stop_daemon 20; }

status() {
  if pid=$(running_pid) && answers; then
    say "running at $url (pid $pid)"
    return 0
  fi
  say "not running at $url"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  resolve) resolve ;;
  url) echo "$url" ;;
  java) require_java; echo "$java_bin" ;;
  logs) tail -n "${2:-100}" -f "$logfile" ;;
  *) echo "usage: $0 start|stop|status|resolve|url|java|logs" >&2; exit 2 ;;
esac
