"""The summary table of a folder's verification (`kyso verify DIR --summary OUT.csv|OUT.xlsx`,
and the desktop's export of the same table): one row per signature — a file without signatures,
or one that could not be read, gets one row of its own — with the file, its SHA-256, how many
signatures it holds, the signer, the signing time and where that time comes from (a timestamp
proves it; otherwise it is the time the signer claimed), the PAdES level, the verdict in words
with its code and ETSI outcome, and the reason. Qt-free: the desktop shows and exports these rows.

CSV is UTF-8 with a BOM (Excel on Windows reads the Vietnamese right) and a text cell Excel would
run as a formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe; XLSX goes
through kyso's streaming writer (app/audit/xlsx_stream.py: inline strings, never formulas — a
file named "=cmd|…" is shown as written). Either file is written under a temporary name beside
the target, synced, and renamed into place: a failure leaves nothing under the target's name.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from app.errors import AppError, AppErrorCode, error_code, error_params
from app.i18n import message, moment

__all__ = ["SUMMARY_FORMATS", "SummaryRow", "check_summary_target", "summary_header", "summary_rows", "write_summary"]

SUMMARY_FORMATS = (".csv", ".xlsx")
ERROR_CODE = "error"  # the row's code when the file could not be verified (its error code is in `etsi`)


class SummaryRow(NamedTuple):
    """One line of the table, every cell already in words; `code` is the machine verdict
    (valid, changed, indeterminate, invalid, unsigned, error) a front end colours by."""

    number: int  # STT, from 1
    file: str
    sha256: str
    signatures: str  # how many signatures and document timestamps the file holds
    index: str  # "1/2": which of them this row is ("" for a file without)
    kind: str  # chữ ký / dấu thời gian văn bản
    signer: str
    issuer: str
    time: str
    time_source: str  # "dấu thời gian (authority)" or "người ký tự khai"
    level: str
    verdict: str  # in words
    code: str
    etsi: str  # indication[/sub-indication], or the error's code
    reason: str
    document_verdict: str  # the file's conclusion, in words


_TITLES = ("NUMBER", "FILE", "SHA256", "SIGNATURES", "INDEX", "KIND", "SIGNER", "ISSUER", "TIME", "TIME_SOURCE",
           "LEVEL", "VERDICT", "CODE", "ETSI", "REASON", "DOCUMENT")
_WIDTHS = (6, 40, 66, 9, 8, 22, 28, 32, 28, 36, 9, 30, 14, 36, 60, 44)


def summary_header(lang: str = "vi") -> list[str]:
    return [message("VERIFY_SUMMARY_COLUMN_" + name, lang) for name in _TITLES]


def summary_rows(results: Iterable[tuple[Path, Any]], *, lang: str = "vi") -> list[SummaryRow]:
    """The table for `results`: (path, DocumentVerification or the exception that file ended in)
    pairs, in order — what `kyso verify` and the desktop's folder verification hold."""
    from app.verification import file_sha256

    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    rows: list[SummaryRow] = []
    for path, outcome in results:
        try:
            digest = file_sha256(Path(path))
        except OSError:  # the file went away or cannot be read: its error row says so
            digest = ""
        if isinstance(outcome, BaseException):
            code = error_code(outcome) or AppErrorCode.INTERNAL.value
            rows.append(SummaryRow(len(rows) + 1, str(path), digest, "", "", "", "", "", "", "", "",
                                   t("VERIFY_SUMMARY_ERROR"), ERROR_CODE, code,
                                   t(code, **error_params(outcome)), t("VERIFY_SUMMARY_ERROR")))
            continue
        document_verdict = t("DOC_VERDICT_" + outcome.verdict.name)
        count = len(outcome.signatures)
        if not count:
            rows.append(SummaryRow(len(rows) + 1, str(path), digest, "0", "", "", "", "", "", "", "",
                                   document_verdict, outcome.verdict.value, "", "", document_verdict))
            continue
        for index, sig in enumerate(outcome.signatures, start=1):
            rows.append(SummaryRow(
                len(rows) + 1, str(path), digest, str(count), f"{index}/{count}",
                t("VERIFY_REPORT_DOCUMENT_TIMESTAMP" if sig.document_timestamp else "VERIFY_REPORT_SIGNATURE"),
                sig.signer or "", sig.issuer or "", *_time(sig, t), sig.level.value if sig.level else "",
                t("VERDICT_" + sig.verdict.name), sig.verdict.value,
                sig.indication.value + (f"/{sig.sub_indication}" if sig.sub_indication else ""),
                _reason(sig, t), document_verdict))
    return rows


