"""The command line: `workbench kits validate | generate | review ... | render | export | demo`.

Every command takes a campaign YAML (default `campaigns/demo.yaml`). Bad input ends with one line
naming the file and the field, and exit code 2; nothing already made is touched.

    $ workbench generate campaigns/demo.yaml --brand lotus-tea
    $ workbench review import campaigns/demo.yaml decisions.csv --reviewer ad-lee
    $ workbench render campaigns/demo.yaml --aspect 9:16
"""

from __future__ import annotations

import functools
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, get_args

import typer

from pydantic import ValidationError

from workbench.backends import UnknownBackend
from workbench.campaign import Aspect, CampaignError, load_campaign, open_campaign
from workbench.catalog import Catalog, CatalogError
from workbench.errors import InputError, explain_validation, printable
from workbench.i18n import UnknownLanguage, _, checked, choose_language, current_language, set_language
from workbench.kits import load_kits
from workbench.provenance.labeller import Labeller
from workbench.typography import FontError

DEFAULT_CAMPAIGN = Path("campaigns/demo.yaml")
EXIT_BAD_INPUT = 2
LARGE_BATCH_USD = 5.0  # above this (or at an unknown price), `generate` asks before a paid batch starts

app = typer.Typer(help=_("Parade Workbench: brand kits -> concepts -> reviews -> parade films."), no_args_is_help=True)
kits_app = typer.Typer(help=_("Brand kits."), no_args_is_help=True)
review_app = typer.Typer(help=_("Review decisions."), no_args_is_help=True)
app.add_typer(kits_app, name="kits")
app.add_typer(review_app, name="review")

CampaignArg = typer.Argument(DEFAULT_CAMPAIGN, help=_("Campaign YAML file."))
BrandOption = typer.Option(None, "--brand", "-b", help=_("Only this brand (repeatable)."))
ClusterOption = typer.Option(None, "--cluster", metavar="WHERE", help=_(
    "Run the work on Ray: local (started on this machine), auto ($RAY_ADDRESS) or ray://host:port."
    " Default: the campaign's compute.cluster (none: in this process)."))


warnings.formatwarning = lambda message, category, *rest, **kw: f"warning: {message}\n"


def checked_aspects(aspects: list[str]) -> list[str]:
    """The --aspect values, each one the film knows, or a BadParameter naming the option."""
    known = get_args(Aspect)
    for aspect in aspects:
        if aspect not in known:
            raise typer.BadParameter(_("{value!r}: expected one of {known}").format(value=aspect, known=", ".join(known)),
                                     param_hint="--aspect")
    return aspects


