#!/usr/bin/env bash
#
# tests/readme_examples.sh CONCBENCH SOURCE_ROOT: every `[build/]concbench ...`
# command of README.md's code blocks, run in a tiny form, must exit 0 (so an
# example with an unknown option, a renamed command or a wrong argument fails
# the test suite). In a scratch directory that holds what the examples name
# (out.csv, BASE.csv, NEW.csv: a small run; RESULTS/: a copy of it with its
# metadata): `run` and `ab` get --dry-run, ab's base binaries (old/concbench,
# build/concbench) are this build, and everything else runs as written.
# Prints each command and its exit code; exits 1 when any failed or when
# fewer than ten examples were found.
set -uo pipefail

bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"  # absolute: the test runs elsewhere
root="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/cb-readme-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

if ! "$bin" run -w noop -r serial -c 1 -t 20 --reps 5 --warmup 0 -q -o out.csv >/dev/null 2>&1; then
    echo "readme_examples: cannot make the fixture run" >&2
    exit 1
fi
cp out.csv BASE.csv && cp out.csv NEW.csv && mkdir RESULTS && cp out.csv out.meta.json RESULTS/ ||
    exit 1

# The commands: lines of fenced code blocks that start with `concbench ` or
# `build/concbench ` (the README's examples before installing), without their
# trailing comment.
mapfile -t cmds < <(awk '/^```/ { inb = !inb; next }
                         inb && /^(build\/)?concbench / { sub(/^build\//, ""); print }' \
    "$root/README.md" | sed -E 's/[[:space:]]{2,}#.*$//')

failed=0
ran=0
for cmd in "${cmds[@]}"; do
    args="${cmd#concbench }"
    case "$args" in
        run\ * | ab\ *) [[ "$args" == *--dry-run* ]] || args+=" --dry-run" ;;
    esac
    args="${args//build\/concbench/$bin}"
    args="${args//old\/concbench/$bin}"
    rc=0
    eval "\"\$bin\" $args" >/dev/null 2>"$work/stderr" || rc=$?
    ran=$((ran + 1))
    if ((rc != 0)); then
        failed=$((failed + 1))
        printf 'FAILED (exit %d): %s\n  %s\n' "$rc" "$cmd" "$(head -c 400 "$work/stderr")"
    else
        printf 'ok: %s\n' "$cmd"
    fi
done
echo "$ran README examples run, $failed failed"
((ran >= 10)) || { echo "readme_examples: only $ran examples found in README.md" >&2; exit 1; }
((failed == 0))
