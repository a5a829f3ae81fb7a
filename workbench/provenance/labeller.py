"""How the files one campaign writes are labelled: the implicit label's fields, the visible label's
words and place, and (when a key is configured) the C2PA signature. One object, made once per run
and passed to the stages that write files.

    >>> labeller = Labeller.for_campaign(campaign)
    >>> save_png(image, path, {**recipe, **labeller.png_text(record.id)})
    >>> labeller.sign(path, title=record.id, source_type=TRAINED, provenance={"seed": 7})
    >>> sheet = labeller.stamp(sheet)  # the visible label, for images that leave the workbench
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from PIL import Image

from workbench.campaign import LABEL_TEXTS, Campaign, LabelSettings
from workbench.files import save_png
from workbench.provenance.aigc import COMPOSITE, TRAINED, AigcLabel, append_xmp_box, mp4_metadata, png_text, xmp_packet
from workbench.settings import ProvenanceSettings, load_provenance_settings


@dataclass(frozen=True)
class Labeller:
    """The producer the implicit label names, the visible label, and the signing key (or None)."""

    producer_code: str
    producer_name: str
    propagator_code: str
    text: str  # the visible label's words
    settings: LabelSettings
    signing: Any = None  # workbench.provenance.c2pa.C2paSigning, when a key is configured

    @classmethod
    def for_campaign(cls, campaign: Campaign, settings: ProvenanceSettings | None = None) -> Labeller:
        """The campaign's label settings, with the personal settings filling what it leaves out.

        A configured signing key is checked now (a missing file or an expired certificate is one
        line naming the setting), before anything is made.
        """
        return cls.from_settings(campaign.labels, campaign.label_text, settings)

    @classmethod
    def from_settings(cls, labels: LabelSettings | None = None, text: str = LABEL_TEXTS["en"],
                      settings: ProvenanceSettings | None = None) -> Labeller:
        """Labels without a campaign (the defaults: visible labels on), the personal settings naming the producer."""
        labels = labels or LabelSettings()
        settings = settings if settings is not None else load_provenance_settings()
        return cls(
            producer_code=labels.producer.code or settings.producer_code,
            producer_name=labels.producer.name or settings.producer_name,
            propagator_code=settings.propagator_code, text=text, settings=labels, signing=settings.signing(),
        )

    def label(self, produce_id: str) -> AigcLabel:
        """The implicit label of a file made from `produce_id` (a concept id, or a film's stem)."""
        return AigcLabel(content_producer=self.producer_code, produce_id=produce_id,
                         content_propagator=self.propagator_code)

    def png_text(self, produce_id: str, source_type: str = TRAINED, visible: dict | None = None) -> dict[str, str]:
        """Text chunks for a PNG; `visible` records the visible label it shows (see `image_label`)."""
        return png_text(self.label(produce_id), source_type, self.producer_name, visible)

    def xmp(self, produce_id: str, source_type: str = TRAINED, visible: dict | None = None,
            wrapped: bool = True) -> str:
        return xmp_packet(self.label(produce_id), source_type, self.producer_name, visible, wrapped)

    def mp4_metadata(self, produce_id: str) -> dict[str, str]:
        return mp4_metadata(self.label(produce_id))

    def append_mp4_xmp(self, path: Path, produce_id: str, source_type: str, visible: dict | None = None) -> None:
        append_xmp_box(path, self.label(produce_id), source_type, self.producer_name, visible)

    @property
    def image_label(self) -> dict | None:
        """The visible label delivered images show, as files record it (None when labels are off)."""
        if not self.settings.visible:
            return None
        return {"text": self.text, **self.settings.images.model_dump()}


    def stamp(self, image: Image.Image) -> Image.Image:
        """`image` with the visible label in the campaign's image corner (unchanged when labels are off)."""
        from workbench.provenance.visible import stamp_image

        return stamp_image(image, self.text, self.settings.images) if self.settings.visible else image

    def save_delivered_png(self, image: Image.Image, path: Path, produce_id: str) -> Path:
        """An image that leaves the workbench (a sheet, a hand-off page): the visible label stamped on,
        both labels in its metadata, written atomically."""
        save_png(self.stamp(image), path, self.png_text(produce_id, COMPOSITE, self.image_label))
        return path

    def sign(self, path: Path, *, title: str, source_type: str, provenance: dict,
             ingredients: Sequence[Path] = (), suffix: str | None = None) -> bool:
        """Sign `path` in place with a C2PA manifest when a key is configured; True when it was signed.
        `suffix` (".mp4") names the format of a temp file whose name does not."""
        if self.signing is None:
            return False
        from workbench.provenance.c2pa import sign_file

        sign_file(path, self.signing, title=title, digital_source_type=source_type, provenance=provenance,
                  ingredients=ingredients, suffix=suffix)
        return True
