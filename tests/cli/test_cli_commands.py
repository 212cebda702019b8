"""The ``codat-customers`` command line, run as a subprocess against a live sandbox."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import urllib3
from cli_support import CUSTOMERS, SCRIPT, Cli
from codat_customers.sandbox import SandboxServer

from codat_customers import CodatCustomers


def ids_of(sandbox: SandboxServer) -> tuple[str, str, str, str]:
    return sandbox.company_id, sandbox.connection_id, sandbox.customer_id, sandbox.attachment_id


# --- help, usage and the sandbox command --------------------------------------------------


def test_help_everywhere_and_completion(cli: Cli) -> None:
    top = cli("--help")
    assert top.code == 0
    for command in ("list", "get", "create", "update", "model", "attachments", "export-snapshot"):
        assert command in top.out
    assert "--install-completion" in top.out and "CODAT_API_KEY" in top.out
    assert "0 ok, 2 usage error" in top.out.replace("\n", " ").replace("  ", " ")
    for args in (["attachments", "download", "--help"], ["create", "-h"], ["sandbox", "--help"]):
        shown = cli(*args)
        assert shown.code == 0, shown
        assert "usage" in shown.out.lower()
    assert "--snapshot" in cli("sandbox", "--help").out
    assert cli("--version").out.startswith("codat-customers ")


def test_usage_errors_exit_2(cli: Cli, sandbox: SandboxServer) -> None:
    assert cli("list").code == 2  # missing COMPANY_ID
    assert cli("--output", "yaml", "list", sandbox.company_id).code == 2
    both = cli("list", sandbox.company_id, "--all", "--page", "2")
    assert both.code == 2 and "--page and --all" in both.err
    no_key = cli("list", sandbox.company_id, env=cli.env(CODAT_API_KEY=""))
    assert no_key.code == 2 and "no API key" in no_key.err
    bad_url = cli("--server-url", "ftp://x", "list", sandbox.company_id)
    assert bad_url.code == 2 and "server_url" in bad_url.err


# --- list, every format ---------------------------------------------------------------------


def test_list_one_page_in_every_format(cli: Cli, sandbox: SandboxServer) -> None:
    company = sandbox.company_id
    with CodatCustomers(sandbox.api_key, server_url=sandbox.base_url) as sdk:
        expected = sdk.list({"company_id": company, "page_size": 4, "order_by": "id"}).unwrap()
    want = [c.id for c in expected.results or []]
    args = ("list", company, "--page-size", "4", "--order-by", "id")

    page = json.loads(cli("--output", "json", *args).out)  # the API's page, as it answered
    assert [c["id"] for c in page["results"]] == want
    assert page["totalResults"] == expected.total_results

    piped = json.loads(cli(*args).out)  # piped: JSON by default
    assert [c["id"] for c in piped["results"]] == want

    lines = cli("-o", "jsonl", *args).out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == want

    rows = list(csv.DictReader(io.StringIO(cli("-o", "csv", *args).out)))
    assert [r["id"] for r in rows] == want
    assert {"address1.city", "contact1.email", "addressCount", "metadata.isDeleted"} <= set(rows[0])

    table = cli("-o", "table", *args)
    assert table.code == 0
    assert table.out.split()[:4] == ["id", "name", "status", "ccy"]
    assert all(customer_id in table.out for customer_id in want)
    assert "page 1 of" in table.err


def test_list_query_and_unknown_company(cli: Cli, sandbox: SandboxServer) -> None:
    active = cli("-o", "jsonl", "list", sandbox.company_id, "--query", "status=Archived")
    assert active.code == 0
    assert {json.loads(line)["status"] for line in active.out.splitlines()} == {"Archived"}
    unknown = cli("list", str(uuid.uuid4()))
    assert unknown.code == 3
    assert "the API answered 404" in unknown.err and "No company was found" in unknown.err
    bad_query = cli("list", sandbox.company_id, "--query", "status Active")
    assert bad_query.code == 3 and "400" in bad_query.err and "Malformed query" in bad_query.err


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_list_all_streams_every_page(cli: Cli, sandbox: SandboxServer, fmt: str) -> None:
    ran = cli("-o", fmt, "list", sandbox.company_id, "--all", "--page-size", "7")
    assert ran.code == 0, ran.err
    assert "━" not in ran.err  # no progress bar when stdout is not a terminal
    if fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in ran.out.splitlines()]
    elif fmt == "json":
        ids = [c["id"] for c in json.loads(ran.out)]
    elif fmt == "csv":
        ids = [r["id"] for r in csv.DictReader(io.StringIO(ran.out))]
    else:
        ids = [line.split()[0] for line in ran.out.splitlines()[1:] if line.strip()]
    assert len(ids) >= CUSTOMERS and len(set(ids)) == len(ids)


def test_list_all_to_files_atomically(cli: Cli, sandbox: SandboxServer, tmp_path: Path) -> None:
    target = tmp_path / "customers.csv"  # the format comes from the suffix
    ran = cli("list", sandbox.company_id, "--all", "--page-size", "10", "--file", str(target))
    assert ran.code == 0 and ran.out == ""
    assert "wrote" in ran.err
    assert target.read_text().startswith("id,customerName")
    assert [p.name for p in tmp_path.iterdir()] == ["customers.csv"]
    quiet = cli("-q", "list", sandbox.company_id, "--all", "--file", str(tmp_path / "c.jsonl"))
    assert quiet.code == 0 and quiet.err == ""
    # A failing export leaves nothing behind, not even a partial file.
    missing = tmp_path / "missing.jsonl"
    failed = cli("list", str(uuid.uuid4()), "--all", "--file", str(missing))
    assert failed.code == 3
    assert not missing.exists() and not list(tmp_path.glob(".*part"))


# --- get, model, create, update -------------------------------------------------------------


def test_get_in_every_format(cli: Cli, sandbox: SandboxServer) -> None:
    company, _, customer, _ = ids_of(sandbox)
    assert json.loads(cli("get", company, customer).out)["id"] == customer
    assert json.loads(cli("-o", "jsonl", "get", company, customer).out)["id"] == customer
    rows = list(csv.DictReader(io.StringIO(cli("-o", "csv", "get", company, customer).out)))
    assert rows[0]["id"] == customer
    table = cli("-o", "table", "get", company, customer).out
    assert "customerName" in table and customer in table
    missing = cli("get", company, str(uuid.uuid4()))
    assert missing.code == 3 and "404" in missing.err


def test_model_tree_and_formats(cli: Cli, sandbox: SandboxServer) -> None:
    company, connection, _, _ = ids_of(sandbox)
    tree = cli("-o", "table", "model", company, connection)
    assert tree.code == 0
    assert "customerName" in tree.out and "required" in tree.out and "└──" in tree.out
    assert json.loads(cli("model", company, connection).out)["type"] == "Object"
    rows = list(csv.DictReader(io.StringIO(cli("-o", "csv", "model", company, connection).out)))
    assert "customerName" in {r["field"] for r in rows}
    assert json.loads(cli("-o", "jsonl", "model", company, connection).out)["displayName"]


def test_create_from_stdin_with_idempotency_key(cli: Cli, sandbox: SandboxServer) -> None:
    company, connection, _, _ = ids_of(sandbox)
    body = json.dumps({"customerName": "CLI Ltd", "status": "Active", "defaultCurrency": "GBP"})
    key = str(uuid.uuid4())
    first = cli("create", company, connection, "--idempotency-key", key, stdin=body)
    assert first.code == 0, first.err
    created = json.loads(first.out)
    assert created["status"] == "Success"
    again = cli("create", company, connection, "-", "--idempotency-key", key, stdin=body)
    assert json.loads(again.out)["data"]["id"] == created["data"]["id"]  # replayed, not twice
    found = cli("-o", "jsonl", "list", company, "--query", "customerName=CLI Ltd")
    assert len(found.out.splitlines()) == 1


def test_update_from_a_file_and_force_update(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    company, connection, customer, _ = ids_of(sandbox)
    current = json.loads(cli("get", company, customer).out)
    body = tmp_path / "customer.json"
    body.write_text(json.dumps({**current, "sourceModifiedDate": "2020-01-01T00:00:00Z"}))
    stale = cli("update", company, connection, customer, str(body))
    assert stale.code == 3  # the push Failed: re-pull first, or --force-update
    assert "Failed" in stale.err and "ForceUpdate" in stale.err + stale.out
    forced = cli(
        "-o", "table", "update", company, connection, customer, str(body), "--force-update"
    )
    assert forced.code == 0, forced.err
    assert "Success" in forced.out and customer in forced.out


def test_bad_bodies_exit_2_before_sending(cli: Cli, sandbox: SandboxServer, tmp_path: Path) -> None:
    company, connection, _, _ = ids_of(sandbox)
    malformed = cli("create", company, connection, stdin='{"customerName": ')
    assert malformed.code == 2 and "not valid JSON" in malformed.err
    not_object = cli("create", company, connection, stdin="[1, 2]")
    assert not_object.code == 2 and "must be a JSON object" in not_object.err
    wrong_type = cli("create", company, connection, stdin='{"status": "Active", "customerName": 5}')
    assert wrong_type.code == 2 and "customer.customer_name" in wrong_type.err
    unknown = cli("create", company, connection, stdin='{"status": "Active", "nmae": "x"}')
    assert unknown.code == 2 and "customer.nmae: unknown field" in unknown.err
    missing = cli("create", company, connection, str(tmp_path / "nope.json"))
    assert missing.code == 2 and "cannot read the body file" in missing.err
    rejected = cli("create", company, connection, stdin='{"status": "Active", "customerName": ""}')
    assert rejected.code == 3  # the server's create/update model rejects it: a Failed push
    assert "validation error" in rejected.err


# --- attachments ----------------------------------------------------------------------------


def test_attachments_list_get_download(cli: Cli, sandbox: SandboxServer, tmp_path: Path) -> None:
    company, connection, customer, attachment = ids_of(sandbox)
    base = (company, connection, customer)
    listed = json.loads(cli("attachments", "list", *base).out)["attachments"]
    assert [a["id"] for a in listed] == sandbox.attachment_ids
    lines = cli("-o", "jsonl", "attachments", "list", *base).out.splitlines()
    assert len(lines) == len(listed)
    rows = list(csv.DictReader(io.StringIO(cli("-o", "csv", "attachments", "list", *base).out)))
    assert rows[0]["name"] == listed[0]["name"]
    assert "statement-1.pdf" in cli("-o", "table", "attachments", "list", *base).out
    meta = json.loads(cli("attachments", "get", *base, attachment).out)
    assert meta["id"] == attachment

    saved = cli("attachments", "download", *base, attachment, str(tmp_path))
    assert saved.code == 0, saved.err
    target = tmp_path / meta["name"]
    assert target.stat().st_size == meta["fileSize"]
    raw = subprocess.run(
        [str(SCRIPT), "attachments", "download", *base, attachment, "-"],
        capture_output=True,
        env=cli.env(),
        check=True,
    )
    assert raw.stdout == target.read_bytes() and raw.stdout.startswith(b"%PDF")
    missing = cli("attachments", "download", *base, str(uuid.uuid4()), str(tmp_path / "x"))
    assert missing.code == 3 and not (tmp_path / "x").exists()


# --- transport errors, secrets, Ctrl-C ------------------------------------------------------


def test_wrong_key_and_unreachable_server(cli: Cli, sandbox: SandboxServer) -> None:
    wrong = cli("--api-key", "not-the-key", "list", sandbox.company_id)
    assert wrong.code == 3 and "401" in wrong.err and "Unauthorized" in wrong.err
    down = cli("--server-url", "http://127.0.0.1:9", "--no-retries", "list", sandbox.company_id)
    assert down.code == 4 and "could not connect to http://127.0.0.1:9" in down.err
    sandbox.set_faults(latency_ms=1500, operations=["list-customers"])
    try:
        slow = cli("--timeout", "0.2", "--no-retries", "list", sandbox.company_id)
    finally:
        sandbox.clear_faults()
    assert slow.code == 4 and "in time (see --timeout)" in slow.err


def test_verbose_logs_requests_but_never_the_key(cli: Cli, sandbox: SandboxServer) -> None:
    key = "secret-key-1234567890"
    ran = cli("-v", "--api-key", key, "list", sandbox.company_id, "--query", "id=secret-value")
    assert ran.code == 3  # the sandbox wants another key
    assert "list-customers GET" in ran.err and "-> 401" in ran.err
    encoded = base64.b64encode(key.encode()).decode()
    for secret in (key, encoded, "secret-value"):
        assert secret not in ran.err + ran.out


def test_ctrl_c_exits_130_and_leaves_no_file(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    target = tmp_path / "export.jsonl"
    sandbox.set_faults(latency_ms=250, operations=["list-customers"])
    try:
        process = cli.popen(
            ["list", sandbox.company_id, "--all", "--page-size", "1", "--file", str(target)]
        )
        deadline = time.monotonic() + 20
        while not list(tmp_path.glob(".*part")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        sandbox.clear_faults()
    assert process.returncode == 130, err
    assert "Interrupted" in err
    assert list(tmp_path.iterdir()) == []


# --- snapshots ------------------------------------------------------------------------------


def test_snapshot_round_trip_through_the_sandbox(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    company, connection, customer, _ = ids_of(sandbox)
    snapshot = tmp_path / "company.snapshot.jsonl.gz"
    ran = cli("export-snapshot", company, str(snapshot), "--connection-id", connection)
    assert ran.code == 0, ran.err
    with gzip.open(snapshot, "rt") as handle:
        lines = [json.loads(line) for line in handle]
    assert lines[0]["format"] == "codat-customers-snapshot" and lines[0]["companyId"] == company
    customers = [line["customer"] for line in lines if "customer" in line]
    attachments = [line for line in lines if "attachment" in line]
    assert len(customers) >= CUSTOMERS and attachments
    assert f"wrote {len(customers):,} customers and {len(attachments):,} attachments" in ran.err

    with SandboxServer(snapshot=snapshot) as served:
        assert served.company_id == company and served.customer_id == customer
        env = {**cli.env(), "CODAT_SERVER_URL": served.base_url}
        again = cli("-o", "jsonl", "list", company, "--all", env=env)
        assert [json.loads(line) for line in again.out.splitlines()] == customers
        listed = cli("attachments", "list", company, connection, customer, env=env)
        assert json.loads(listed.out)["attachments"] == [
            a["attachment"] for a in attachments if a["customerId"] == customer
        ]


def test_sandbox_command_serves_a_snapshot(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.jsonl"
    header = {"format": "codat-customers-snapshot", "version": 1, "companyId": "c-1"}
    customer = {"id": "x-1", "status": "Active", "customerName": "Snap Ltd"}
    snapshot.write_text(json.dumps(header) + "\n" + json.dumps({"customer": customer}) + "\n")
    process = subprocess.Popen(
        [str(SCRIPT), "sandbox", "--port", "0", "--snapshot", str(snapshot)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = ""
    while "Press Ctrl-C" not in banner:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
    # Once it answers, the server is up (and serves the snapshot); then stop it.
    url = re.search(r"at (http://\S+)", banner)
    assert url, banner
    response = urllib3.request(
        "GET",
        f"{url.group(1)}/companies/c-1/data/customers/x-1",
        headers={"Authorization": "Basic " + base64.b64encode(b"sandbox-demo-api-key").decode()},
    )
    assert response.json()["customerName"] == "Snap Ltd"
    process.send_signal(signal.SIGTERM)
    output = banner + process.communicate(timeout=20)[0]
    assert process.returncode == 0, output
    assert "Company:       c-1" in output and f"Snapshot:      {snapshot}" in output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"not": "a snapshot"}\n')
    refused = subprocess.run(
        [str(SCRIPT), "sandbox", "--port", "0", "--snapshot", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode == 2 and "not a codat-customers snapshot" in refused.stderr


# --- a real terminal ------------------------------------------------------------------------


def test_terminal_shows_table_and_progress_bar(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    tmux = shutil.which("tmux")
    assert tmux, "tmux is required for this test (.ci/run installs it: apt-get install -y tmux)"
    session = f"codat-cli-{uuid.uuid4().hex[:8]}"
    export = tmp_path / "out.csv"
    command = (
        f"{SCRIPT} list {sandbox.company_id} --page-size 5; "
        f"{SCRIPT} list {sandbox.company_id} --all --page-size 5 --file {export}; "
        'echo "CLI""-DONE-$?"'
    )
    env = cli.env()
    exports = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith("CODAT_"))
    subprocess.run(
        [tmux, "new-session", "-d", "-x", "120", "-y", "40", "-s", session, "bash", "--norc"],
        check=True,
        env={**env, "TERM": "xterm-256color"},
    )
    try:
        subprocess.run([tmux, "send-keys", "-t", session, f"export {exports}", "Enter"], check=True)
        subprocess.run([tmux, "send-keys", "-t", session, command, "Enter"], check=True)
        screen = ""
        deadline = time.monotonic() + 60
        while not re.search(r"CLI-DONE-\d", screen) and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = subprocess.run(
                [tmux, "capture-pane", "-p", "-t", session],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], check=False)
    assert "CLI-DONE-0" in screen, screen
    header = next(line for line in screen.splitlines() if line.startswith("id "))
    assert header.split() == ["id", "name", "status", "ccy", "email", "modified"]
    assert sandbox.customer_id in screen  # the table's first row
    bar = next(line for line in screen.splitlines() if "pages" in line and "customers" in line)
    done = re.search(r"(\d+)/(\d+) pages", bar)
    assert "━" in bar and done and done.group(1) == done.group(2), screen
    assert "wrote" in screen
    assert export.read_text().count("\n") >= CUSTOMERS + 1
