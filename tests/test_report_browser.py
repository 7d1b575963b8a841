"""The report in headless Chromium with networking off: no console errors, no requests, charts drawn, no XSS."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_report_data import make_run

from reconfig.report import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
XSS = "<script>alert(1)</script>"

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium / chromedriver not installed")


@pytest.fixture
def driver(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1300,1000", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(options=opts, service=Service(DRIVER))
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1,
                                                           "uploadThroughput": -1})
    yield d
    d.quit()


def _requests(d) -> list[str]:
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def test_report_in_browser(driver, tmp_path):
    from selenium.webdriver.common.by import By

    page = build_report(make_run(tmp_path, extras=True))
    driver.get(page.as_uri())
    driver.implicitly_wait(5)
    for fig in ("fig-map", "fig-savings", "fig-access", "fig-tornado", "fig-pareto"):
        el = driver.find_element(By.CSS_SELECTOR, f"#{fig} .main-svg")
        assert el.is_displayed()
    assert driver.find_element(By.ID, "config-table").is_displayed()
    assert driver.find_element(By.ID, "sources-table")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#fig-map .scatterlayer .point")) >= 5  # zones and sites
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors
    requests = _requests(driver)
    assert page.as_uri() in requests
    outside = [u for u in requests if u != page.as_uri() and not u.startswith(("data:", "blob:", "chrome:", "about:"))]
    assert not outside, outside  # nothing from a server (http, https, ws) nor any other file
    driver.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_site_name_script_is_shown_not_run(driver, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    page = build_report(make_run(tmp_path, site_name=XSS))
    driver.get(page.as_uri())
    driver.find_element(By.CSS_SELECTOR, "#fig-map .main-svg")
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    assert XSS in driver.find_element(By.TAG_NAME, "body").text
    assert not driver.execute_script("return window.__xss || null")
    assert Path(page).exists()
