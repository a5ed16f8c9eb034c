#!/usr/bin/env bash
# Stops what e2e.sh started (by its PID files, then anything whose command
# line names the state directory) and undoes its host
# state: mounts under STATE, the pods' network namespaces and bridge, the
# kubepods cgroups, and the host directories kubelet and containerd
# hard-code. Safe to run twice.
set -uo pipefail
state=${1:?usage: down.sh STATE}
export KUBECONFIG=$state/kubeconfig
run=$state/run
stop() { # name [signal]
	local f=$run/$1.pid
	[[ -f $f ]] || return 0
	local p; p=$(cat "$f")
	if kill -0 "$p" 2>/dev/null; then
		kill -"${2:-TERM}" "$p"
		for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
		kill -0 "$p" 2>/dev/null && kill -9 "$p"
	fi
	rm -f "$f"
}
# reap [SIGNAL]: every process whose command line names the state
# directory was started by this run (a containerd shim, a child that
# outlived the PID we knew); signal them, or list them on stderr, and
# print how many there were. pgrep writes to a file: a $(…) subshell
# would carry this script's command line and match itself.
reap() {
	pgrep -f -- "$state" >"$run/reap" || true
	local p n=0
	while read -r p; do
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		n=$((n + 1))
		if [[ -n ${1:-} ]]; then
			kill -"$1" "$p" 2>/dev/null
		else
			echo "down: still running: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200)" >&2
		fi
	done <"$run/reap"
	rm -f "$run/reap"
	echo "$n"
}
# The controllers first, so that nothing recreates the pods deleted next.
for f in "$run"/el-sink-*.pid; do [[ -f $f ]] && stop "$(basename "$f" .pid)" KILL; done # they ignore SIGTERM
for s in triggers-controller triggers-interceptors resolvers tekton-controller kcm scheduler; do stop $s; done
if [[ -f $run/apiserver.pid ]] && kill -0 "$(cat "$run/apiserver.pid")" 2>/dev/null; then
	kubectl delete pods --all -A --grace-period=0 --force --request-timeout=10s >/dev/null 2>&1
	for _ in $(seq 1 30); do [[ -z $(kubectl get pods -A -o name --request-timeout=3s 2>/dev/null) ]] && break; sleep 1; done
fi
stop kubelet
sock=$run/containerd.sock
if [[ -S $sock ]]; then
	for t in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1; done
	sleep 1
	for t in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do ctr -a "$sock" -n k8s.io tasks delete -f "$t" >/dev/null 2>&1; done
fi
for s in containerd apiserver etcd registry git-daemon; do stop $s; done
for f in "$state"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done
[[ $(reap TERM) == 0 ]] || { sleep 2; reap KILL >/dev/null; }
sleep 1
grep " $state" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
for n in /var/run/netns/cni-*; do [[ -e $n ]] && ip netns delete "$(basename "$n")" 2>/dev/null; done
ip link show plbr0 >/dev/null 2>&1 && ip link delete plbr0
for c in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do [[ -d $c ]] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null; done
rm -f "$run"/containerd.sock*
# Host paths kubelet and containerd hard-code; nothing else on a CI machine uses them.
rm -rf /var/lib/kubelet /var/log/containers /run/containerd /opt/containerd /var/lib/cni /usr/libexec/kubernetes
rmdir /var/run/netns 2>/dev/null || true
left=$(reap)
left=$((left + $(ls "$run"/*.pid 2>/dev/null | wc -l)))
mounts=$(grep -c " $state" /proc/mounts)
echo "down: $left processes, $mounts mounts left; bridge $(ip link show plbr0 >/dev/null 2>&1 && echo present || echo gone)"
