#!/usr/bin/env bash
# The core must import and work with only msgspec and returns installed: build its wheel,
# install it without dependencies into a virtualenv holding just those two, and use it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uv build --package codat-customers-core --wheel --out-dir "$work/dist" >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check msgspec returns
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$work"/dist/*.whl
"$work/venv/bin/python" - <<'PY'
import importlib.util

for name in ("urllib3", "pluggy", "httpx", "aiohttp", "starlette"):
    assert importlib.util.find_spec(name) is None, f"{name} should not be installed here"

from codat_customers.core import LIST, HttpResponse, build_url

request = LIST.prepare({"company_id": "8a210b68-6988-11ed-a1eb-0242ac120002"}).unwrap()
url = build_url("https://api.codat.io", request)
assert url.endswith("/data/customers?page=1&pageSize=100"), url
body = (
    b'{"results":[{"id":"1","status":"Active"}],"pageNumber":1,"pageSize":100,'
    b'"totalResults":1,"_links":{"self":{"href":"/x"},"current":{"href":"/x"}}}'
)
page = LIST.parse(HttpResponse(200, {"content-type": "application/json"}, body)).unwrap()
assert page.results[0].id == "1"
print("core-only: built", url, "and parsed", len(page.results), "customer")
PY
