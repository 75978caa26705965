#!/usr/bin/env bash
# The layers include only downwards (docs/ARCHITECTURE.md): every
# `#include "X"` in a layer's folder names a header of that folder or of a
# layer below it, never one above. A header that moved up a layer, or a
# shortcut from the harness into the CLI, fails here with the file and line.
set -euo pipefail
root="${1:?usage: layers.sh SOURCE_ROOT}"
cd "$root"

# Each layer and the folders whose headers it may include (its own first).
declare -A may=(
  [include]="include"
  [core]="core include"
  [workloads]="workloads include"
  [runners/kit]="runners/kit include"
  [runners]="runners runners/kit include"
  [harness]="harness include"
  [analysis]="analysis harness include"
  [plot]="plot analysis harness include"
  [cli]="cli plot analysis harness include"
)
# Generated at the top of the build directory: configuration, for everyone;
# the revision (harness/cb_version.h.in), for the harness and above.
generated_all="cb_config.h"
generated_harness="cb_version.h"

bad=0
checked=0
for layer in "${!may[@]}"; do
  for f in "$layer"/*.c "$layer"/*.h; do
    [[ -e "$f" ]] || continue
    while IFS=: read -r line hdr; do
      checked=$((checked + 1))
      [[ "$hdr" == "$generated_all" ]] && continue
      if [[ "$hdr" == "$generated_harness" ]]; then
        case "$layer" in harness|analysis|plot|cli) continue ;; esac
      fi
      ok=0
      for dir in ${may[$layer]}; do
        [[ -e "$dir/$hdr" ]] && { ok=1; break; }
      done
      if ((ok == 0)); then
        owner="$(cd "$root" && ls -d */"$hdr" */*/"$hdr" 2>/dev/null | head -1 || true)"
        echo "$f:$line: includes \"$hdr\" (${owner:-nowhere}), not in ${may[$layer]}"
        bad=$((bad + 1))
      fi
    done < <(grep -n '^#include "' "$f" | sed -E 's/^([0-9]+):#include "([^"]+)".*/\1:\2/')
  done
done
echo "$checked includes checked, $bad upward or unknown"
((bad == 0))
