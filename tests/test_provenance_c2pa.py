"""C2PA Content Credentials: sign concept PNGs and films with a throw-away certificate chain made here,
read them back against that chain's root, and see a changed byte, or a bad key or certificate, caught.

Nothing here reaches the network: no timestamp authority, and the certificates name no OCSP server.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from PIL import Image, PngImagePlugin

from workbench.errors import InputError
from workbench.provenance.c2pa import (PROVENANCE_LABEL, C2paSettingsError, ManifestError, load_signing,
                                       read_manifest, sign_file)

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
FILM = "compositeWithTrainedAlgorithmicMedia"
C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
XMP_PACKET = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><AIGC>film label</AIGC></x:xmpmeta>"
PROVENANCE = {"prompt": "a lotus float, gold and teal", "seed": 3, "model": "previz", "backend": "previz",
              "reviewer": {"name": "mei", "role": "art_director"}}


# A throw-away certificate chain --------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    root: Path  # the CA certificate: the trust anchor
    key: Path  # the end-entity key
    certificates: Path  # end-entity certificate, then the CA's


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Parade Workbench tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(*, signs: bool, issues: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signs, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=issues, crl_sign=issues,
                         encipher_only=False, decipher_only=False)


def _pem(*items) -> bytes:
    return b"".join(item.public_bytes(serialization.Encoding.PEM) for item in items)


def make_chain(folder: Path, *, days_valid: tuple[int, int] = (-1, 30),
               usage: ObjectIdentifier = C2PA_CLAIM_SIGNING) -> Chain:
    """A root CA and an EC P-256 end-entity certificate it issued, valid from/until `days_valid` days
    from now, with the extended key usage `usage`; written as PEM files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    root_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def certificate(subject, issuer, public_key, issuer_key, start, end):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                               critical=False))

    root = (certificate(_name("Test Root CA"), _name("Test Root CA"), root_key.public_key(), root_key,
                        now - dt.timedelta(days=2), now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(signs=False, issues=True), critical=True)
            .sign(root_key, hashes.SHA256()))
    signer = (certificate(_name("Test Signer"), root.subject, signer_key.public_key(), root_key,
                          now + dt.timedelta(days=days_valid[0]), now + dt.timedelta(days=days_valid[1]))
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(_key_usage(signs=True, issues=False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
              .sign(root_key, hashes.SHA256()))
    chain = Chain(folder / "root.pem", folder / "signer.key", folder / "signer-chain.pem")
    chain.root.write_bytes(_pem(root))
    chain.certificates.write_bytes(_pem(signer, root))
    chain.key.write_bytes(signer_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return chain


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return make_chain(tmp_path / "keys")


# Files to sign -------------------------------------------------------------------------------------


def write_concept(path: Path) -> Path:
    """A small PNG carrying, like the workbench's, a tEXt AIGC label and an iTXt XMP packet."""
    text = PngImagePlugin.PngInfo()
    text.add_text("AIGC", json.dumps({"Label": "1", "ProduceID": "lotus-tea-s3"}))
    text.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    Image.new("RGB", (48, 32), (220, 40, 60)).save(path, pnginfo=text)
    return path


def write_film(path: Path) -> Path:
    """Half a second of 64x64 H.264 with a container tag (moov/udta) and, after the media data, a
    top-level XMP `uuid` box (appended at the end, so no chunk offset moves)."""
    ffmpeg = shutil.which("ffmpeg") or __import__("imageio_ffmpeg").get_ffmpeg_exe()
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=0.5",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
                    "-metadata", "comment=AI-generated film", str(path)], check=True)
    with open(path, "ab") as film:
        film.write(struct.pack(">I", 8 + 16 + len(XMP_PACKET)) + b"uuid" + XMP_UUID + XMP_PACKET)
    return path


def top_level_boxes(path: Path) -> list[tuple[str, int, int]]:
    """(type, offset, size) of each top-level box of an MP4."""
    data, offset, boxes = path.read_bytes(), 0, []
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        boxes.append((kind.decode("latin-1"), offset, size))
        offset += size
    return boxes


def png_chunks(path: Path) -> list[tuple[str, int, int]]:
    """(type, offset of its data, length) of each PNG chunk."""
    data, offset, chunks = path.read_bytes(), 8, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.append((kind.decode("latin-1"), offset + 8, length))
        offset += 12 + length
    return chunks


def sign(path: Path, chain: Chain, **changes) -> Path:
    """Sign `path` with `chain`'s key: as a concept, unless `changes` say otherwise."""
    arguments = {"title": path.name, "digital_source_type": "trainedAlgorithmicMedia", "provenance": PROVENANCE}
    sign_file(path, load_signing(chain.key, chain.certificates), **{**arguments, **changes})
    return path


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


# Signing and reading back --------------------------------------------------------------------------


def test_a_signed_concept_is_trusted_against_its_root_and_says_how_it_was_made(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)

    report = read_manifest(concept, trust_anchors=chain.root)
    assert report.present and report.validation_state == "Trusted" and report.errors == ()
    assert report.title == "concept.png"
    assert report.digital_source_type == IPTC + "trainedAlgorithmicMedia"
    assert report.provenance == PROVENANCE
    assert report.ingredients == ()
    assert "Trusted" in report.summary() and "trainedAlgorithmicMedia" in report.summary()


def test_text_chunks_written_before_signing_stay_readable_and_covered(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)

    with Image.open(concept) as image:
        image.load()
        assert json.loads(image.text["AIGC"])["ProduceID"] == "lotus-tea-s3"
        assert image.text["XML:com.adobe.xmp"] == XMP_PACKET.decode()
        assert image.getpixel((0, 0)) == (220, 40, 60)
    # The manifest's data hash covers the text chunks: changing the label breaks it.
    offset, length = next((offset, length) for kind, offset, length in png_chunks(concept) if kind == "tEXt")
    flip_byte(concept, offset + length - 2)
    assert read_manifest(concept, trust_anchors=chain.root).validation_state == "Invalid"


def test_a_film_lists_its_signed_concepts_as_ingredients_and_keeps_its_own_metadata(tmp_path, chain):
    import c2pa

    concept = sign(write_concept(tmp_path / "lotus.png"), chain)
    film = sign(write_film(tmp_path / "film.mp4"), chain, digital_source_type=FILM,
                provenance={"film_id": "demo-16x9", "concepts": ["lotus-tea-s3"]}, ingredients=[concept])

    report = read_manifest(film, trust_anchors=chain.root)
    assert report.validation_state == "Trusted" and report.errors == ()
    assert report.digital_source_type == IPTC + FILM
    assert report.provenance == {"film_id": "demo-16x9", "concepts": ["lotus-tea-s3"]}
    assert report.ingredients == ("lotus.png",)
    assert "ingredients: lotus.png" in report.summary()
    # The concept's own manifest travels inside the film's store, with its provenance.
    with c2pa.Reader(str(film)) as reader:
        store = json.loads(reader.json())
    ingredient = store["manifests"][store["active_manifest"]]["ingredients"][0]
    assert ingredient["relationship"] == "componentOf"
    inner = store["manifests"][ingredient["active_manifest"]]
    assert {a["label"]: a["data"] for a in inner["assertions"]}[PROVENANCE_LABEL] == PROVENANCE
    # What the film carried before signing is still there: the XMP box at the top level, the tag in moov/udta.
    assert [kind for kind, _, _ in top_level_boxes(film)][-1] == "uuid"
    assert XMP_UUID + XMP_PACKET in film.read_bytes()
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(film)],
                           capture_output=True, text=True, check=True)
    tags = json.loads(probe.stdout)["format"]["tags"]
    assert tags["comment"] == "AI-generated film"


