"""mypy --strict and basedpyright flag exactly the mistakes the samples mark, and nothing else.

``samples/requests_ok.py`` is correct user code (every operation, both faces, sync and
async, with ``assert_type`` on each return value): no errors. ``samples/requests_bad.py``
marks each mistake with the error each checker must give.
"""

from __future__ import annotations

import pytest
from typing_support import CHECKERS, SAMPLE_FILES, Diagnostic, compare, expected


@pytest.fixture(params=CHECKERS)
def checker(request: pytest.FixtureRequest) -> tuple[str, list[Diagnostic]]:
    name: str = request.param
    return name, request.getfixturevalue(f"{name}_errors")


def test_each_checker_reports_exactly_the_expected_errors(
    checker: tuple[str, list[Diagnostic]],
) -> None:
    name, errors = checker
    problems = compare(name, errors)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_correct_code_is_clean(checker: tuple[str, list[Diagnostic]]) -> None:
    name, errors = checker
    assert [e for e in errors if e.file == "requests_ok.py"] == [], name


@pytest.mark.parametrize("name", CHECKERS)
def test_the_issue_mistakes_are_all_marked_for_both_faces(name: str) -> None:
    # Guards the samples themselves: dropping a case would make the comparison vacuous.
    lines = {d.line for d in expected(name) if d.file == "requests_bad.py"}
    source = (SAMPLE_FILES[0].parent / "requests_bad.py").read_text().splitlines()
    flagged = "\n".join(source[line - 1] for line in sorted(lines))
    for mistake in ('"colour"', '"company_idd"', '"page": "2"', '"customer_name": 5'):
        assert flagged.count(mistake) >= 2, (name, mistake)
    assert 'get(request={"company_id": COMPANY})' in flagged
    assert 'r.get({"company_id": COMPANY})' in flagged
