"""The art director's page: the gallery served by Voila on 127.0.0.1 behind a token.

Voila serves a notebook, so `write_app_notebook()` writes a one-cell notebook that opens the
campaign's gallery, into the campaign's gallery folder. The notebook is made from this code each
time, so it never drifts from the package (and needs no package data). Voila hides the code: people
see only the gallery.

    $ workbench review serve campaigns/demo.yaml --reviewer ad-lee --role art_director
    gallery for art directors: http://127.0.0.1:8866/?token=3f9c...
"""

from __future__ import annotations

import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

APP_NOTEBOOK = "gallery_app.ipynb"


def write_app_notebook(folder: Path, campaign_file: Path, reviewer: str | None, role: str | None,
                       brands: list[str] | None = None, page_size: int = 12) -> Path:
    """A notebook whose only cell shows the gallery; reviewer/role left None are read in the kernel
    from $WORKBENCH_REVIEWER / $WORKBENCH_ROLE (Voila's kernels inherit the server's environment)."""
    source = (
        "from workbench.curate.widgets import open_gallery\n\n"
        f"open_gallery({str(Path(campaign_file).resolve())!r}, reviewer={reviewer!r}, role={role!r},"
        f" brands={brands!r}, page_size={page_size!r})"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = Path(folder) / APP_NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class VoilaServer:
    """How to start Voila on a notebook: the command line and the address to open."""

    notebook: Path
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "voila", str(self.notebook), "--no-browser", f"--port={self.port}",
            "--Voila.ip=127.0.0.1", f"--Voila.token={self.token}", "--theme=light",
        ]


def voila_server(notebook: Path, port: int = 0, token: str | None = None) -> VoilaServer:
    """Port 0 picks a free one; no token given makes a fresh random one."""
    return VoilaServer(Path(notebook), port or free_port(), token or secrets.token_urlsafe(24))
