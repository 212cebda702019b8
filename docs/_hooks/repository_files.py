"""MkDocs hook: repository files the site shows but that live outside ``docs/``.

* The charts of the last benchmark run are written by ``bench/run.py`` to
  ``bench/results/*.png`` and linked from ``docs/performance.md`` as ``../bench/results/...``
  (so they also show on a code host). They are added to the site as ``assets/bench/*.png``
  and those links rewritten, without copying the files into ``docs/``.
* The ``codat_customers`` namespace is split over one source root per distribution (the
  root package's ``__init__`` extends ``__path__`` with ``pkgutil``). Griffe, which reads
  the source for the API reference, takes the first root holding an ``__init__.py`` and
  stops, so the roots are merged into one tree of symbolic links, ``build/docs-src``,
  before any page is rendered; ``mkdocs.yml`` points mkdocstrings there.
* Pages other work adds later (``reliability.md``, ``cli.md``) join the navigation once they
  exist, and never before: a page that only says "pending" is not wanted.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[2]
BENCH_RESULTS = ROOT / "bench" / "results"
BENCH_SITE_DIR = "assets/bench"

# (file in docs/, its title, the nav entry it goes after)
OPTIONAL_PAGES = [
    ("cli.md", "Command line", "Sandbox and testing"),
    ("reliability.md", "Reliability", "Performance"),
]

# Every source root of the workspace, in the order Python would search them.
SOURCE_ROOTS = [
    ROOT / "src",
    *sorted(path for path in ROOT.glob("*/src") if (path / "codat_customers").is_dir()),
    *sorted(path for path in ROOT.glob("adapters/*/src") if (path / "codat_customers").is_dir()),
]
MERGED_SOURCE = ROOT / "build" / "docs-src"

_BENCH_LINK = re.compile(r"\]\(\.\./bench/results/([\w.-]+\.png)\)")


def _insert_after(nav: list[Any], after: str, entry: dict[str, str]) -> bool:
    for index, item in enumerate(nav):
        if not isinstance(item, dict):
            continue
        (title, value), *_ = item.items()
        if title == after:
            nav.insert(index + 1, entry)
            return True
        if isinstance(value, list) and _insert_after(value, after, entry):
            return True
    return False


def _merge(target: Path, sources: list[Path]) -> None:
    """Make ``target`` the union of ``sources``: links to files, real dirs where they meet."""
    target.mkdir(parents=True, exist_ok=True)
    children: dict[str, list[Path]] = {}
    for source in sources:
        for child in sorted(source.iterdir()):
            if child.name != "__pycache__":
                children.setdefault(child.name, []).append(child)
    for stale in target.iterdir():
        if stale.name not in children:
            stale.unlink() if stale.is_symlink() or stale.is_file() else shutil.rmtree(stale)
    if not any((source / "__init__.py").exists() for source in sources):
        # A namespace subpackage (``codat_customers.adapters``): Griffe only descends into
        # directories with an ``__init__``, so the merged tree gets one of its own.
        children["__init__.py"] = []
    for name, found in children.items():
        if not found:
            init = target / name
            if init.is_symlink():
                init.unlink()
            if not init.is_file():
                init.write_text(
                    '"""Namespace package: each subpackage is its own distribution."""\n'
                )
            continue
        link = target / name
        if len(found) > 1 and all(path.is_dir() for path in found):
            if link.is_symlink():
                link.unlink()
            _merge(link, found)
        elif not (link.is_symlink() and link.resolve() == found[0].resolve()):
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.is_dir():
                shutil.rmtree(link)
            link.symlink_to(found[0].resolve())


def merge_sources() -> None:
    """Make ``build/docs-src/codat_customers`` the union of every source root's package."""
    _merge(MERGED_SOURCE / "codat_customers", [root / "codat_customers" for root in SOURCE_ROOTS])


# Now, while MkDocs loads its configuration: mkdocstrings reads its handler's ``paths`` in its
# own ``on_config``, which runs before any hook's, and drops a path that does not exist yet.
merge_sources()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Refresh the merged sources (``mkdocs serve`` reloads); add optional pages to the nav."""
    merge_sources()
    docs = Path(config.docs_dir)
    for name, title, after in OPTIONAL_PAGES:
        if (docs / name).is_file() and not _insert_after(config.nav, after, {title: name}):
            config.nav.append({title: name})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Publish the benchmark charts as ``assets/bench/*.png``."""
    for chart in sorted(BENCH_RESULTS.glob("*.png")):
        files.append(
            File.generated(config, f"{BENCH_SITE_DIR}/{chart.name}", abs_src_path=str(chart))
        )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Point ``../bench/results/*.png`` links at the published charts."""
    here = posixpath.dirname(page.file.src_uri)
    target = posixpath.relpath(BENCH_SITE_DIR, here or ".")
    return _BENCH_LINK.sub(lambda m: f"]({target}/{m.group(1)})", markdown)
