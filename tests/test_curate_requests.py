""""Make more like this": a queued seed is made by `workbench generate`, with the same prompt."""

from __future__ import annotations

from typer.testing import CliRunner

from conftest import write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.curate.gallery import Gallery

runner = CliRunner()


def test_generate_makes_the_queued_seeds_with_the_liked_prompt(tmp_path, kits_folder):
    campaign_file = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                                   brands=["lotus-tea", "polar-scoop"], generation={
                                       "backend": "previz", "seeds": [1], "width": 96, "height": 96})
    assert runner.invoke(app, ["generate", str(campaign_file)]).exit_code == 0
    catalog_path = load_campaign(campaign_file).catalog_path
    with Catalog(catalog_path) as catalog:
        liked = catalog.concepts("lotus-tea")[0]
        queued = Gallery(catalog, reviewer="mei").more_like_this(liked.id, count=2)
        assert [r.seed for r in queued] == [2, 3]

    result = runner.invoke(app, ["generate", str(campaign_file)])
    assert result.exit_code == 0, result.output
    assert "queued seeds: made 2, skipped 0, failed 0" in result.output
    with Catalog(catalog_path) as catalog:
        made = catalog.concepts("lotus-tea")
        assert [c.seed for c in made] == [1, 2, 3]
        assert {c.prompt for c in made} == {liked.prompt}
        assert all(catalog.image_path(c).is_file() for c in made)
        assert [c.seed for c in catalog.concepts("polar-scoop")] == [1]  # nobody asked for more
        assert catalog.seed_requests(pending_only=True) == []

    again = runner.invoke(app, ["generate", str(campaign_file)])
    assert "queued seeds: made 0, skipped 0, failed 0" in again.output


def test_a_request_for_a_changed_prompt_is_reported_not_made(tmp_path, kits_folder):
    campaign_file = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                                   brands=["lotus-tea"], generation={
                                       "backend": "previz", "seeds": [1], "width": 96, "height": 96})
    runner.invoke(app, ["generate", str(campaign_file)])
    with Catalog(load_campaign(campaign_file).catalog_path) as catalog:
        Gallery(catalog, reviewer="mei").more_like_this(catalog.concepts()[0].id, count=1)
    write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", brands=["lotus-tea"],
                   prompt={"brief": "a winter lantern parade float"},
                   generation={"backend": "previz", "seeds": [1], "width": 96, "height": 96})
    result = runner.invoke(app, ["generate", str(campaign_file)])
    assert result.exit_code == 1
    assert "lotus-tea seed 2: the campaign's prompt for this brand changed since the request" in result.output
