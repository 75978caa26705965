#!/usr/bin/env bash
#
# concbench as a user gets it: installed, completed, documented, scripted.
#
#   tests/package.sh install BUILD_DIR   `meson install --destdir` into a temporary
#                                        root: exactly the files a user needs, and the
#                                        installed binary plots with the installed
#                                        gnuplot scripts, not the source tree's
#   tests/package.sh completion BUILD_DIR SOURCE_ROOT
#                                        the bash completion completes subcommands,
#                                        options, workload and runner names, policies
#   tests/package.sh man BUILD_DIR       the manual page names every subcommand and
#                                        every long option of every `--help`
#   tests/package.sh unix BUILD_DIR      -o - (stdout once), - (stdin), !GLOB, and
#                                        JSON that jq accepts
#
# Everything it writes is in one temporary directory, removed at the end.
set -euo pipefail

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
mode=${1:-}
build="$(cd "${2:?usage: tests/package.sh MODE BUILD_DIR [SOURCE_ROOT]}" && pwd -P)"
bin="$build/concbench"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cb-test-package.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# The subcommands, from `concbench --help` ("commands:" up to the blank line).
commands() {
    "$bin" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }'
}

# Every long option a `--help` names, one per line.
long_options() {
    "$bin" "$1" --help | { grep -oE -- '--[a-z][a-z-]*' || true; } | sort -u
}

case "$mode" in
install)
    root="$tmp/root"
    meson install -C "$build" --destdir "$root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log"; fail "meson install --destdir"; }
    # The installed binary, wherever the prefix put it.
    ibin="$(find "$root" -path '*/bin/concbench' -type f)"
    [[ -n "$ibin" && -x "$ibin" ]] || fail "no bin/concbench under $root"
    prefix="${ibin%/bin/concbench}"
    src="$(sed -n 's/^#define CB_SOURCE_ROOT "\(.*\)"$/\1/p' "$build/cb_config.h")"
    [[ -d "$src" ]] || fail "no source root in $build/cb_config.h"
    want="$tmp/want"
    {
        echo bin/concbench
        echo share/bash-completion/completions/concbench
        for gp in "$src"/plot/*.gp; do echo "share/concbench/plots/${gp##*/}"; done
        for doc in LICENSE README.md SCHEMA.md WORKLOADS.md; do echo "share/doc/concbench/$doc"; done
        echo share/man/man1/concbench.1
    } | sort >"$want"
    (cd "$prefix" && find . -type f | sed 's|^\./||' | sort) >"$tmp/got"
    diff -u "$want" "$tmp/got" || fail "installed files differ from the list above"
    [[ "$(find "$root" -type f | wc -l)" == "$(wc -l <"$want")" ]] ||
        fail "files installed outside the prefix: $(find "$root" -type f | grep -v "^$prefix/")"
    cmp "$build/concbench.1" "$prefix/share/man/man1/concbench.1" || fail "man page"
    cmp "$src/completions/concbench.bash" "$prefix/share/bash-completion/completions/concbench" ||
        fail "completion"
    for f in README.md LICENSE docs/SCHEMA.md docs/WORKLOADS.md; do
        cmp "$src/$f" "$prefix/share/doc/concbench/${f##*/}" || fail "doc $f"
    done
    for gp in "$src"/plot/*.gp; do cmp "$gp" "$prefix/share/concbench/plots/${gp##*/}"; done
    grep -q '^\.TH CONCBENCH 1 ' "$prefix/share/man/man1/concbench.1" || fail "not a man page"
    grep -q 'Permission is hereby granted' "$prefix/share/doc/concbench/LICENSE" || fail "LICENSE"
    [[ "$("$ibin" --version)" == "$("$bin" --version)" ]] || fail "--version differs"

    # The installed binary draws with the installed scripts: a line added to
    # the installed common.gp (which every chart loads) leaves a mark, and
    # the source tree's scripts, still in place, do not.
    if ! command -v gnuplot >/dev/null; then echo "skip: no gnuplot"; exit 77; fi
    mark="$tmp/mark"
    printf '\nset print "%s"\nprint "installed common.gp"\nset print\n' "$mark" \
        >>"$prefix/share/concbench/plots/common.gp"
    cd "$tmp"
    env -u CONCBENCH_PLOTS "$ibin" run -w noop -r serial,threads -c 1,2 -p none -t 20 --reps 2 \
        --warmup 0 -q -o r.csv >/dev/null 2>&1 || fail "installed binary: run"
    env -u CONCBENCH_PLOTS "$ibin" plot r.csv -o charts -q || fail "installed binary: plot"
    [[ -s charts/scaling-noop.svg && -s charts/scaling-noop.png ]] || fail "no chart drawn"
    grep -q 'installed common.gp' "$mark" || fail "the installed scripts were not used"
    rm -f "$mark"
    env -u CONCBENCH_PLOTS "$bin" plot r.csv -o charts2 -q || fail "build-tree binary: plot"
    [[ ! -e "$mark" ]] || fail "the build-tree binary used the installed scripts"
    ;;

