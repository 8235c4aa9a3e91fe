"""The details panel: the catalogue's findings, the plan, and the signatures already there."""

from __future__ import annotations

from html import escape

from app.desk.documents import DeskDocument, DocumentStatus

from .documents import status_label
from .i18n import text
from .qt import QTextBrowser

__all__ = ["DetailsPanel"]

_MARKS = {"block": ("✗", "#b3261e"), "warn": ("!", "#a86400"), "info": ("·", "#555")}


class DetailsPanel(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.document_shown: DeskDocument | None = None
        self.catalogue = None
        self.verification = None  # DocumentVerification of the document shown, when done
        self.setOpenLinks(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Document details"))
        self.show_document(self.document_shown, catalogue=self.catalogue, verification=self.verification)

    def show_document(self, document: DeskDocument | None, *, catalogue=None, verification=None) -> None:
        self.document_shown = document
        self.catalogue = catalogue
        self.verification = verification
        if document is None:
            hint = self.tr("Open documents to check and sign them: Ctrl+O, or drop PDF files here.")
            self.setHtml(f"<p style='color:#555'>{escape(hint)}</p>")
            return
        parts = [f"<h3>{escape(document.path.name)}</h3>", self._status(document)]
        if document.signed_path is not None:
            parts += [self._identity(document), self._signed_file()]
        elif document.result is not None:
            parts += [self._identity(document), self._findings(document), self._plan(document),
                      self._signatures(document)]
        self.setHtml("".join(parts))

    def _status(self, document: DeskDocument) -> str:
        title = self.tr("Status")
        received = getattr(self.verification, "verdict_code", None)
        if received and document.signed_path is None:  # a received signed file: its verification first
            from .verify_panel import TONES

            colour = TONES[self.verification.tone][0]
            line = f"<p><b>{escape(title)}:</b> <b style='color:{colour}'>{escape(text(received))}</b>"
            if document.checked:
                line += f"<br><small style='color:#555'>{escape(text('VDESK_SIGN_AGAIN', status=status_label(document.status)))}</small>"
            return line + "</p>"
        line = f"<p><b>{escape(title)}:</b> {escape(status_label(document.status))}"
        if document.status is DocumentStatus.SIGNED and document.signed_path is not None:
            label = self.tr("Signed file")
            line += f"<br>{escape(label)}: {escape(str(document.signed_path))}"
        elif document.error_code:
            line += f"<br><span style='color:#b3261e'>{escape(text(document.error_code, **document.error_params))}</span>"
        return line + "</p>"

    def _identity(self, document: DeskDocument) -> str:
        result = document.result
        kind = result.doc_type.name if result.doc_type else self.tr("not recognised")
        confidence = text("CONFIDENCE_" + result.recognition.confidence.upper())
        rows = [(self.tr("Document type"), f"{kind} ({confidence})")]
        if result.number is not None:
            rows.append((self.tr("Number"), result.number.text))
        rows.append((self.tr("Pages"), str(result.facts.pages)))
        rows.append((self.tr("Catalogue"), f"{result.catalogue.name} {result.catalogue.version}"))
        return _table(rows)

    def _findings(self, document: DeskDocument) -> str:
        findings = document.result.findings
        if not findings:
            nothing = self.tr("The catalogue finds nothing to object to.")
            return f"<p>{escape(nothing)}</p>"
        items = []
        for finding in findings:
            mark, colour = _MARKS[finding.severity.value]
            message = escape(text(finding.code.value, **finding.params))
            items.append(f"<li><span style='color:{colour}'><b>{mark}</b></span> {message}"
                         f" <small style='color:#777'>[{finding.code.value}]</small></li>")
        title = self.tr("What the catalogue says")
        return f"<h4>{escape(title)}</h4><ul>{''.join(items)}</ul>"

    def _plan(self, document: DeskDocument) -> str:
        plan = document.result.plan
        if plan is None:
            return ""
        roles = ", ".join(self._role_name(r) for r in plan.roles)
        rows = [
            (self.tr("Signature"), text("KIND_" + plan.kind.value.upper())),
            (self.tr("Who signs"), roles),
            (self.tr("Level"), plan.level),
            (self.tr("Where"), text("PLACEMENT_" + plan.placement.name)),
        ]
        title = self.tr("Next signature (step %1)").replace("%1", str(plan.step_index + 1))
        return f"<h4>{escape(title)}</h4>{_table(rows)}"

    def _signed_file(self) -> str:
        """The signatures of the file just signed, as the verifier reads them back."""
        title = self.tr("Signatures in the signed file")
        if self.verification is None:
            return f"<h4>{escape(title)}</h4>{self._verdict(None)}"
        items = [f"<li>{escape(v.signer)} <small style='color:#777'>({escape(v.field_name)})</small>{self._verdict(v)}</li>"
                 for v in self.verification.signatures]
        return f"<h4>{escape(title)}</h4><ul>{''.join(items)}</ul>"

    def _verdict(self, verification) -> str:
        return _verdict_html(verification, self.tr("checking the signature…"))

    def _role_name(self, role_id: str) -> str:
        roles = getattr(self.catalogue, "roles", {}) or {}
        return roles[role_id].name if role_id in roles else role_id

    def _signatures(self, document: DeskDocument) -> str:
        signatures = document.result.facts.signatures
        if not signatures:
            title, none = self.tr("Signatures already there"), self.tr("None.")
            return f"<h4>{escape(title)}</h4><p>{escape(none)}</p>"
        items = []
        verdicts = {v.field_name: v for v in self.verification.signatures} if self.verification else {}
        for signature in signatures:
            kind = text("KIND_" + signature.kind.upper()) if signature.kind else self.tr("signature")
            who = signature.signer or self.tr("unknown signer")
            items.append(f"<li>{escape(kind)} — {escape(who)} <small style='color:#777'>({escape(signature.field)})</small>"
                         f"{self._verdict(verdicts.get(signature.field))}</li>")
        title = self.tr("Signatures already there")
        return f"<h4>{escape(title)}</h4><ul>{''.join(items)}</ul>"


def _verdict_html(verification, checking: str) -> str:
    if verification is None:
        return f"<br><small style='color:#777'>{escape(checking)}</small>"
    verdict = verification.verdict.value
    colour = {"valid": "#1b7f3b", "indeterminate": "#a86400", "changed": "#b3261e", "invalid": "#b3261e"}[verdict]
    problems = "".join(f"<br><small>{escape(text(p.value))}</small>" for p in verification.problems)
    if getattr(verification, "practice", False):  # a training certificate: never shown as valid
        detail = (escape(text("VERDICT_PRACTICE_SOUND")) if verdict == "valid"
                  else f"<b style='color:{colour}'>{escape(text('VERDICT_' + verdict.upper()))}</b>")
        return f"<br><b style='color:#c2410c'>{escape(text('VERDICT_PRACTICE'))}</b><br><small>{detail}</small>{problems}"
    return f"<br><b style='color:{colour}'>{escape(text('VERDICT_' + verdict.upper()))}</b>{problems}"


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td style='color:#555;padding-right:8px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<table>{cells}</table>"