def reports_bad_input(command):
    """Turn our input errors into one clear line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (InputError, CatalogError, FontError, UnknownBackend) as error:
            typer.secho(_("error: {problem}").format(problem=error), fg=typer.colors.RED, err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


@app.callback()
def choose_messages_language(
    lang: Optional[str] = typer.Option(
        None, "--lang", metavar="LANG",
        help=_("Language of the messages: en or zh_CN. Default: $WORKBENCH_LANG, then ui.language in the"
               " settings file, then the system locale. (The help follows $WORKBENCH_LANG and the settings.)")),
):
    # Help texts are read when this module is imported (the language of $WORKBENCH_LANG or the settings);
    # --lang arrives later, so it changes the messages of the command that runs.
    from workbench.settings import SettingsError

    try:
        language = choose_language(lang)  # an unknown --lang, $WORKBENCH_LANG or setting: one line, exit 2
    except (UnknownLanguage, SettingsError) as error:
        typer.secho(_("error: {problem}").format(problem=error), fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    set_language(language if lang else None)  # without --lang, messages follow the environment as it is


def _checked_language(lang: str | None) -> str:
    """A command's own --lang, or the messages' language; an unknown one is a BadParameter naming --lang."""
    try:
        return checked(lang, "--lang") if lang else current_language()
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error).removeprefix("--lang: "), param_hint="--lang") from None


@contextmanager
def stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started


# kits ---------------------------------------------------------------------------------------------


@kits_app.command("validate", help=_(
    "Check every kit; print a table of kits and their problems. Exit 1 if any kit is invalid."))
@reports_bad_input
def kits_validate(kits_folder: Path = typer.Argument(Path("brand_kits"), help=_("Folder of brand kits."))):
    report = load_kits(kits_folder)
    rows = [(slug, kit.display_name, kit.logo, _("ok")) for slug, kit in report.kits.items()]
    rows += [(printable(e.file.parent.name), "-", "-", printable(f"{e.field}: {e.message}")) for e in report.errors]
    _print_table((_("kit"), _("display name"), _("logo"), _("problems")), sorted(rows))
    typer.echo(_("{valid} valid, {invalid} invalid").format(valid=len(report.kits), invalid=len(report.errors)))
    if report.errors:
        raise typer.Exit(1)


# kits: onboarding (workbench/onboarding/) ---------------------------------------------------------

KitsIntoOption = typer.Option(Path("brand_kits"), "--into", help=_("Folder the kits are written into."))
UpdateOption = typer.Option(False, "--update", help=_("Replace a kit that already exists (its brand.yaml keeps its comments)."))


@kits_app.command("import", help=_(
    "One kit per row of a sheet. The whole sheet is checked first: with any problem (listed by row and"
    " column) nothing is written, unless --partial. Exit 2 when any row has a problem."))
@reports_bad_input
def kits_import(
    sheet: Path = typer.Argument(..., help=_("The client's sheet: .xlsx or .csv, one brand per row.")),
    logos: Path = typer.Option(..., "--logos", help=_("Folder of logo files, matched by file name.")),
    into: Path = KitsIntoOption,
    partial: bool = typer.Option(False, "--partial", help=_("Write the good rows even when other rows have problems.")),
    update: bool = UpdateOption,
):
    from workbench.onboarding.sheet import check_sheet, write_sheet_kits

    checked = check_sheet(sheet, logos, into, update=update)
    for problem in checked.problems:
        typer.secho(_("error: {problem}").format(problem=problem), fg=typer.colors.RED, err=True)
    if checked.problems and not partial:
        typer.secho(_("{bad} of {rows} row(s) have problems; nothing written (--partial writes the {good} good one(s))")
                    .format(bad=len(checked.bad_rows), rows=checked.rows, good=len(checked.drafts)),
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    for note in checked.notes:  # what was done to the rows written (a JPEG's background removed...)
        typer.echo(_("note: {note}").format(note=note))
    written = write_sheet_kits(checked, into, update=update)
    typer.echo(_("wrote {count} kit(s) into {folder}; `workbench kits validate {folder}` checks them").format(
        count=len(written), folder=into))
    if checked.problems:
        typer.secho(_("not imported: row(s) {rows}").format(rows=", ".join(map(str, checked.bad_rows))),
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@kits_app.command("new", help=_(
    "A draft kit from one logo: palette roles from its colours, motifs from the category. Check it, then"
    " edit."))
@reports_bad_input
def kits_new(
    slug: str = typer.Argument(..., help=_("The new kit's slug (its folder name), e.g. lotus-tea.")),
    logo: Path = typer.Option(..., "--logo", help=_("Logo file: PNG, SVG, WebP or JPEG (a JPEG's flat background is removed).")),
    name: Optional[str] = typer.Option(None, "--name", help=_("Display name, in any script; default from the slug.")),
    latin_name: Optional[str] = typer.Option(None, "--latin-name", help=_("Latin name, when the display name is not.")),
    category: str = typer.Option("brand", "--category", help=_("What the brand is; suggests motifs and style words.")),
    tagline: str = typer.Option("", "--tagline"),
    into: Path = KitsIntoOption,
    update: bool = UpdateOption,
):
    from workbench.onboarding.logo_palette import draft_from_logo
    from workbench.onboarding.writer import write_kit

    draft = draft_from_logo(slug, logo, into, name=name, latin_name=latin_name, category=category, tagline=tagline)
    _report_draft(write_kit(draft, into, update=update), draft)


@kits_app.command("train-adapter", help=_(
    "Train a LoRA adapter for one brand from its kit's references/ images (SD 1.x/2.x base models) and name it"
    " in brand.yaml."))
@reports_bad_input
def kits_train_adapter(
    slug: str = typer.Argument(..., help=_("The kit's slug (its folder name).")),
    model: str = typer.Option(..., "--model", help=_("The base model: a local diffusers folder or a hub id.")),
    kits_folder: Path = typer.Option(Path("brand_kits"), "--kits", help=_("Folder of brand kits.")),
    steps: int = typer.Option(400, "--steps", min=1),
    rank: int = typer.Option(8, "--rank", min=1),
    learning_rate: float = typer.Option(1e-4, "--learning-rate"),
    resolution: int = typer.Option(512, "--resolution", min=64),
    device: str = typer.Option("auto", "--device", help=_("cuda, mps, cpu or auto.")),
):
    from workbench.backends.diffusers_training import TrainingSettings, train_adapter
    from workbench.kits import load_kit

    kit = load_kit(kits_folder / slug)
    result = train_adapter(kit, TrainingSettings(model=model, steps=steps, rank=rank, learning_rate=learning_rate,
                                                 resolution=resolution, device=device))
    typer.echo(_("wrote {weights} and {settings} ({steps} steps, last loss {loss:.4f}); brand.yaml names it").format(
        weights=result.weights, settings=result.settings_file.name, steps=len(result.losses), loss=result.losses[-1]))


def _report_draft(folder: Path, draft) -> None:
    for note in draft.notes:
        typer.echo(_("note: {note}").format(note=note))
    palette = draft.fields["palette"]
    typer.echo(_("palette: {roles}").format(roles=", ".join(f"{role} {palette[role]}" for role in palette)))
    typer.echo(_("wrote {folder}; `workbench kits validate {kits}` checks it").format(folder=folder, kits=folder.parent))


@kits_app.command("import-tokens", help=_(
    "A draft kit from design tokens: palette roles by token name (primary, accent, background...), a"
    " logo."))
@reports_bad_input
def kits_import_tokens(
    tokens_file: Path = typer.Argument(..., help=_("W3C design tokens JSON (colours, font families).")),
    slug: str = typer.Option(..., "--slug", help=_("The new kit's slug (its folder name).")),
    logo: Path = typer.Option(..., "--logo", help=_("Logo file; palette roles the tokens do not name come from it.")),
    name: Optional[str] = typer.Option(None, "--name", help=_("Display name, in any script.")),
    latin_name: Optional[str] = typer.Option(None, "--latin-name"),
    category: str = typer.Option("brand", "--category"),
    into: Path = KitsIntoOption,
    update: bool = UpdateOption,
):
    from workbench.onboarding.logo_palette import draft_from_logo
    from workbench.onboarding.tokens import read_tokens
    from workbench.onboarding.writer import write_kit

    tokens = read_tokens(tokens_file)
    comments = [f"Draft kit from the design tokens {tokens_file.name}: check every field before the campaign uses it."]
    palette = tokens.palette()
    if palette:
        comments.append(f"palette {', '.join(palette)}: from the tokens.")
    if tokens.font_note():
        comments.append(tokens.font_note())
    draft = draft_from_logo(slug, logo, into, palette=palette, comments=tuple(comments), name=name,
                            latin_name=latin_name, category=category)
    _report_draft(write_kit(draft, into, update=update), draft)


@kits_app.command("import-pdf", help=_(
    "A draft kit from a brand-guide PDF: the colours its text names, its largest image as the logo, and"
    " (with an OpenAI key) names, tagline, motifs and words read by a chat model, marked for a person to"
    " check."))
@reports_bad_input
def kits_import_pdf(
    guide: Path = typer.Argument(..., help=_("The brand guide PDF.")),
    slug: str = typer.Option(..., "--slug", help=_("The new kit's slug (its folder name).")),
    logo: Optional[Path] = typer.Option(None, "--logo", help=_("Logo file; default the guide's largest image.")),
    name: Optional[str] = typer.Option(None, "--name", help=_("Display name; default what the chat model reads.")),
    latin_name: Optional[str] = typer.Option(None, "--latin-name"),
    category: Optional[str] = typer.Option(None, "--category"),
    ai: bool = typer.Option(True, "--ai/--no-ai", help=_("With an OpenAI key, a chat model drafts the other fields.")),
    into: Path = KitsIntoOption,
    update: bool = UpdateOption,
):
    from workbench.onboarding.brand_pdf import GuideDraftError, ask_for_fields, draft_from_guide, read_brand_pdf
    from workbench.onboarding.writer import write_kit
    from workbench.settings import load_openai_settings

    read = read_brand_pdf(guide)
    fields = None
    settings = load_openai_settings() if ai else None
    if settings is not None and settings.has_key:
        try:
            fields = ask_for_fields(read.text, settings=settings)
        except GuideDraftError as error:
            typer.secho(_("warning: no chat-model draft: {problem}").format(problem=error), fg=typer.colors.YELLOW,
                        err=True)
    elif ai:
        typer.echo(_("note: no OpenAI key: names, tagline and motifs are not read from the text (see --name)"))
    for note in read.notes:
        typer.echo(_("note: {note}").format(note=note))
    draft = draft_from_guide(slug, read, into, logo=logo, ai_fields=fields, name=name, latin_name=latin_name,
                             category=category)
    _report_draft(write_kit(draft, into, update=update), draft)


new_app = typer.Typer(help=_("Start something new."), no_args_is_help=True)
app.add_typer(new_app, name="new")


@new_app.command("campaign", help=_(
    "Write campaigns/NAME.yaml with this version's defaults, each block explained by a comment."))
@reports_bad_input
def new_campaign(
    name: str = typer.Argument(..., help=_("The campaign's slug, e.g. spring-parade.")),
    brands: str = typer.Option(..., "--brands", help=_("The campaign's brands in parade order, comma-separated.")),
    kits: Path = typer.Option(Path("brand_kits"), "--kits", help=_("Folder of brand kits.")),
    into: Path = typer.Option(Path("campaigns"), "--into", help=_("Folder the campaign file goes in.")),
    title: Optional[str] = typer.Option(None, "--title", help=_("Title card; default from the name.")),
):
    from workbench.onboarding.campaign_template import write_campaign_file

    chosen = [brand.strip() for brand in brands.split(",") if brand.strip()]
    path = write_campaign_file(name, chosen, kits, into, title=title)
    typer.echo(_("wrote {path} ({count} brands); `workbench generate {path}` makes its concepts").format(
        path=path, count=len(chosen)))


# generate -----------------------------------------------------------------------------------------


@app.command(help=_(
    "Make every missing concept for the campaign's brands (re-running resumes), then the queued seeds."))
@reports_bad_input
def generate(
    campaign_file: Path = CampaignArg,
    brand: Optional[list[str]] = BrandOption,
    backend: Optional[str] = typer.Option(None, help=_("Backend name; default from the campaign.")),
    queued: bool = typer.Option(True, help=_("Also make the seeds queued with 'make more like this'.")),
    from_ideas: bool = typer.Option(False, "--ideas", help=_("Make concepts from the accepted ideas (see ideate).")),
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Start a paid batch without asking about its cost.")),
    then_triage: bool = typer.Option(False, "--triage", help=_("Then triage the campaign's concepts (see triage).")),
    cluster: Optional[str] = ClusterOption,
):
    from workbench.generate import generate_campaign

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    if backend:
        campaign = _with_backend(campaign, campaign_file, backend)
    campaign = _with_cluster(campaign, campaign_file, cluster)
    with Catalog(campaign.catalog_path) as catalog, _connected(campaign, campaign_file) as on_cluster:
        executor = on_cluster.generation() if on_cluster else None
        _confirm_cost(campaign, kits, catalog, yes)
        if from_ideas:
            from workbench.copywriting import generate_from_ideas

            report = generate_from_ideas(campaign, kits, catalog, progress=True)
        else:
            report = generate_campaign(campaign, kits, catalog, executor=executor)
        typer.echo(_("{report} in {seconds}s -> {folder}").format(report=report, seconds=f"{report.seconds:.1f}",
                                                                  folder=campaign.concepts_dir))
        if queued:  # the seeds reviewers asked for with "make more like this"
            from workbench.generate import generate_requested

            requested = generate_requested(campaign, kits, catalog, executor=executor)
            typer.echo(_("queued seeds: {report}").format(report=requested))
            report.failed += requested.failed
        if then_triage:
            _triage_and_print(campaign, kits, catalog, report_file=None, workers=None,
                              measurer=on_cluster.triage() if on_cluster else None)
    if report.failed:
        raise typer.Exit(1)


def _with_cluster(campaign, campaign_file: Path, cluster: str | None):
    """The campaign with --cluster as its compute.cluster, checked as at load."""
    if not cluster:
        return campaign
    try:
        return campaign.with_changes(compute={"cluster": cluster})
    except ValidationError as error:
        raise CampaignError(campaign_file, *explain_validation(error.errors()[0])) from None


@contextmanager
def _connected(campaign, campaign_file: Path) -> Iterator:
    """A `workbench.cluster.Cluster` when compute.cluster names one (ray is imported only then), else None."""
    from workbench.cluster import Cluster

    with Cluster.connect(campaign.compute, source=campaign_file) as cluster:
        yield cluster


def _with_backend(campaign, campaign_file: Path, backend: str):
    """The campaign with another backend, its options checked against that backend's as at load."""
    try:
        return campaign.with_changes(generation={"backend": backend})
    except ValidationError as error:
        raise CampaignError(campaign_file, *explain_validation(error.errors()[0])) from None