@pytest.mark.parametrize("kind", ["png", "mp4"])
def test_one_changed_byte_of_the_picture_fails_validation(tmp_path, chain, kind):
    if kind == "png":
        path = sign(write_concept(tmp_path / "concept.png"), chain)
        offset, length = next((offset, length) for name, offset, length in png_chunks(path) if name == "IDAT")
        middle = offset + length // 2
    else:
        path = sign(write_film(tmp_path / "film.mp4"), chain, digital_source_type=FILM)
        offset, size = next((offset, size) for name, offset, size in top_level_boxes(path) if name == "mdat")
        middle = offset + size // 2
    assert read_manifest(path, trust_anchors=chain.root).validation_state == "Trusted"

    flip_byte(path, middle)
    report = read_manifest(path, trust_anchors=chain.root)
    assert report.present and report.validation_state == "Invalid"
    assert any("Hash.mismatch" in error for error in report.errors), report.errors
    assert "Invalid" in report.summary() and "problem: " in report.summary()


def test_trust_is_only_what_the_given_roots_vouch_for(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)
    stranger = make_chain(tmp_path / "stranger")

    unchecked = read_manifest(concept)  # no roots given: intact, and trust is not checked
    assert unchecked.validation_state == "Valid" and unchecked.errors == ()
    report = read_manifest(concept, trust_anchors=stranger.root)
    assert report.validation_state == "Valid"
    assert any(error.startswith("signingCredential.untrusted") for error in report.errors)
    assert read_manifest(concept, trust_anchors=chain.root).validation_state == "Trusted"  # nothing left over


def test_signing_again_replaces_the_manifest(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)
    sign(concept, chain, provenance={"seed": 4})

    report = read_manifest(concept, trust_anchors=chain.root)
    assert report.validation_state == "Trusted" and report.provenance == {"seed": 4}


