"""Moving one set of pixels' colour toward another's: Reinhard's mean and spread transfer in CIE Lab.

The parade matches floats to a plate with it; finishing matches a product to its float's light.

    >>> lab = lab_of(float_rgb)
    >>> moved = moved_toward(lab, lab_statistics(lab[opaque]), lab_statistics(lab_of(plate).reshape(-1, 3)), 0.6)
    >>> rgb_of(moved).dtype
    dtype('uint8')
"""

from __future__ import annotations

import cv2
import numpy as np

# How far a spread of colour may be scaled toward the target's: a hazy target softens contrast a little
# but never greys it out, a busy one sharpens it a little.
SPREAD_RATIO = (0.75, 1.35)

Statistics = tuple[np.ndarray, np.ndarray]  # each Lab channel's mean and spread


def lab_of(rgb: np.ndarray) -> np.ndarray:
    """RGB uint8 to CIE Lab in float32 (L 0-100): finer than OpenCV's 8-bit Lab, so small moves do not band."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def rgb_of(lab: np.ndarray) -> np.ndarray:
    """CIE Lab (float) back to RGB uint8, rounded."""
    return np.clip(cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB) * 255 + 0.5, 0, 255).astype(np.uint8)


def lab_statistics(lab_pixels: np.ndarray) -> Statistics:
    """Each Lab channel's mean and spread (never zero: flat pixels are moved, not divided by nothing)."""
    return lab_pixels.mean(axis=0), np.maximum(lab_pixels.std(axis=0), 1.0)


def moved_toward(lab: np.ndarray, source: Statistics, target: Statistics, strength: float) -> np.ndarray:
    """`lab` (whose colour `source` describes) moved `strength` of the way to `target`'s mean and spread."""
    source_mean, source_spread = source
    target_mean, target_spread = target
    contrast = np.clip(target_spread / source_spread, *SPREAD_RATIO)  # a flat target must not flatten the source
    matched = (lab - source_mean) * contrast + target_mean
    return lab + strength * (matched - lab)