def _confirm_cost(campaign, kits, catalog, yes: bool) -> None:
    """Show the batch's cost first, and ask before a large batch or one of unknown price."""
    from workbench.generate import cost_line, estimate_batch_cost

    estimate = estimate_batch_cost(campaign, kits, catalog)
    typer.echo(cost_line(estimate))
    if estimate is None or yes or not estimate.images:
        return
    if estimate.usd is None or estimate.usd > LARGE_BATCH_USD:
        typer.confirm(_("start this batch?"), abort=True)


# triage -------------------------------------------------------------------------------------------


@app.command(help=_(
    "Score every concept for brand accuracy and craft; flag, auto-reject and shortlist by the campaign's"
    " policy.\n\nRe-running measures only new or changed images; changed thresholds re-decide from stored"
    " measures."))
@reports_bad_input
def triage(
    campaign_file: Path = CampaignArg,
    brand: Optional[list[str]] = BrandOption,
    report: Optional[Path] = typer.Option(None, "--report", help=_("Also write a CSV: concept_id, brand, source, score, flagged, reasons.")),
    workers: Optional[int] = typer.Option(None, min=1, help=_("Processes reading images; default one per CPU.")),
    cluster: Optional[str] = ClusterOption,
):
    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    campaign = _with_cluster(campaign, campaign_file, cluster)
    with Catalog(campaign.catalog_path) as catalog, _connected(campaign, campaign_file) as on_cluster:
        done = _triage_and_print(campaign, kits, catalog, report, workers,
                                 measurer=on_cluster.triage() if on_cluster else None)
    if done.failed:
        raise typer.Exit(1)


