"""The signature panel of a received document: the verification as its main status, one line per
signature (who, title, CA, when — proven or claimed —, level, verdict in colour and words), the
details on demand, and the acts on it: the signed version, the validation report, extending.
It draws an `app.desk.verification.ReceivedDocument`; the verification runs on a worker."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from .i18n import text
from .qt import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget, Signal

__all__ = ["SignaturePanel", "TONES", "verdict_short"]

# colour and sign of each tone: never colour alone (words and a sign say it too)
TONES = {"valid": ("#1b7f3b", "✓"), "warning": ("#a86400", "?"), "alarm": ("#b3261e", "✗"),
         "practice": ("#c2410c", "!"), "neutral": ("#555555", "·")}


def verdict_short(verdict: str) -> str:
    """A document's verdict in a word or two (the document list's status column)."""
    return text("VDESK_SHORT_" + verdict.upper())


class SignaturePanel(QWidget):
    signedVersionRequested = Signal(int)  # the signature's number
    reportRequested = Signal()
    extendRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("verify-panel")
        self.received = None
        self.state = "none"  # none, checking, failed, done
        self.failure = ""
        self.open_details: set[int] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("verify-heading")
        self.heading.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("verify-lines")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(lambda url: self._link(url.toString()))
        self.report_button = QPushButton(self)
        self.report_button.setObjectName("verify-report")
        self.report_button.clicked.connect(self.reportRequested.emit)
        self.extend_button = QPushButton(self)
        self.extend_button.setObjectName("verify-extend")
        self.extend_button.clicked.connect(self.extendRequested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.extend_button)
        buttons.addStretch(1)
        layout.addWidget(self.heading)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.retranslate()

    # --- what it shows ------------------------------------------------------------------------
    def clear(self) -> None:
        self.received, self.state, self.open_details = None, "none", set()
        self._render()

    def show_checking(self) -> None:
        self.received, self.state = None, "checking"
        self._render()

    def show_failed(self, message: str) -> None:
        self.received, self.state, self.failure = None, "failed", message
        self._render()

    def show_received(self, received) -> None:
        if self.received is None or received.path != self.received.path:
            self.open_details = set()
        self.received, self.state = received, "done"
        self._render()

    def toggle_details(self, number: int) -> None:
        self.open_details ^= {number}
        self._render()

    def retranslate(self) -> None:
        self.report_button.setText(text("VDESK_REPORT"))
        self.report_button.setToolTip(text("VDESK_REPORT_TIP"))
        self.extend_button.setText(text("VDESK_EXTEND"))
        self.extend_button.setToolTip(text("VDESK_EXTEND_TIP"))
        self.browser.setAccessibleName(text("VDESK_TITLE"))
        self._render()

    def _link(self, link: str) -> None:
        action, _, number = link.partition(":")
        if action == "details":
            self.toggle_details(int(number))
        elif action == "signed":
            self.signedVersionRequested.emit(int(number))

    def _render(self) -> None:
        done = self.state == "done" and self.received is not None
        self.report_button.setEnabled(done)
        self.extend_button.setEnabled(done and bool(self.received.lines))
        if self.state == "checking":
            self.heading.setText(f"<b>{escape(text('VDESK_TITLE'))}</b><br>{escape(text('VDESK_CHECKING'))}")
            self.browser.clear()
            return
        if self.state == "failed":
            colour = TONES["alarm"][0]
            self.heading.setText(f"<b>{escape(text('VDESK_TITLE'))}</b><br>"
                                 f"<span style='color:{colour}'>{escape(text('VDESK_FAILED', message=self.failure))}</span>")
            self.browser.clear()
            return
        if not done:
            self.heading.setText("")
            self.browser.clear()
            return
        received = self.received
        colour, sign = TONES[received.tone]
        self.heading.setText(f"<b>{escape(text('VDESK_TITLE'))}</b><br>"
                             f"<b style='color:{colour}; font-size:large'>{sign} {escape(text(received.verdict_code))}</b>")
        self.heading.setAccessibleName(text(received.verdict_code))
        self.browser.setHtml("".join(self._line(line) for line in received.lines)
                             or f"<p>{escape(text('VERIFY_NO_SIGNATURES'))}</p>")

    def _line(self, line) -> str:
        colour, sign = TONES[line.tone]
        kind = text("VDESK_TIMESTAMP" if line.document_timestamp else "VDESK_SIGNATURE", number=line.number)
        verdict = text("VERDICT_PRACTICE") if line.practice else text(line.verdict_code)
        who = escape(line.signer or text("VDESK_UNKNOWN_SIGNER"))
        if line.title:
            who += f", {escape(line.title)}"
        parts = [f"<p style='margin-top:4px'><small style='color:#555'>{escape(kind)}</small><br>"
                 f"<b style='color:{colour}'>{sign} {escape(verdict)}</b><br><b>{who}</b>"]
        facts = [text("VDESK_CA", issuer=line.issuer)] if line.issuer else []
        facts.append(_when(line))
        if line.level:
            facts.append(text("VDESK_LEVEL", level=line.level))
        parts.append("<br><small>" + "<br>".join(escape(f) for f in facts) + "</small>")
        reason = _reason(line)
        if reason:
            parts.append(f"<br><span style='color:{colour}'>{escape(reason)}</span>")
        links = [f"<a href='details:{line.number}'>{escape(text('VDESK_HIDE_DETAILS' if line.number in self.open_details else 'VDESK_DETAILS'))}</a>"]
        if self.received.has_signed_version(line.number):
            links.append(f"<a href='signed:{line.number}'>{escape(text('VDESK_VIEW_SIGNED'))}</a>")
        parts.append("<br>" + " · ".join(links) + "</p>")
        if line.number in self.open_details:
            parts.append(self._details(line))
        return "".join(parts) + "<hr>"

    def _details(self, line) -> str:
        received = self.received
        rows = [(text("VERIFY_REPORT_INDICATION"), text("INDICATION_" + line.indication)
                 + (f" — {text('SUBIND_' + line.sub_indication)}" if line.sub_indication else "")),
                (text("VERIFY_REPORT_INTEGRITY"), text("YES" if line.intact else "NO")),
                (text("VERIFY_REPORT_TRUSTED"), text("YES" if line.trusted else "NO")
                 + (f" ({', '.join(received.trust_sources)})" if line.trusted and received.trust_sources else "")),
                (text("VERIFY_REPORT_SERIAL"), line.serial or "—")]
        if line.timestamp_authority or line.when_proven:
            rows.append((text("VDESK_TIMESTAMP_ROW"), text("VDESK_TIMESTAMP_VALUE", when=_moment(line.when),
                                                           authority=line.timestamp_authority or "?")))
        else:
            rows.append((text("VDESK_TIMESTAMP_ROW"), text("VDESK_NO_TIMESTAMP")))
        rows.append((text("VERIFY_REPORT_COVERS"), _covers(line, received)))
        html = [_table(rows)]
        html.append(_section(text("VDESK_CHAIN"), [_certificate(entry) for entry in line.chain]
                             or [text("VDESK_CHAIN_UNKNOWN")]))
        html.append(_section(text("VDESK_REVOCATION"), _revocation(line)))
        changes = [(("" if change.permitted else "⚠ ") + _change(change)) for change in line.changes]
        html.append(_section(text("VDESK_CHANGES"), changes or [text("VDESK_NO_CHANGES")],
                             alarm=line.changed_after))
        return "<div style='margin-left:10px'>" + "".join(html) + "</div>"


def _when(line) -> str:
    if line.when is None:
        return text("VDESK_WHEN_NONE")
    return text("VDESK_WHEN_PROVEN" if line.when_proven else "VDESK_WHEN_CLAIMED", when=_moment(line.when))


def _moment(when) -> str:
    from app.i18n import moment

    return moment(when)


def _reason(line) -> str:
    if line.verdict == "valid" and not line.practice:
        return ""
    if line.verdict == "changed":
        unpermitted = next((c for c in line.changes if not c.permitted), None)
        return text("VDESK_CHANGED_BY", change=_change(unpermitted)) if unpermitted else text("VERIFY_MODIFIED_AFTER_SIGNING")
    if line.sub_indication:
        return text("SUBIND_" + line.sub_indication)
    return text(line.problems[0]) if line.problems else ""


def _change(change) -> str:
    where = text("CHANGE_END_OF_FILE") if change.revision < 0 else text("CHANGE_REVISION", revision=change.revision + 1)
    what = text(change.kind) + (f" ({', '.join(change.fields)})" if change.fields else "")
    status = text("CHANGE_PERMITTED" if change.permitted else "CHANGE_NOT_PERMITTED")
    return f"{where}: {what} — {status}"


def _covers(line, received) -> str:
    if line.signed_length is None or line.revision is None:
        return "—"
    pages = str(line.pages) if line.pages is not None else "?"
    value = text("VDESK_COVERS_VALUE", signed=f"{line.signed_length:,}".replace(",", "."),
                 size=f"{received.size:,}".replace(",", "."), revision=line.revision + 1,
                 revisions=received.revisions, pages=pages)
    return value + (" — " + text("VDESK_COVERS_WHOLE") if line.signed_length >= received.size else "")


def _certificate(entry) -> str:
    now = datetime.now(UTC)
    state = ("VDESK_CERT_NOT_YET" if now < entry.not_before else
             "VDESK_CERT_EXPIRED_NOW" if now > entry.not_after else "VDESK_CERT_VALID_NOW")
    value = text("VDESK_CHAIN_ENTRY", subject=entry.subject, issuer=entry.issuer,
                 not_before=f"{entry.not_before:%d/%m/%Y}", not_after=f"{entry.not_after:%d/%m/%Y}", state=text(state))
    return value + (" — " + text("VDESK_CERT_ANCHOR") if entry.anchor else "")


def _revocation(line) -> list[str]:
    items = [text("VDESK_REVOCATION_ENTRY", kind=item.kind, issuer=item.issuer, when=_moment(item.produced),
                  source=text("VDESK_SOURCE_" + item.source.upper())) for item in line.revocation_evidence]
    status = text(line.revocation)
    if not items:
        online = line.revocation in ("REVOCATION_GOOD", "REVOCATION_REVOKED")
        items.append(text("VDESK_REVOCATION_ONLINE" if online else "VDESK_REVOCATION_NONE", status=status))
    else:
        items.append(text("VDESK_REVOCATION_STATUS", status=status))
    return items


def _section(title: str, items: list[str], *, alarm: bool = False) -> str:
    colour = TONES["alarm"][0] if alarm else "#333"
    body = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"<p style='margin-bottom:0'><b style='color:{colour}'>{escape(title)}</b></p><ul style='margin-top:0'>{body}</ul>"


def _table(rows) -> str:
    cells = "".join(f"<tr><td style='color:#555;padding-right:6px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<table>{cells}</table>"
