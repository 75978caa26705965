#!/usr/bin/env bash
#
# The fleet, end to end on one machine: deploy/ansible/fleet.yml against the
# two inventory hosts of deploy/ansible/local.ini (both this machine,
# ansible_connection=local), with a tiny run. It checks each host's result
# folder, the merged CSV (two host identities, every trial once), the hosts
# file and the per-host report and chart.
#
#   tests/fleet.sh syntax SOURCE_ROOT       ansible-playbook --syntax-check, both inventories
#   tests/fleet.sh run CONCBENCH SOURCE_ROOT
#
# CONCBENCH merges, reports and plots on the "controller"; the hosts build
# their own concbench from a git archive of SOURCE_ROOT (both hosts share one
# working directory, so the second build finds nothing to do). Exit 77
# (skipped) without ansible-playbook or outside a git checkout. Everything
# it writes, Ansible's temporary and async files included, is in one
# temporary directory removed at the end.
set -euo pipefail

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
command -v ansible-playbook >/dev/null || { echo "skip: no ansible-playbook (ansible-core)"; exit 77; }

if [[ "$1" == syntax ]]; then
    for inv in local.ini inventory.example.ini; do
        ANSIBLE_NOCOLOR=1 ansible-playbook --syntax-check -i "$2/deploy/ansible/$inv" \
            "$2/deploy/ansible/fleet.yml" || fail "syntax check with $inv"
    done
    exit 0
fi
[[ "$1" == run ]] || fail "usage: tests/fleet.sh syntax SRC | run CONCBENCH SRC"
bin="$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2")"
src="$3"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || { echo "skip: $src is not a git checkout"; exit 77; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cb-test-fleet.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_LOCAL_TEMP="$tmp/ansible-local" ANSIBLE_REMOTE_TEMP="$tmp/ansible-remote"
export ANSIBLE_ASYNC_DIR="$tmp/ansible-async" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0

results="$tmp/results"
work="$tmp/work"
# 2 workloads x (serial + threads and processes at c = 1, 2) = 10 cells x 3 reps
trials=30
cat >"$tmp/vars.json" <<EOF
{"concbench_args": ["-w", "noop,cpu.hash", "-r", "serial,threads,processes", "-c", "1,2",
                    "-t", "200", "-s", "2000", "--reps", "3", "--warmup", "0", "-q"],
 "concbench_results": "$results", "concbench_workdir": "$work",
 "concbench_bin": "$bin", "concbench_source": "$src", "concbench_poll": 1}
EOF
ansible-playbook -i "$src/deploy/ansible/local.ini" "$src/deploy/ansible/fleet.yml" \
    -e "@$tmp/vars.json" >"$tmp/play.log" 2>&1 || { cat "$tmp/play.log"; fail "the playbook failed"; }
grep -q 'alpha *: ok=.* failed=0' "$tmp/play.log" || fail "alpha did not finish"
grep -q 'beta *: ok=.* failed=0' "$tmp/play.log" || fail "beta did not finish"

# Each host's folder: its trials, summary and metadata, of one run.
for h in alpha beta; do
    for f in "concbench-$h.csv" "concbench-$h.summary.csv" "concbench-$h.meta.json"; do
        [[ -s "$results/$h/$f" ]] || fail "$results/$h/$f is missing or empty"
    done
    n=$(($(wc -l <"$results/$h/concbench-$h.csv") - 1))
    ((n == trials)) || fail "$h: $n trials, expected $trials"
    grep -q '"run_id": "' "$results/$h/concbench-$h.meta.json" || fail "$h: meta.json has no run_id"
done

# The merged CSV: every trial once, two identities NAME@FINGERPRINT, where
# the fingerprint is that of the hosts' own build (release, not this one's).
fp="$("$work/build/concbench" fingerprint)"
n=$(($(wc -l <"$results/fleet.csv") - 1))
((n == 2 * trials)) || fail "fleet.csv: $n trials, expected $((2 * trials))"
"$bin" summary "$results/fleet.csv" -o "$tmp/fleet.summary.csv" 2>/dev/null
hosts="$(awk -F, 'NR > 1 { print $1 }' "$tmp/fleet.summary.csv" | sort -u | tr '\n' ' ')"
[[ "$hosts" == "alpha@$fp beta@$fp " ]] || fail "host identities: '$hosts', expected alpha@$fp beta@$fp"
[[ "$(head -1 "$results/fleet.csv")" == "$(head -1 "$results/alpha/concbench-alpha.csv")" ]] ||
    fail "fleet.csv has another header than a run's CSV"

# The hosts file: a header and one row per host, named, with its run.
[[ $(wc -l <"$results/fleet.hosts.csv") == 3 ]] || fail "fleet.hosts.csv: not 2 hosts"
for h in alpha beta; do
    grep -q "^$h@$fp,$h,[^,]*,$fp,.*,1,$trials,[^,]*,[^,]*,[^,]*concbench-$h.meta.json$" \
        "$results/fleet.hosts.csv" || fail "fleet.hosts.csv: no row for $h with 1 run, $trials trials"
done
rev="$(git -C "$src" describe --always --dirty --abbrev=12)"
grep -q ",$rev,1,$trials," "$results/fleet.hosts.csv" ||
    fail "fleet.hosts.csv: the hosts' git_revision is not $rev"

# The per-host report and charts.
report="$results/fleet.md"
grep -q '^# concbench report: 2 hosts$' "$report" || fail "the report is not the fleet report"
grep -q '^| folklore | alpha | beta | across hosts |$' "$report" || fail "no verdicts per host"
grep -q '^| setting | alpha | beta |$' "$report" || fail "no winners map with hosts as columns"
grep -q '^| cpu.hash c=2 | ' "$report" || fail "the winners map has no row cpu.hash c=2"
for chart in hosts-winners hosts-scaling-cpu.hash; do
    [[ "$(head -c 8 "$results/fleet-charts/$chart.png" | od -An -tx1 | tr -d ' \n')" == \
       89504e470d0a1a0a ]] || fail "$chart.png is not a PNG"
    grep -q '>alpha<' "$results/fleet-charts/$chart.svg" || fail "$chart.svg does not name alpha"
done
echo "fleet: 2 hosts, $((2 * trials)) trials merged, report and charts per host"
