"""Screenshots of the administrators' console for docs/screenshots/, in both languages, at 1366×768.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots]

Starts kyso-server on a temporary SQLite database over HTTPS (loopback, a test CA), seeds two
units, workstations with real chains sent through the API, practice events and a tamper alert (the
same seeding as the tests: tests/support/console.py), then drives Debian's chromium with
Playwright and saves console-<lang>-<page>.png. Nothing is fetched from outside (the run fails if
the page asks for anything not on the server).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.audit_server import ADMIN_PASSWORD  # noqa: E402
from tests.support.console import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BROKEN_CATALOGUE = "schema: kyso-catalogue/1\ncatalogue:\n  id: vks-thu\n  name: Thử\n  version: '1'\n" \
                   "  issued: '2026-12-01'\nroles:\n  van-thu: {name: Văn thư}\nfile_rules: {}\n" \
                   "document_types:\n  - name: Quyết định\n    group: administrative\n    abbreviations: [QĐ]\n" \
                   "    titles: [QUYẾT ĐỊNH]\n    signatures:\n      - {kind: personal, roles: [vien-truong], " \
                   "level: B-LT, placement: signer-block}\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from server.migrate import upgrade
    from tests.support.console import build_site

    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'console.sqlite3'}"
        upgrade(url)
        site = build_site(url, Path(work) / "site")
        try:
            _prepare(site)
            for lang in ("vi", "en"):
                _shoot(site, lang, args.out)
        finally:
            site.server.stop()
    return 0


def _prepare(site) -> None:
    """Signatures of this week, a verification run and a published policy, so those pages show
    something."""
    from datetime import UTC, datetime, timedelta

    from tests.support.console import event_chain

    two = site.workstations["two"]
    last = two["events"][("production", 40)]
    site.send("two", event_chain(two["id"], count=30, start=41, prev_hash=last["hash"],
                                 first=datetime.now(UTC) - timedelta(hours=7 * 29 + 1)))
    client = site.client("admin")
    run = client.post("/verification/runs", {"workstation": site.workstations["one"]["id"]}).headers["location"]
    while "hx-trigger" in client.post(run + "/step", {}, headers={"HX-Request": "true"}).text:
        pass
    client.post("/configuration/policy", {"unit": site.unit, "locked_by": "Văn phòng VKSND", "how_tsa_url": "locked",
                                          "value_tsa_url": "http://tsa.vks.gov.vn", "how_default_level": "default",
                                          "value_default_level": "B-LT", "keep_days": "365"})
    client.close()
    site.run = run


def _shoot(site, lang: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def guard(route) -> None:
        if route.request.url.startswith(site.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 768},
                                      locale="vi-VN" if lang == "vi" else "en-GB")
        context.route("**/*", guard)
        page = context.new_page()
        page.goto(f"{site.url}/lang/{lang}?next=/login")
        page.screenshot(path=out / f"console-{lang}-login.png")
        page.fill("#username", site.names["admin"])
        page.fill("#password", ADMIN_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(f"{site.url}/")
        for name, path in (("overview", "/"), ("events", "/events?document=quyet+dinh"), ("practice", "/practice"),
                           ("verification", site.run), ("workstations", "/workstations"),
                           ("configuration", f"/configuration?unit={site.unit}"), ("accounts", "/accounts"),
                           ("admin-log", "/admin-log?verify=1")):
            page.goto(site.url + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / f"console-{lang}-{name}.png")
        page.goto(site.url + "/events")
        page.locator("main table tbody tr a").first.click()
        page.screenshot(path=out / f"console-{lang}-event.png")
        page.goto(f"{site.url}/configuration?unit={site.unit}")
        page.fill("#catalogue-text", BROKEN_CATALOGUE)
        page.click("form[action='/configuration/catalogue'] button[type=submit]")
        page.locator("#catalogue-problems").scroll_into_view_if_needed()
        page.screenshot(path=out / f"console-{lang}-catalogue-refused.png")
        browser.close()
    if outside:
        raise SystemExit(f"requests left the server: {outside}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
