#!/usr/bin/env bash
# After a failed e2e run: events, descriptions and logs of every pod into $1 (uploaded as an artifact).
set -uo pipefail
out="${1:?output folder}"
mkdir -p "$out"
kubectl get all,events --all-namespaces -o wide >"$out/cluster.txt" 2>&1
kubectl get kafka,kafkanodepool,kafkatopic,flinkdeployment,cluster.postgresql.cnpg.io --all-namespaces -o yaml \
  >"$out/custom-resources.yaml" 2>&1
kubectl describe pods --all-namespaces >"$out/describe-pods.txt" 2>&1
kubectl get pods --all-namespaces -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name}{"\n"}{end}' 2>/dev/null \
  | while read -r ns pod; do
    kubectl -n "$ns" logs "$pod" --all-containers --prefix --tail=2000 >"$out/$ns.$pod.log" 2>&1
    kubectl -n "$ns" logs "$pod" --all-containers --prefix --previous --tail=2000 >"$out/$ns.$pod.previous.log" 2>/dev/null \
      || rm -f "$out/$ns.$pod.previous.log"
  done
echo "logs in $out"
exit 0
