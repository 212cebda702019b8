#!/usr/bin/env bash
# The README's quick start on a fresh machine, whatever the Python: for each interpreter (the
# default python3, and Debian's /usr/bin/python3 when present, which refuses `pip install`
# outside a virtualenv), clone the committed repository into an empty temp folder, put that
# interpreter first on PATH as `python3`, and run the README's first command there, as written.
# The last clone (Debian's when present) then runs the README's second command too: the whole
# suite, in a clone with nothing beside it (no ../shared), must pass with zero skips
# (tests/conftest.py fails a run with skips).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# The two commands, read from the README's Quick start (its first two ```bash blocks).
mapfile -t commands < <(python3 - <<'PY'
import re
from pathlib import Path

text = Path("README.md").read_text(encoding="utf-8")
section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
assert len(blocks) >= 2 and all("\n" not in b for b in blocks[:2]), blocks
print(blocks[0])
print(blocks[1])
PY
)
demo=${commands[0]}
tests=${commands[1]}
echo "README command 1: $demo"
echo "README command 2: $tests"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

interpreters=(default)
if [ -x /usr/bin/python3 ]; then interpreters+=(/usr/bin/python3); fi

for interpreter in "${interpreters[@]}"; do
    name=default-python3
    [ "$interpreter" = default ] || name=$(echo "${interpreter#/}" | tr / -)
    clone="$work/$name/codat-customers"
    mkdir -p "$work/$name/bin"
    git clone --quiet "$repo" "$clone"
    path=$PATH
    if [ "$interpreter" != default ]; then
        ln -s "$interpreter" "$work/$name/bin/python3"
        path="$work/$name/bin:$PATH"
    fi
    printf '\n--- %s: %s, %s\n' "$name" "$(PATH=$path command -v python3)" \
        "$(PATH=$path python3 --version)"
    PATH=$path python3 - <<'PY'
import os
import sysconfig

marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
managed = "refuses" if os.path.exists(marker) else "allows"
print(f"    (PEP 668: this python3 {managed} pip install outside a virtualenv)")
PY
    started=$SECONDS
    (cd "$clone" && env -u VIRTUAL_ENV -u UV_PYTHON PATH="$path" bash -c "$demo")
    # The project's environment must run on the interpreter the command was given.
    want=$(PATH=$path python3 -c 'import sys; print(sys.version.split()[0])')
    got=$("$clone/.venv/bin/python" -c 'import sys; print(sys.version.split()[0])')
    [ "$want" = "$got" ] || { echo "the .venv runs Python $got, not $want" >&2; exit 1; }
    echo "--- $name: demo passed in $((SECONDS - started)) s on Python $got"
    if [ "$interpreter" = "${interpreters[-1]}" ]; then
        started=$SECONDS
        (cd "$clone" && env -u VIRTUAL_ENV -u UV_PYTHON PATH="$path" bash -c "$tests")
        echo "--- $name: the whole suite passed in $((SECONDS - started)) s, in a clone alone"
    fi
done
