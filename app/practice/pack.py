"""A workshop pack: the folder (or single .zip archive) a trainer copies to every workstation.

    workshop.toml            the manifest (docs/practice.md): trainer, unit, trainees, tokens, exercises
    pki/goc-thuc-hanh.cer    the training root (trusted in practice mode only, never in production)
    pki/authority.json       the workshop's in-process CA and TSA (keys: training only)
    token/NN.kyso-token      one practice token per trainee; shared ones: to-chuc, het-han…
    bai-tap/*.pdf            the exercise documents (watermarked)
    hinh/                    the training signature and seal images
    kich-ban.txt             the scenarios, step by step
    phat-tay.pdf             the printable handout (cards: name, token label, PIN)
    trang-thai/              made on use: which tokens each trainee has plugged in, cached answers
    ket-qua/NN/              made on use: trainee NN's practice outputs

An archive is unpacked once into KYSO_HOME/practice/<workshop id>/ and used from there.
"""

from __future__ import annotations

import base64
import json
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import PracticeError, PracticeErrorCode

__all__ = ["MANIFEST", "PackToken", "Trainee", "WorkshopPack", "load_pack", "toml_document"]

MANIFEST = "workshop.toml"
FORMAT = "kyso-workshop/1"


@dataclass(frozen=True)
class Trainee:
    number: int
    name: str
    title: str
    role: str | None  # the catalogue role the title names (None: not found)
    token: str  # the token's id in the pack ("07")
    token_label: str
    pin: str  # a training PIN: printed on the trainee's card, never recorded in the audit log


@dataclass(frozen=True)
class PackToken:
    """A token every trainee may use: the unit's seal, the leader's, the deliberately bad ones."""

    id: str
    purpose: str  # organisation, leader, expired, revoked, not-yet-valid, wrong-title
    label: str
    holder: str
    pin: str


@dataclass(frozen=True)
class Exercise:
    file: str  # relative to the pack
    purpose: str
    scenarios: tuple[str, ...]


@dataclass(frozen=True)
class WorkshopPack:
    folder: Path
    id: str
    name: str
    unit: str
    trainer: str
    created: str
    pin_tries: int
    tsa_url: str
    trainees: tuple[Trainee, ...]
    tokens: tuple[PackToken, ...]
    exercises: tuple[Exercise, ...]
    scenarios: tuple[str, ...]

    def trainee(self, number: int) -> Trainee:
        for trainee in self.trainees:
            if trainee.number == number:
                return trainee
        raise PracticeError(PracticeErrorCode.TRAINEE_UNKNOWN, trainee=number, count=len(self.trainees))

    def token_path(self, token_id: str) -> Path:
        return self.folder / "token" / f"{token_id}.kyso-token"

    @property
    def root_path(self) -> Path:
        return self.folder / "pki" / "goc-thuc-hanh.cer"

    @property
    def state_dir(self) -> Path:
        return self.folder / "trang-thai"

    def outputs(self, number: int) -> Path:
        return self.folder / "ket-qua" / f"{number:02d}"

    @property
    def signature_image(self) -> Path:
        return self.folder / "hinh" / "chu-ky-thuc-hanh.png"

    @property
    def seal_image(self) -> Path:
        return self.folder / "hinh" / "con-dau-thuc-hanh.png"

    def exercise_path(self, exercise: Exercise) -> Path:
        return self.folder / exercise.file

    def authority(self):
        """The workshop's in-process CA (OCSP) and TSA (signing/offline_authority.py)."""
        from signing.offline_authority import OfflineAuthority

        data = json.loads((self.folder / "pki" / "authority.json").read_text(encoding="utf-8"))
        raw = {key: base64.b64decode(data[key]) for key in ("issuer_certificate", "issuer_key", "tsa_certificate",
                                                            "tsa_key")}
        revoked = {int(serial, 16): datetime.fromisoformat(when) for serial, when in data["revoked"].items()}
        chain = tuple(base64.b64decode(der) for der in data["tsa_chain"])
        return OfflineAuthority(**raw, tsa_chain=chain, revoked=revoked)