def _triage_and_print(campaign, kits, catalog, report_file: Path | None, workers: int | None, measurer=None):
    from workbench.triage import triage_campaign, write_report_csv

    done = triage_campaign(campaign, kits, catalog, workers=workers, measurer=measurer)
    names = {kit.slug: kit.display_name for kit in kits}
    rows = [(slug, names.get(slug, slug), tally.passed, tally.flagged, tally.duplicate)
            for slug, tally in done.brands.items()]
    _print_table((_("brand"), _("name"), _("passed"), _("flagged"), _("duplicates")), rows)
    typer.echo(str(done))
    if report_file is not None:
        typer.echo(_("report: {path}").format(path=write_report_csv(catalog, kits, report_file)))
    return done


# ideate -------------------------------------------------------------------------------------------


@app.command(help=_(
    "Ask a chat model for float ideas (brief, prompt words, tagline) and save them in the catalog."))
@reports_bad_input
def ideate(
    campaign_file: Path = CampaignArg,
    brand: list[str] = typer.Option(..., "--brand", "-b", help=_("Brand to ask ideas for (repeatable).")),
    count: int = typer.Option(4, help=_("Ideas per brand (1-12).")),
    brief: Optional[str] = typer.Option(None, help=_("Campaign brief; default the campaign's prompt brief.")),
    model: Optional[str] = typer.Option(None, help=_("Chat model; default gpt-4o-mini.")),
    accept: bool = typer.Option(False, help=_("Save the ideas as accepted (for generate --ideas).")),
):
    from workbench.copywriting import DEFAULT_CHAT_MODEL, IdeationError, ideate as ask_for_ideas, save_ideas

    campaign, kits = open_campaign(campaign_file, brands=brand)
    brief = brief or campaign.prompt.brief
    model = model or DEFAULT_CHAT_MODEL
    with Catalog(campaign.catalog_path) as catalog:
        for kit in kits:
            try:
                ideas = ask_for_ideas(kit, brief, count, model=model)
            except (IdeationError, ValueError) as error:
                typer.secho(_("error: {problem}").format(problem=f"{kit.slug}: {error}"), fg=typer.colors.RED, err=True)
                raise typer.Exit(1) from None
            records = save_ideas(catalog, kit, brief, ideas, model, status="accepted" if accept else "proposed")
            _print_table((_("idea"), _("brief"), _("tagline")), [(r.id, r.brief, r.tagline) for r in records])
    saved = _("saved as accepted in {catalog}") if accept else _("saved as proposed in {catalog}")
    typer.echo(saved.format(catalog=campaign.catalog_path))


