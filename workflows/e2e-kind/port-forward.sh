#!/usr/bin/env bash
# Port-forwards the release's services to 127.0.0.1 and writes .stack/addresses.env in the format of the
# compose and native drivers (stack/compose.ts, stack/native/flink.ts), with STACK_DRIVER=kind, so the e2e
# tests run unchanged. Services by the chart's names (test/workflows.test.ts renders the chart as
# install-chart.sh installs it and checks each one): Kafka, Mosquitto and PostgreSQL must be there; Redis and the
# API only with their components. Kafka: the chart's CI listener (kafka.ciListener) advertises 127.0.0.1:19092
# (a port-forwarded bootstrap alone would hand out in-cluster broker addresses). Flink: one FLINK_URL_<JOB> per
# FlinkDeployment (its operator-made <name>-rest Service), as the native driver writes them.
# Secrets: .env (install-chart.sh wrote it from the same values as Secret <release>-env); when it is missing,
# it is read back from that Secret.
#   port-forward.sh --list   prints the forwards (name|service|remote port|local port|required) and exits
set -euo pipefail
: "${RELEASE:?RELEASE: the Helm release name}"
ns="$RELEASE"
prefix="${RELEASE:0:40}" # the chart's resource prefix (iot-platform.fullname: trunc 40 | trimSuffix "-")
prefix="${prefix%-}"

# name | service | remote port | local port | required | address lines (with $ADDR = 127.0.0.1:<local port>)
forwards=(
  "kafka|$prefix-kafka-ci-bootstrap|19092|19092|required|KAFKA_BROKERS=\$ADDR"
  "mqtt|$prefix-mosquitto|1883|11883|required|MQTT_URL=mqtt://\$ADDR"
  "postgres|$prefix-postgres-rw|5432|15432|required|POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=15432"
  "redis|$prefix-redis|6379|16379|optional|REDIS_HOST=127.0.0.1 REDIS_PORT=16379"
  "api|$prefix-api|8080|18080|optional|API_URL=http://\$ADDR"
)
if [ "${1:-}" = --list ]; then
  for entry in "${forwards[@]}"; do printf '%s\n' "${entry%|*}"; done
  exit 0
fi

mkdir -p .stack/logs
addresses=.stack/addresses.env
db="$(yq -r '.project.name' iot-platform.yaml | tr '-' '_')"
printf 'STACK_DRIVER=kind\nKUBE_RELEASE=%s\nKUBE_NAMESPACE=%s\nPOSTGRES_DB=%s\n' "$RELEASE" "$ns" "$db" >"$addresses"

# Flink: every FlinkDeployment of the release, local ports from 18081 on.
port=18081
while read -r deployment job; do
  [ -n "$deployment" ] || continue
  variable="FLINK_URL_$(printf '%s' "$job" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9\n' '_')"
  forwards+=("flink-$job|$deployment-rest|8081|$port|required|$variable=http://\$ADDR")
  port=$((port + 1))
done < <(kubectl -n "$ns" get flinkdeployments.flink.apache.org -l "app.kubernetes.io/instance=$RELEASE" \
  -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.labels.iot-platform\.dev/flink-job}{"\n"}{end}')

failed=0
for entry in "${forwards[@]}"; do
  IFS='|' read -r name service remote local required lines <<<"$entry"
  if ! kubectl -n "$ns" get service "$service" >/dev/null 2>&1; then
    if [ "$required" = required ]; then
      echo "::error::no service $service in namespace $ns ($name): the chart or its operator did not create it"
      failed=1
    else
      echo "no service $service: $name left out (component off)"
    fi
    continue
  fi
  nohup kubectl -n "$ns" port-forward "service/$service" "$local:$remote" --address 127.0.0.1 \
    >".stack/logs/port-forward-$name.log" 2>&1 &
  open=""
  for _ in $(seq 1 30); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$local") 2>/dev/null; then open=1 && break; fi
    sleep 1
  done
  if [ -z "$open" ]; then
    echo "::error::port-forward to $service:$remote did not open 127.0.0.1:$local (.stack/logs/port-forward-$name.log)"
    failed=1
    continue
  fi
  ADDR="127.0.0.1:$local"
  for line in $lines; do
    printf '%s\n' "${line//\$ADDR/$ADDR}" >>"$addresses"
  done
done

if [ ! -s .env ]; then
  echo "no .env: reading the secrets back from Secret $RELEASE-env"
  (umask 077 && kubectl -n "$ns" get secret "$RELEASE-env" -o json \
    | jq -r '.data | to_entries[] | "\(.key)=\(.value | @base64d)"' >.env)
fi
for name in POSTGRES_PASSWORD MQTT_DEVICE_KEY MQTT_ADMIN_PASSWORD; do
  grep -q "^$name=." .env || { echo "::error::.env has no $name (the e2e tests need it)"; failed=1; }
done
grep -q '^REDIS_HOST=' "$addresses" && ! grep -q '^REDIS_PASSWORD=.' .env && { echo "::error::.env has no REDIS_PASSWORD"; failed=1; }
grep -q '^API_URL=' "$addresses" && ! grep -q '^API_KEY=.' .env && { echo "::error::.env has no API_KEY"; failed=1; }

cat "$addresses"
{
  echo "addresses<<EOF_ADDRESSES"
  cat "$addresses"
  echo "EOF_ADDRESSES"
} >>"${GITHUB_OUTPUT:-/dev/null}"
exit "$failed"
