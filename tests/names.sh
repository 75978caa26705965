#!/usr/bin/env bash
# The harness never names a runner or a workload (docs/ARCHITECTURE.md): what
# it must know is a trait in cb_runner_t or cb_workload_t, found through the
# registries. This fails on a string literal in harness/, analysis/, plot/ or
# cli/ that is a runner, workload, workload family or transport name, or
# starts with one ("processes/shm", "cpu.*", "serial,threads"), with the file,
# line and literal. Comments and help text (names inside longer sentences)
# pass; registries pass by name in the allow-list below.
set -euo pipefail
root="${1:?usage: names.sh SOURCE_ROOT}"
cd "$root"

# Files that are registries and may name what they register or judge.
allowed=(
  harness/profile.c   # the profiles' experiments (sweeps of named workloads)
  analysis/claims.c   # the claims of the findings table, each naming what it judges
)
# Single literals that are no runner or workload where they stand: "cpu" as
# a word of the kernel's (sysfs directories, /proc/cpuinfo).
allowed_literals=(
  'harness/env.c:"cpu"'
  'harness/fingerprint.c:"cpu"'
  'harness/env.c:"cpu.max %.2f CPUs at %.64s (%u PUs)"' # the cgroup's file
  'harness/capacity.c:"threads"'           # the kernel's limits, by what they count
  'harness/capacity.c:"processes/threads"'
  'analysis/export.c:"threads"'            # a field of the custom-bigger JSON export
)
# The names, from the registries' own sources.
mapfile -t workloads < <(grep -ho '^  \.name = "[^"]*"' workloads/*.c | sed -E 's/.*"(.*)"/\1/')
mapfile -t runners < <(grep -ho '^  \.name = "[^"]*"' runners/*.c | sed -E 's/.*"(.*)"/\1/')
mapfile -t transports < <(grep -ho '^  \.transports = .*' runners/*.c | grep -o '"[a-z]*"' |
                          tr -d '"' | sort -u)
mapfile -t families < <(printf '%s\n' "${workloads[@]}" | sed -E 's/\..*//' | sort -u)
((${#workloads[@]} > 10 && ${#runners[@]} >= 3 && ${#transports[@]} >= 2)) || {
  echo "names.sh: found only ${#workloads[@]} workloads, ${#runners[@]} runners," \
       "${#transports[@]} transports: has the registries' form changed?"
  exit 1
}
alt="$(printf '%s\n' "${workloads[@]}" "${runners[@]}" "${transports[@]}" "${families[@]}" |
       sed 's/\./\\./g' | sort -u | paste -sd '|')"
literal="\"($alt)([.,/+*][^\"]*)?\""

# A file with its comments blanked out (line numbers kept), so that only
# code and its strings are searched.
strip_comments() {
  perl -0777 -pe 's{(\x27(?:\\.|[^\x27\\])*\x27|"(?:\\.|[^"\\\n])*")|/\*.*?\*/|//[^\n]*}
                    { defined $1 ? $1 : "\n" x ($& =~ tr/\n//) }gse' "$1"
}

declare -A used=()
bad=0
checked=0
for f in harness/*.[ch] analysis/*.[ch] plot/*.[ch] plot/*.gp cli/*.[ch]; do
  [[ -e "$f" ]] || continue
  checked=$((checked + 1))
  for a in "${allowed[@]}"; do
    [[ "$f" == "$a" ]] && continue 2
  done
  while IFS=: read -r line lit; do
    for a in "${allowed_literals[@]}"; do
      [[ "$a" == "$f:$lit" ]] && { used[$a]=1; continue 2; }
    done
    echo "$f:$line: $lit"
    bad=$((bad + 1))
  done < <(strip_comments "$f" | grep -noE "$literal" || true)
done
# An entry whose literal is gone goes too, so the lists never hide a new one.
for a in "${allowed_literals[@]}"; do
  if [[ -z "${used[$a]:-}" ]]; then
    echo "names.sh: allow-list entry $a matches nothing any more: remove it"
    bad=$((bad + 1))
  fi
done
echo "$checked files checked, $bad runner or workload names outside registries"
((bad == 0))