completion)
    src="${3:?completion needs SOURCE_ROOT}"
    comp="$src/completions/concbench.bash"
    export PATH="$build:$PATH"
    got="$(bash -c "source '$comp'; complete -p concbench")"
    [[ "$got" == "complete -o filenames -F _concbench concbench" ]] || fail "complete -p: $got"
    # complete WORDS...: what completing the last word offers, sorted.
    complete_words() {
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _concbench
                 printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sed '/^$/d' | sort
    }
    want="$(concbench list | awk -F'\t' '$1 == "workload" && $2 ~ /^cpu\./ { print $2 }' | sort)"
    [[ -n "$want" ]] || fail "concbench list has no cpu workload"
    got="$(complete_words concbench run -w cpu.)"
    [[ "$got" == "$want" ]] || fail "run -w cpu. offers '$got', not '$want'"
    got="$(complete_words concbench run -w 'noop,!cpu.h')"
    [[ "$got" == 'noop,!cpu.hash' ]] || fail "run -w noop,!cpu.h offers '$got'"
    want="$(concbench list | awk -F'\t' '$1 == "runner" { print $2 }' | sort)"
    got="$(complete_words concbench compare -r '')"
    [[ "$got" == "$want" ]] || fail "-r offers '$got', not '$want'"
    got="$(complete_words concbench run -p '' | tr '\n' ' ')"
    [[ "$got" == "compact cores none scatter " ]] || fail "-p offers '$got'"
    got="$(complete_words concbench run --profile '' | tr '\n' ' ')"
    [[ "$got" == "full quick standard " ]] || fail "--profile offers '$got'"
    got="$(complete_words concbench compare --export '' | tr '\n' ' ')"
    [[ "$got" == "bmf custom-bigger gbench " ]] || fail "--export offers '$got'"
    got="$(complete_words concbench '')"
    want="$( (commands; echo --help; echo --version) | sort)"
    [[ "$got" == "$want" ]] || fail "subcommands: '$got', not '$want'"
    for cmd in $(commands); do
        got="$(complete_words concbench "$cmd" --)"
        want="$(long_options "$cmd")"
        [[ "$got" == "$want" ]] || fail "$cmd --: '$got', not '$want'"
    done
    ;;

man)
    page="$build/concbench.1"
    [[ -s "$page" ]] || fail "no $page"
    for cmd in $(commands); do
        grep -q "^\.SS \"concbench $cmd" "$page" || fail "no section for '$cmd' in the man page"
        for opt in $(long_options "$cmd"); do
            grep -qF -- "${opt//-/\\-}" "$page" || fail "$cmd $opt is not in the man page"
        done
    done
    for word in CONCBENCH_PLOTS CONCBENCH_GNUPLOT TMPDIR 'EXIT STATUS' ENVIRONMENT FILES \
                X.meta.json X.summary.csv; do
        grep -qF -- "$word" "$page" || fail "the man page does not mention $word"
    done
    for code in 0 1 2 128+N; do
        grep -qx "\.B $code" "$page" || fail "exit code $code is not in the man page"
    done
    grep -q '@[A-Z]*@' "$page" && fail "unsubstituted @VAR@ in $page"
    if command -v groff >/dev/null; then
        warn="$(groff -man -ww -z "$page" 2>&1)"
        [[ -z "$warn" ]] || fail "groff warns: $warn"
    fi
    if command -v man >/dev/null; then
        MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q 'concbench run' || fail "man -l"
    fi
    ;;