def _time(sig, t) -> tuple[str, str]:
    if sig.timestamp_time is not None:
        return moment(sig.timestamp_time), t("VERIFY_SUMMARY_TIME_TIMESTAMP", authority=sig.timestamp_authority or "?")
    if sig.signing_time is not None:
        return moment(sig.signing_time), t("VERIFY_SUMMARY_TIME_CLAIMED")
    return "", t("VERIFY_SUMMARY_TIME_NONE")


def _reason(sig, t) -> str:
    """Why the verdict is not plain valid, in words: the ETSI reason, then every problem and each
    change after signing that its rules do not permit."""
    from app.verification import change_line

    parts = [t("SUBIND_" + sig.sub_indication)] if sig.sub_indication else []
    parts += [t(problem.value) for problem in sig.problems if t(problem.value) not in parts]
    parts += [change_line(change, t) for change in sig.unpermitted_changes]
    return "; ".join(parts)


def write_summary(*, rows: Sequence[SummaryRow], path: Path, lang: str = "vi",
                  inputs: Iterable[Path] = ()) -> Path:
    """Write `rows` to `path` as CSV or XLSX (by its suffix), atomically. Refused, typed: another
    suffix (APP_SUMMARY_FORMAT), a missing folder (APP_OUT_DIR_MISSING), a target that is one of
    the verified files `inputs` (APP_SUMMARY_IS_INPUT), a write that fails (APP_SUMMARY_WRITE_FAILED)."""
    path = Path(path)
    check_summary_target(path, inputs=inputs, lang=lang)
    writer = _csv if path.suffix.lower() == ".csv" else _xlsx
    partial = path.with_name(f".~kyso-{os.getpid()}-{path.name}.part")
    try:
        writer(partial, rows, lang)
        os.replace(partial, path)
    except OSError as exc:
        raise AppError(AppErrorCode.SUMMARY_WRITE_FAILED, file=path, reason=exc.strerror or str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return path


def check_summary_target(path: Path, *, inputs: Iterable[Path] = (), lang: str = "vi") -> None:
    """The refusals of write_summary, before anything is verified or written."""
    path = Path(path)
    if path.suffix.lower() not in SUMMARY_FORMATS:
        raise AppError(AppErrorCode.SUMMARY_FORMAT, file=path.name)
    if not path.parent.is_dir():
        raise AppError(AppErrorCode.OUT_DIR_MISSING, folder=path.parent)
    if path.is_dir():
        raise AppError(AppErrorCode.SUMMARY_WRITE_FAILED, file=path, reason=message("VERIFY_SUMMARY_IS_FOLDER", lang))
    if any(_same_file(path, source) for source in inputs):
        raise AppError(AppErrorCode.SUMMARY_IS_INPUT, file=path)


def _same_file(target: Path, source: Path) -> bool:
    try:
        return target.exists() and os.path.samefile(target, source)
    except OSError:  # the source went away: it cannot be the target
        return False


def _csv(path: Path, rows: Sequence[SummaryRow], lang: str) -> None:
    from app.audit.export import formula_safe

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(summary_header(lang))
        out.writerows([formula_safe(value) for value in row] for row in rows)
        handle.flush()
        os.fsync(handle.fileno())


def _xlsx(path: Path, rows: Sequence[SummaryRow], lang: str) -> None:
    from app.audit.xlsx_stream import XlsxStream

    with XlsxStream(path, titles=summary_header(lang), widths=_WIDTHS,
                    free_text=range(1, len(_TITLES))) as book:  # names kept exactly as they are
        book.write_rows([tuple(row) for row in rows])
