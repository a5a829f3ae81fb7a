"""`workbench review serve` keeps its token secret and serves only its own addresses (issue 11, finding 10).

One real server (Voila on 127.0.0.1, a free port) on a one-brand, one-seed previz campaign. Every
request goes to 127.0.0.1; the foreign names are only ever in the headers.

- The token reaches the server in its environment: it is on no command line, neither the server's
  nor a kernel's (/proc/<pid>/cmdline is readable by every local user; /proc/<pid>/environ only by
  the owner).
- The page needs the token: with it 200, without it (or with a wrong one) a redirect to the login page.
- A `Host` or `Origin` naming another site is refused with 403, token or not, page or static file;
  127.0.0.1 and localhost on this port are served.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SAMPLE_KITS, write_campaign

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").is_file(), reason="needs Linux's /proc")

EVIL = "evil.example"


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    token: str
    log: Path

    def get(self, path: str, **headers: str) -> http.client.HTTPResponse:
        """GET from the server on 127.0.0.1, whatever Host and Origin the headers claim; redirects not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}", **headers})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from typer.testing import CliRunner

    from workbench.cli import app
    from workbench.curate.voila_app import free_port

    root = tmp_path_factory.mktemp("voila-security")
    shutil.copytree(SAMPLE_KITS / "lotus-tea", root / "brand_kits" / "lotus-tea")
    campaign = write_campaign(root / "campaign.yaml", root / "brand_kits", root / "renders",
                              generation={"backend": "previz", "seeds": [1], "width": 96, "height": 96})
    result = CliRunner().invoke(app, ["generate", str(campaign)])
    assert result.exit_code == 0, result.output

    token, port, log = secrets.token_urlsafe(24), free_port(), root / "server.log"
    environment = {**os.environ, "WORKBENCH_REVIEW_TOKEN": token}  # the way that keeps it off every command line
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench.cli", "review", "serve", str(campaign), "--port", str(port)],
            cwd=root, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(process, port, log)
        yield Served(process, port, token, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_listening(process: subprocess.Popen, port: int, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"server did not listen on {port} in {seconds:.0f}s:\n{log.read_text()}")


def process_tree(root: int) -> list[int]:
    """`root` and every process below it (kernels run in sessions of their own, so not by group)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()  # the name in (...) may hold spaces
        except (OSError, IndexError):
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(after_name[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def test_the_server_command_carries_no_token_its_environment_does(tmp_path):
    from workbench.curate.voila_app import voila_server

    server = voila_server(tmp_path / "gallery_app.ipynb")
    assert server.token not in " ".join(server.command()) and "--Voila.ip=127.0.0.1" in server.command()
    assert server.environment({"PATH": "/bin"}) == {"PATH": "/bin", "JUPYTER_TOKEN": server.token}
    assert server.url == f"http://127.0.0.1:{server.port}/?token={server.token}"


def test_the_token_is_on_no_command_line_and_the_page_needs_it(served):
    page = served.get(f"/?token={served.token}")
    assert page.status == 200 and b"<html" in page.body.lower(), page.body[:500]

    tree = process_tree(served.process.pid)
    command_lines = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in tree}
    assert len(tree) >= 2, f"the page started no kernel: {command_lines}"
    assert any(b"ipykernel" in line for line in command_lines.values()), command_lines
    for pid, line in command_lines.items():
        assert served.token.encode() not in line, (pid, line)
    # It came in the server's environment, which only its owner may read.
    server_environment = Path(f"/proc/{served.process.pid}/environ")
    assert f"JUPYTER_TOKEN={served.token}".encode() in server_environment.read_bytes().split(b"\0")
    assert server_environment.stat().st_mode & 0o077 == 0
    # The one line showing it is the address printed for the person who started the server.
    showing = [line for line in served.log.read_text().splitlines() if served.token in line]
    assert len(showing) == 1 and showing[0].startswith("gallery for 1 brands: http://127.0.0.1:"), showing

    for path in ("/", "/?token=not-the-token"):
        refused = served.get(path)
        assert refused.status == 302 and refused.getheader("Location").startswith("/login"), (path, refused.status)


@pytest.mark.parametrize("headers", [
    {"Host": EVIL}, {"Host": f"{EVIL}:{{port}}"}, {"Host": "127.0.0.1:1"},
    {"Origin": f"http://{EVIL}"}, {"Origin": f"http://{EVIL}:{{port}}"}, {"Origin": "null"},
], ids=["host", "host-with-port", "host-other-port", "origin", "origin-with-port", "origin-null"])
@pytest.mark.parametrize("path", ["/?token={token}", "/login", "/voila/static/voila.js"], ids=["page", "login", "static"])
def test_a_foreign_host_or_origin_is_refused(served, headers, path):
    headers = {name: value.format(port=served.port) for name, value in headers.items()}
    response = served.get(path.format(token=served.token), **headers)
    assert response.status == 403, (headers, response.status, response.body[:300])
    assert EVIL.encode() not in response.body, "the refusal does not echo what it was sent"


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("path", ["/login", "/voila/static/voila.js"], ids=["login", "static"])
def test_this_servers_own_addresses_are_served(served, name, path):
    address = f"{name}:{served.port}"
    assert served.get(path, Host=address).status == 200
    assert served.get(path, Host=address, Origin=f"http://{address}").status == 200


def test_no_file_beside_the_notebook_is_served(served, tmp_path):
    """The gallery folder holds thumbnails and contact sheets: Voila's /voila/files/ would hand them
    to anyone on the machine, token or not."""
    gallery = next(served.log.parent.glob("renders/*/gallery"))
    (gallery / "client_sheet.png").write_bytes(b"\x89PNG\r\n\x1a\nnot for everyone")
    for path in ("/voila/files/client_sheet.png", f"/voila/files/client_sheet.png?token={served.token}"):
        response = served.get(path)
        assert b"not for everyone" not in response.body, (path, response.status)
    assert served.get(f"/?token={served.token}").status == 200  # the page itself is still served
