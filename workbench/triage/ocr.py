"""Reading lettering: a small interface over an OCR model, and the RapidOCR reader behind it.

RapidOCR 3 ships PP-OCRv6 Chinese + English detection and recognition models inside its wheel, so
triage reads Chinese and Latin lettering offline on the CPU. The reader is passed in (tests and a
cluster worker build their own), and the model is loaded once per reader.

    >>> reader = RapidOcrReader()
    >>> [line.text for line in reader.read(rgb_array)]
    ['金兔饼家', '月圆人团圆']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from workbench.marks import Box

# The whole float is read at this long side: its banner lettering stays legible, and one 768 px
# float takes about 0.3 s on one core instead of 1 s at full size.
READ_LONG_SIDE = 512


@dataclass(frozen=True)
class TextLine:
    """One line of text the model read, its confidence (0-1) and its box in the image's pixels."""

    text: str
    confidence: float
    box: Box


class TextReader(Protocol):
    name: str

    def read(self, rgb: np.ndarray) -> list[TextLine]:
        """Every line of text in an RGB uint8 image, with boxes in that image's pixels."""
        ...


class RapidOcrReader:
    """PP-OCRv6 through RapidOCR and onnxruntime, one thread (triage runs one reader per core)."""

    name = "rapidocr-3.10.0/PP-OCRv6-small"

    def __init__(self, threads: int = 1):
        from rapidocr import RapidOCR  # the OCR runtime is loaded by triage only

        self._engine = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # floats are upright: no text-direction classifier
            "Det.limit_type": "max",
            "Det.limit_side_len": READ_LONG_SIDE,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })

    def read(self, rgb: np.ndarray) -> list[TextLine]:
        output = self._engine(np.ascontiguousarray(rgb[:, :, ::-1]))  # RapidOCR takes OpenCV's BGR
        if output.boxes is None or output.txts is None:
            return []
        lines = []
        for points, text, confidence in zip(output.boxes, output.txts, output.scores):
            xs, ys = np.asarray(points)[:, 0], np.asarray(points)[:, 1]
            lines.append(TextLine(str(text), float(confidence),
                                  (int(xs.min()), int(ys.min()), int(np.ceil(xs.max())), int(np.ceil(ys.max())))))
        return lines