def load_pack(path: Path) -> WorkshopPack:
    """A pack from its folder, its manifest or its .zip archive (unpacked once)."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        path = _unpacked(path)
    folder = path.parent if path.is_file() else path
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise PracticeError(PracticeErrorCode.PACK_NOT_FOUND, pack=path)
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("format")
        return _parse(folder, data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PracticeError(PracticeErrorCode.PACK_INVALID, pack=folder, detail=type(exc).__name__) from exc


def _parse(folder: Path, data: dict) -> WorkshopPack:
    workshop = data["workshop"]
    trainees = tuple(Trainee(int(t["number"]), str(t["name"]), str(t["title"]), t.get("role") or None,
                             str(t["token"]), str(t["token_label"]), str(t["pin"])) for t in data.get("trainee", []))
    tokens = tuple(PackToken(str(t["id"]), str(t["purpose"]), str(t["label"]), str(t["holder"]), str(t["pin"]))
                   for t in data.get("token", []))
    exercises = tuple(Exercise(str(e["file"]), str(e["purpose"]), tuple(e.get("scenarios", [])))
                      for e in data.get("exercise", []))
    return WorkshopPack(
        folder=folder, id=str(workshop["id"]), name=str(workshop["name"]), unit=str(workshop["unit"]),
        trainer=str(workshop["trainer"]), created=str(workshop["created"]), pin_tries=int(workshop["pin_tries"]),
        tsa_url=str(workshop["tsa_url"]), trainees=trainees, tokens=tokens, exercises=exercises,
        scenarios=tuple(workshop.get("scenarios", [])),
    )


def _unpacked(archive: Path) -> Path:
    """KYSO_HOME/practice/<workshop id>/, unpacked from the archive the first time (its state —
    PIN tries, plugged-in tokens, outputs — is kept there afterwards)."""
    from ..paths import data_home

    try:
        with zipfile.ZipFile(archive) as bundle:
            data = tomllib.loads(bundle.read(_member(bundle, MANIFEST)).decode("utf-8"))
            workshop_id = str(data["workshop"]["id"])
            if not workshop_id.replace("-", "").isalnum():
                raise ValueError("workshop id")
            target = data_home() / "practice" / workshop_id
            if not (target / MANIFEST).is_file():
                _extract(bundle, target)
            return target
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PracticeError(PracticeErrorCode.PACK_INVALID, pack=archive, detail=type(exc).__name__) from exc


def _member(bundle: zipfile.ZipFile, name: str) -> str:
    """The archive's member `name`, at its top or inside its one top folder."""
    for member in bundle.namelist():
        if member == name or member.endswith("/" + name) and member.count("/") == 1:
            return member
    raise KeyError(name)


def _extract(bundle: zipfile.ZipFile, target: Path) -> None:
    """Every member under `target` (names that would leave it are refused), written to a
    temporary folder first and renamed: a half-unpacked pack is never used."""
    import shutil
    import tempfile

    prefix = _member(bundle, MANIFEST)[: -len(MANIFEST)]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    try:
        for info in bundle.infolist():
            relative = info.filename[len(prefix):] if info.filename.startswith(prefix) else ""
            parts = Path(relative).parts
            if not relative or info.is_dir():
                continue
            if Path(relative).is_absolute() or ".." in parts or ":" in relative:
                raise ValueError("unsafe member name")
            destination = staging.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(info) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def toml_document(data: dict) -> str:
    """The manifest as TOML (its values are strings, integers, lists of strings and tables)."""
    lines: list[str] = []
    tables = {key: value for key, value in data.items() if isinstance(value, dict)}
    arrays = {key: value for key, value in data.items() if isinstance(value, list) and value
              and isinstance(value[0], dict)}
    for key, value in data.items():
        if key not in tables and key not in arrays:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in tables.items():
        lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    for key, items in arrays.items():
        for item in items:
            lines += ["", f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in item.items() if v is not None]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a JSON string is a TOML basic string, once DEL (which TOML refuses raw) is escaped too
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
