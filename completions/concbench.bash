# bash completion for concbench(1): subcommands, each one's options (read
# from `concbench CMD --help`, so that they are never a second list to keep
# in step), workload and runner names (from `concbench list`), profiles, pin
# policies and the other fixed values, and file names. Self-contained: it
# needs only bash, not the bash-completion package. Installed to
# DATADIR/bash-completion/completions/concbench, where bash-completion loads
# it on demand; or `source` it.

# The program being completed: the word typed (./build/concbench) when it can
# be run, else concbench from PATH.
_concbench_prog() {
    local p=${COMP_WORDS[0]}
    p=${p/#\~/$HOME}
    if [[ $p == */* && -x $p ]]; then printf '%s\n' "$p"; else printf 'concbench\n'; fi
}

# _concbench_names KIND: the names of `concbench list` of that kind
# (workload or runner).
_concbench_names() {
    "$(_concbench_prog)" list 2>/dev/null | while IFS=$'\t' read -r kind name _; do
        [[ $kind == "$1" ]] && printf '%s\n' "$name"
    done
}

# _concbench_opts CMD: every option that `concbench CMD --help` lists.
_concbench_opts() {
    "$(_concbench_prog)" "$1" --help 2>/dev/null |
        grep -oE '(^|[ ,(])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ ,(]//' | sort -u
}

# _concbench_list WORDS...: complete the last item of a comma-separated list
# (an item may start with ! to exclude).
_concbench_list() {
    local cur=$1 prefix='' last
    shift
    if [[ $cur == *,* ]]; then prefix=${cur%,*},; fi
    last=${cur##*,}
    if [[ $last == '!'* ]]; then prefix+='!'; last=${last#!}; fi
    local IFS=$'\n'
    COMPREPLY=($(compgen -P "$prefix" -W "$*" -- "$last"))
    compopt -o nospace 2>/dev/null
}

_concbench() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' i
    local commands='ab compare env fingerprint list merge plot report run summary topology'
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return 0
    fi
    # --gil=VALUE: bash splits the word at '='.
    if [[ $prev == = && ${COMP_WORDS[COMP_CWORD-2]} == --gil ]]; then
        COMPREPLY=($(compgen -W 'on off both' -- "$cur"))
        return 0
    fi
    case $prev in
    -w|--workload) _concbench_list "$cur" $(_concbench_names workload); return 0 ;;
    -r|--runner) _concbench_list "$cur" $(_concbench_names runner); return 0 ;;
    -p|--pin) COMPREPLY=($(compgen -W 'none compact scatter cores' -- "$cur")); return 0 ;;
    --profile) COMPREPLY=($(compgen -W 'quick standard full' -- "$cur")); return 0 ;;
    --transport) _concbench_list "$cur" pipe shm; return 0 ;;
    --procs) _concbench_list "$cur" pus 1 2 4; return 0 ;;
    --dispatch) _concbench_list "$cur" shared queue roundtrip; return 0 ;;
    -f|--format) COMPREPLY=($(compgen -W 'text md json csv' -- "$cur")); return 0 ;;
    --export) COMPREPLY=($(compgen -W 'gbench custom-bigger bmf' -- "$cur")); return 0 ;;
    --metric) _concbench_list "$cur" throughput wall_s lat_p50_us lat_p99_us user_s sys_s maxrss_kb; return 0 ;;
    --charts|--source|--root) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
    -o|--output)
        if [[ $cmd == plot ]]; then COMPREPLY=($(compgen -d -- "$cur"))
        else COMPREPLY=($(compgen -f -- "$cur")); fi
        return 0 ;;
    --json|--base|--new) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    -c|--concurrency|-t|--tasks|-s|--size|--payload|--reps|--warmup|--seed|--trial-timeout|\
    --switch-interval|--alpha|--threshold|--at-c|--synthetic|--base-rev)
        return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_concbench_opts "$cmd")" -- "$cur"))
        return 0
    fi
    case $cmd in
    list|topology|ab) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
}
complete -o filenames -F _concbench concbench
