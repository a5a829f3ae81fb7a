"""What a resumed render trusts: the fingerprint of a film's pictures changes with each input that
changes them (the label, the timeline, a plate's bytes), and not with metadata such as the producer."""

from __future__ import annotations

import warnings

from PIL import Image

from conftest import SAMPLE_KITS, make_campaign, parade_catalog
from workbench.kits import load_kits
from workbench.parade import prepare_film


def test_the_fingerprint_follows_labels_timeline_and_plate_bytes_not_the_producer(tmp_path):
    kits = load_kits(SAMPLE_KITS).kits
    shown = [kits[slug] for slug in ("lotus-tea", "tern-motors")]
    plate = tmp_path / "plate.png"
    Image.new("RGB", (128, 72), (200, 120, 40)).save(plate)
    campaign = make_campaign(tmp_path, backdrop={"kind": "image", "path": plate})
    catalog = parade_catalog(campaign, kits)

    def fingerprint(**changes) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return prepare_film(campaign.with_changes(**changes), shown, catalog, "16:9").fingerprint()

    first = fingerprint()
    assert fingerprint() == first
    assert fingerprint(labels={"producer": {"code": "ANOTHER"}}) == first  # metadata only
    assert fingerprint(labels={"text": "AI-generated"}) != first
    assert fingerprint(film={"seconds_per_brand": 1.6}) != first
    Image.new("RGB", (128, 72), (20, 120, 200)).save(plate)  # the same path, another picture
    assert fingerprint() != first