# concepts -----------------------------------------------------------------------------------------

concepts_app = typer.Typer(help=_("Concepts made outside the workbench."), no_args_is_help=True)
app.add_typer(concepts_app, name="concepts")


@concepts_app.command("import", help=_(
    "Record image files as concepts of one brand, with their provenance; the same file again is skipped."
    " The whole batch is checked first: one bad file and nothing is written."))
@reports_bad_input
def concepts_import(
    campaign_file: Path = typer.Argument(..., help=_("Campaign YAML file.")),
    files: list[Path] = typer.Argument(..., help=_("Image files (PNG, JPEG, WebP, ...); an animation's first frame.")),
    brand: str = typer.Option(..., "--brand", "-b", help=_("The brand the images are concepts for.")),
    backend: str = typer.Option("import", help=_("Where they were made, e.g. midjourney (also recorded as the model).")),
    prompt: str = typer.Option("", help=_("The prompt they were made with, if known.")),
    finish: bool = typer.Option(False, help=_("Cut each float out and put the exact logo and name banner on it.")),
):
    from workbench.concepts_import import campaign_and_kit, import_concepts

    campaign, kit = campaign_and_kit(campaign_file, brand)
    with Catalog(campaign.catalog_path) as catalog:
        report = import_concepts(campaign, kit, files, catalog, backend=backend, prompt=prompt, finish=finish)
        for entry in report.files:
            if entry.made:
                path = catalog.image_path(catalog.concept(entry.concept_id))
                typer.echo(_("made    {id}  {file} -> {path}").format(id=entry.concept_id, file=entry.path, path=path))
            else:
                typer.echo(_("skipped {id}  {file} (already imported)").format(id=entry.concept_id, file=entry.path))
    typer.echo(_("{report} for {brand} in {catalog}").format(report=report, brand=kit.slug, catalog=campaign.catalog_path))


# review -------------------------------------------------------------------------------------------


def _review_many(campaign_file: Path, concept_ids: list[str], verdict: str, reviewer: str, role: str, reason: str):
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        missing = [c for c in concept_ids if catalog.concept(c) is None]
        if missing:
            raise CatalogError(_("concept: not in {catalog}: {ids}").format(catalog=campaign.catalog_path,
                                                                              ids=", ".join(missing)))
        for concept_id in concept_ids:
            catalog.review(concept_id, verdict=verdict, reason=reason, reviewer=reviewer, role=role)
    done = _("approved {count} concept(s)") if verdict == "approved" else _("rejected {count} concept(s)")
    typer.echo(done.format(count=len(concept_ids)))


