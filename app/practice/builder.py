"""`kyso practice init`: a workshop pack made in seconds (docs/practice.md).

The training PKI, one practice token per trainee and the shared ones (the unit's seal, a
leader, and the deliberately bad certificates), the exercise documents (watermarked; two of
them signed by the leader through the real signing job, one then changed), the scenario list,
the manifest and the printable handout — in a folder, or a single .zip archive.
"""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .documents import EXERCISES, TAMPER_FROM, TAMPER_TO, ExerciseSpec, write_exercise
from .errors import PracticeError, PracticeErrorCode
from .pack import FORMAT, MANIFEST, Exercise, PackToken, Trainee, WorkshopPack, toml_document
from .pki import PersonSpec, TrainingPki, build_training_pki
from .scenarios import SCENARIOS
from .trainees import Participant

__all__ = ["MadePack", "make_pack", "SHARED_TOKENS"]

# The tokens every trainee may plug in besides their own: (id, purpose, label, holder, title, flags)
SHARED_TOKENS: tuple[tuple[str, str, str, str, str | None, dict], ...] = (
    ("to-chuc", "organisation", "THỰC HÀNH TỔ CHỨC", "", None, {"organisation": True}),
    ("lanh-dao", "leader", "THỰC HÀNH LÃNH ĐẠO", "Lê Văn Lãnh Đạo", "Phó Viện trưởng", {}),
    ("het-han", "expired", "THỰC HÀNH HẾT HẠN", "Võ Văn Hết Hạn", "Kiểm sát viên", {"expired": True}),
    ("thu-hoi", "revoked", "THỰC HÀNH THU HỒI", "Đặng Thị Thu Hồi", "Kiểm sát viên", {"revoked": True}),
    ("chua-hieu-luc", "not-yet-valid", "THỰC HÀNH CHƯA HIỆU LỰC", "Đỗ Thị Chưa Tới", "Kiểm sát viên",
     {"not_yet_valid": True}),
    ("sai-chuc-danh", "wrong-title", "THỰC HÀNH SAI CHỨC DANH", "Trần Văn Sai Chức", "Viện trưởng", {}),
)


@dataclass(frozen=True)
class MadePack:
    pack: WorkshopPack
    location: Path  # the folder, or the archive
    trainer_pin: str  # the unblocking PIN: shown once, kept out of the pack


def make_pack(*, participants: Sequence[Participant], out: Path, trainer: str, unit: str,
              now: datetime | None = None, trainer_pin: str | None = None, pin_tries: int = 3) -> MadePack:
    now = now or datetime.now(UTC)
    archive = out.suffix.lower() == ".zip"
    _check_target(out)
    workshop_id = f"th-{now:%Y%m%d}-{secrets.token_hex(3)}"
    trainer_pin = trainer_pin or f"{secrets.randbelow(10**8):08d}"
    folder = Path(tempfile.mkdtemp(prefix="kyso-pack-")) / workshop_id if archive else out
    folder.mkdir(parents=True, exist_ok=True)
    try:
        pack = _build(folder, workshop_id, participants, trainer=trainer, unit=unit, now=now,
                      trainer_pin=trainer_pin, pin_tries=pin_tries)
        if archive:
            _zip(folder, out)
    finally:
        if archive:
            shutil.rmtree(folder.parent, ignore_errors=True)
    return MadePack(pack, out, trainer_pin)


def _check_target(out: Path) -> None:
    if out.suffix.lower() == ".zip":
        if out.exists():
            raise PracticeError(PracticeErrorCode.OUT_NOT_EMPTY, folder=out)
        if not out.parent.is_dir():
            raise PracticeError(PracticeErrorCode.PACK_NOT_FOUND, pack=out.parent)
    elif out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PracticeError(PracticeErrorCode.OUT_NOT_EMPTY, folder=out)


