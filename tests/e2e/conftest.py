"""Headless Chromium against a live server (Playwright driving Debian's /usr/bin/chromium).

On CI (CI=true) a missing browser is a failure, not a skip. A failing test leaves a screenshot
and the page's HTML in artifacts/e2e/.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def loaded(page) -> str:
    """The page's HTML once its document has loaded. `content()` serialises the DOM as parsed
    so far: right after a click that navigates, a slow server may have sent only half the page."""
    page.wait_for_load_state("load")
    return page.content()


# Playwright's sync API runs an event loop in this thread; Django must allow its ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required on CI and was not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _page_fixture(request, browser, **context_options):
    context = browser.new_context(locale="ru-RU", **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    context.close()


@pytest.fixture
def page(request, browser):
    """A desktop-sized page (1280 × 800)."""
    yield from _page_fixture(request, browser, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone(request, browser):
    """A phone-sized page (360 × 740, touch)."""
    yield from _page_fixture(
        request, browser, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )


@pytest.fixture
def sign_in(live_server):
    """Sign in through the real login form: `sign_in(page, "guardian")`."""

    def go(page, username, password="secret-pass-123"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        second_factor(page)
        return page

    return go


def totp_code(secret: str, step_offset: int = 0) -> str:
    """The code an authenticator app shows for this base32 secret (RFC 6238, 30 s, 6 digits)."""
    import time
    from base64 import b32decode

    from django_otp.oath import hotp

    key = b32decode(secret)
    return f"{hotp(key, int(time.time()) // 30 + step_offset, digits=6):06d}"


def second_factor(page):
    """Give the second factor where the sign-in asks for it (the school admin, the director):
    enrol with the secret shown, or enter the code of the enrolled device."""
    from base64 import b32encode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    if "/two-factor/enrol/" in page.url:
        secret = page.get_by_test_id("otp-secret").inner_text()
        page.fill("#id_otp_token", totp_code(secret))
        page.get_by_role("button", name="Включить").click()
        page.get_by_role("link", name="Продолжить").click()
        page.wait_for_load_state("networkidle")
    elif "/two-factor/verify/" in page.url:
        device = TOTPDevice.objects.filter(confirmed=True).order_by("-id").first()
        page.fill("#id_otp_token", totp_code(b32encode(device.bin_key).decode(), 1))
        page.get_by_role("button", name="Подтвердить").click()
        page.wait_for_load_state("networkidle")
