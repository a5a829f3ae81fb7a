"""C2PA Content Credentials on the files the workbench makes, and reading them back.

A concept PNG or a parade film is signed in place with a manifest that says how it was made: a
`c2pa.created` action with its IPTC digital source type (`trainedAlgorithmicMedia` for a concept,
`compositeWithTrainedAlgorithmicMedia` for a film), the workbench's provenance (prompt, seed, model,
backend, reviewer ...) as the assertion `org.parade-workbench.provenance`, and, for a film, the
concepts it shows as ingredients (a signed concept keeps its own manifest inside the film's).

    >>> signing = load_signing("~/keys/studio.key", "~/keys/studio-chain.pem")
    >>> sign_file(concept_png, signing, title="Lotus Tea, seed 3",
    ...           digital_source_type="trainedAlgorithmicMedia", provenance={"prompt": "...", "seed": 3})
    >>> read_manifest(concept_png, trust_anchors=Path("roots.pem")).validation_state
    'Trusted'

Everything works offline: no timestamp authority unless one is configured, no OCSP, no remote
manifests. Settings reach c2pa through a Context made for each call, never through c2pa's global
settings, so one call's trust anchors never leak into another.

`c2pa` and `cryptography` are imported inside the functions that use them, so importing this module
stays cheap for the command line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from workbench.errors import InputError, brief_repr, printable, shorten
from workbench.files import atomic_path
from workbench.provenance.aigc import COMPOSITE, DIGITAL_SOURCE_TYPES, TRAINED

PROVENANCE_LABEL = "org.parade-workbench.provenance"
SOURCE_TYPES = (TRAINED, COMPOSITE)  # a concept, a film
MEDIA_TYPES = {".png": "image/png", ".mp4": "video/mp4"}

# The extended key usages the C2PA specification allows a claim signer. c2pa-rs, left to its default
# trust configuration, accepts only emailProtection (a certificate with the C2PA EKU fails with
# "certificate missing required EKU"), so every Context made here lists them all.
SIGNING_EKUS = {
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.36": "documentSigning",
    "1.3.6.1.4.1.62558.2.1": "c2pa-kp-claimSigning",
    "1.3.6.1.4.1.311.76.59.1.9": "Microsoft C2PA signing",
}
ALGORITHMS = ("es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519")  # those c2pa signs with
KEY_ADVICE = "use an EC P-256/P-384/P-521, RSA (2048 bits or more) or Ed25519 key"

STATE_MEANINGS = {
    "Trusted": "signature and content intact; the signer chains to a trusted root",
    "Valid": "signature and content intact; no trusted root vouches for the signer",
    "Invalid": "the file or its manifest was changed after signing, or the signature is broken",
}


class C2paSettingsError(InputError):
    """A signing key, certificate chain or trust-anchor file that cannot be used, naming the setting."""


class ManifestError(InputError):
    """A file that cannot be signed or read, or a manifest that cannot be made as asked."""


@dataclass(frozen=True)
class C2paSigning:
    """A signing key and its certificate chain (PEM), checked when loaded (`load_signing`)."""

    key_path: Path
    certificates_path: Path  # end-entity first, then intermediates/CA
    algorithm: str = "es256"  # es256/es384/es512 (EC), ps256/ps384/ps512 (RSA), ed25519
    timestamp_url: str | None = None  # None: no timestamp authority (offline)


@dataclass(frozen=True)
class ManifestReport:
    """What a file's C2PA manifest says, and whether c2pa found it intact."""

    present: bool
    validation_state: str | None  # "Trusted", "Valid" or "Invalid", as c2pa reports it
    errors: tuple[str, ...]  # "code: explanation" of each validation failure
    title: str | None
    digital_source_type: str | None  # the IPTC URL of the c2pa.created action
    provenance: dict | None  # the workbench's own assertion
    ingredients: tuple[str, ...]  # ingredient titles

    def summary(self) -> str:
        """A few lines for a person (`workbench provenance show`); text from the file is escaped."""
        if not self.present:
            return "C2PA: no Content Credentials"
        state = self.validation_state or "unknown"
        lines = [f"C2PA: {state}" + (f" ({STATE_MEANINGS[state]})" if state in STATE_MEANINGS else "")]
        if self.title:
            lines.append(f"  title: {shorten(self.title)}")
        if self.digital_source_type:
            source_type = self.digital_source_type.removeprefix(DIGITAL_SOURCE_TYPES)
            lines.append(f"  digital source type: {shorten(source_type)}")
        if self.ingredients:
            lines.append(f"  ingredients: {shorten(', '.join(self.ingredients), 240)}")
        if self.provenance:
            fields = ", ".join(f"{key}={brief_repr(value, 60)}" for key, value in self.provenance.items())
            lines.append(f"  provenance: {shorten(fields, 240)}")
        lines += [f"  problem: {shorten(error, 240)}" for error in self.errors]
        return "\n".join(printable(line) for line in lines)


