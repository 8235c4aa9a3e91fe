"""The console in a real browser: Debian's chromium driven by Playwright (one browser for all of
them, one shared server). Every test fails on any request leaving the server.

Journeys: sign in with the keyboard, search, open an event, export each format and read the file
back; verify a chain with progress; upload a catalogue with an error and see its line; publish a
policy and see a real `kyso` sync client apply it and lock the setting. And every main page, in
both languages, at 1366×768, with accessible names and nothing from outside."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.audit_server import ADMIN_PASSWORD, ROOT
from tests.support.console import CHROMIUM, CHROMIUM_ARGS, exported_hashes, query_rows


@pytest.fixture(scope="module")
def browser():
    """One browser for every browser test (they are all here). Module-scoped, not session: the
    sync API keeps an asyncio loop running in this thread while it lives, and later tests call
    asyncio.run() (pyhanko's signing does)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A browser context on the console that records every request that would leave the server."""

    def __init__(self, browser, site, *, lang: str = "vi") -> None:
        self.site, self.outside = site, []
        self.context = browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 768},
                                           accept_downloads=True, locale="vi-VN" if lang == "vi" else "en-GB")
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        if lang != "vi":
            self.page.goto(f"{site.url}/lang/{lang}")

    def _guard(self, route) -> None:
        if route.request.url.startswith(self.site.url + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def sign_in(self, who: str) -> None:
        """With the keyboard only: type the name, Tab, the password, Enter."""
        page = self.page
        page.goto(f"{self.site.url}/login")
        assert page.evaluate("document.activeElement.id") == "username"  # autofocus
        page.keyboard.type(self.site.names[who])
        page.keyboard.press("Tab")
        page.keyboard.type(ADMIN_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{self.site.url}/")

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"requests left the server: {self.outside}"


@pytest.fixture
def visit(browser, console_site):
    opened = []

    def open_visit(**options) -> Visit:
        opened.append(Visit(browser, console_site, **options))
        return opened[-1]

    yield open_visit
    for item in opened:
        item.close()


def test_sign_in_search_open_an_event_and_export_each_format(visit, console_site, tmp_path):
    site = console_site
    v = visit()
    v.sign_in("auditor")
    page = v.page
    page.get_by_role("link", name="Sự kiện", exact=True).click()
    page.get_by_label("Máy trạm").select_option(label="Máy two")
    page.get_by_label("Loại sự kiện").select_option(label="Ký thành công")
    page.get_by_label("Tên văn bản").fill("quyet dinh phe chuan")
    page.get_by_label("Tên văn bản").press("Enter")
    page.wait_for_url(re.compile(r"document=quyet"))
    rows = page.locator("main table tbody tr")
    assert rows.count() > 0 and all("Quyết định" in text for text in rows.all_inner_texts())
    page.locator("main table tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/events/\d+$"))
    assert page.get_by_text("SHA-256 tệp gốc").is_visible() and page.get_by_text("B-LT").first.is_visible()
    page.go_back()
    two = site.workstations["two"]["id"]
    expected = {row.hash for row in query_rows(site, "SELECT hash FROM events WHERE workstation_id = :w AND mode = "
                                          "'production' AND type = 'sign.succeeded' AND document_key LIKE "
                                          "'%quyet dinh phe chuan%'", w=two)}
    for fmt, label in (("csv", "CSV (mở bằng Excel)"), ("xlsx", "Bảng tính XLSX"), ("jsonl", "JSONL (kiểm tra lại được)"),
                       ("pdf", "Báo cáo PDF")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        saved = tmp_path / f"export.{fmt}"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(f".{fmt}")
        assert exported_hashes(fmt, saved.read_bytes()) == ({h[:16] for h in expected} if fmt == "pdf" else expected), fmt


def test_verify_a_chain_with_progress(visit, console_site, monkeypatch):
    import server.services.verification_runs as runs

    monkeypatch.setattr(runs, "STEP_EVENTS", 10)
    v = visit()
    v.sign_in("auditor")
    page = v.page
    page.goto(f"{console_site.url}/verification")
    page.get_by_role("button", name="Kiểm tra máy trạm Máy two").click()
    page.wait_for_url(re.compile(r"/verification/runs/\d+$"))
    page.get_by_text("Mọi chuỗi nguyên vẹn").wait_for()  # htmx took the steps, 10 events each
    assert page.locator("progress").first.get_attribute("value") == "40"
    assert page.get_by_text("40 / 40 sự kiện").is_visible()


def test_catalogue_with_an_error_is_refused_with_its_line(visit, console_site, tmp_path):
    from app.catalogue.loader import CatalogueInvalid, parse_catalogue

    text = (ROOT / "resources" / "catalogue" / "default.yaml").read_text(encoding="utf-8")
    broken = text.replace("roles: [van-thu]", "roles: [thu-ky-toa-an]", 1)
    with pytest.raises(CatalogueInvalid) as expected:
        parse_catalogue(broken, source="test")
    problem = expected.value.problems[0]
    upload = tmp_path / "danh-muc.yaml"
    upload.write_text(broken, encoding="utf-8")
    v = visit()
    v.sign_in("unit_admin")
    page = v.page
    page.get_by_role("link", name="Danh mục và chính sách").click()
    page.get_by_label("Tệp danh mục (YAML)").set_input_files(upload)
    page.get_by_role("button", name="Kiểm tra và phát hành danh mục").click()
    problems = page.locator("#catalogue-problems")
    problems.wait_for()
    row = problems.locator("tbody tr").first.inner_text()
    assert str(problem.line) in row and problem.field in row and "unknown role 'thu-ky-toa-an'" in row
    assert "Danh mục bị từ chối, chưa phát hành" in problems.inner_text()
    assert not query_rows(console_site, "SELECT 1 FROM unit_configs WHERE unit_id = :u AND kind = 'catalogue'",
                     u=console_site.unit)


def _kyso(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The real `kyso` command, as on a workstation (its own data folder, no machine policy)."""
    env = {**os.environ, "KYSO_HOME": str(home), "KYSO_LANG": "en", "KYSO_POLICY_DIR": str(home / "no-policy"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=180)


def test_a_published_policy_is_applied_and_locks_the_setting(visit, console_site, tmp_path, monkeypatch):
    site = console_site
    v = visit()
    v.sign_in("unit_admin")
    page = v.page
    page.get_by_role("link", name="Máy trạm", exact=True).click()
    page.get_by_label("Hiệu lực (giờ)").fill("2")
    page.get_by_role("button", name="Cấp mã đăng ký").click()
    code = page.locator("#enrolment-code").inner_text()
    home = tmp_path / "workstation"
    enrolled = _kyso(home, "enroll", site.url, code, "--ca-bundle", str(site.ca), "--label", "Máy phòng họp")
    assert enrolled.returncode == 0, enrolled.stderr
    page.get_by_role("link", name="Danh mục và chính sách").click()
    page.get_by_label("Cách áp dụng cho: Máy chủ dấu thời gian").select_option("locked")
    page.locator("#value-tsa_url").fill("http://tsa.vks.gov.vn")
    page.get_by_label("Tên hiện bên cạnh thiết lập bị khoá (locked_by)").fill("Văn phòng VKSND")
    page.get_by_role("button", name="Kiểm tra và phát hành chính sách").click()
    page.get_by_text("Đã phát hành chính sách").wait_for()
    synced = _kyso(home, "sync", "now")
    assert synced.returncode == 0, synced.stderr
    monkeypatch.setenv("KYSO_HOME", str(home))
    monkeypatch.setenv("KYSO_POLICY_DIR", str(home / "no-policy"))
    from app.settings import load_settings

    state = load_settings()
    assert state.settings.tsa_url == "http://tsa.vks.gov.vn"
    assert (state.locked["tsa_url"], state.lock_sources["tsa_url"]) == ("Văn phòng VKSND", "server")
    page.get_by_role("link", name="Máy trạm", exact=True).click()
    row = page.locator("tr", has_text="Máy phòng họp")
    assert re.search(r"phiên bản \d+ bản hiện hành", row.inner_text())


PAGES = ("/", "/events", "/practice", "/verification", "/workstations", "/configuration", "/accounts", "/admin-log")


@pytest.mark.parametrize(("lang", "pages"), [("vi", PAGES), ("en", ("/", "/configuration"))])
def test_every_page_loads_nothing_from_outside_fits_1366_and_names_its_controls(visit, console_site, lang, pages):
    v = visit(lang=lang)
    v.sign_in("admin")
    page = v.page
    for path in pages:
        page.goto(console_site.url + path)
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
        unnamed = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button, a')]
            .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !e.getAttribute('aria-labelledby') && !(e.textContent || '').trim())
            .map(e => e.outerHTML.slice(0, 80))""")
        assert unnamed == [], (path, unnamed)
    if lang == "vi":  # the API's docs page is in English only
        page.goto(console_site.url + "/api/v1/docs")
        page.locator(".swagger-ui .info .title").wait_for()  # Swagger UI ran, from this server's files
        assert "kyso audit server" in page.locator(".swagger-ui .info .title").inner_text()


def test_keyboard_reaches_the_content_and_the_navigation(visit, console_site):
    v = visit()
    v.sign_in("auditor")
    page = v.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Bỏ qua, tới nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.goto(console_site.url + "/")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/events"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/events$"))
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Sự kiện"
