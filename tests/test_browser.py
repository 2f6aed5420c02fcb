"""End to end: the real app in a real browser (Debian's Chromium driven by Playwright).

Starts `streamlit run app/streamlit_app.py` on a free port against a temporary index of the
shipped corpus, asks a Dutch question, checks the answer, a highlighted passage and a citation,
and checks the layout at 1440x900, 1280x720 (a projector) and 390x844 (a phone). Screenshots go
to $BELEIDSZOEKER_ARTIFACTS (default: a folder in the system's temp dir); the cold-start and warm
query times are printed.

Needs /usr/bin/chromium (Debian: `apt-get install -y chromium`); never downloads a browser.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from app_fixtures import ZEELAND_PDF_PAGES, DataDir, fresh_copy, make_pdf, real_index

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app" / "streamlit_app.py"
ARTIFACTS = Path(os.environ.get("BELEIDSZOEKER_ARTIFACTS") or Path(tempfile.gettempdir()) / "beleidszoeker-artifacts")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
QUESTION = "Wat is de rol van de praktijkondersteuner jeugd bij de huisarts?"  # answered surely (calibrated)
WARM_QUESTION = "Wat doen de regio's tegen lange wachtlijsten in de jeugdhulp?"
COMPARE_TOPIC = "normaliseren"
PDF_QUESTION = "Hoeveel extra pleeggezinnen willen de Zeeuwse gemeenten werven?"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit stopped with exit code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> DataDir:
    if not CHROMIUM.exists():
        pytest.skip("Chromium ontbreekt: installeer het met `apt-get install -y chromium` (/usr/bin/chromium)")
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install -e .[dev])")
    from app.actions import NewDocument, add_document
    from beleidszoeker.config import Settings

    # A private copy of the real index plus one PDF, so the page link (#page=N) can be checked too.
    data = fresh_copy(real_index(tmp_path_factory), tmp_path_factory.mktemp("appdata-browser"))
    pdf = NewDocument("pleegzorgplan-zeeland.pdf", make_pdf(ZEELAND_PDF_PAGES), "Pleegzorgplan Jeugd Zeeland",
                      "Zeeland", 2024)
    added = add_document(pdf, Settings(corpus_dir=data.corpus, data_dir=data.data))
    assert added.ok, added.errors
    return data


@pytest.fixture(scope="module")
def server(real: DataDir, tmp_path_factory):
    """(base url, process start time) of a fresh streamlit process: the cold start is measured from here."""
    port = _free_port()
    env = {**os.environ, **real.env(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = (tmp_path_factory.mktemp("streamlit-log") / "streamlit.log").open("w")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _idle(page, timeout: float = 120_000) -> None:
    """Wait until the script run has finished."""
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-test-script-state]');"
        " return a && a.getAttribute('data-test-script-state') !== 'running'; }",
        timeout=timeout,
    )


def _submit(page, question: str, label: str = "Uw vraag") -> None:
    box = page.locator(f'input[aria-label="{label}"]')
    box.fill(question)
    box.press("Enter")


def _save(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def test_ask_in_browser_cold_and_warm(server, browser):
    url, started = server
    page = browser.new_page(viewport={"width": 1440, "height": 1350})
    page.set_default_timeout(90_000)
    page.goto(url)
    box = page.locator('input[aria-label="Uw vraag"]')
    box.wait_for(state="visible")
    _submit(page, QUESTION)
    page.locator(".bz-answer-text, .bz-noanswer-text").first.wait_for(state="visible")
    page.locator("mark.bz-ans").first.wait_for(state="visible")
    _idle(page)
    cold = time.perf_counter() - started

    card = page.locator(".bz-card").first
    assert card.is_visible()
    cite = page.locator(".bz-cite")
    assert cite.count() == 1 and cite.first.is_visible(), "the answer card shows no citation"
    assert " — " in cite.first.inner_text()
    assert page.locator(".bz-passage mark.bz-ans").first.is_visible()
    assert page.locator(".bz-head .bz-region").count() >= 3
    assert page.locator("script:has-text('alert')").count() == 0
    assert "q=" in page.url and "modus=vraag" in page.url
    _save(page, "browser-vraag.png")

    # warm: the next question in the same (already loaded) server process
    before = card.inner_text()
    t0 = time.perf_counter()
    _submit(page, WARM_QUESTION)
    page.wait_for_function(
        "(old) => { const c = document.querySelector('.bz-card'); return c && c.innerText !== old; }", arg=before
    )
    _idle(page)
    warm = time.perf_counter() - t0
    assert page.locator(".bz-passage").count() >= 3

    # in context: the passage appears in its document, in view
    page.get_by_role("button", name="In context").first.click()
    focus = page.locator("#bz-focus")
    focus.wait_for(state="visible")
    _idle(page)
    assert focus.is_visible() and page.locator(".bz-before").is_visible()
    focus.scroll_into_view_if_needed()
    _save(page, "browser-context.png")

    # a PDF passage: "In context" links to the source at its page
    _submit(page, PDF_QUESTION)
    page.locator(".bz-head .bz-region", has_text="Zeeland").first.wait_for(state="visible")
    _idle(page)
    regions = page.locator(".bz-head .bz-region").all_inner_texts()  # passages in order, one button each
    page.get_by_role("button", name="In context").nth(regions.index("Zeeland")).click()
    link = page.get_by_role("link", name="PDF openen op pagina 2")
    link.wait_for(state="visible")
    href = link.get_attribute("href")
    assert href.endswith("#page=2"), href
    response = page.request.get(url + href.split("#")[0] if href.startswith("/") else href.split("#")[0])
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert page.get_by_role("button", name="Bronbestand downloaden: Pleegzorgplan Jeugd Zeeland (PDF)").is_visible()

    timings = {"cold_start_to_first_answer_s": round(cold, 2), "warm_query_s": round(warm, 2)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=1))
    print(f"\ncold start (process start -> first answer): {cold:.1f} s; warm query: {warm:.2f} s")
    assert warm < 30


def test_compare_in_browser(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 1350})
    page.set_default_timeout(90_000)
    page.goto(f"{url}/?modus=vergelijk&q={COMPARE_TOPIC}")
    page.locator(".bz-doccard-head").first.wait_for(state="visible")
    _idle(page)
    cards = page.locator(".bz-doccard-head").count()
    assert cards == 6  # the five shipped documents and the added PDF
    assert page.locator(".bz-passage mark.bz-ans").count() + page.locator(".bz-missing").count() >= cards
    _save(page, "browser-vergelijk.png")


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box


@pytest.mark.parametrize("width, height", [(1440, 900), (1280, 720)])
def test_answer_card_above_the_fold_and_readable_grid(server, browser, width, height):
    url, _ = server
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(90_000)
    page.goto(f"{url}/?modus=vraag&q={QUESTION}")
    page.locator(".bz-card").first.wait_for(state="visible")
    _idle(page)
    page.evaluate("window.scrollTo(0, 0)")
    card = _box(page, ".bz-card")
    assert card["y"] + 60 < height, f"answer card starts at {card['y']:.0f} px, below the fold of {height}"
    assert card["x"] + card["width"] <= width
    _save(page, f"vraag-{width}x{height}.png")

    # a long question: no "Press Enter to submit form" over its end
    box = page.locator('input[aria-label="Uw vraag"]')
    box.fill("Welke afspraken maken de regio's met aanbieders over wachttijden, doorverwijzing en de inzet van "
             "specialistische jeugdhulp voor gezinnen met complexe problemen?")
    assert page.locator('[data-testid="InputInstructions"]').filter(has_text="Press Enter").count() == 0 or \
        not page.locator('[data-testid="InputInstructions"]').first.is_visible()
    assert "Press Enter" not in page.locator("section.main, [data-testid='stMain']").first.inner_text()

    page.goto(f"{url}/?modus=vergelijk&q={COMPARE_TOPIC}")
    page.locator(".bz-doccard-head").first.wait_for(state="visible")
    _idle(page)
    widths = [b["width"] for b in (page.locator(".bz-doccard-head").nth(i).bounding_box()
                                   for i in range(page.locator(".bz-doccard-head").count())) if b]
    assert widths and min(widths) >= 300, f"compare columns too narrow at {width}px: {widths}"
    _save(page, f"vergelijk-{width}x{height}.png")

    page.goto(f"{url}/?modus=corpus")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible")
    _idle(page)
    table = _box(page, '[data-testid="stDataFrame"]')
    assert table["x"] + table["width"] <= width + 1, "corpus table cut off at the right"
    scroll = page.evaluate("() => { const s = document.querySelector('[data-testid=stDataFrame] .dvn-scroller');"
                           " return s ? [s.scrollWidth, s.clientWidth] : null; }")
    assert scroll is None or scroll[0] <= scroll[1] + 1, f"corpus table columns hidden behind a scroll bar: {scroll}"
    _save(page, f"corpus-{width}x{height}.png")

    page.goto(f"{url}/?modus=documenten")
    page.get_by_text("Document toevoegen").first.wait_for(state="visible")
    _idle(page)
    main_text = page.locator("[data-testid='stMain']").first.inner_text()
    for english in ("Drag and drop", "Browse files", "Limit 200MB", "per file"):
        assert english not in main_text, english
    assert "Upload" not in page.locator("[data-testid=stFileUploaderDropzone] button").first.inner_text()
    _save(page, f"documenten-{width}x{height}.png")


def test_phone_sidebar_collapsed_and_content_fits(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{url}/?modus=vraag&q={QUESTION}")
    page.locator(".bz-card").first.wait_for(state="visible")
    _idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    if sidebar.count():
        box = sidebar.first.bounding_box()
        assert box is None or box["x"] + box["width"] <= 1 or sidebar.first.get_attribute("aria-expanded") == "false"
    card = _box(page, ".bz-card")
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390 + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "the page scrolls sideways"
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.bz-passage')).fontSize)")
    assert font >= 14
    _save(page, "vraag-390x844.png")
    page.goto(f"{url}/?modus=vergelijk&q={COMPARE_TOPIC}")
    page.locator(".bz-doccard-head").first.wait_for(state="visible")
    _idle(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    _save(page, "vergelijk-390x844.png")
    context.close()
