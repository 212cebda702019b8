#!/usr/bin/env bash
# The core must import and work with only msgspec and returns installed: build its wheel,
# install it without dependencies into a virtualenv holding just those two, and use it.
# Then add the stdlib adapter's wheel (also without dependencies) and make one real HTTP call
# with it to a tiny http.server, proving core + stdlib adapter need nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uv build --package codat-customers-core --wheel --out-dir "$work/dist" >/dev/null
uv build --package codat-customers-stdlib --wheel --out-dir "$work/stdlib" >/dev/null
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

"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$work"/stdlib/*.whl
"$work/venv/bin/python" - <<'PY'
import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

for name in ("urllib3", "pluggy", "httpx", "aiohttp", "starlette", "uvicorn"):
    assert importlib.util.find_spec(name) is None, f"{name} should not be installed here"

from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.core import LIST

PAGE = {
    "results": [{"id": "c-1", "status": "Active", "customerName": "Stdlib Ltd"}],
    "pageNumber": 1,
    "pageSize": 100,
    "totalResults": 1,
    "_links": {"self": {"href": "/x"}, "current": {"href": "/x"}},
}
seen = []


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API

    def do_GET(self):
        seen.append((self.path, self.client_address))
        body = json.dumps(PAGE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
threading.Thread(target=server.serve_forever, daemon=True).start()
base_url = f"http://127.0.0.1:{server.server_address[1]}"
transport = StdlibTransport()
request = LIST.prepare({"company_id": "8a210b68-6988-11ed-a1eb-0242ac120002"}).unwrap()
for _ in range(2):  # the second call reuses the kept-alive connection
    response = transport.send(request, base_url=base_url, timeout=5)
    page = LIST.parse(response).unwrap()
    assert page.results[0].customer_name == "Stdlib Ltd", page
transport.close()
server.shutdown()
assert seen[0][0].endswith("/data/customers?page=1&pageSize=100"), seen
assert seen[0][1] == seen[1][1], f"the connection was not kept alive: {seen}"
print("core + stdlib adapter only: listed", len(page.results), "customer over", base_url)
PY