def test_a_damaged_manifest_store_is_reported_invalid_not_raised(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)
    store = next(offset for kind, offset, _ in png_chunks(concept) if kind == "caBX")  # c2pa's chunk
    flip_byte(concept, store + 12)  # the type ("jumd") of the box that describes the manifest store

    report = read_manifest(concept, trust_anchors=chain.root)
    assert report.present and report.validation_state == "Invalid" and report.errors
    assert report.provenance is None


def test_a_file_without_credentials_is_reported_absent(tmp_path):
    report = read_manifest(write_concept(tmp_path / "plain.png"))
    assert not report.present and report.validation_state is None
    assert report.summary() == "C2PA: no Content Credentials"


def test_a_failed_signature_leaves_the_file_as_it_was(tmp_path, chain):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot a picture")

    with pytest.raises(ManifestError, match="broken.png: c2pa: could not sign"):
        sign(broken, chain)
    assert broken.read_bytes() == b"\x89PNG\r\n\x1a\nnot a picture"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.png", "keys"]  # no temp file left


# Bad settings: one line naming the setting ---------------------------------------------------------


def _expired(tmp_path: Path) -> tuple[Path, Path]:
    chain = make_chain(tmp_path / "old", days_valid=(-60, -30))
    return chain.key, chain.certificates


def _someone_elses_key(tmp_path: Path) -> tuple[Path, Path]:
    return make_chain(tmp_path / "theirs").key, make_chain(tmp_path / "ours").certificates


def _web_server_certificate(tmp_path: Path) -> tuple[Path, Path]:
    chain = make_chain(tmp_path / "tls", usage=ExtendedKeyUsageOID.SERVER_AUTH)
    return chain.key, chain.certificates


def _chain_in_the_wrong_order(tmp_path: Path) -> tuple[Path, Path]:
    chain = make_chain(tmp_path / "reversed")
    signer, root = x509.load_pem_x509_certificates(chain.certificates.read_bytes())
    chain.certificates.write_bytes(_pem(root, signer))
    return chain.key, chain.certificates


@pytest.mark.parametrize("files, expected", [
    (lambda tmp: (tmp / "missing.key", make_chain(tmp / "k").certificates), r"missing\.key: c2pa\.key: no such file$"),
    (_expired, r"signer-chain\.pem: c2pa\.certificates: the certificate expired on \d{4}-\d\d-\d\d$"),
    (_someone_elses_key, r"signer\.key: c2pa\.key: does not match the certificate in signer-chain\.pem$"),
    (_web_server_certificate, r"signer-chain\.pem: c2pa\.certificates: no C2PA extended key usage \(needs one of "),
    (_chain_in_the_wrong_order, r"c2pa\.certificates: certificate 2 did not issue certificate 1 "),
], ids=["missing key", "expired", "key of another certificate", "no C2PA EKU", "chain out of order"])
def test_a_bad_key_or_certificate_is_one_line_naming_the_setting(tmp_path, files, expected):
    key, certificates = files(tmp_path)
    with pytest.raises(C2paSettingsError, match=expected) as caught:
        load_signing(key, certificates)
    assert isinstance(caught.value, InputError) and "\n" not in str(caught.value)


def test_an_algorithm_that_does_not_fit_the_key_names_the_setting(chain):
    with pytest.raises(C2paSettingsError,
                       match=r"signer\.key: c2pa\.algorithm: ps256 does not fit this EC P-256 key \(use es256\)$"):
        load_signing(chain.key, chain.certificates, algorithm="ps256")


def test_an_unknown_digital_source_type_is_refused_before_anything_is_written(tmp_path, chain):
    concept = write_concept(tmp_path / "concept.png")
    before = concept.read_bytes()
    with pytest.raises(ManifestError, match=r"concept\.png: digital_source_type: unknown 'digitalCapture' "
                                            r"\(expected trainedAlgorithmicMedia or compositeWithTrainedAlgorithmicMedia\)$"):
        sign(concept, chain, digital_source_type="digitalCapture")
    assert concept.read_bytes() == before


def test_trust_anchors_that_are_not_certificates_name_the_setting(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain)
    not_pem = tmp_path / "roots.pem"
    not_pem.write_text("not a certificate")
    with pytest.raises(C2paSettingsError, match=r"roots\.pem: c2pa\.trust_anchors: not a PEM certificate"):
        read_manifest(concept, trust_anchors=not_pem)


def test_importing_the_module_does_not_load_c2pa_or_cryptography():
    code = ("import sys, workbench.provenance.c2pa; "
            "print(sorted({'c2pa', 'cryptography'} & {name.split('.')[0] for name in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_summary_escapes_what_the_file_says(tmp_path, chain):
    concept = sign(write_concept(tmp_path / "concept.png"), chain, title="Lotus\x1b[2J\nsecond line",
                           provenance={"prompt": "gold\x1b]0;pwned\x07"})
    summary = read_manifest(concept, trust_anchors=chain.root).summary()
    assert "\x1b" not in summary and "\x07" not in summary
    assert "  title: Lotus\\x1b[2J\\nsecond line" in summary.splitlines()
