"""The ideation widget of 02_generate: ask a chat model for float ideas, edit them, accept some.

    >>> IdeasWidget(campaign, kits, catalog)      # in a notebook cell

Without an API key it says "no key" and the Ask button stays off; ideas already in the catalog can
still be edited and accepted. Nothing is asked for until the button is pressed, so running the
notebook headless never calls the service.
"""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as widgets

from workbench.campaign import Campaign
from workbench.catalog import Catalog, IdeaRecord
from workbench.copywriting import DEFAULT_CHAT_MODEL, MAX_IDEAS, IdeationError, ideate, save_ideas
from workbench.kits import BrandKit
from workbench.settings import HOW_TO_SET_A_KEY, OpenAISettings, SettingsError, load_openai_settings


class _IdeaRow:
    """One idea's editable fields."""

    def __init__(self, record: IdeaRecord):
        self.id = record.id
        self.brief = widgets.Textarea(value=record.brief, description="brief", layout=widgets.Layout(width="98%"))
        self.words = widgets.Text(value=", ".join(record.prompt_words), description="prompt words",
                                  layout=widgets.Layout(width="98%"))
        self.tagline = widgets.Text(value=record.tagline, description="tagline", layout=widgets.Layout(width="98%"))
        self.accept = widgets.Checkbox(value=record.status == "accepted", description="accept", indent=False)
        self.drop = widgets.Checkbox(value=False, description="drop", indent=False)
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
                 settings: OpenAISettings | None = None, ask: Callable[..., list] | None = None):
        self.campaign, self.catalog = campaign, catalog
        self.kits = {kit.slug: kit for kit in kits}
        self._ask = ask or ideate
        self.settings, self.key_note = self._settings(settings)
        self.brand = widgets.Dropdown(options=[(f"{k.display_name} ({k.slug})", k.slug) for k in kits],
                                      description="brand")
        self.count = widgets.IntSlider(value=4, min=1, max=MAX_IDEAS, description="ideas")
        self.brief = widgets.Textarea(value=campaign.prompt.brief, description="campaign brief",
                                      layout=widgets.Layout(width="98%"))
        self.model = widgets.Text(value=DEFAULT_CHAT_MODEL, description="chat model")
        self.ask_button = widgets.Button(description="Ask for ideas", button_style="primary",
                                         disabled=not self.settings.has_key)
        self.save_button = widgets.Button(description="Save edits and choices")
        self.status = widgets.HTML()
        self.rows: list[_IdeaRow] = []
        self.rows_box = widgets.VBox()
        self.ask_button.on_click(lambda _: self.ask_for_ideas())
        self.save_button.on_click(lambda _: self.save())
        self.brand.observe(lambda _: self.show_ideas(), names="value")
        super().__init__([self.brand, self.brief, widgets.HBox([self.count, self.model]),
                          widgets.HBox([self.ask_button, self.save_button]), self.status, self.rows_box])
        self.show_ideas()
        self._say(self.key_note)

    @staticmethod
    def _settings(settings: OpenAISettings | None) -> tuple[OpenAISettings, str]:
        try:
            settings = settings or load_openai_settings()
        except SettingsError as error:  # a broken personal file must not break the notebook
            return OpenAISettings(), f"no key: {error}"
        if not settings.has_key:
            return settings, f"no key: {HOW_TO_SET_A_KEY}. Saved ideas can still be edited and accepted."
        return settings, "key found; ideas are asked for only when you press Ask."

    def _say(self, text: str) -> None:
        self.status.value = f'<span class="wb-meta">{escape(text)}</span>'

    def show_ideas(self) -> None:
        ideas = [i for i in self.catalog.ideas(self.brand.value) if i.status != "dropped"]
        self.rows = [_IdeaRow(record) for record in ideas]
        self.rows_box.children = [row.box for row in self.rows]

    def ask_for_ideas(self) -> None:
        kit = self.kits[self.brand.value]
        self._say(f"asking {self.model.value} for {self.count.value} idea(s) for {kit.display_name}...")
        try:
            ideas = self._ask(kit, self.brief.value, self.count.value, settings=self.settings, model=self.model.value)
        except (IdeationError, ValueError) as error:
            self._say(f"no ideas: {error}")
            return
        save_ideas(self.catalog, kit, self.brief.value, ideas, model=self.model.value)
        self.show_ideas()
        self._say(f"{len(ideas)} new idea(s) for {kit.display_name}: edit them, tick accept, then save.")

    def save(self) -> None:
        for row in self.rows:
            self.catalog.update_idea(row.id, **row.changes())
        accepted = len(self.catalog.ideas(self.brand.value, status="accepted"))
        self.show_ideas()
        self._say(f"saved: {accepted} accepted idea(s) for {self.brand.value}; "
                  "generate_from_ideas(...) makes their concepts.")
