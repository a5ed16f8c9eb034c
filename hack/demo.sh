#!/usr/bin/env bash
# Runs every check over examples/homelab twice: with plumbline check, as a
# person does before pushing, and the way the infra-validation pipeline does
# (each check writes its JSON report into a shared reports directory, then
# report merges them).
#
# Findings are the point: the example has planted mistakes. The demo fails
# only when a tool broke (exit 2), never because it found something.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/bin}
example=${EXAMPLE:-$root/examples/homelab}
out=${OUT:-$root/.demo}
reports=$out/reports

rm -rf "$out"
mkdir -p "$reports"

# Install the checks' tools where we can; without them those checks are
# reported as not run, and the demo goes on (it needs no network otherwise).
"$root/hack/deps.sh" || echo "== not everything is installed (see above); a check whose tool is missing says so in its report"

# The laptop's way: one command, driven by examples/homelab/.plumbline.yaml
# (both DNS zones, each against two servers' snapshots, one drifted).
echo "== plumbline check examples/homelab"
"$bin/plumbline" check "$example" --report-dir "$out/plumbline" --report markdown="$out/plumbline/summary.md"
code=$?
echo "== plumbline check exited $code (1: the planted mistakes were found); reports in ${out#"$root"/}/plumbline"
((code >= 2)) && exit 1

# The pipeline's way: each check its own binary, each writing its JSON
# report, merged by report, refusing any report not of this run.
echo
# The checks of the pipeline, in order; check_args gives each its arguments.
checks=(terraform-validate ansible-lint-check policy-check dns-zone-diff)

# terraform-validate runs --offline: the example's Proxmox provider cannot be
# downloaded here, and the demo needs no network. Its tests run init and
# validate for real from a provider mirror.
check_args() {
	case $1 in
	terraform-validate) echo "terraform" ;; # --offline comes from .plumbline.yaml
	ansible-lint-check) command -v ansible-lint >/dev/null && echo "ansible" || return 1 ;;
	# The repository's own policy/ directory, every package, as the Task does.
	policy-check) echo "--all-namespaces ." ;;
	# The zones and their live sources (snapshots: the demo needs no DNS
	# server) come from .plumbline.yaml, as in a webhook run.
	dns-zone-diff) echo "--plan-dir $reports ." ;;
	*) return 1 ;; # a check without arguments here is not run
	esac
}

# As in the pipeline, every report carries this run's id and report refuses
# any other: a stale or planted report never counts.
run_id="demo-$$-$(date +%s)"

broken=0
for c in "${checks[@]}"; do
	if [[ ! -x $bin/$c ]] || ! args=$(check_args "$c"); then
		echo "== $c: not built, or its tool is not installed: its report will be missing (an error)"
		continue
	fi
	echo "== $c"
	# shellcheck disable=SC2086 # args are words by design
	(cd "$example" && "$bin/$c" $args --report-dir "$reports" --run-id "$run_id" --results-dir "$out/results/$c")
	code=$?
	echo "== $c exited $code"
	((code >= 2)) && broken=1
done

echo
echo "== report"
(cd "$reports" && "$bin/report" --expect-run-id "$run_id" --missing error --report sarif=merged/plumbline.sarif --report junit=merged/junit.xml \
	--report markdown=merged/summary.md --report json=merged/report.json \
	--results-dir "$out/results/report" \
	"${checks[@]/%/.json}")
code=$?
echo
echo "== report exited $code; merged reports in ${reports#"$root"/}/merged, Tekton results in ${out#"$root"/}/results"
echo "== on a cluster, tasks/validate.yaml runs these same checks in one pod on every push (docs/quickstart.md)"
((code >= 2)) && broken=1
exit $broken
