#!/usr/bin/env bash
# Build every distribution of the workspace and install the wheels (not the sources) in a
# fresh virtualenv, then import every subpackage and run one call against a live sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uv build --all-packages --wheel --out-dir "$work/dist" >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work"/dist/*.whl
ls "$work/dist"
"$work/venv/bin/python" - <<'PY'
import codat_customers
import codat_customers.adapters.aiohttp
import codat_customers.adapters.httpx
import codat_customers.adapters.stdlib
import codat_customers.adapters.urllib3
import codat_customers.core
import codat_customers.plugins
import codat_customers.sandbox
from codat_customers import CodatAccounting
from codat_customers.models import errors, operations, shared
from codat_customers.sandbox import SandboxServer

with SandboxServer() as sandbox:
    s = CodatAccounting(
        security=shared.Security(auth_header=sandbox.auth_header), server_url=sandbox.base_url
    )
    page = s.customers.list(request={"company_id": sandbox.company_id, "page_size": 5})
    assert page.results, page
    print("wheels: listed", len(page.results), "customers from", sandbox.base_url)
PY
