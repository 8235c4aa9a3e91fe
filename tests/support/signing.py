"""Running real signing jobs in-process (SoftHSM token, test PKI), for the engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.signing_job import SignJob, SignReport, SignRequest
from signing.engine import SignOptions
from tokens import ModuleOptions, PinAnswer, PinRequest

__all__ = ["AcceptAll", "FixedPin", "Passwords", "RefuseAll", "sign_files"]


@dataclass
class FixedPin:
    """A prompter that answers with a fixed PIN and remembers what it was asked."""

    pin: str | None
    confirm_final_try: bool = False
    requests: list[PinRequest] = field(default_factory=list)

    def ask_pin(self, request: PinRequest) -> PinAnswer | None:
        self.requests.append(request)
        if self.pin is None:
            return None
        return PinAnswer(pin=self.pin, final_try_confirmed=self.confirm_final_try)


@dataclass
class Passwords:
    """Answers a document's open password from a table (file name → password), remembering asks."""

    by_name: dict[str, str]
    asked: list = field(default_factory=list)

    def ask_password(self, request) -> str | None:
        self.asked.append((request.document.name, request.attempt))
        return self.by_name.get(request.document.name)


class AcceptAll:
    def __init__(self) -> None:
        self.seen: list = []
        self.preflight: list = []

    def accept(self, findings, report) -> bool:
        self.seen.extend(findings)
        return True

    def accept_preflight(self, items) -> bool:
        self.preflight.extend(items)
        return True


class RefuseAll(AcceptAll):
    def accept(self, findings, report) -> bool:
        self.seen.extend(findings)
        return False

    def accept_preflight(self, items) -> bool:
        self.preflight.extend(items)
        return False


def sign_files(
    hsm,
    files: Sequence[Path],
    *,
    key: str = "signer-rsa2048",
    token: str = "KYSO-RSA",
    trust_dir: Path,
    options: SignOptions | None = None,
    out_dir: Path | None = None,
    prompter=None,
    acceptor=None,
    module_options: ModuleOptions | None = None,
    preflight=None,
    passwords=None,
) -> SignReport:
    """Sign `files` in one job (one login); with `preflight` (PreflightOptions) each file is checked
    against the catalogue first, and `passwords` answers for encrypted ones."""
    request = SignRequest(
        files=tuple(files),
        module_path=hsm.module,
        options=options or SignOptions(),
        out_dir=out_dir,
        token_label=token,
        key_id=hsm.key_id(key),
        trust_dirs=(trust_dir,),
        module_options=module_options or ModuleOptions(),
        preflight=preflight,
    )
    job = SignJob(request, prompter=prompter or FixedPin(hsm.pin), acceptor=acceptor or AcceptAll(),
                  passwords=passwords)
    return job.run()
