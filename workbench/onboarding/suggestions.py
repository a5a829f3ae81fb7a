"""Motifs, motif shapes and style words suggested from a brand's category, for a draft kit.

A client's sheet or a single logo rarely says what a float should be sculpted around, but a kit needs
motifs. The category ("tea house", "茶饮", "electric vehicles") picks a starting set that a designer
then edits; nothing here is final.

    >>> suggest("bubble tea 茶饮").motif_shapes
    ('leaf', 'flower', 'swirl')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from workbench.kits import MotifShape


@dataclass(frozen=True)
class Suggestion:
    """What a category suggests; every motif shape is one the previz float can draw."""

    keywords: tuple[str, ...]  # matched, case-folded, anywhere in the category text
    motifs: tuple[str, ...]
    motif_shapes: tuple[str, ...]
    style_words: tuple[str, ...]


SUGGESTIONS: tuple[Suggestion, ...] = (
    Suggestion(("tea", "茶"), ("tea leaves", "steam swirls", "porcelain cups", "blossoms"),
               ("leaf", "flower", "swirl"), ("elegant", "calm", "festive")),
    Suggestion(("coffee", "cafe", "café", "咖啡"), ("coffee beans", "steam swirls", "cups", "pastries"),
               ("circle", "swirl", "heart"), ("warm", "roasted tones", "cosy")),
    Suggestion(("bakery", "cake", "pastry", "bread", "烘焙", "面包", "蛋糕", "糕点"),
               ("cakes", "pastries", "wheat ears", "bunting"), ("heart", "star", "ribbon"),
               ("warm", "golden", "hand-made", "festive")),
    Suggestion(("ice cream", "dessert", "gelato", "冰淇淋", "甜品", "雪糕"),
               ("ice-cream scoops", "waffle cones", "sprinkles", "snowflakes"), ("circle", "heart", "cloud"),
               ("playful", "pastel", "cool", "cheerful")),
    Suggestion(("car", "motor", "vehicle", "auto", "ev", "汽车", "车", "新能源"),
               ("sleek cars", "light trails", "lightning bolts", "open roads"), ("bolt", "wave", "star"),
               ("sleek", "modern", "dynamic", "chrome")),
    Suggestion(("electronic", "tech", "phone", "digital", "电子", "科技", "数码", "手机"),
               ("circuit lines", "glowing screens", "stars", "orbiting rings"), ("star", "bolt", "circle"),
               ("futuristic", "clean", "glowing", "precise")),
    Suggestion(("toy", "game", "kids", "children", "玩具", "儿童", "游戏"),
               ("building blocks", "balloons", "stars", "confetti"), ("star", "circle", "heart"),
               ("playful", "bright", "bold", "cheerful")),
    Suggestion(("fashion", "apparel", "clothing", "luxury", "beauty", "cosmetic", "时尚", "服装", "美妆", "奢侈"),
               ("silk ribbons", "roses", "pearls", "mirrors"), ("ribbon", "flower", "diamond"),
               ("elegant", "refined", "luxurious", "graceful")),
    Suggestion(("sport", "shoe", "running", "fitness", "运动", "跑鞋", "健身"),
               ("running tracks", "wings", "speed lines", "medals"), ("bolt", "wave", "star"),
               ("energetic", "bold", "dynamic", "athletic")),
    Suggestion(("travel", "airline", "balloon", "hotel", "旅行", "航空", "酒店", "旅游"),
               ("hot-air balloons", "clouds", "maps", "compass roses"), ("cloud", "star", "ribbon"),
               ("adventurous", "airy", "sunny", "festive")),
    Suggestion(("bank", "finance", "insurance", "银行", "金融", "保险"),
               ("coins", "lanterns", "pillars", "stars"), ("circle", "lantern", "diamond"),
               ("trustworthy", "solid", "prosperous", "polished")),
    Suggestion(("food", "restaurant", "snack", "noodle", "食品", "餐饮", "零食", "面"),
               ("steaming bowls", "chopsticks", "lanterns", "vegetables"), ("lantern", "circle", "leaf"),
               ("appetising", "warm", "lively", "festive")),
    Suggestion(("drink", "juice", "soda", "water", "beer", "饮料", "果汁", "啤酒", "饮品"),
               ("bubbles", "splashes", "fruit slices", "ice cubes"), ("circle", "wave", "star"),
               ("fresh", "sparkling", "bright", "cool")),
)

GENERIC = Suggestion((), ("lanterns", "ribbons", "stars", "confetti"), ("star", "circle", "ribbon"),
                     ("festive", "bright", "crafted"))
NEGATIVE_WORDS = ("blurry text", "wrong logo", "clutter")

_SHAPES = set(get_args(MotifShape))
assert all(shape in _SHAPES for s in (*SUGGESTIONS, GENERIC) for shape in s.motif_shapes)


def suggest(category: str) -> Suggestion:
    """The first table entry one of whose keywords is in `category` (short Latin keywords as whole
    words, so "ev" does not match "jewellery"), else the generic festive set."""
    text = category.casefold()
    words = set("".join(ch if ch.isalnum() else " " for ch in text).split())
    for suggestion in SUGGESTIONS:
        for keyword in suggestion.keywords:
            if (keyword in words) if (keyword.isascii() and len(keyword) <= 3) else (keyword in text):
                return suggestion
    return GENERIC