def _build(folder: Path, workshop_id: str, participants: Sequence[Participant], *, trainer: str, unit: str,
           now: datetime, trainer_pin: str, pin_tries: int) -> WorkshopPack:
    from ..catalogue import load_catalogue
    from ..preflight import role_in_certificate

    catalogue = load_catalogue(None).catalogue
    ocsp_url = f"http://ocsp.thuc-hanh.invalid/{workshop_id}"
    people = [PersonSpec(f"{p.number:02d}", p.name, p.title) for p in participants]
    people += [PersonSpec(tid, holder or unit, title, **flags) for tid, _, _, holder, title, flags in SHARED_TOKENS]
    pki = build_training_pki(workshop_id=workshop_id, unit=unit, people=people, now=now, ocsp_url=ocsp_url)
    shared_pin = f"{secrets.randbelow(10**6):06d}"
    trainees = tuple(
        Trainee(p.number, p.name, p.title, _role(catalogue, p.title, role_in_certificate), f"{p.number:02d}",
                f"THỰC HÀNH {p.number:02d}", f"{secrets.randbelow(10**6):06d}") for p in participants)
    tokens = tuple(PackToken(tid, purpose, label, holder or unit, shared_pin)
                   for tid, purpose, label, holder, _, _ in SHARED_TOKENS)
    pack = WorkshopPack(
        folder=folder, id=workshop_id, name=f"Tập huấn ký số — {unit}", unit=unit, trainer=trainer,
        created=now.astimezone().isoformat(timespec="seconds"), pin_tries=pin_tries,
        tsa_url=f"http://tsa.thuc-hanh.invalid/{workshop_id}", trainees=trainees, tokens=tokens,
        exercises=tuple(Exercise(f"bai-tap/{s.file}", s.purpose, s.scenarios) for s in EXERCISES),
        scenarios=tuple(s.id for s in SCENARIOS),
    )
    _write_pki(folder, pki)
    _write_tokens(pack, pki, trainer_pin=trainer_pin, serial_stem=workshop_id[-6:].upper())
    _write_images(pack)
    _write_exercises(pack, now=now)
    (folder / MANIFEST).write_text(toml_document(_manifest(pack)), encoding="utf-8")
    _write_scenarios(pack)
    from .handout import write_handout

    write_handout(pack, folder / "phat-tay.pdf")
    return pack


def _role(catalogue, title: str, finder) -> str | None:
    role = finder(catalogue, title) if title else None
    return role.id if role is not None else None


def _write_pki(folder: Path, pki: TrainingPki) -> None:
    (folder / "pki").mkdir()
    (folder / "pki" / "goc-thuc-hanh.cer").write_bytes(pki.root)
    (folder / "pki" / "ca-thuc-hanh.cer").write_bytes(pki.ca)

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    authority = {"issuer_certificate": b64(pki.ca), "issuer_key": b64(pki.ca_key), "tsa_certificate": b64(pki.tsa),
                 "tsa_key": b64(pki.tsa_key), "tsa_chain": [b64(pki.ca)],
                 "revoked": {format(serial, "x"): when.isoformat() for serial, when in pki.revoked.items()}}
    (folder / "pki" / "authority.json").write_text(json.dumps(authority, indent=1), encoding="utf-8")


def _write_tokens(pack: WorkshopPack, pki: TrainingPki, *, trainer_pin: str, serial_stem: str) -> None:
    from tokens.practice_file import (
        PracticeObject,
        new_practice_token,
        so_pin_record,
        write_practice_token,
    )

    so_pin = so_pin_record(trainer_pin)  # PBKDF2 once: every token of the workshop shares it
    chain = (PracticeObject(b"\xca\x01", "CA THỰC HÀNH", pki.ca), PracticeObject(b"\xca\x02", "GỐC THỰC HÀNH", pki.root))
    (pack.folder / "token").mkdir()
    entries = [(t.token, t.token_label, t.pin, f"TH{serial_stem}{t.number:03d}") for t in pack.trainees]
    entries += [(t.id, t.label, t.pin, f"TH{serial_stem}{t.id[:3].upper()}") for t in pack.tokens]
    for token_id, label, pin, serial in entries:
        issued = pki.issued[token_id]
        own = PracticeObject(issued.key_id, label, issued.certificate, issued.private_key)
        token = new_practice_token(label=label, serial=serial, objects=(own, *chain), pin=pin, so_pin=so_pin,
                                   max_tries=pack.pin_tries)
        write_practice_token(pack.token_path(token_id), token)


def _write_images(pack: WorkshopPack) -> None:
    from .images import write_seal, write_signature

    pack.signature_image.parent.mkdir()
    write_signature(pack.signature_image)
    write_seal(pack.seal_image)


