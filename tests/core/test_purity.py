"""The core is pure: it imports only pure stdlib modules plus msgspec and returns, and it
imports and works in a process where urllib3, pluggy and httpx cannot be imported."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import codat_customers.core
import pytest

CORE_DIR = Path(codat_customers.core.__file__).resolve().parent
CORE_SRC = CORE_DIR.parents[1]
MODULES = sorted(CORE_DIR.glob("*.py"))

# Everything the core may import (top-level names; relative imports are always allowed).
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "enum",
    "functools",
    "re",
    "sys",  # only the version and the recursion limit, read to decide the depth scan
    "types",  # MappingProxyType: read-only views of precomputed tables
    "typing",
    "urllib",  # only urllib.parse, checked below
    "msgspec",
    "returns",
}
FORBIDDEN = {
    "asyncio",
    "http",
    "httpx",
    "io",
    "logging",
    "os",
    "pluggy",
    "random",
    "secrets",
    "select",
    "socket",
    "ssl",
    "subprocess",
    "threading",
    "time",
    "urllib3",
    "uuid",
    "datetime",
}
# Calls that would mean I/O, clocks or randomness if a module used them by name.
IMPURE_CALLS = {"open", "print", "input", "exec", "eval", "breakpoint", "__import__"}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_core_has_the_expected_modules() -> None:
    names = {path.stem for path in MODULES}
    assert {"models", "requests", "http", "errors", "inputs", "operations"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_each_module_imports_only_pure_modules(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {name}"
        assert top in ALLOWED, f"{path.name} imports {name}, which is not on the pure list"
        if top == "urllib":
            assert name == "urllib.parse", f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_calls_io_builtins_or_imports_dynamically(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in IMPURE_CALLS, f"{path.name}:{node.lineno} {node.func.id}()"
        if isinstance(node, ast.Attribute) and node.attr == "import_module":
            pytest.fail(f"{path.name}:{node.lineno} imports dynamically")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_level_mutable_containers(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if names == {"__all__"}:
                continue
            value = node.value
            mutable_literal = isinstance(value, ast.List | ast.Dict | ast.Set)
            mutable_call = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in {"list", "dict", "set", "bytearray", "defaultdict"}
            )
            assert not (mutable_literal or mutable_call), f"{path.name}:{node.lineno} {names}"


def test_the_core_does_not_import_the_facade_or_its_siblings() -> None:
    for path in MODULES:
        for name in imports_of(path):
            assert not name.startswith("codat_customers"), f"{path.name} imports {name}"


CORE_ONLY = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    core_src = sys.argv[1]
    # Only the core's source tree may provide codat_customers: hide the facade, plugins,
    # adapters and sandbox exactly as a virtualenv holding just the core would.
    sys.path[:] = [
        p for p in sys.path
        if p == core_src or not (p and Path(p, "codat_customers").is_dir())
    ]
    for name in ("urllib3", "pluggy", "httpx"):
        sys.modules[name] = None  # any import of these now fails
    import msgspec, returns.result  # the two dependencies, and whatever they import

    dependencies = set(sys.modules)

    import codat_customers.core as core

    request = core.LIST.prepare(
        {"company_id": "8a210b68-6988-11ed-a1eb-0242ac120002", "query": "a=b"}
    ).unwrap()
    url = core.build_url("https://api.codat.io", request)
    body = (
        b'{"results":[{"id":"1","status":"Active"}],"pageNumber":1,"pageSize":100,'
        b'"totalResults":1,"_links":{"self":{"href":"/x"},"current":{"href":"/x"}}}'
    )
    page = core.LIST.parse(
        core.HttpResponse(200, {"content-type": "application/json"}, body)
    ).unwrap()
    error = core.GET.parse(
        core.HttpResponse(404, {"content-type": "application/json"}, b'{"error":"nope"}')
    ).failure()
    print(json.dumps({
        "url": url,
        "id": page.results[0].id,
        "error": type(error).__name__,
        "package_file": getattr(sys.modules["codat_customers"], "__file__", None),
        "core_file": core.__file__,
        "new_modules": sorted(set(sys.modules) - dependencies),
    }))
    """
)


def test_core_imports_and_works_without_urllib3_pluggy_or_httpx(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-I", "-c", CORE_ONLY, str(CORE_SRC)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["url"] == (
        "https://api.codat.io/companies/8a210b68-6988-11ed-a1eb-0242ac120002/data/customers"
        "?page=1&pageSize=100&query=a%3Db"
    )
    assert report["id"] == "1"
    assert report["error"] == "ApiError"
    # codat_customers came from the core alone (a namespace package, not the facade).
    assert report["package_file"] is None
    assert report["core_file"].startswith(str(CORE_SRC))
    # Beyond what msgspec and returns import themselves, the core adds nothing impure.
    new = {name.split(".")[0] for name in report["new_modules"]}
    assert "codat_customers" in new
    assert not new & FORBIDDEN, sorted(new & FORBIDDEN)
    assert not {name for name in new if name.startswith("_socket") or name == "_thread"}


def test_sys_is_only_read_for_the_version_and_the_recursion_limit() -> None:
    """``sys`` may decide the parsers' depth scan; it must never mean I/O or state."""
    allowed = {"version_info", "getrecursionlimit"}
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "sys":
                raise AssertionError(f"{path.name}: from sys import ... (use sys.name)")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                assert node.attr in allowed, f"{path.name} uses sys.{node.attr}"
