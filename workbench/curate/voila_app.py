"""The art director's page: the gallery served by Voila on 127.0.0.1 behind a token.

Voila serves a notebook, so `write_app_notebook()` writes a one-cell notebook that opens the
campaign's gallery, into the campaign's gallery folder. The notebook is made from this code each
time, so it never drifts from the package (and needs no package data). Voila hides the code: people
see only the gallery.

    $ workbench review serve campaigns/demo.yaml --reviewer ad-lee --role art_director
    gallery for art directors: http://127.0.0.1:8866/?token=3f9c...

Voila runs as `python -m workbench.curate.voila_app` (`main` below), which is Voila held to its own
addresses:

- the token comes in the environment ($JUPYTER_TOKEN), never on the command line: every local user
  can read a process's command line (/proc/<pid>/cmdline), only its owner its environment;
- a request must name this server in `Host` (127.0.0.1 or localhost, this port), and in `Origin`
  when it sends one, or it gets 403. That stops DNS rebinding and other sites' pages: Voila runs the
  notebook on a plain GET, and jupyter_server checks `Origin` only on websockets and API calls.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import nbformat

APP_NOTEBOOK = "gallery_app.ipynb"
HOST = "127.0.0.1"
HOST_NAMES = (HOST, "localhost")  # the names a browser on this machine may use for HOST
TOKEN_VARIABLE = "JUPYTER_TOKEN"  # jupyter_server's own name for it
SERVED_ADDRESSES = "workbench_served_addresses"  # the tornado setting the guard reads


def write_app_notebook(folder: Path, campaign_file: Path, reviewer: str | None, role: str | None,
                       brands: list[str] | None = None, page_size: int = 12, lang: str | None = None) -> Path:
    """A notebook whose only cell shows the gallery; reviewer/role/lang left None are read in the kernel
    from $WORKBENCH_REVIEWER / $WORKBENCH_ROLE / $WORKBENCH_LANG (Voila's kernels inherit the server's
    environment), the language then from the settings file and the system locale (workbench.i18n)."""
    source = (
        "from workbench.curate.widgets import open_gallery\n\n"
        f"open_gallery({str(Path(campaign_file).resolve())!r}, reviewer={reviewer!r}, role={role!r},"
        f" brands={brands!r}, page_size={page_size!r}, lang={lang!r})"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = Path(folder) / APP_NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class VoilaServer:
    """How to start Voila on a notebook: its command line and environment, and the address to open."""

    notebook: Path
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def command(self) -> list[str]:
        """No token here: see `environment`. No port retries: the address printed must be the one served."""
        return [
            sys.executable, "-m", "workbench.curate.voila_app", str(self.notebook), "--no-browser",
            f"--port={self.port}", "--Voila.port_retries=0", f"--Voila.ip={HOST}", "--theme=light",
        ]

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The server's environment: `base` (default this process's) with the token added."""
        return {**(os.environ if base is None else base), TOKEN_VARIABLE: self.token}


def voila_server(notebook: Path, port: int = 0, token: str | None = None) -> VoilaServer:
    """Port 0 picks a free one; no token given makes a fresh random one."""
    return VoilaServer(Path(notebook), port or free_port(), token or secrets.token_urlsafe(24))


# The server process ---------------------------------------------------------------------------------


def served_addresses(port: int) -> frozenset[str]:
    """What `Host` may say: this server's names with its port."""
    return frozenset(f"{name}:{port}" for name in HOST_NAMES)


class ServedAddressesOnly:
    """Mixed into every Voila handler: 403 unless `Host` names this server, and `Origin` too when sent."""

    def prepare(self, *args, **kwargs):
        host, origin = self.request.host, self.request.headers.get("Origin")
        refusal = _refusal(host, origin, self.settings[SERVED_ADDRESSES])
        if refusal:
            from tornado.log import app_log

            app_log.warning("refused %s %s (Host %r, Origin %r): %s",
                            self.request.method, self.request.path, host, origin, refusal)
            # Answered here, not raised: the handler's own error page wants a signed-in user.
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            return self.finish(refusal)
        return super().prepare(*args, **kwargs)  # the handler's own (sync or async, tornado awaits either)


def _refusal(host: str, origin: str | None, served: frozenset[str]) -> str:
    """Why a request with this Host and Origin is refused ("" when it is not); never quotes them."""
    if host.lower() not in served:
        return "Host is not an address this server serves"
    if origin is not None and origin.lower() not in {f"http://{address}" for address in served}:
        return "cross-origin request"
    return ""


def main(argv: list[str] | None = None) -> None:
    """`python -m workbench.curate.voila_app NOTEBOOK [Voila options]`: Voila with the token from
    $JUPYTER_TOKEN and every handler behind `ServedAddressesOnly`."""
    from voila.app import Voila  # seconds to import, so only the server process pays for it

    class GuardedVoila(Voila):
        def init_settings(self):
            settings = super().init_settings()
            # Voila switches jupyter_server's own Host check off (allow_remote_access=True): back on, for
            # the handlers it covers (Jupyter's, not Voila's static files: so the guard as well).
            settings.update(allow_remote_access=False, local_hostnames=["localhost"])
            settings[SERVED_ADDRESSES] = served_addresses(self.port)
            return settings

        def init_handlers(self):
            from voila.static_file_handler import AllowListFileHandler

            # Voila would serve the pictures beside the notebook (the gallery folder: thumbnails, contact
            # sheets) at /voila/files/ without the token. The gallery sends its images through the widget
            # connection, so that handler goes.
            return [(pattern, _guarded(handler), *rest) for pattern, handler, *rest in super().init_handlers()
                    if handler is not AllowListFileHandler]

    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        sys.exit(f"no token in ${TOKEN_VARIABLE}: the gallery is not served without one")
    GuardedVoila.launch_instance(argv, token=token)


def _guarded(handler: type) -> type:
    """`handler` with ServedAddressesOnly's check before its own `prepare`."""
    return type(handler.__name__, (ServedAddressesOnly, handler), {})


if __name__ == "__main__":
    main()