NO_MANIFEST = ManifestReport(present=False, validation_state=None, errors=(), title=None,
                             digital_source_type=None, provenance=None, ingredients=())


# Signing -------------------------------------------------------------------------------------------


def load_signing(key_path: Path | str, certificates_path: Path | str, setting: str = "c2pa", *,
                 algorithm: str = "es256", timestamp_url: str | None = None) -> C2paSigning:
    """The signing key and chain, checked now rather than at the first signature: both files parse,
    every certificate is within its validity, each is issued by the next, the end-entity certificate
    allows digital signatures with a C2PA extended key usage, the key is that certificate's and
    `algorithm` fits it. A problem is a C2paSettingsError naming `<setting>.key`,
    `<setting>.certificates` or `<setting>.algorithm`."""
    key_path, certificates_path = Path(key_path).expanduser(), Path(certificates_path).expanduser()
    key_field, certificates_field = f"{setting}.key", f"{setting}.certificates"
    key = _load_private_key(key_path, key_field)
    chain = _load_certificates(certificates_path, certificates_field)
    _check_validity(chain, certificates_path, certificates_field)
    _check_issuers(chain, certificates_path, certificates_field)
    _check_signer_usage(chain[0], certificates_path, certificates_field)
    if _public_key_der(key) != _public_key_der(chain[0]):
        raise C2paSettingsError(key_path, key_field, f"does not match the certificate in {certificates_path.name}")
    algorithm = algorithm.lower()
    _check_key_fits(key, algorithm, key_path, setting)
    return C2paSigning(key_path, certificates_path, algorithm, timestamp_url)


def sign_file(path: Path | str, signing: C2paSigning, *, title: str, digital_source_type: str,
              provenance: dict, ingredients: Sequence[Path | str] = (),
              claim_generator: str = "Parade Workbench", suffix: str | None = None) -> None:
    """Sign a PNG or MP4 in place: the signed file replaces it atomically, or it is left as it was.

    `digital_source_type` is `trainedAlgorithmicMedia` or `compositeWithTrainedAlgorithmicMedia`
    (or its IPTC URL); `provenance` is any JSON-serialisable dict; each of `ingredients` (the concepts
    of a film) becomes a `componentOf` ingredient titled by its file name.
    Signing a file that already has a manifest replaces that manifest. `suffix` names the format of a
    file whose own name does not (a temp file about to be renamed into place)."""
    import c2pa

    path = Path(path)
    media_type = _media_type(path, suffix)
    if not path.is_file():
        raise ManifestError(path, "file", "no such file")
    manifest = {
        "claim_generator_info": [_claim_generator_info(claim_generator)],
        "title": title,
        "format": media_type,
        "assertions": [
            # Labelled c2pa.actions; c2pa writes it as c2pa.actions.v2 in a version 2 claim.
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": source_type_url(digital_source_type, path)}]}},
            {"label": PROVENANCE_LABEL, "data": provenance},
        ],
    }
    # json.dumps here, not in c2pa: a provenance value that is not JSON is the caller's TypeError.
    definition = json.dumps(manifest, ensure_ascii=False)
    try:
        with (_context() as context, _signer(signing) as signer,
              c2pa.Builder(definition, context=context) as builder):
            for ingredient in map(Path, ingredients):
                data = io.BytesIO(_read_bytes(ingredient, "ingredient", ManifestError))
                builder.add_ingredient({"title": ingredient.name, "relationship": "componentOf"},
                                       _media_type(ingredient), data)
            with atomic_path(path) as temp, open(path, "rb") as source, open(temp, "w+b") as signed:
                builder.sign(signer, media_type, source, signed)
                signed.flush()
                os.fsync(signed.fileno())  # on disk before the rename makes it the file
    except c2pa.C2paError as error:
        raise ManifestError(path, "c2pa", f"could not sign: {_one_line(error)}") from None


