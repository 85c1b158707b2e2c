#!/usr/bin/env bash
# Port-forwards the release's services to 127.0.0.1 and writes .stack/addresses.env in the format of the
# compose and native drivers (stack/compose.ts), with STACK_DRIVER=kind, so the e2e tests run unchanged.
# Services by the chart's naming convention; a service that is not there (component off) is left out.
# Kafka: the chart's CI listener advertises 127.0.0.1:19092 (a port-forwarded bootstrap alone would
# hand out in-cluster broker addresses).
set -euo pipefail
: "${RELEASE:?RELEASE: the Helm release name}"
ns="$RELEASE"
mkdir -p .stack/logs
addresses=.stack/addresses.env
db="$(yq -r '.project.name' iot-platform.yaml | tr '-' '_')"
printf 'STACK_DRIVER=kind\nPOSTGRES_DB=%s\n' "$db" >"$addresses"

# name | service | remote port | local port | address lines (with $ADDR = 127.0.0.1:<local port>)
forwards=(
  "kafka|$RELEASE-kafka-ci-bootstrap|19092|19092|KAFKA_BROKERS=\$ADDR"
  "mqtt|$RELEASE-mosquitto|1883|11883|MQTT_URL=mqtt://\$ADDR"
  "postgres|$RELEASE-postgres-rw|5432|15432|POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=15432"
  "redis|$RELEASE-redis|6379|16379|REDIS_HOST=127.0.0.1 REDIS_PORT=16379"
  "api|$RELEASE-api|8080|18080|API_URL=http://\$ADDR"
  "flink|$RELEASE-flink-rest|8081|18081|FLINK_URL=http://\$ADDR"
)
for entry in "${forwards[@]}"; do
  IFS='|' read -r name service remote local lines <<<"$entry"
  if ! kubectl -n "$ns" get service "$service" >/dev/null 2>&1; then
    echo "no service $service: $name left out"
    continue
  fi
  nohup kubectl -n "$ns" port-forward "service/$service" "$local:$remote" --address 127.0.0.1 \
    >".stack/logs/port-forward-$name.log" 2>&1 &
  for _ in $(seq 1 30); do
    (exec 3<>"/dev/tcp/127.0.0.1/$local") 2>/dev/null && break
    sleep 1
  done
  ADDR="127.0.0.1:$local"
  for line in $lines; do
    printf '%s\n' "${line//\$ADDR/$ADDR}" >>"$addresses"
  done
done
cat "$addresses"
{
  echo "addresses<<EOF_ADDRESSES"
  cat "$addresses"
  echo "EOF_ADDRESSES"
} >>"${GITHUB_OUTPUT:-/dev/null}"
