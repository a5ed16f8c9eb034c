#!/usr/bin/env bash
# Runs an EventListener's sink as a host process with exactly the args and
# env the Triggers controller put into its Deployment (el-NAME), plus a
# kubeconfig and a loopback port: a pod on this cluster's network cannot
# reach the apiserver, and its Deployment is parked (see e2e.sh). Its PID
# goes to STATE/run, so down.sh stops it.
# usage: el-sink.sh NAMESPACE EVENTLISTENER PORT
set -euo pipefail
ns=$1 el=$2 port=$3
state=${E2E_STATE:?run from make e2e}
for _ in $(seq 1 60); do kubectl -n "$ns" get deploy "el-$el" >/dev/null 2>&1 && break; sleep 1; done
mapfile -t cmd < <(kubectl -n "$ns" get deploy "el-$el" -o json | python3 -c '
import json, sys
d = json.load(sys.stdin); c = d["spec"]["template"]["spec"]["containers"][0]; ns = d["metadata"]["namespace"]
for e in c.get("env", []):
    if "value" in e: print("%s=%s" % (e["name"], e["value"]))
    elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace": print("%s=%s" % (e["name"], ns))
print("--")
for a in c.get("args", []):
    if not a.startswith("--port="): print(a)')
envs=() args=() seen=
for x in "${cmd[@]}"; do
	if [[ $x == -- ]]; then seen=1; elif [[ -z $seen ]]; then envs+=("$x"); else args+=("$x"); fi
done
# The sink reads its config from SYSTEM_NAMESPACE ConfigMaps; run from a
# scratch directory, since it writes nothing we want.
nohup env "${envs[@]}" "$state/bin/triggers/eventlistenersink" "${args[@]}" --port="$port" \
	--kubeconfig="$KUBECONFIG" >"$state/logs/el-sink-$el.log" 2>&1 &
echo $! >"$state/run/el-sink-$el.pid"
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$port/live" >/dev/null 2>&1 && exit 0; sleep 1; done
echo "el-sink: $el did not come up on :$port" >&2
tail -20 "$state/logs/el-sink-$el.log" >&2
exit 1