def source_type_url(name: str, path: Path) -> str:
    """The IPTC URL for one of SOURCE_TYPES, given by its short name or its URL."""
    short = name.removeprefix(DIGITAL_SOURCE_TYPES)
    if short not in SOURCE_TYPES:
        raise ManifestError(path, "digital_source_type",
                            f"unknown {shorten(name)!r} (expected {' or '.join(SOURCE_TYPES)})")
    return DIGITAL_SOURCE_TYPES + short


# Reading -------------------------------------------------------------------------------------------


def read_manifest(path: Path | str, trust_anchors: Path | str | None = None) -> ManifestReport:
    """The file's C2PA manifest as c2pa validates it. No manifest: `present=False`. A file or
    manifest changed after signing: state "Invalid" with the failures in `errors`. With
    `trust_anchors` (a PEM file of root certificates) the signer must chain to one of them for
    "Trusted"; without, trust is not checked and an intact file is "Valid"."""
    import c2pa

    path = Path(path)
    if not path.is_file():
        raise ManifestError(path, "file", "no such file")
    anchors = Path(trust_anchors).expanduser() if trust_anchors is not None else None
    try:
        with _context(anchors) as context:
            reader = c2pa.Reader.try_create(str(path), context=context)  # format: from the suffix, or the bytes
            if reader is None:
                return NO_MANIFEST
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError.Verify as error:  # the manifest store itself is damaged beyond reading
        return replace(NO_MANIFEST, present=True, validation_state="Invalid", errors=(_one_line(error),))
    except c2pa.C2paError as error:
        raise ManifestError(path, "c2pa", f"cannot read Content Credentials: {_one_line(error)}") from None
    return _report(store)


def _report(store: dict) -> ManifestReport:
    manifest = store.get("manifests", {}).get(store.get("active_manifest"), {})
    results = store.get("validation_results") or {}
    failures = list(results.get("activeManifest", {}).get("failure", []))
    for delta in results.get("ingredientDeltas", []):  # an ingredient's manifest that no longer checks out
        failures += delta.get("validationDeltas", {}).get("failure", [])
    assertions = {assertion.get("label"): assertion.get("data") for assertion in manifest.get("assertions", [])}
    provenance = assertions.get(PROVENANCE_LABEL)
    return ManifestReport(
        present=True,
        validation_state=store.get("validation_state"),
        errors=tuple(f"{failure.get('code')}: {failure.get('explanation', '')}" for failure in failures),
        title=manifest.get("title"),
        digital_source_type=_created_source_type(assertions),
        provenance=provenance if isinstance(provenance, dict) else None,  # another tool may use the label
        ingredients=tuple(ingredient.get("title", "") for ingredient in manifest.get("ingredients", [])),
    )


def _created_source_type(assertions: dict[str, Any]) -> str | None:
    for label in ("c2pa.actions.v2", "c2pa.actions"):
        for action in (assertions.get(label) or {}).get("actions", []):
            if action.get("action") == "c2pa.created":
                return action.get("digitalSourceType")
    return None


# c2pa plumbing -------------------------------------------------------------------------------------


def _context(trust_anchors: Path | None = None):
    """A c2pa Context for one call: offline (no OCSP, no remote manifests), the C2PA signer EKUs
    accepted, and the signer checked against `trust_anchors` only when they are given."""
    import c2pa

    trust = {"trust_config": "\n".join(SIGNING_EKUS)}
    if trust_anchors is not None:
        # trust_anchors replaces c2pa's own list, so only these roots count (user_anchors would add to it).
        roots = _load_certificates(trust_anchors, "c2pa.trust_anchors")
        trust["trust_anchors"] = "".join(_pem(root) for root in roots)
    return c2pa.Context.from_dict({
        # Without roots, trust is not checked rather than failed: "signingCredential.untrusted" on every
        # file would bury real failures. The state says it: "Valid", never "Trusted".
        "verify": {"ocsp_fetch": False, "remote_manifest_fetch": False, "verify_trust": trust_anchors is not None},
        "trust": trust,
    })


def _signer(signing: C2paSigning):
    import c2pa

    info = c2pa.C2paSignerInfo(signing.algorithm, signing.certificates_path.read_bytes(),
                               signing.key_path.read_bytes(), signing.timestamp_url)
    return c2pa.Signer.from_info(info)


def _claim_generator_info(name: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"name": name, "version": version("parade-workbench")}
    except PackageNotFoundError:  # run from a source tree that was never installed
        return {"name": name}