ReviewerOption = typer.Option("", envvar="WORKBENCH_REVIEWER", help=_("Who decides (name)."))
RoleOption = typer.Option("designer", envvar="WORKBENCH_ROLE", help=_("designer or art_director."))


def _add_verdict_command(name: str, verdict: str, help_text: str) -> None:
    def command(
        campaign_file: Path = CampaignArg,
        concept_ids: list[str] = typer.Option(..., "--id", help=_("Concept id (repeatable).")),
        reviewer: str = ReviewerOption, role: str = RoleOption, reason: str = "",
    ):
        _review_many(campaign_file, concept_ids, verdict, reviewer, role, reason)

    review_app.command(name, help=help_text)(reports_bad_input(command))


_add_verdict_command("approve", "approved", _("Approve concepts by id (nothing is written if any id is unknown)."))
_add_verdict_command("reject", "rejected", _("Reject concepts by id (nothing is written if any id is unknown)."))


@review_app.command("import", help=_(
    "Import decisions from a CSV; the whole file is checked before anything is written."))
@reports_bad_input
def review_import(
    campaign_file: Path = CampaignArg,
    csv_file: Path = typer.Argument(..., help=_("CSV with concept_id, verdict[, stars, reason, reviewer, role].")),
    reviewer: str = typer.Option("", help=_("Reviewer for rows that name none.")),
):
    from workbench.curate.decisions import import_decisions_csv

    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        count = import_decisions_csv(catalog, csv_file, reviewer=reviewer)
    typer.echo(_("imported {count} decision(s) into {catalog}").format(count=count, catalog=campaign.catalog_path))


@review_app.command("report", help=_("Per brand: concepts made, reviewed, approved and the usable fraction."))
@reports_bad_input
def review_report(campaign_file: Path = CampaignArg, brand: Optional[list[str]] = BrandOption):
    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    with Catalog(campaign.catalog_path) as catalog:
        summary = catalog.summary([k.slug for k in kits])
    rows = [
        (s.brand, s.made, s.reviewed, s.approved,
         "-" if s.usable_fraction is None else f"{s.usable_fraction:.0%}",
         "" if s.approved else _("blocks the parade"))
        for s in summary
    ]
    _print_table((_("brand"), _("made"), _("reviewed"), _("approved"), _("usable"), ""), rows)
    blocking = [s.brand for s in summary if not s.approved]
    typer.echo(_("{count} brand(s) block the parade: {brands}").format(count=len(blocking), brands=", ".join(blocking))
               if blocking else _("no brand blocks the parade"))


@review_app.command("sheet", help=_("Write the campaign's contact sheet PNG."))
@reports_bad_input
def review_sheet(campaign_file: Path = CampaignArg, brand: Optional[list[str]] = BrandOption,
                 approved_only: bool = typer.Option(False, help=_("Only approved concepts."))):
    from workbench.curate.contact_sheet import contact_sheet

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    with Catalog(campaign.catalog_path) as catalog:
        path = contact_sheet(catalog, {k.slug: k for k in kits}, campaign.gallery_dir / "contact_sheet.png",
                             only_approved=approved_only, labeller=Labeller.for_campaign(campaign))
    typer.echo(_("contact sheet: {path}").format(path=path))


@review_app.command("handoff", help=_(
    "Write the client hand-off: a PDF and a PNG per page of the approved concepts per brand."))
@reports_bad_input
def review_handoff(campaign_file: Path = CampaignArg, brand: Optional[list[str]] = BrandOption):
    from workbench.curate.handoff import contact_sheet_pdf

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    with Catalog(campaign.catalog_path) as catalog:
        visuals = {kit.slug: sorted((campaign.visuals_dir / kit.slug).glob(f"{kit.slug}_*.png")) for kit in kits}
        pdf, pngs = contact_sheet_pdf(catalog, {k.slug: k for k in kits}, campaign.gallery_dir / "handoff",
                                      title=campaign.title, brands=[k.slug for k in kits],
                                      labeller=Labeller.for_campaign(campaign), visuals=visuals)
    typer.echo(_("hand-off PDF: {pdf} ({pages} pages, PNG per page beside it)").format(pdf=pdf, pages=len(pngs)))


@review_app.command("serve", help=_(
    "Serve the gallery as a Voila page on 127.0.0.1 (with a token) for people who never open a notebook."))