unix)
    cd "$tmp"
    # -o -: the CSV on stdout once, at the end; nothing named '-'.
    "$bin" run -w noop -r threads -c 1 -p none -t 10 --reps 2 --warmup 0 -o - >out.csv 2>err.txt ||
        { cat err.txt; fail "run -o -"; }
    [[ ! -e ./- ]] || fail "run -o - created a file named '-'"
    [[ "$(grep -c '^run_id,' out.csv)" == 1 ]] || fail "the header is not there once"
    [[ "$(wc -l <out.csv)" == 3 ]] || fail "-o -: $(wc -l <out.csv) lines, not a header and 2 trials"
    grep -q '^wrote 2 trials to stdout' err.txt || fail "-o -: no 'wrote 2 trials to stdout'"
    grep -q 'no summary and no metadata' err.txt || fail "-o -: no word on the summary"
    [[ "$(ls | sort | tr '\n' ' ')" == "err.txt out.csv " ]] || fail "files left: $(ls)"
    # The issue's example: the header, once, then head closes the pipe.
    first="$("$bin" run -w noop -r threads -c 1 -t 10 --reps 2 -o - 2>/dev/null | head -1)"
    [[ "$first" == "$(head -1 out.csv)" ]] || fail "run ... -o - | head -1 gave '$first'"
    # !GLOB: no sync workload, every other one.
    "$bin" run -w '*,!sync.*' -r threads -c 1 --dry-run >dry.txt
    got="$(awk 'NR > 1 && $2 == "threads" { print $1 }' dry.txt | sort -u)"
    want="$("$bin" list | awk -F'\t' '$1 == "workload" && $2 !~ /^sync\./ { print $2 }' | sort)"
    [[ "$got" == "$want" ]] || fail "-w '*,!sync.*' ran '$got', not '$want'"
    # - as an input reads stdin: the same bytes as from the file.
    "$bin" summary out.csv -q >a.txt
    "$bin" summary - -q <out.csv >b.txt
    cmp a.txt b.txt || fail "summary - differs from summary FILE"
    "$bin" compare --export bmf - <out.csv >c.json || fail "compare --export bmf -"
    "$bin" compare --export bmf out.csv >d.json
    cmp c.json d.json || fail "compare --export bmf - differs"
    "$bin" summary out.csv -q -o - >e.txt
    cmp a.txt e.txt || fail "summary -o - differs from stdout"
    "$bin" merge out.csv -o - >fleet.csv 2>h.txt || { cat h.txt; fail "merge -o -"; }
    [[ "$(wc -l <fleet.csv)" == 3 && ! -e ./-.hosts.csv ]] || fail "merge -o -"
    grep -q 'into stdout; hosts: not written' h.txt || fail "merge -o -: $(cat h.txt)"
    set +e
    "$bin" compare - - <out.csv 2>f.txt
    rc=$?
    set -e
    [[ $rc == 2 ]] && grep -q "cannot both be '-'" f.txt || fail "compare - -: exit $rc"
    rc=0
    "$bin" summary - </dev/null 2>f.txt || rc=$?
    [[ $rc == 2 ]] && grep -q "stdin: empty" f.txt || fail "summary - of nothing: exit $rc"
    rc=0
    "$bin" merge - -o x.csv <out.csv 2>f.txt || rc=$?
    [[ $rc == 2 && ! -e x.csv ]] && grep -q "input '-'" f.txt || fail "merge -: exit $rc"
    # JSON that strict readers take, with numbers too large to be finite.
    awk -F, 'BEGIN { OFS = "," }
             NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
             { $col["wall_s"] = "1e308"; $col["user_s"] = "1e308"; print }' out.csv >inf.csv
    "$bin" compare --export gbench inf.csv >inf.json 2>g.txt || { cat g.txt; fail "export inf"; }
    if grep -qE 'NaN|Infinity' inf.json; then fail "NaN or Infinity in the gbench export"; fi
    grep -q '"real_time": null' inf.json || fail "an infinite real_time is not null"
    if command -v jq >/dev/null; then
        for f in inf.json c.json; do jq . "$f" >/dev/null || fail "jq rejects $f"; done
        "$bin" run -w noop -r serial -c 1 -p none -t 10 --reps 2 --warmup 0 -q -o m.csv \
            --json m.json >/dev/null
        for f in m.json m.meta.json; do jq . "$f" >/dev/null || fail "jq rejects $f"; done
        [[ "$(jq -r .context.host_name m.json)" == "$(jq -r .host m.meta.json)" ]] ||
            fail "the gbench context is not the sidecar's"
        "$bin" compare --export gbench m.csv | jq -e '.context.caches == input.caches' - \
            <(jq '{caches: [.caches[] | {type, level, size, num_sharing}]}' m.meta.json) \
            >/dev/null || fail "compare --export gbench: caches are not the sidecar's"
    fi
    ;;

*)
    fail "usage: tests/package.sh install|completion|man|unix BUILD_DIR [SOURCE_ROOT]"
    ;;
esac