def _media_type(path: Path, suffix: str | None = None) -> str:
    suffix = (suffix or path.suffix).lower()
    try:
        return MEDIA_TYPES[suffix]
    except KeyError:
        raise ManifestError(path, "format", f"{suffix or 'no suffix'}: Content Credentials here are for"
                                            f" {' and '.join(MEDIA_TYPES)} files only") from None


def _one_line(error: Exception) -> str:
    """c2pa's message (it can span lines: "failures:\\n  signingCredential...") on one line."""
    return " ".join(str(error).split())


# Checking keys and certificates --------------------------------------------------------------------


def _read_bytes(path: Path, field: str, error_class: type[InputError] = C2paSettingsError) -> bytes:
    if not path.is_file():
        raise error_class(path, field, "no such file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise error_class(path, field, f"cannot read ({error.strerror or error})") from None


def _load_private_key(path: Path, field: str):
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    data = _read_bytes(path, field)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:  # cryptography's way of saying the key needs a password
        raise C2paSettingsError(path, field, "the key is encrypted; c2pa signs with an unencrypted PEM key") from None
    except (ValueError, UnsupportedAlgorithm):
        raise C2paSettingsError(path, field, "not a PEM private key") from None


def _load_certificates(path: Path, field: str) -> list:
    from cryptography import x509

    data = _read_bytes(path, field)
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise C2paSettingsError(path, field, "not a PEM certificate or certificate chain") from None


def _check_validity(chain: list, path: Path, field: str) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    for position, certificate in enumerate(chain):
        which = "the certificate" if position == 0 else f"certificate {position + 1} ({_common_name(certificate)})"
        starts, ends = certificate.not_valid_before_utc, certificate.not_valid_after_utc
        if now < starts:
            raise C2paSettingsError(path, field, f"{which} is not valid until {starts:%Y-%m-%d}")
        if now > ends:
            raise C2paSettingsError(path, field, f"{which} expired on {ends:%Y-%m-%d}")


def _check_issuers(chain: list, path: Path, field: str) -> None:
    """Each certificate issued by the next one: c2pa needs the chain in that order."""
    from cryptography.exceptions import InvalidSignature

    for position, (certificate, issuer) in enumerate(zip(chain, chain[1:]), start=1):
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise C2paSettingsError(path, field, f"certificate {position + 1} did not issue certificate {position}"
                                                 " (put the end-entity certificate first, then each issuer)") from None


def _check_signer_usage(certificate, path: Path, field: str) -> None:
    from cryptography import x509

    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = []
    if not any(usage.dotted_string in SIGNING_EKUS for usage in usages):
        raise C2paSettingsError(path, field, "no C2PA extended key usage (needs one of "
                                             f"{', '.join(SIGNING_EKUS.values())})")
    try:
        signs = certificate.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    except x509.ExtensionNotFound:
        signs = False
    if not signs:
        raise C2paSettingsError(path, field, "the certificate's key usage does not include digitalSignature")


def _check_key_fits(key, algorithm: str, key_path: Path, setting: str) -> None:
    kind, fitting = _key_algorithms(key)
    if not fitting:
        raise C2paSettingsError(key_path, f"{setting}.key", f"this {kind} key cannot sign C2PA manifests; {KEY_ADVICE}")
    if algorithm not in ALGORITHMS:
        raise C2paSettingsError(key_path, f"{setting}.algorithm",
                                f"unknown {shorten(algorithm)!r} (expected one of {', '.join(ALGORITHMS)})")
    if algorithm not in fitting:
        raise C2paSettingsError(key_path, f"{setting}.algorithm",
                                f"{algorithm} does not fit this {kind} key (use {' or '.join(fitting)})")


def _key_algorithms(key) -> tuple[str, tuple[str, ...]]:
    """(what the key is, the C2PA algorithms it can sign with)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePrivateKey):
        curves = {"secp256r1": ("P-256", "es256"), "secp384r1": ("P-384", "es384"), "secp521r1": ("P-521", "es512")}
        name, algorithm = curves.get(key.curve.name, (key.curve.name, None))
        return f"EC {name}", (algorithm,) if algorithm else ()
    if isinstance(key, rsa.RSAPrivateKey):
        return f"{key.key_size}-bit RSA", ("ps256", "ps384", "ps512") if key.key_size >= 2048 else ()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519", ("ed25519",)
    return type(key).__name__, ()


def _public_key_der(key_or_certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key_or_certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo)


def _common_name(certificate) -> str:
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return shorten(str(names[0].value), 60) if names else certificate.subject.rfc4514_string()


def _pem(certificate) -> str:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
