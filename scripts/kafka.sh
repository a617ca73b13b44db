#!/usr/bin/env bash
# Runs a single-node Apache Kafka (KRaft: broker and controller in one JVM) without Docker.
# The jars come from Maven Central through scripts/kafka/pom.xml into a git-ignored cache.
#
#   scripts/kafka.sh start     resolve jars if needed, format the log dir once, start, wait until ready
#   scripts/kafka.sh stop      SIGTERM, wait for a clean shutdown (SIGKILL after 30 s)
#   scripts/kafka.sh status    exit 0 when running and accepting connections
#   scripts/kafka.sh resolve   only fetch the jars
#   scripts/kafka.sh logs      tail the broker log
#
# Environment (defaults work on one laptop):
#   KAFKA_PORT=9092  KAFKA_CONTROLLER_PORT=9093  KAFKA_HOST=127.0.0.1
#   KAFKA_DATA_DIR=<repo>/.cache/kafka/run-$KAFKA_PORT   KAFKA_HEAP_OPTS="-Xms256m -Xmx1g"
#   KAFKA_START_TIMEOUT=90 (seconds)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
host=${KAFKA_HOST:-127.0.0.1}
cache=${KAFKA_CACHE_DIR:-$root/.cache/kafka}
libs=$cache/libs
data=${KAFKA_DATA_DIR:-$cache/run-$port}
heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}
start_timeout=${KAFKA_START_TIMEOUT:-90}
pidfile=$data/kafka.pid
logfile=$data/server.log

name=kafka.sh
# shellcheck source=lib/daemon.sh
source "$root/scripts/lib/daemon.sh"

require_tools() {
  if ! command -v java >/dev/null 2>&1; then
    die "Java 17 or newer is required and 'java' is not on PATH. Install it, e.g. 'sudo apt-get install openjdk-17-jre-headless' (Debian/Ubuntu) or 'brew install openjdk@17' (macOS)."
  fi
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    die "Java 17 or newer is required; found '$(java -version 2>&1 | head -n 1)'. Install openjdk-17 and put it first on PATH (or set JAVA_HOME)."
  fi
}

resolve() {
  local version stamp
  version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/scripts/kafka/pom.xml")
  stamp=$libs/.resolved-$version
  [ -f "$stamp" ] && return 0
  if ! command -v mvn >/dev/null 2>&1; then
    die "Apache Maven is required to fetch Kafka $version from Maven Central and 'mvn' is not on PATH. Install it, e.g. 'sudo apt-get install maven' or 'brew install maven'. (Or point twinfold at an existing broker with KAFKA_BROKERS=host:port.)"
  fi
  say "resolving Apache Kafka $version from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -f "$root/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime >&2 || die "mvn could not resolve Kafka $version (see above)"
  touch "$stamp"
}

accepts_connections() {
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

write_config() {
  mkdir -p "$data/logs"
  cat >"$data/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$controller_port
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=false
# One broker: every internal topic has a single replica, or transactions and groups never work.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
# Small segments so compaction of changelogs and device.twins is observable on a laptop.
log.cleaner.backoff.ms=5000
transaction.abort.timed.out.transaction.cleanup.interval.ms=10000
EOF
  cat >"$data/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$logfile
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.coordinator=WARN
EOF
}

format_once() {
  [ -f "$data/logs/meta.properties" ] && return 0
  local cluster_id
  cluster_id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  java -Dlog4j.configuration="file:$data/log4j.properties" -cp "$libs/*" kafka.tools.StorageTool \
    format -t "$cluster_id" -c "$data/server.properties" >/dev/null
}

start() {
  if pid=$(running_pid); then
    say "already running (pid $pid) on $host:$port"
    return 0
  fi
  if accepts_connections; then
    die "something else already listens on $host:$port; set KAFKA_PORT or stop it"
  fi
  require_tools
  resolve
  write_config
  format_once
  local began=$SECONDS
  # setsid: the broker gets its own session, so a Ctrl-C in the caller's terminal reaches it only
  # through 'stop', which waits for a clean shutdown.
  setsid java $heap -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$data/log4j.properties" -Dkafka.logs.dir="$data" \
    -cp "$libs/*" kafka.Kafka "$data/server.properties" >"$data/stdout.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local pid=$!
  while [ $((SECONDS - began)) -lt "$start_timeout" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$data/stdout.log" "$logfile" >&2 2>/dev/null || true
      rm -f "$pidfile"
      die "broker exited during start-up (logs in $data)"
    fi
    if accepts_connections && grep -q 'Kafka Server started' "$logfile" 2>/dev/null; then
      say "started on $host:$port (pid $pid) in $((SECONDS - began)) s; data in $data"
      return 0
    fi
    sleep 0.3
  done
  stop
  die "broker not ready after $start_timeout s (logs in $data)"
}

stop() { stop_daemon 30; }

status() {
  if pid=$(running_pid) && accepts_connections; then
    say "running on $host:$port (pid $pid)"
    return 0
  fi
  say "not running on $host:$port"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  resolve) require_tools; resolve ;;
  logs) tail -n "${2:-100}" -f "$logfile" ;;
  *) echo "usage: $0 start|stop|status|resolve|logs" >&2; exit 2 ;;
esac
