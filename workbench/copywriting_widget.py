"""The ideation widget of 02_generate: ask a chat model for float ideas, edit them, accept some.

    >>> IdeasWidget(campaign, kits, catalog)      # in a notebook cell

Without an API key it says "no key" and the Ask button stays off; ideas already in the catalog can
still be edited and accepted. Nothing is asked for until the button is pressed, so running the
notebook headless never calls the service. Its words are in `lang` (None: the process's language);
every field's label gets the same room (LABEL_WIDTH), and the buttons their whole text, in either language.
"""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as widgets

from workbench.campaign import Campaign
from workbench.catalog import Catalog, IdeaRecord
from workbench.copywriting import DEFAULT_CHAT_MODEL, MAX_IDEAS, IdeationError, ideate, save_ideas
from workbench.i18n import Translator, translator
from workbench.kits import BrandKit
from workbench.settings import OpenAISettings, SettingsError, how_to_set_a_key, load_openai_settings

LABEL_WIDTH = "110px"  # the longest label, "campaign brief" or "prompt words", whole in both languages


def _labelled(control: widgets.Widget) -> widgets.Widget:
    control.style.description_width = LABEL_WIDTH
    return control


class _IdeaRow:
    """One idea's editable fields."""

    def __init__(self, record: IdeaRecord, tr: Translator):
        self.id = record.id
        self.brief = _labelled(widgets.Textarea(value=record.brief, description=tr._("brief"),
                                                layout=widgets.Layout(width="98%")))
        self.words = _labelled(widgets.Text(value=", ".join(record.prompt_words), description=tr._("prompt words"),
                                            layout=widgets.Layout(width="98%")))
        self.tagline = _labelled(widgets.Text(value=record.tagline, description=tr._("tagline"),
                                              layout=widgets.Layout(width="98%")))
        self.accept = widgets.Checkbox(value=record.status == "accepted", description=tr._("accept"), indent=False)
        self.drop = widgets.Checkbox(value=False, description=tr._("drop"), indent=False)
        self.box = widgets.VBox([self.brief, self.words, self.tagline, widgets.HBox([self.accept, self.drop])],
                                layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"))

    def changes(self) -> dict:
        status = "accepted" if self.accept.value else "dropped" if self.drop.value else "proposed"
        words = [w.strip() for w in self.words.value.split(",") if w.strip()]
        return {"brief": self.brief.value.strip(), "prompt_words": words, "tagline": self.tagline.value.strip(),
                "status": status}


class IdeasWidget(widgets.VBox):
    """Ask, edit, accept. `settings` and `ask` can be passed in (tests, other services)."""

    def __init__(self, campaign: Campaign, kits: list[BrandKit], catalog: Catalog,
                 settings: OpenAISettings | None = None, ask: Callable[..., list] | None = None,
                 lang: str | None = None):
        self.campaign, self.catalog = campaign, catalog
        self.tr = tr = translator(lang)
        self.kits = {kit.slug: kit for kit in kits}
        self._ask = ask or ideate
        self.settings, self.key_note = self._settings(settings)
        self.brand = _labelled(widgets.Dropdown(options=[(f"{k.display_name} ({k.slug})", k.slug) for k in kits],
                                                description=tr._("brand"), layout=widgets.Layout(width="420px")))
        self.count = _labelled(widgets.IntSlider(value=4, min=1, max=MAX_IDEAS, description=tr._("ideas")))
        self.brief = _labelled(widgets.Textarea(value=campaign.prompt.brief, description=tr._("campaign brief"),
                                                layout=widgets.Layout(width="98%")))
        self.model = _labelled(widgets.Text(value=DEFAULT_CHAT_MODEL, description=tr._("chat model")))
        # Buttons as wide as their words: "Save edits and choices" was cut at the default width.
        self.ask_button = widgets.Button(description=tr._("Ask for ideas"), button_style="primary",
                                         disabled=not self.settings.has_key, layout=widgets.Layout(width="auto"))
        self.save_button = widgets.Button(description=tr._("Save edits and choices"),
                                          layout=widgets.Layout(width="auto"))
        self.status = widgets.HTML()
        self.rows: list[_IdeaRow] = []
        self.rows_box = widgets.VBox()
        self.ask_button.on_click(lambda _: self.ask_for_ideas())
        self.save_button.on_click(lambda _: self.save())
        self.brand.observe(lambda _: self.show_ideas(), names="value")
        super().__init__([self.brand, self.brief, widgets.HBox([self.count, self.model], layout=widgets.Layout(
                              flex_flow="row wrap")),
                          widgets.HBox([self.ask_button, self.save_button]), self.status, self.rows_box])
        self.show_ideas()
        self._say(self.key_note)

    def _settings(self, settings: OpenAISettings | None) -> tuple[OpenAISettings, str]:
        tr = self.tr
        try:
            settings = settings or load_openai_settings()
        except SettingsError as error:  # a broken personal file must not break the notebook
            return OpenAISettings(), tr._("no key: {problem}").format(problem=error)
        if not settings.has_key:
            return settings, tr._("no key: {how}. Saved ideas can still be edited and accepted.").format(
                how=how_to_set_a_key(tr))
        return settings, tr._("key found; ideas are asked for only when you press Ask.")

    def _say(self, text: str) -> None:
        self.status.value = f'<span class="wb-meta">{escape(text)}</span>'

    def show_ideas(self) -> None:
        ideas = [i for i in self.catalog.ideas(self.brand.value) if i.status != "dropped"]
        self.rows = [_IdeaRow(record, self.tr) for record in ideas]
        self.rows_box.children = [row.box for row in self.rows]

    def ask_for_ideas(self) -> None:
        tr, kit = self.tr, self.kits[self.brand.value]
        self._say(tr._("asking {model} for {count} idea(s) for {brand}...").format(
            model=self.model.value, count=self.count.value, brand=kit.display_name))
        try:
            ideas = self._ask(kit, self.brief.value, self.count.value, settings=self.settings, model=self.model.value)
        except (IdeationError, ValueError) as error:
            self._say(tr._("no ideas: {problem}").format(problem=error))
            return
        save_ideas(self.catalog, kit, self.brief.value, ideas, model=self.model.value)
        self.show_ideas()
        self._say(tr._("{count} new idea(s) for {brand}: edit them, tick accept, then save.").format(
            count=len(ideas), brand=kit.display_name))

    def save(self) -> None:
        for row in self.rows:
            self.catalog.update_idea(row.id, **row.changes())
        accepted = len(self.catalog.ideas(self.brand.value, status="accepted"))
        self.show_ideas()
        self._say(self.tr._("saved: {count} accepted idea(s) for {brand}; generate_from_ideas(...) makes their concepts.")
                  .format(count=accepted, brand=self.brand.value))