@reports_bad_input
def review_serve(
    campaign_file: Path = CampaignArg,
    brand: Optional[list[str]] = BrandOption,
    reviewer: Optional[str] = typer.Option(None, help=_("Name saved with decisions; default $WORKBENCH_REVIEWER or login.")),
    role: Optional[str] = typer.Option(None, help=_("designer or art_director; default $WORKBENCH_ROLE or designer.")),
    port: int = typer.Option(0, help=_("Port on 127.0.0.1; 0 picks a free one.")),
    token: Optional[str] = typer.Option(
        None, envvar="WORKBENCH_REVIEW_TOKEN",
        help=_("Access token; default a fresh random one. Prefer $WORKBENCH_REVIEW_TOKEN: other local users can read a command line.")),
    lang: Optional[str] = typer.Option(None, "--lang", help=_("Language of the gallery: en or zh_CN; default the messages' language.")),
):
    import os

    from workbench.catalog import ROLES
    from workbench.curate.voila_app import voila_server, write_app_notebook

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    if role is not None and role not in ROLES:  # fail here, not in the browser
        raise CatalogError(_("role: expected one of {roles}, got {role!r}").format(roles=", ".join(ROLES), role=role))
    notebook = write_app_notebook(campaign.gallery_dir, campaign_file, reviewer, role, brands=brand or None,
                                  lang=_checked_language(lang))
    server = voila_server(notebook, port, token)
    typer.echo(_("gallery for {count} brands: {url}  (Ctrl-C stops it)").format(count=len(kits), url=server.url))
    sys.stdout.flush()
    command = server.command()
    # This process becomes Voila (Ctrl-C or a kill stops the server itself); the token goes in its
    # environment, which only this user can read, not on its command line, which everyone can.
    os.execve(command[0], command, server.environment())


# render -------------------------------------------------------------------------------------------


@app.command(help=_("Render the parade film(s) from the approved concepts."))
@reports_bad_input
def render(
    campaign_file: Path = CampaignArg,
    brand: Optional[list[str]] = BrandOption,
    aspect: Optional[list[str]] = typer.Option(None, help=_("16:9, 9:16, 1:1 and/or 4:5; default from the campaign.")),
    resume: bool = typer.Option(True, help=_("Reuse the segments an interrupted render finished.")),
    social: bool = typer.Option(False, help=_("Also a 6 s clip per brand for social posts (each aspect).")),
    cluster: Optional[str] = ClusterOption,
):
    from workbench.parade import render_films

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    if aspect:
        campaign = campaign.with_changes(film={"aspects": checked_aspects(aspect)})
    campaign = _with_cluster(campaign, campaign_file, cluster)
    labeller = Labeller.for_campaign(campaign)  # a configured signing key is checked before the render
    with Catalog(campaign.catalog_path) as catalog, _connected(campaign, campaign_file) as on_cluster:
        segments = on_cluster.segments() if on_cluster else None
        for film in render_films(campaign, kits, catalog, resume=resume, labeller=labeller, segments=segments):
            typer.echo(_("film {path} ({brands} brands, {seconds}s)").format(
                path=film.path, brands=len(film.brands), seconds=f"{film.seconds:.1f}"))
        if social:
            from workbench.parade.export import render_social_clips

            for film_aspect in campaign.film.aspects:
                clips = render_social_clips(campaign, kits, catalog, film_aspect, labeller=labeller)
                typer.echo(_("social {aspect}: {count} clips in {folder}").format(
                    aspect=film_aspect, count=len(clips), folder=clips[0].parent))


@app.command(help=_(
    "Hand-off for finishing: each float's pass as PNGs with alpha, the plate, lower thirds, the AI label,"
    " an OTIO timeline and (with ProRes) an FCP 7 XML, media named relative to the folder so it can"
    " travel."))
@reports_bad_input
def export(
    campaign_file: Path = CampaignArg,
    brand: Optional[list[str]] = BrandOption,
    aspect: str = typer.Option("16:9", help=_("16:9, 9:16, 1:1 or 4:5.")),
    fps: Optional[int] = typer.Option(None, help=_("Frame rate of the passes; default the film's.")),
    prores: Optional[bool] = typer.Option(None, "--prores/--no-prores", help=_("Also each pass as ProRes 4444 with"
                                          " alpha, and an FCP 7 XML naming them; default: when ffmpeg has ProRes.")),
):
    from workbench.parade.export import export_for_finishing, prores_available

    checked_aspects([aspect])
    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    with Catalog(campaign.catalog_path) as catalog:
        done = export_for_finishing(campaign, kits, catalog, aspect, fps=fps,
                                    prores=prores_available() if prores is None else prores,
                                    labeller=Labeller.for_campaign(campaign))
    typer.echo(_("finishing: {folder} ({passes} float passes, {frames} frames)").format(
        folder=done.folder, passes=len(done.passes), frames=done.frame_files))
    typer.echo(_("timeline:  {path}").format(path=done.timeline_path))
    if done.editor_xml is not None:
        typer.echo(_("FCP 7 XML: {path}").format(path=done.editor_xml))


@app.command(help=_(
    "Key visuals per brand from its approved float: square main images, a poster and a story still"
    " (sizes from the campaign's visuals.sizes), each with the AI labels."))
@reports_bad_input
def visuals(campaign_file: Path = CampaignArg, brand: Optional[list[str]] = BrandOption):
    from workbench.parade.visuals import make_visuals

    campaign, kits = open_campaign(campaign_file, brands=brand or None)
    with Catalog(campaign.catalog_path) as catalog:
        made = make_visuals(campaign, kits, catalog, Labeller.for_campaign(campaign))
    typer.echo(_("key visuals: {count} stills of {brands} brands in {folder}").format(
        count=len(made), brands=len({visual.brand for visual in made}), folder=campaign.visuals_dir))


