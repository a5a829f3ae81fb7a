"""The gallery widget for JupyterLab and Voila: it draws a `Gallery` (the model) and sends clicks
and keys back to it. No review logic lives here.

    >>> view = GalleryView(Gallery(catalog, kits, reviewer="mei"))
    >>> view   # the last expression of a cell displays it

Each card shows triage's score as a coloured badge (green from 70, amber below, red when flagged,
"dup" for a near-copy) and the reason that explains it best; the detail panel shows every check.

Keyboard: click anywhere in the gallery (a card, say), then each key is one action on the
highlighted concept (a approve, r reject, 1-5 stars, j/k next/previous, ...). The listening is
done by `keys.KeyboardShortcuts`, a small anywidget; keys typed into a text box (the reason) are
left alone, and JupyterLab's own command-mode keys do not fire while the gallery has them.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import ipywidgets as widgets

from workbench.catalog import Catalog, TriageResult
from workbench.curate import scores
from workbench.curate.contact_sheet import VERDICT_COLOURS, verdict_label
from workbench.curate.gallery import KEYS, BrandStats, Gallery, GalleryItem
from workbench.curate.keys import KeyboardShortcuts
from workbench.curate.thumbnails import thumbnail
from workbench.i18n import N_, Translator, translator
from workbench.kits import BrandKit

ANY = ""  # the "any" choice of a filter dropdown
THUMB_SIZE = 192  # the cached file's size; cards show it at about 170 px
# Each role as a card's marks name it: (short, long), translated where drawn.
ROLE_MARKS = {"designer": (N_("D"), N_("designer")), "art_director": (N_("AD"), N_("art director")),
              "triage": (N_("T"), N_("triage (automatic)"))}
ROLE_NAMES = {"designer": N_("designer"), "art_director": N_("art director"), "triage": N_("triage")}

STYLE = """
<style>
.wb-gallery { font-family: var(--jp-ui-font-family, system-ui, sans-serif); color: #232326; }
.wb-gallery .widget-label { min-width: 0; }
.wb-title { font-size: 17px; font-weight: 600; }
.wb-muted, .wb-meta { font-size: 12px; color: #76767c; }
.wb-meta { line-height: 1.45; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wb-meta code { font-size: 11px; color: #3c3c42; background: none; padding: 0; }
.wb-status { font-size: 12px; color: #2b6b4a; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
/* 196 px: the narrowest card whose star row still has room for the whole "Details" button */
.wb-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(196px, 1fr)); gap: 12px; }
/* An HTML widget's content is a flex item that would grow to its longest line; let it shrink so
   the caption's long lines (the triage reason) end in an ellipsis inside the card */
.wb-card .widget-html-content { min-width: 0; }
.wb-card { border-radius: 10px; padding: 7px; background: #fff; border: 2px solid #ecebe6;
           box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.wb-card.wb-current { box-shadow: 0 0 0 3px #3b6fd8; }
.wb-card.wb-is-approved { border-color: #268c56; }
.wb-card.wb-is-rejected { border-color: #c43c34; }
.wb-card.wb-is-rejected img { opacity: .55; }
.wb-card.wb-is-selected { background: #eef3ff; }
.wb-card img { border-radius: 6px; }
.wb-badge { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 10px;
            font-weight: 600; letter-spacing: .04em; margin-right: 4px; line-height: 17px; }
.wb-role { display: inline-block; font-size: 10px; color: #76767c; margin-left: 2px; }
.wb-score { display: inline-block; min-width: 22px; padding: 0 5px; border-radius: 4px; color: #fff; font-size: 11px;
            font-weight: 700; text-align: center; line-height: 16px; margin-right: 5px; }
.wb-triage-line { display: flex; align-items: center; min-width: 0; }
.wb-triage-reason { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wb-checks { margin: 0; padding: 0; list-style: none; }
.wb-checks li { margin: 0 0 3px; }
.wb-checks .wb-check-name { display: inline-block; min-width: 5em; }
.wb-checks .wb-failed .wb-check-name { color: #b3261e; font-weight: 600; }
.wb-checks ul { margin: 1px 0 0; padding-left: 14px; color: #55555b; }
.wb-gallery .wb-small { font-size: 12px; padding: 0 4px; height: 26px; line-height: 26px; }
.wb-gallery .wb-star { min-width: 0; padding: 0; margin: 0 1px; font-size: 17px; color: #c4962a; background: none;
                       border: none; box-shadow: none; height: 24px; line-height: 24px; }
.wb-keys-help kbd { font-family: var(--jp-code-font-family, monospace); font-size: 11px; padding: 0 4px;
                    border: 1px solid #d6d4cc; border-bottom-width: 2px; border-radius: 4px; background: #fffbea; }
.wb-chart { font-size: 12px; max-height: 250px; overflow-y: auto; padding-right: 6px; }
.wb-chart-row { display: grid; grid-template-columns: 11em 1fr 3.6em; align-items: center; gap: 8px; line-height: 19px; }
.wb-chart-row.wb-selected { font-weight: 600; }
.wb-chart-row.wb-needs .wb-chart-name { color: #b3261e; font-weight: 600; }
.wb-chart-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wb-chart-bar { height: 8px; border-radius: 4px; background: #e4e2dc; overflow: hidden; display: flex; }
.wb-chart-note { color: #76767c; text-align: right; white-space: nowrap; }
.wb-needs-list { font-size: 12px; color: #b3261e; margin: 2px 0 6px; }
.wb-panel { background: #faf9f6; border-radius: 10px; padding: 10px 12px; border: 1px solid #ecebe6; }
.wb-facts { font-size: 12px; border-collapse: collapse; width: 100%; table-layout: fixed; line-height: 1.45; }
.wb-facts th { text-align: left; color: #76767c; font-weight: normal; width: 5.5em; vertical-align: top; padding: 2px 6px 2px 0; }
.wb-facts td { padding: 2px 0; overflow-wrap: anywhere; }
.wb-history { font-size: 11px; color: #55555b; max-height: 120px; overflow-y: auto; margin: 4px 0 0; padding-left: 16px; }
</style>
"""


def _css(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def role_name(role: str, tr: Translator | None = None) -> str:
    """"designer", "art director", "triage" in the reader's language."""
    return (tr or translator())._(ROLE_NAMES[role]) if role in ROLE_NAMES else role.replace("_", " ")


def usable_chart_html(stats: list[BrandStats], selected: str | None = None, tr: Translator | None = None) -> str:
    """One small bar per brand (green approved, red rejected, of the reviewed); brands that need
    more concepts are listed first in red, and named above the chart."""
    tr = tr or translator()
    approved, rejected = _css(VERDICT_COLOURS["approved"]), _css(VERDICT_COLOURS["rejected"])
    needing = [s for s in stats if s.needs_concepts]
    names = tr._(", ").join(s.name for s in needing)
    needs, enough = tr._("Needs concepts: {brands}").format(brands=names), tr._("No brand is short of concepts.")
    head = (f'<div class="wb-needs-list">{escape(needs)}</div>' if needing
            else f'<div class="wb-muted">{escape(enough)}</div>')
    lines = []
    for s in sorted(stats, key=lambda s: not s.needs_concepts):
        if s.reviewed:
            share = 100 * s.approved / s.reviewed
            bar = (f'<span style="width:{share:.1f}%;background:{approved}"></span>'
                   f'<span style="width:{100 - share:.1f}%;background:{rejected}"></span>')
            note = f"{s.approved}/{s.reviewed}"
        else:
            bar, note = "", tr._("{count} new").format(count=s.made) if s.made else tr._("none")
        classes = "wb-chart-row" + (" wb-selected" if s.brand == selected else "") + (" wb-needs" if s.needs_concepts else "")
        tip = tr._("{brand}: {made} made, {reviewed} reviewed, {approved} approved, {to_review} to review").format(
            brand=s.name, made=s.made, reviewed=s.reviewed, approved=s.approved, to_review=s.to_review)
        if s.needs_concepts:
            tip += tr._(" - needs more concepts")
        lines.append(f'<div class="{classes}" title="{escape(tip)}"><span class="wb-chart-name">{escape(s.name)}</span>'
                     f'<span class="wb-chart-bar">{bar}</span><span class="wb-chart-note">{escape(note)}</span></div>')
    return f'{head}<div class="wb-chart">{"".join(lines)}</div>'


def verdict_html(item: GalleryItem, tr: Translator | None = None) -> str:
    """The badge of the verdict that counts, and each role's own verdict when there is one."""
    tr = tr or translator()
    colour = _css(VERDICT_COLOURS[item.verdict])
    marks = {role: (escape(tr._(short)), escape(tr._(long))) for role, (short, long) in ROLE_MARKS.items()}
    roles = "".join(
        f'<span class="wb-role" title="{marks[role][1]}">{marks[role][0]}:{"✓" if verdict == "approved" else "✗"}</span>'
        for role, verdict in (("designer", item.designer), ("art_director", item.director),
                              ("triage", item.triage_verdict))
        if verdict
    )
    return f'<span class="wb-badge" style="background:{colour}">{escape(verdict_label(item.verdict, tr))}</span>{roles}'


def triage_tooltip(result: TriageResult, tr: Translator | None = None) -> str:
    """Score, status and every reason, worst first, one per line (a tooltip's text)."""
    tr = tr or translator()
    lines = [tr._("triage {score}/100, {status}").format(score=f"{result.score:.0f}",
                                                          status=scores.status_name(result.status, tr))]
    lines += [f"· {reason}" for reason in scores.reasons_worst_first(result, tr)]
    return "\n".join(lines)


def score_html(result: TriageResult, tr: Translator | None = None) -> str:
    """Triage's score as a small badge in its band's colour, with every reason in its tooltip."""
    tr = tr or translator()
    band = scores.band(result)
    return (f'<span class="wb-score wb-score-{band}" style="background:{_css(scores.BAND_COLOURS[band])}"'
            f' title="{escape(triage_tooltip(result, tr))}">{escape(scores.label(result, tr))}</span>')


def triage_line_html(item: GalleryItem, tr: Translator | None = None) -> str:
    """The card's triage line: the score badge and the reason that explains it best, cut to fit
    (the whole list is in the tooltip)."""
    tr = tr or translator()
    if item.triage is None:
        not_triaged = tr._("not triaged")
        return f'<div class="wb-triage-line wb-muted">{escape(not_triaged)}</div>'
    reasons = scores.reasons_worst_first(item.triage, tr)
    first = reasons[0] if reasons else tr._("no issues found")
    return (f'<div class="wb-triage-line">{score_html(item.triage, tr)}<span class="wb-triage-reason"'
            f' title="{escape(triage_tooltip(item.triage, tr))}">{escape(first)}</span></div>')


def card_caption_html(item: GalleryItem, brand_name: str, tr: Translator | None = None) -> str:
    tr = tr or translator()
    seed = escape(tr._("seed {seed}").format(seed=item.record.seed))
    return (f'<div class="wb-meta">{verdict_html(item, tr)} {seed}{triage_line_html(item, tr)}'
            f'{escape(brand_name)}<br><code title="{escape(item.id)}">{escape(item.id)}</code></div>')


def triage_facts(result: TriageResult | None, tr: Translator | None = None) -> list[tuple[str, str]]:
    """The detail panel's triage rows: score and status, the original of a near-copy, each check."""
    tr = tr or translator()
    if result is None:
        return [(tr._("Triage"), '<span class="wb-muted">{}</span>'.format(
            escape(tr._("not triaged yet ({command})")).format(command="<code>workbench triage</code>")))]
    facts = [(tr._("Triage"), f"{score_html(result, tr)} {escape(scores.status_name(result.status, tr))}")]
    if result.duplicate_of:
        facts.append((tr._("Copy"), escape(tr._(scores.COPY_REASON)).format(
            id=f"<code>{escape(result.duplicate_of)}</code>")))
    checks = []
    for name, check in scores.checks_worst_first(result):
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in scores.check_reasons(check, tr))
        reason_list = f"<ul>{reasons}</ul>" if reasons else ""
        failed = " wb-failed" if check.get("failed") else ""
        checks.append(f'<li class="wb-check{failed}"><span class="wb-check-name">{escape(scores.check_name(name, tr))}'
                      f'</span> {check.get("score", 0):.0f}{reason_list}</li>')
    if checks:
        facts.append((tr._("Checks"), f'<ul class="wb-checks">{"".join(checks)}</ul>'))
    return facts


def keys_help_html(tr: Translator) -> str:
    """The keyboard line: each key in <kbd> and what it does, in `tr`'s language."""
    keys = (("<kbd>a</kbd>", tr._("approve")), ("<kbd>r</kbd>", tr._("reject")),
            ("<kbd>1</kbd>–<kbd>5</kbd>", tr._("stars")), ("<kbd>j</kbd>/<kbd>k</kbd>", tr._("next/prev")),
            ("<kbd>n</kbd>/<kbd>p</kbd>", tr._("page")), ("<kbd>x</kbd>", tr._("select")),
            ("<kbd>c</kbd>", tr._("compare")), ("<kbd>m</kbd>", tr._("more like this")))
    actions = " · ".join(f"{key} {escape(action)}" for key, action in keys)
    then_press = tr._("Click a card, then press:")
    return f'<div class="wb-muted">{escape(then_press)} {actions}</div>'


class CardSlot:
    """One place in the page's grid. Slots are made once and show whichever concept lands there,
    so turning a page sends new thumbnails, not new widgets."""

    def __init__(self, view: "GalleryView"):
        self.view = view
        tr = view.tr
        self.concept_id: str | None = None
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", height="auto"))
        self.caption = widgets.HTML()
        self.approve = widgets.Button(description=tr._("✓ Approve"), layout=widgets.Layout(width="50%"))
        self.reject = widgets.Button(description=tr._("✗ Reject"), layout=widgets.Layout(width="50%"))
        self.stars = [widgets.Button(description="☆", tooltip=tr.ngettext("{n} star", "{n} stars", n).format(n=n),
                                     layout=widgets.Layout(width="20px")) for n in range(1, 6)]
        # The select and Details buttons keep their width; only the stars give way in a narrow card.
        self.select = widgets.ToggleButton(description="☐", tooltip=tr._("Select for bulk approve / reject"),
                                           layout=widgets.Layout(width="30px", flex="0 0 auto"))
        self.open = widgets.Button(description=tr._("Details"), tooltip=tr._("Show in the detail panel"),
                                   layout=widgets.Layout(width="60px", flex="0 0 auto"))
        self.approve.add_class("wb-approve")
        self.reject.add_class("wb-reject")
        self.open.add_class("wb-open")
        self.select.add_class("wb-select")
        for button in (self.approve, self.reject, self.open, self.select):
            button.add_class("wb-small")
        for button in self.stars:
            button.add_class("wb-star")
        self.approve.on_click(lambda _: self._act(lambda cid: view.gallery.decide(cid, "approved", reason=view.reason())))
        self.reject.on_click(lambda _: self._act(lambda cid: view.gallery.decide(cid, "rejected", reason=view.reason())))
        for stars, button in enumerate(self.stars, start=1):
            button.on_click(lambda _, stars=stars: self._act(
                lambda cid: view.gallery.decide(cid, stars=stars, reason=view.reason())))
        self.open.on_click(lambda _: self._act(lambda cid: None))
        self.select.observe(self._on_select, names="value")
        controls = widgets.HBox([*self.stars, widgets.HBox(layout=widgets.Layout(flex="1")), self.select, self.open],
                                layout=widgets.Layout(align_items="center"))
        self.box = widgets.VBox([self.image, self.caption, widgets.HBox([self.approve, self.reject]), controls],
                                layout=widgets.Layout(overflow="hidden"))
        self.box.add_class("wb-card")
        self._classes: set[str] = set()

    def _act(self, action) -> None:
        """Every button on a card puts the cursor on it first, so keys go on from there."""
        if self.concept_id is None:
            return
        self.view.gallery.set_current(self.concept_id)
        self.view.run(lambda: action(self.concept_id))

    def _on_select(self, change) -> None:
        if self.concept_id is None or self.view.drawing:
            return
        if change["new"] != (self.concept_id in self.view.gallery.selected):
            self.view.run(lambda: self.view.gallery.toggle_selected(self.concept_id))

    def show(self, item: GalleryItem | None, gallery: Gallery, image: bytes | None) -> None:
        self.concept_id = item.id if item else None
        self.box.layout.display = None if item else "none"
        if item is None:
            self._set_classes(set())  # an empty slot names no concept
            return
        if image is not None:
            self.image.value = image
        self.caption.value = card_caption_html(item, gallery.brand_names().get(item.record.brand, item.record.brand),
                                               self.view.tr)
        self.approve.button_style = "success" if item.verdict == "approved" else ""
        self.reject.button_style = "danger" if item.verdict == "rejected" else ""
        for n, button in enumerate(self.stars, start=1):
            button.description = "★" if item.stars and n <= item.stars else "☆"
        selected = item.id in gallery.selected
        self.select.value = selected
        self.select.description = "☑" if selected else "☐"
        wanted = {f"wb-concept-{item.id}"}
        wanted |= {"wb-current"} if item.id == gallery.current else set()
        wanted |= {f"wb-is-{item.verdict}"} if item.verdict else set()
        wanted |= {"wb-is-selected"} if selected else set()
        self._set_classes(wanted)

    def _set_classes(self, wanted: set[str]) -> None:
        """The per-concept CSS classes (browser tests and the stylesheet find cards by them)."""
        for widget in (self.box, self.approve, self.reject, self.open, self.select, *self.stars):
            for name in self._classes - wanted:
                widget.remove_class(name)
            for name in wanted - self._classes:
                widget.add_class(name)
        self._classes = wanted


class GalleryView:
    """Filters, a paged grid of cards, keys, bulk actions, a detail panel, a compare view and the
    usable-fraction chart, all drawn from one `Gallery`."""

    def __init__(self, gallery: Gallery, title: str | None = None):
        self.gallery = gallery
        self.tr = tr = gallery.tr  # the gallery's language is the view's (one source: Gallery(lang=...))
        self.title = title or tr._("Concept gallery")
        self.drawing = False  # True while we set widget values ourselves, so observers stay quiet

        # ipywidgets reads a Dropdown value of None as "nothing chosen", so "any" is ANY ("") here.
        self.brand = widgets.Dropdown(description=tr._("Brand"), layout=widgets.Layout(width="270px"))
        self.verdict = widgets.Dropdown(options=[(tr._("Any"), ANY), (tr._("To review"), "unreviewed"),
                                                 (tr._("Approved"), "approved"), (tr._("Rejected"), "rejected")],
                                        description=tr._("Verdict"), layout=widgets.Layout(width="170px"))
        self.min_stars = widgets.Dropdown(
            options=[(tr._("Any"), 0)] + [(tr._("{stars} or more").format(stars="★" * n), n) for n in range(1, 6)],
            description=tr._("Stars"), layout=widgets.Layout(width="170px"))
        self.backend = widgets.Dropdown(description=tr._("Backend"), layout=widgets.Layout(width="180px"))
        self.seeds = widgets.IntRangeSlider(description=tr._("Seeds"), continuous_update=False,
                                            layout=widgets.Layout(width="240px"))
        self.triage = widgets.Dropdown(options=[(tr._("Any"), ANY), (tr._("Passed"), "passed"),
                                                (tr._("Flagged"), "flagged"), (tr._("Duplicates"), "duplicate"),
                                                (tr._("Not triaged"), "untriaged")],
                                       description=tr._("Triage"), layout=widgets.Layout(width="180px"))
        self.triage.add_class("wb-triage-filter")
        for control in (self.brand, self.verdict, self.min_stars, self.backend, self.seeds, self.triage):
            control.style.description_width = "56px"
            control.observe(self._on_filters, names="value")
        self.sort = widgets.Dropdown(options=[(tr._("Score"), "score"), (tr._("Made"), "made")],
                                     description=tr._("Sort"),
                                     tooltip=tr._("Score: best triage score first. Made: by brand and seed."),
                                     layout=widgets.Layout(width="140px"))
        self.sort.style.description_width = "40px"
        self.sort.add_class("wb-sort")
        self.sort.observe(self._on_sort, names="value")
        self.reset = widgets.Button(description=tr._("Reset"), tooltip=tr._("Show every concept"),
                                    layout=widgets.Layout(width="64px"))
        self.reset.on_click(lambda _: self._reset_filters())
        self.refresh_button = widgets.Button(description=tr._("⟳ Refresh"), tooltip=tr._("Load everyone's latest decisions"),
                                             layout=widgets.Layout(width="92px"))
        self.refresh_button.on_click(lambda _: self.run(gallery.refresh))
        self.refresh_button.add_class("wb-refresh")

        # Keys act while the reviewer is in the gallery (see keys.py for the exact rule).
        self.shortcuts = KeyboardShortcuts(list(KEYS), on_key=self.press)
        self.keys_help = widgets.HTML(keys_help_html(tr), layout=widgets.Layout(flex="1 1 420px"))
        self.keys_help.add_class("wb-keys-help")
        self.reason_box = widgets.Text(placeholder=tr._("Reason (saved with each decision)"),
                                       layout=widgets.Layout(width="260px"))
        self.reason_box.add_class("wb-reason")
        self.bulk_approve = widgets.Button(description=tr._("Approve selected"), button_style="success",
                                           layout=widgets.Layout(width="140px"))
        self.bulk_reject = widgets.Button(description=tr._("Reject selected"), button_style="danger",
                                          layout=widgets.Layout(width="130px"))
        self.select_page = widgets.Button(description=tr._("Select page"), layout=widgets.Layout(width="100px"))
        self.clear = widgets.Button(description=tr._("Clear"), layout=widgets.Layout(width="64px"))
        self.bulk_approve.on_click(lambda _: self.run(lambda: gallery.bulk("approved", self.reason())))
        self.bulk_reject.on_click(lambda _: self.run(lambda: gallery.bulk("rejected", self.reason())))
        self.select_page.on_click(lambda _: self.run(gallery.select_page))
        self.clear.on_click(lambda _: self.run(gallery.clear_selection))
        self.bulk_approve.add_class("wb-bulk-approve")
        self.bulk_reject.add_class("wb-bulk-reject")
        self.accept_shortlist = widgets.Button(
            description=tr._("Accept triage shortlist"), icon="check",
            tooltip=tr._("Approve, as you, every shown concept triage shortlisted that nobody has decided yet"),
            layout=widgets.Layout(width="230px"))
        self.accept_shortlist.on_click(lambda _: self.run(gallery.accept_triage_shortlist))
        self.accept_shortlist.add_class("wb-accept-shortlist")

        self.previous = widgets.Button(description=tr._("◀ Previous"), layout=widgets.Layout(width="96px"))
        self.next = widgets.Button(description=tr._("Next ▶"), layout=widgets.Layout(width="80px"))
        self.previous.on_click(lambda _: self.run(gallery.previous_page))
        self.next.on_click(lambda _: self.run(gallery.next_page))
        self.next.add_class("wb-next")
        self.pager = widgets.HTML()
        self.status = widgets.HTML()
        self.heading = widgets.HTML()

        self.slots = [CardSlot(self) for _ in range(gallery.page_size)]
        self.grid = widgets.Box([slot.box for slot in self.slots], layout=widgets.Layout(width="100%"))
        self.grid.add_class("wb-grid")
        self.empty = widgets.HTML()

        self.compare_images = [widgets.Image(format="png", layout=widgets.Layout(width="100%", height="auto"))
                               for _ in range(2)]
        self.compare_captions = [widgets.HTML() for _ in range(2)]
        self.compare_buttons = []
        compare_sides = []
        for side in range(2):
            approve = widgets.Button(description=tr._("✓ Approve this"), layout=widgets.Layout(width="50%"))
            reject = widgets.Button(description=tr._("✗ Reject this"), layout=widgets.Layout(width="50%"))
            approve.on_click(lambda _, side=side: self._compare_decide(side, "approved"))
            reject.on_click(lambda _, side=side: self._compare_decide(side, "rejected"))
            self.compare_buttons.append((approve, reject))
            compare_sides.append(widgets.VBox([self.compare_images[side], self.compare_captions[side],
                                               widgets.HBox([approve, reject])],
                                              layout=widgets.Layout(width="50%", padding="0 6px")))
        self.compare_hint = widgets.HTML()
        self.compare_view = widgets.VBox([self.compare_hint, widgets.HBox(compare_sides)])
        self.main = widgets.Tab([widgets.VBox([self.grid, self.empty]), self.compare_view])
        self.main.titles = (tr._("Grid"), tr._("Compare"))
        self.main.layout = widgets.Layout(flex="1 1 auto", min_width="0")

        self.chart = widgets.HTML()
        self.detail_image = widgets.Image(format="png", layout=widgets.Layout(width="100%", height="auto"))
        self.detail_facts = widgets.HTML()
        self.more = widgets.Button(description=tr._("More like this (4 seeds)"),
                                   tooltip=tr._("Queue 4 new seeds for this prompt"), layout=widgets.Layout(width="auto"))
        self.to_compare = widgets.Button(description=tr._("Compare"), layout=widgets.Layout(width="auto"))
        self.more.on_click(lambda _: self._on_current(lambda cid: gallery.more_like_this(cid)))
        self.to_compare.on_click(lambda _: self._on_current(self._compare))
        self.more.add_class("wb-more")
        titles = {"detail": tr._("Detail"), "chart": tr._("Usable per brand"), "chart note": tr._("(approved / reviewed)")}
        detail = widgets.VBox([widgets.HTML(f'<div class="wb-title" style="font-size:14px">{escape(titles["detail"])}</div>'),
                               self.detail_image, widgets.HBox([self.more, self.to_compare]), self.detail_facts])
        detail.add_class("wb-panel")
        chart = widgets.VBox([widgets.HTML(f'<div class="wb-title" style="font-size:14px">{escape(titles["chart"])}'
                                           f' <span class="wb-muted">{escape(titles["chart note"])}</span></div>'),
                              self.chart])
        chart.add_class("wb-panel")
        side = widgets.VBox([chart, detail], layout=widgets.Layout(width="350px", flex="0 0 350px", grid_gap="10px"))

        row = dict(align_items="center", flex_flow="row wrap", grid_gap="6px 10px")
        self.widget = widgets.VBox([
            widgets.HTML(STYLE),
            widgets.HBox([self.heading, self.refresh_button], layout=widgets.Layout(justify_content="space-between",
                                                                                    align_items="center")),
            widgets.HBox([self.brand, self.verdict, self.min_stars, self.backend, self.seeds, self.reset],
                         layout=widgets.Layout(**row)),
            widgets.HBox([self.triage, self.sort, self.accept_shortlist], layout=widgets.Layout(**row)),
            widgets.HBox([self.keys_help, self.reason_box, self.shortcuts], layout=widgets.Layout(**row)),
            widgets.HBox([self.previous, self.pager, self.next, widgets.HBox(layout=widgets.Layout(flex="1")),
                          self.select_page, self.clear, self.bulk_approve, self.bulk_reject],
                         layout=widgets.Layout(**row)),
            self.status,
            widgets.HBox([self.main, side], layout=widgets.Layout(grid_gap="14px", align_items="flex-start")),
        ], layout=widgets.Layout(grid_gap="8px", width="100%"))
        self.widget.add_class("wb-gallery")
        self.draw()

    # Actions -------------------------------------------------------------------------------------

    def reason(self) -> str:
        return self.reason_box.value

    def run(self, action) -> None:
        """Do one thing to the model, show what happened (or the error), redraw."""
        try:
            result = action()
            self.say(self._describe(result))
        except Exception as error:  # shown to the reviewer; the catalog is unchanged
            self.say(f"{type(error).__name__}: {error}", error=True)
        self.draw()

    def press(self, key: str) -> None:
        """What pressing `key` in the gallery does (the keyboard shortcuts call this)."""
        try:
            self.say(self.gallery.press(key, reason=self.reason()))
        except Exception as error:
            self.say(f"{type(error).__name__}: {error}", error=True)
        self.draw()

    def say(self, message: str, error: bool = False) -> None:
        colour = "#b3261e" if error else "#2b6b4a"
        self.status.value = f'<div class="wb-status" style="color:{colour}">{escape(message)}</div>' if message else ""

    def _describe(self, result) -> str:
        tr = self.tr
        if hasattr(result, "verdict"):  # a Review
            what = {"approved": tr._("approved"), "rejected": tr._("rejected")}.get(result.verdict or "",
                                                                                      f"{result.stars}★")
            return tr._("{what} {id} (as {reviewer}, {role})").format(
                what=what, id=result.concept_id, reviewer=self.gallery.reviewer, role=role_name(self.gallery.role, tr))
        if isinstance(result, int):
            return tr._("{count} concept(s) decided").format(count=result)
        if isinstance(result, list) and result and hasattr(result[0], "seed"):
            return tr._("queued seeds {seeds}: `workbench generate` makes them").format(
                seeds=", ".join(str(r.seed) for r in result))
        return ""

    def _on_filters(self, _change) -> None:
        if self.drawing:
            return
        low, high = self.seeds.value
        full_low, full_high = self.gallery.seed_range()
        self.run(lambda: self.gallery.set_filters(
            brand=self.brand.value or None, verdict=self.verdict.value or None, min_stars=self.min_stars.value or None,
            backend=self.backend.value or None, seed_min=None if low <= full_low else low,
            seed_max=None if high >= full_high else high, triage=self.triage.value or None))

    def _on_sort(self, change) -> None:
        if not self.drawing:
            self.run(lambda: self.gallery.set_sort(change["new"]))

    def _reset_filters(self) -> None:
        self.gallery.clear_filters()
        self.run(lambda: None)

    def _on_current(self, action) -> None:
        if self.gallery.current is None:
            self.say(self.tr._("no concept highlighted"), error=True)
            return
        concept_id = self.gallery.current
        self.run(lambda: action(concept_id))

    def _compare(self, concept_id: str) -> None:
        self.gallery.add_to_compare(concept_id)
        self.main.selected_index = 1

    def _compare_decide(self, side: int, verdict: str) -> None:
        pair = self.gallery.compare_pair()
        if side < len(pair):
            self.run(lambda: self.gallery.decide(pair[side].id, verdict, reason=self.reason()))

    # Drawing -------------------------------------------------------------------------------------

    def draw(self) -> None:
        """Show the model as it is now."""
        gallery, tr = self.gallery, self.tr
        self.drawing = True
        try:
            self._draw_filters()
            items = gallery.page_items()
            for index, slot in enumerate(self.slots):
                item = items[index] if index < len(items) else None
                slot.show(item, gallery, self._thumbnail(item) if item else None)
            nothing = tr._("No concepts match these filters. Reset them, or generate more concepts (02_generate).")
            self.empty.value = "" if items else f'<div class="wb-muted" style="padding:24px">{escape(nothing)}</div>'
            reviewing = f"<b>{escape(gallery.reviewer)} · {escape(role_name(gallery.role, tr))}</b>"
            counts = escape(tr.ngettext("{count} concept", "{count} concepts", gallery.item_count())).format(
                count=gallery.item_count())
            reviewing = escape(tr._("reviewing as {reviewer}")).format(reviewer=reviewing)
            self.heading.value = (f'<span class="wb-title">{escape(self.title)}</span>'
                                  f'<span class="wb-muted"> &nbsp; {counts} · {reviewing}</span>')
            pager = escape(tr._("Page {page} of {pages} · {shown} shown · {selected} selected")).format(
                page=f"<b>{gallery.page + 1}</b>", pages=gallery.page_count, shown=gallery.shown_count,
                selected=len(gallery.selected))
            self.pager.value = f'<span class="wb-muted">{pager}</span>'
            self.previous.disabled = gallery.page == 0
            self.next.disabled = gallery.page >= gallery.page_count - 1
            self.bulk_approve.disabled = self.bulk_reject.disabled = not gallery.selected
            to_accept = len(gallery.triage_shortlist_to_accept())
            self.accept_shortlist.disabled = not to_accept
            self.accept_shortlist.description = tr._("Accept triage shortlist ({count})").format(count=to_accept)
            self.chart.value = usable_chart_html(gallery.brand_stats(), gallery.filters.brand, tr)
            self._draw_detail()
            self._draw_compare()
        finally:
            self.drawing = False

    def _draw_filters(self) -> None:
        """The controls as the filters are; choices follow the catalog (a refresh may bring new brands)."""
        gallery, filters = self.gallery, self.gallery.filters
        brands = [(self.tr._("All brands"), ANY)] + [(self._brand_label(slug), slug) for slug in gallery.brand_names()]
        backends = [(self.tr._("Any"), ANY)] + [(name, name) for name in gallery.backends()]
        for control, options in ((self.brand, brands), (self.backend, backends)):
            if tuple(control.options) != tuple(options):
                control.options = options
        self.brand.value, self.verdict.value = filters.brand or ANY, filters.verdict or ANY
        self.min_stars.value, self.backend.value = filters.min_stars or 0, filters.backend or ANY
        self.triage.value, self.sort.value = filters.triage or ANY, gallery.sort
        low, high = gallery.seed_range()
        self.seeds.min, self.seeds.max = low, max(high, low + 1)
        self.seeds.value = (filters.seed_min if filters.seed_min is not None else low,
                            filters.seed_max if filters.seed_max is not None else high)

    def _draw_detail(self) -> None:
        tr = self.tr
        concept_id = self.gallery.current
        self.more.disabled = self.to_compare.disabled = concept_id is None
        if concept_id is None:
            nothing = tr._("Nothing highlighted.")
            self.detail_facts.value = f'<div class="wb-muted">{escape(nothing)}</div>'
            self.detail_image.layout.display = "none"
            return
        detail = self.gallery.detail(concept_id)
        record = detail.item.record
        self.detail_image.layout.display = None
        self.detail_image.value = detail.image_path.read_bytes() if detail.image_path.is_file() else b""
        settings = json.dumps({k: v for k, v in record.settings.items() if k != "layout"}, ensure_ascii=False)
        facts = [(tr._("Concept"), f"<code>{escape(record.id)}</code>"),
                 (tr._("Verdict"), verdict_html(detail.item, tr)),
                 *triage_facts(detail.item.triage, tr),
                 (tr._("Brand"), escape(self.gallery.brand_names().get(record.brand, record.brand))),
                 (tr._("Seed"), str(record.seed)), (tr._("Backend"), escape(f"{record.backend} · {record.model}")),
                 (tr._("Prompt"), escape(record.prompt)), (tr._("Negative"), escape(record.negative_prompt) or "–"),
                 (tr._("Settings"), f"<code>{escape(settings)}</code>")]
        if detail.requests:
            facts.append((tr._("Queued"), escape(tr._("seeds {seeds}").format(
                seeds=", ".join(str(r.seed) for r in detail.requests)))))
        verdicts = {"approved": tr._("approved"), "rejected": tr._("rejected")}
        history = "".join(
            f"<li>{escape(r.created_at[:16].replace('T', ' '))} {escape(r.reviewer or '?')}"
            f" ({escape(role_name(r.role, tr))}): {verdicts.get(r.verdict or '', '')}"
            f"{' ' + str(r.stars) + '★' if r.stars else ''}{' – ' + escape(r.reason) if r.reason else ''}</li>"
            for r in reversed(detail.history))
        none_yet = '<div class="wb-muted">{}</div>'.format(escape(tr._("No decisions yet.")))
        self.detail_facts.value = (
            '<table class="wb-facts">' + "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in facts)
            + "</table>" + (f'<ul class="wb-history">{history}</ul>' if history else none_yet))

    def _draw_compare(self) -> None:
        pair = self.gallery.compare_pair()
        hint = escape(self.tr._("Press {key} on a concept (or {button} in its detail) to put it here;"
                                " the two latest stay side by side.")).format(
            key="<b>c</b>", button="<b>{}</b>".format(escape(self.tr._("Compare"))))
        self.compare_hint.value = f'<div class="wb-muted" style="margin:4px 0 8px">{hint}</div>'
        for side in range(2):
            item = pair[side] if side < len(pair) else None
            approve, reject = self.compare_buttons[side]
            approve.disabled = reject.disabled = item is None
            if item is None:
                self.compare_images[side].layout.display = "none"
                self.compare_captions[side].value = '<div class="wb-muted">{}</div>'.format(escape(self.tr._("Empty")))
                continue
            path = self.gallery.catalog.image_path(item.record)
            self.compare_images[side].layout.display = None
            self.compare_images[side].value = path.read_bytes() if path.is_file() else b""
            self.compare_captions[side].value = card_caption_html(
                item, self.gallery.brand_names().get(item.record.brand, item.record.brand), self.tr)
            approve.button_style = "success" if item.verdict == "approved" else ""
            reject.button_style = "danger" if item.verdict == "rejected" else ""

    def _thumbnail(self, item: GalleryItem) -> bytes:
        """The cached thumbnail file's bytes (drawn once per source image, then read from disk)."""
        kit = self.gallery.kits.get(item.record.brand)
        background = kit.palette.rgb("background") if kit else None
        try:
            return thumbnail(self.gallery.catalog, item.record, THUMB_SIZE, background).read_bytes()
        except FileNotFoundError:
            return b""  # the card still shows its id and verdict

    def _brand_label(self, slug: str) -> str:
        kit = self.gallery.kits.get(slug)
        if kit and kit.subtitle:
            return f"{kit.display_name} · {kit.subtitle}"
        return kit.display_name if kit else slug

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def open_gallery(
    campaign_file: str | Path,
    reviewer: str | None = None,
    role: str | None = None,
    brands: list[str] | None = None,
    renders_folder: str | None = None,
    page_size: int = 12,
    lang: str | None = None,
) -> GalleryView:
    """The gallery of a campaign file, as the notebook and the Voila page open it; its words in `lang`
    (None: the process's language, see workbench.i18n)."""
    from workbench.campaign import open_campaign

    campaign, kits = open_campaign(campaign_file, brands=brands, renders_folder=renders_folder)
    kits_by_slug: dict[str, BrandKit] = {kit.slug: kit for kit in kits}
    catalog = Catalog(campaign.catalog_path)
    gallery = Gallery(catalog, kits_by_slug, reviewer=reviewer, role=role, page_size=page_size,
                      brands=list(kits_by_slug), lang=lang)
    return GalleryView(gallery, title=campaign.title)


__all__ = ["GalleryView", "open_gallery", "usable_chart_html", "KEYS"]
