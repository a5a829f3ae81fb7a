"""Keyboard shortcuts for the gallery: a tiny anywidget whose front end listens for key presses on
the page and sends the gallery's keys (see `gallery.KEYS`) to Python.

The widget draws nothing; put it anywhere inside the element that has the `wb-gallery` class.
A key press counts only when all of these hold:
  * it is one of `gallery_keys`, without ctrl, meta or alt (so browser and JupyterLab chords still work);
  * its target is not an input, textarea, select or contenteditable (so typing a reason works);
  * the gallery is on screen (connected and laid out, so a hidden tab or closed output is deaf);
  * the reviewer is "in" the gallery: the last mouse press on the page was inside it, or the focused
    element is inside it. A click on a card's button or image both counts; a click on another cell
    or the file browser ends it. (Focus alone is not enough: clicking an image or caption focuses
    nothing, and JupyterLab may move focus to the notebook after a click in an output.)
Such a key is sent to Python and stopped there (preventDefault + stopPropagation in the capture
phase on the window, which runs before JupyterLab's own document listener), so JupyterLab's
command-mode shortcuts (a insert cell, r raw cell, j/k move, x cut, ...) do not also fire.
"""

from __future__ import annotations

from typing import Callable

import anywidget
import traitlets

ESM = r"""
const EDITABLE = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";

function render({ model, el }) {
  const win = el.ownerDocument.defaultView;
  let inside = false;  // was the last mouse press on the page inside the gallery?

  // The gallery's root is looked up on each event: at render time `el` may not be attached yet.
  const root = () => el.closest(".wb-gallery");

  function onPointerDown(event) {
    const gallery = root();
    inside = Boolean(gallery && gallery.contains(event.target));
  }

  function onKeyDown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (!model.get("gallery_keys").includes(event.key)) return;
    const target = event.target;
    if (target instanceof win.Element && (target.closest(EDITABLE) || target.isContentEditable)) return;
    const gallery = root();
    if (!gallery || !gallery.isConnected || gallery.getClientRects().length === 0) return;  // not on screen
    const active = el.ownerDocument.activeElement;
    if (!inside && !(active && gallery.contains(active))) return;
    event.preventDefault();
    event.stopPropagation();
    model.send({ key: event.key });
  }

  // Capture phase on the window: before any listener on the document or the notebook.
  win.addEventListener("pointerdown", onPointerDown, true);
  win.addEventListener("keydown", onKeyDown, true);
  return () => {  // the view was removed (cell cleared, output closed): stop listening
    win.removeEventListener("pointerdown", onPointerDown, true);
    win.removeEventListener("keydown", onKeyDown, true);
  };
}

export default { render };
"""


class KeyboardShortcuts(anywidget.AnyWidget):
    """Calls `on_key(key)` for each gallery key pressed while the reviewer is in the gallery.

    A message per press (not a synced value), so pressing the same key twice acts twice."""

    _esm = ESM
    # Not `keys`: that name is taken by ipywidgets (the list of synced traits).
    gallery_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, keys: list[str], on_key: Callable[[str], None]):
        super().__init__(gallery_keys=list(keys))
        self.on_key = on_key
        self.on_msg(self._on_message)

    def _on_message(self, _widget, content, _buffers) -> None:
        key = content.get("key") if isinstance(content, dict) else None
        if isinstance(key, str) and key in self.gallery_keys:  # only what we asked for, whatever the page sends
            self.on_key(key)