# demo ---------------------------------------------------------------------------------------------


@app.command(help=_(
    "The whole path on the built-in defaults: kits -> concepts -> first selection -> gallery -> films -> key visuals."))
@reports_bad_input
def demo(campaign_file: Path = CampaignArg, brand: Optional[list[str]] = BrandOption):
    from workbench.curate.contact_sheet import contact_sheet
    from workbench.generate import generate_campaign
    from workbench.parade import render_film
    from workbench.parade.visuals import make_visuals
    from workbench.triage import triage_campaign

    timings: dict[str, float] = {}
    with stage("load kits", timings):
        campaign, kits = open_campaign(campaign_file, brands=brand or None)
    typer.echo(_("campaign {name}: {count} brands, backend {backend}").format(
        name=repr(campaign.name), count=len(kits), backend=campaign.generation.backend))
    labeller = Labeller.for_campaign(campaign)  # a configured signing key is checked before any work
    with Catalog(campaign.catalog_path) as catalog:
        with stage("generate concepts", timings):
            report = generate_campaign(campaign, kits, catalog, labeller=labeller)
        typer.echo(_("concepts: {report}").format(report=report))
        with stage("triage", timings):  # triage's shortlist is the demo's first selection
            triaged = triage_campaign(campaign, kits, catalog, progress=False)
        typer.echo(_("triage:   {report}").format(report=triaged))
        with stage("contact sheet", timings):
            sheet = contact_sheet(catalog, {k.slug: k for k in kits}, campaign.gallery_dir / "contact_sheet.png",
                                  labeller=labeller)
        films = []
        for aspect in campaign.film.aspects:
            with stage(f"film {aspect}", timings):
                films.append(render_film(campaign, kits, catalog, aspect, labeller=labeller))
        with stage("key visuals", timings):
            stills = make_visuals(campaign, kits, catalog, labeller)
    typer.echo("")
    for film in films:
        typer.echo(_("film:     {path}").format(path=film.path))
    typer.echo(_("gallery:  {path}").format(path=sheet))
    typer.echo(_("visuals:  {folder} ({count} stills)").format(folder=campaign.visuals_dir, count=len(stills)))
    typer.echo(_("catalog:  {path}").format(path=campaign.catalog_path))
    typer.echo(_("timings:  {stages}").format(stages=", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items())))
    if report.failed:
        raise typer.Exit(1)


provenance_app = typer.Typer(help=_("AI-content labels and C2PA Content Credentials of files the workbench made."),
                             no_args_is_help=True)
app.add_typer(provenance_app, name="provenance")


@provenance_app.command("show", help=_(
    "Print a file's implicit label, the visible label it records, and its C2PA manifest with its"
    " validation state."))
@reports_bad_input
def provenance_show(
    file: Path = typer.Argument(..., help=_("A PNG, MP4 or PDF the workbench wrote.")),
    campaign_file: Optional[Path] = typer.Option(None, "--campaign", help=_("Also find the ProduceID in this campaign's catalog.")),
    trust: Optional[Path] = typer.Option(None, help=_("PEM of trusted root certificates for the C2PA signature;"
                                                    " default the c2pa.trust_anchors setting.")),
):
    from workbench.provenance.readback import read_provenance
    from workbench.settings import load_provenance_settings

    report = read_provenance(file, trust or load_provenance_settings().c2pa_trust_anchors)
    typer.echo(report.summary())
    if campaign_file is not None and report.label is not None:
        campaign = load_campaign(campaign_file)
        with Catalog(campaign.catalog_path) as catalog:
            record = catalog.concept(report.label.produce_id)
        typer.echo(f"catalog: {record.id} ({record.brand}, seed {record.seed}, {record.backend})" if record
                   else f"catalog: {report.label.produce_id!r} is not a concept of {campaign.name!r}")


@provenance_app.command("check", help=_(
    "List the PNG, MP4 and PDF files under FOLDER that lack an AI-content label (exit 1 if any)."))
@reports_bad_input
def provenance_check(folder: Path = typer.Argument(..., help=_("A folder of renders, e.g. renders/festival-demo."))):
    from workbench.provenance.readback import check_folder

    lacking = check_folder(folder)
    for report in lacking:
        typer.echo(f"{report.path}: {'; '.join(report.missing)}")
    typer.echo(_("{count} file(s) without a complete label under {folder}").format(count=len(lacking), folder=folder))
    if lacking:
        raise typer.Exit(1)


def _print_table(header: tuple[str, ...], rows: list[tuple]) -> None:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(_display_width(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        typer.echo("  ".join(c + " " * (w - _display_width(c)) for c, w in zip(row, widths)).rstrip())
        if index == 0:
            typer.echo("  ".join("-" * w for w in widths))


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


if __name__ == "__main__":
    sys.exit(app())
