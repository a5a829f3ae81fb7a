"""The film's layers, each a small frozen value with a `span` and one `draw(frame, t, art)` method (see scene.py),
and `layers_for`, the one place a film's layers are put together: a new effect is one small file and one line there.

    >>> layers = layers_for(campaign, stage, timeline, [(kit, float_image), ...])
    >>> draw_layers(layers.stack, frame, t=3.2, art=ArtCache())
    >>> layers.floats.frames_in_view(0, fps=30)  # what the finishing export's pass of float 0 covers
    range(30, 118)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from workbench.campaign import Campaign
from workbench.kits import BrandKit
from workbench.parade.camera import Camera
from workbench.parade.harmonise import harmonised
from workbench.parade.layers.banner import Banner, LowerThird, banner_lift
from workbench.parade.layers.breaks import section_breaks
from workbench.parade.layers.cards import CardBackdrop, EndCard, TitleCard
from workbench.parade.layers.confetti import Confetti
from workbench.parade.layers.crowd import Crowd
from workbench.parade.layers.dissolve import CardDissolve
from workbench.parade.layers.floats import Floats
from workbench.parade.layers.label import DisclosureLabel
from workbench.parade.layers.lanterns import Lanterns
from workbench.parade.layers.plate import VideoPlate, backdrop_layer, plate_picture
from workbench.parade.layers.scene import ALWAYS, Layer, Scene, draw_layers
from workbench.parade.layers.street import Header, Street
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import SCENERY_SEED, festival_colours
from workbench.parade.stages import Stage
from workbench.parade.timeline import Timeline

__all__ = [
    "ALWAYS", "Banner", "CardBackdrop", "CardDissolve", "Confetti", "Crowd", "DisclosureLabel", "EndCard",
    "FilmLayers", "Floats", "Header", "Lanterns", "Layer", "LowerThird", "Scene", "Street", "TitleCard", "draw_layers",
    "layers_for",
]


@dataclass(frozen=True, eq=False)
class FilmLayers:
    """One film's layers: `stack`, everything bottom to top, and the ones the finishing export draws alone."""

    stack: tuple[Layer, ...]
    street: Street | VideoPlate  # the backdrop: the drawn street, a still plate, or a video plate
    floats: Floats
    banners: tuple[Banner, ...]  # in parade order
    labels: tuple[DisclosureLabel, ...] = ()  # the visible AI-content label, over each span it shows


def layers_for(
    campaign: Campaign, stage: Stage, timeline: Timeline, floats: list[tuple[BrandKit, Image.Image]],
) -> FilmLayers:
    """The title card, the procession and the end card, each a Scene over its span, then the AI-content label."""
    film = campaign.film
    by_brand = {kit.slug: (kit, image) for kit, image in floats}
    floats = [by_brand[slot.brand] for slot in timeline.slots]  # in parade order, which groups may change
    kits = tuple(kit for kit, _image in floats)
    colours = festival_colours(list(kits))
    stage = stage.routed(film.camera.depth_route)  # the depth route is the stage's to offer (16:9)
    zone = film.safe_zones.get(stage.aspect)  # a platform's caption and buttons: type keeps clear of them
    safe = SafeArea.within(zone, stage.width, stage.height) if zone is not None else None
    stage = stage.holding_above(banner_lift(stage, safe))  # a banner pushed up by a caption band: the float too
    camera = Camera.for_film(film.camera, stage, timeline)
    painting = stage.paint_street(colours)
    backdrop = CardBackdrop.of(painting)

    def card(type_layer: Layer, confetti_seed: int) -> tuple[Layer, ...]:
        """A card's layers: the soft street, confetti when particles are on, its type on top."""
        confetti = (Confetti.scatter(colours, seed=confetti_seed),) if film.particles else ()
        return (backdrop, *confetti, type_layer)

    # The cards cover all time before and after the procession, so every t has a whole frame.
    start, end, dissolve = timeline.procession_start, timeline.procession_end, timeline.dissolve_seconds
    title = Scene((-math.inf, start), card(TitleCard(campaign.title, stage, colours, safe), SCENERY_SEED))
    ending = Scene((end, math.inf),
                   card(EndCard(campaign.end_card or campaign.title, stage, kits, safe), SCENERY_SEED + 1))
    labels = DisclosureLabel.for_film(campaign.label_text, campaign.labels, stage, timeline, safe)
    # The safe area moves a top corner's label down from its corner, onto the header: the header goes under it.
    header_area = safe.under(label.box for label in labels) if safe is not None else None
    plate = plate_picture(film.backdrop, stage, painting)  # the drawn street unless film.backdrop names a plate
    street = backdrop_layer(film.backdrop, stage, plate, colours, campaign.title, camera, header_area, film.fps,
                            timeline.duration)
    floats = harmonised(floats, plate, film.backdrop.harmonise)  # the floats' colour and light, matched to it
    moving = Floats(stage, timeline, camera, tuple(image for _kit, image in floats), film.motion)
    bilingual = film.lower_third == "bilingual"
    banners = tuple(Banner(kit, stage, slot, safe, bilingual) for kit, slot in zip(kits, timeline.slots))
    procession = [street, *Header.over(stage, campaign.title, colours, camera, header_area)]
    if film.particles:
        procession.append(Lanterns.release(stage, camera))
    procession += [moving, Crowd(stage, timeline, colours, camera), *banners]
    dissolves = []  # drawn over the procession, or over a chapter card that opens it
    if timeline.title.seconds > 0:
        dissolves.append(CardDissolve(title, cut=start, seconds=dissolve, card_first=True))
    if timeline.end.seconds > 0:
        dissolves.append(CardDissolve(ending, cut=end, seconds=dissolve, card_first=False))
    # The chapter cards and crowd cutaways between sections; a cutaway's crowd stands before the film's own backdrop.
    breaks = section_breaks(timeline, stage, colours, plate, card, film.particles, safe)

    seen = [Scene(span, tuple(procession)) for span in timeline.procession_spans()]  # the procession, less the breaks
    stack = [title, *seen, ending, *breaks, *dissolves, *labels]
    return FilmLayers(tuple(stack), street, moving, banners, labels)