def _write_exercises(pack: WorkshopPack, *, now: datetime) -> None:
    from signing.watermark import watermark_copy

    folder = pack.folder / "bai-tap"
    folder.mkdir()
    leader = next(t for t in SHARED_TOKENS if t[0] == "lanh-dao")[3]
    with tempfile.TemporaryDirectory(prefix="kyso-exercises-") as scratch:
        for number, spec in enumerate(EXERCISES, start=1):
            signer = leader if spec.signer_title == "PHÓ VIỆN TRƯỞNG" or spec.signed_by else "(Họ tên người ký)"
            raw = write_exercise(Path(scratch) / spec.file, spec, unit=pack.unit, number=number,
                                 signer_name=signer, now=now)
            watermark_copy(raw, folder / spec.file, workshop=pack.id)
    signed = [spec for spec in EXERCISES if spec.signed_by]
    if signed:
        _sign_as_leader(pack, signed)


def _sign_as_leader(pack: WorkshopPack, specs: Sequence[ExerciseSpec]) -> None:
    """The documents a leader signed before the workshop, signed through the real signing job."""
    from ..signing_job import SignJob
    from .session import PracticeSession

    session = PracticeSession(pack, None)
    leader = next(t for t in pack.tokens if t.purpose == "leader")
    session.rack.insert(leader.id)
    try:
        with tempfile.TemporaryDirectory(prefix="kyso-signed-") as scratch:
            files = [pack.folder / "bai-tap" / spec.file for spec in specs]
            request = session.sign_request(files=files, role="pho-vien-truong", out_dir=Path(scratch))
            report = SignJob(request, prompter=_KnownPin(leader.pin), acceptor=_AcceptAll(),
                             backend=session.backend).run()
            for spec, outcome in zip(specs, report.outcomes, strict=True):
                if not outcome.ok:
                    raise PracticeError(PracticeErrorCode.PACK_INVALID, pack=pack.folder,
                                        detail=f"{spec.file}: {outcome.error_code}")
                data = outcome.output.read_bytes()
                if spec.amount:  # changed after signing: the amount in the signed revision
                    data = data.replace(TAMPER_FROM, TAMPER_TO, 1)
                (pack.folder / "bai-tap" / spec.file).write_bytes(data)
    finally:
        session.rack.pull(leader.id)
        session.close()
        shutil.rmtree(pack.state_dir, ignore_errors=True)  # the pack leaves with no state


class _KnownPin:
    def __init__(self, pin: str) -> None:
        self._pin = pin

    def ask_pin(self, request):
        from tokens import PinAnswer

        return PinAnswer(self._pin)


class _AcceptAll:
    def accept(self, findings, report) -> bool:
        return True

    def accept_preflight(self, items) -> bool:
        return True


def _manifest(pack: WorkshopPack) -> dict:
    return {
        "format": FORMAT,
        "workshop": {"id": pack.id, "name": pack.name, "unit": pack.unit, "trainer": pack.trainer,
                     "created": pack.created, "pin_tries": pack.pin_tries, "tsa_url": pack.tsa_url,
                     "scenarios": list(pack.scenarios)},
        "trainee": [{"number": t.number, "name": t.name, "title": t.title, "role": t.role, "token": t.token,
                     "token_file": f"token/{t.token}.kyso-token", "token_label": t.token_label, "pin": t.pin}
                    for t in pack.trainees],
        "token": [{"id": t.id, "purpose": t.purpose, "label": t.label, "holder": t.holder,
                   "token_file": f"token/{t.id}.kyso-token", "pin": t.pin} for t in pack.tokens],
        "exercise": [{"file": e.file, "purpose": e.purpose, "scenarios": list(e.scenarios)} for e in pack.exercises],
    }


def _write_scenarios(pack: WorkshopPack) -> None:
    from ..i18n import message

    lines = [message("PRACTICE_SCENARIOS_HEADING", "vi", workshop=pack.name), ""]
    for index, item in enumerate(SCENARIOS, start=1):
        lines.append(f"{index}. {message(item.title_code, 'vi')}")
        lines += [f"   {step}" for step in message(item.steps_code, "vi").split("\n")]
        files = [e.file for e in pack.exercises if item.id in e.scenarios]
        if files:
            lines.append("   " + message("PRACTICE_SCENARIO_FILES", "vi", files=", ".join(files)))
        lines.append("")
    (pack.folder / "kich-ban.txt").write_text("\n".join(lines), encoding="utf-8")


def _zip(folder: Path, out: Path) -> None:
    import zipfile

    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    partial.replace(out)
