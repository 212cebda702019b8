#!/usr/bin/env bash
# Build every distribution of the workspace as an sdist and as a wheel built from that sdist
# (as pip would from PyPI), check their metadata with twine, check that every wheel carries
# py.typed, its licence and the workspace's one version (VERSION) with siblings pinned to it,
# then install the wheels (not the sources) in a fresh virtualenv, import every subpackage and
# run one call against a live sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uv build --all-packages --out-dir "$work/dist" >/dev/null 2>"$work/build.log" || { cat "$work/build.log"; exit 1; }
ls "$work/dist"
uv run --locked twine check --strict "$work"/dist/*
python3 - "$work/dist" "$(cat VERSION)" <<'PY'
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

dist, version = Path(sys.argv[1]), sys.argv[2]
wheels = sorted(dist.glob("*.whl"))
sdists = sorted(dist.glob("*.tar.gz"))
assert len(wheels) == len(sdists) == 9, (wheels, sdists)  # the root and eight members
for wheel in wheels:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    name = metadata["Name"]
    problems = []
    if metadata["Version"] != version:
        problems.append(f"version {metadata['Version']}, VERSION says {version}")
    for requirement in metadata.get_all("Requires-Dist") or []:
        if requirement.startswith("codat-customers") and f"=={version}" not in requirement:
            problems.append(f"sibling not pinned to {version}: {requirement}")
    if not any(n.endswith("/py.typed") for n in names):
        problems.append("no py.typed")
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        problems.append("no LICENSE")
    for field in ("Summary", "License-Expression", "Requires-Python", "Project-URL"):
        if not metadata[field]:
            problems.append(f"no {field}")
    if len(metadata.get_all("Classifier") or []) < 5 or not metadata["Keywords"]:
        problems.append("classifiers or keywords missing")
    if metadata["Description-Content-Type"] != "text/markdown" or not metadata.get_payload():
        problems.append("no Markdown readme")
    assert not problems, f"{wheel.name}: {problems}"
    print(f"{wheel.name}: {name} {version}, py.typed, LICENSE, metadata complete")
for sdist in sdists:
    with tarfile.open(sdist) as archive:
        (pkg_info,) = [m for m in archive.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        metadata = Parser().parsestr(archive.extractfile(pkg_info).read().decode())
    assert metadata["Version"] == version, (sdist.name, metadata["Version"])
PY
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work"/dist/*.whl
"$work/venv/bin/python" - "$(cat VERSION)" <<'PY'
import sys
from importlib.metadata import version

import codat_customers
import codat_customers.adapters.aiohttp
import codat_customers.adapters.httpx
import codat_customers.adapters.stdlib
import codat_customers.adapters.urllib3
import codat_customers.cli
import codat_customers.core
import codat_customers.plugins
import codat_customers.sandbox
from codat_customers import CodatAccounting
from codat_customers.models import errors, operations, shared
from codat_customers.plugins.calls import USER_AGENT
from codat_customers.sandbox import SandboxServer

expected = sys.argv[1]
assert version("codat-customers") == expected, version("codat-customers")
assert USER_AGENT == f"codat-customers/{expected}", USER_AGENT
assert codat_customers.__version__ == expected, (
    f"codat_customers.__version__ is {codat_customers.__version__!r} but VERSION says "
    f"{expected!r} (src/codat_customers/__init__.py)"
)

with SandboxServer() as sandbox:
    s = CodatAccounting(
        security=shared.Security(auth_header=sandbox.auth_header), server_url=sandbox.base_url
    )
    page = s.customers.list(request={"company_id": sandbox.company_id, "page_size": 5})
    assert page.results, page
    print("wheels: listed", len(page.results), "customers from", sandbox.base_url, "as", USER_AGENT)
    import subprocess
    from pathlib import Path

    cli = Path(sys.executable).with_name("codat-customers")
    listed = subprocess.run(
        [str(cli), "--server-url", sandbox.base_url, "--api-key", sandbox.api_key, "-o", "jsonl",
         "list", sandbox.company_id, "--page-size", "3"],
        capture_output=True, text=True, check=True,
    )
    assert len(listed.stdout.splitlines()) == 3, listed
    print("wheels: the codat-customers command listed 3 customers")
PY
