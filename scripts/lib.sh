# shellcheck shell=bash
#
# Shared helpers for scripts/bench and scripts/test; sourced, never run.
# It finds the repository root from its own location (so the scripts work from
# any directory), installs the Debian packages concbench needs (only the
# missing ones, with sudo when not root) and sets up and compiles a Meson
# build directory. Functions return non-zero on failure instead of exiting, so
# callers decide what a failure means. Set CB_SKIP_DEPS=1 to skip the package
# check (e.g. on a machine that is not Debian but has everything installed).

# Repository root: the parent of the directory holding this file.
CB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export CB_ROOT

# Debian packages needed to build, test, plot and pin (git: `concbench ab
# --base-rev` checks out and builds a base revision; jansson: every JSON
# file concbench writes or reads, harness/json.c; libudev-dev: hwloc linked
# statically needs -ludev).
CB_DEPS=(build-essential pkg-config meson ninja-build libuv1-dev libhwloc-dev
         gnuplot-nox libcmocka-dev hwloc git libjansson-dev libudev-dev)

cb_log() { printf 'concbench: %s\n' "$*" >&2; }

# cb_install_deps: install whichever of CB_DEPS is not installed yet.
cb_install_deps() {
    if [[ "${CB_SKIP_DEPS:-0}" == 1 ]]; then
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        cb_log "error: dpkg-query/apt-get not found; install these packages by hand" \
               "(or set CB_SKIP_DEPS=1): ${CB_DEPS[*]}"
        return 1
    fi

    local pkg status missing=()
    for pkg in "${CB_DEPS[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        if [[ "$status" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    local -a as_root=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            as_root=(sudo)
        else
            cb_log "error: missing packages: ${missing[*]}"
            cb_log "error: not root and sudo is not installed; run as root or install them by hand"
            return 1
        fi
    fi

    cb_log "installing: ${missing[*]}"
    local log rc=0
    log="$(mktemp "${TMPDIR:-/tmp}/concbench-apt.XXXXXX")" || return 1
    {
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get -q update &&
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get -q -y --no-install-recommends -o Dpkg::Use-Pty=0 \
            install "${missing[@]}"
    } >"$log" 2>&1 || rc=$?
    if ((rc != 0)); then
        tail -n 30 "$log" >&2
        cb_log "error: apt-get failed (exit $rc) installing: ${missing[*]} (full log: $log)"
        return "$rc"
    fi
    rm -f "$log"
    return 0
}

# cb_options_differ BUILDDIR -Dname=value...: true when the set-up directory
# BUILDDIR holds another value for one of these options (arguments that are
# not -D options are ignored).
cb_options_differ() {
    local dir="$1" json
    shift
    json="$(meson introspect --buildoptions "$dir")" || return 0
    python3 -c '
import json, sys
values = {o["name"]: o["value"] for o in json.loads(sys.argv[1])}
for arg in sys.argv[2:]:
    if not arg.startswith("-D"):
        continue
    name, _, want = arg[2:].partition("=")
    have = values.get(name)
    if isinstance(have, bool):
        have = "true" if have else "false"
    elif isinstance(have, list):
        have = ",".join(have)
    if str(have) != want:
        sys.exit(0)
sys.exit(1)
' "$json" "$@"
}

# cb_build BUILDDIR [meson setup args...]
# BUILDDIR is relative to the repository root unless absolute. The setup
# arguments set up a new directory; in an existing one, -D options that hold
# another value (someone set it up by hand) are applied with `meson
# configure`, so that a suite always runs the build it names. Otherwise an
# existing directory is just compiled (Meson regenerates it by itself when a
# meson.build changes).
cb_build() {
    if (($# < 1)); then
        cb_log "error: cb_build needs a build directory"
        return 2
    fi
    local dir="$1"
    shift
    [[ "$dir" == /* ]] || dir="$CB_ROOT/$dir"

    if [[ ! -f "$dir/build.ninja" ]]; then
        local -a wipe=()
        # A half-configured directory (an earlier setup that failed) has
        # coredata but no build.ninja: start it afresh.
        if [[ -f "$dir/meson-private/coredata.dat" ]]; then
            wipe=(--wipe)
        fi
        meson setup "${wipe[@]}" "$@" "$dir" "$CB_ROOT" || return
    elif (($# > 0)) && cb_options_differ "$dir" "$@"; then
        cb_log "reconfiguring ${dir#"$CB_ROOT"/} with: $*"
        meson configure "$dir" "$@" || return
    fi
    meson compile -C "$dir" || return
}
