"""The dashboard end to end, in a real headless browser: Debian's chromium driven by Selenium.

The server runs the demo scenario; the page must pick up an audit started through boto3
and a scheduled run made due by its own "+1 day" button, without being reloaded.
A missing browser fails the test (CI installs it with .ci/install-browser); the
screenshot goes to ``$IOT_AUDIT_ARTIFACTS`` (or the test's tmp_path) and its path is printed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import iot_audit_fake
from iot_audit_fake.server import ThreadedServer

DEMO = Path(iot_audit_fake.__file__).parent / "scenario" / "demo.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: The machine has no network: nothing in the browser may try to reach one.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")
WAIT = 30  # seconds a page change may take before the test gives up (a bound, not a measurement)


def _executable(path: str) -> str:
    found = path if os.access(path, os.X_OK) else shutil.which(Path(path).name)
    if found is None:
        pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (bash .ci/install-browser).")
    return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = _executable(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=_executable(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _artifacts(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("IOT_AUDIT_ARTIFACTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _task_rows(driver: Any, selector: str = "") -> list[Any]:
    return list(driver.find_elements(By.CSS_SELECTOR, f"#live tr.task-row{selector}"))


def test_the_dashboard_follows_the_state_live_and_moves_the_clock(browser, tmp_path):
    with ThreadedServer(scenario=DEMO) as server:
        browser.get(f"{server.endpoint_url}/_iot_audit/")
        WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#live #configuration"))
        assert "daily-fleet-audit" in browser.find_element(By.ID, "scheduled").text
        assert _task_rows(browser) == []
        browser.execute_script("window.notReloaded = true;")

        iot = boto3.client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        task_id = iot.start_on_demand_audit_task(
            targetCheckNames=["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"])["taskId"]
        WebDriverWait(browser, WAIT).until(lambda d: _task_rows(d, f"[data-task-id='{task_id}']"))

        browser.find_element(By.CSS_SELECTOR, "button[data-advance='86400']").click()
        scheduled = "[data-task-type='SCHEDULED_AUDIT_TASK'][data-scheduled-audit='daily-fleet-audit']"
        WebDriverWait(browser, WAIT).until(lambda d: _task_rows(d, scheduled))
        # Both arrived by the page's own live update: it was never reloaded.
        assert browser.execute_script("return window.notReloaded === true;")
        assert browser.find_element(By.ID, "clock-status").text == ""  # the clock endpoint took the button's POST
        assert browser.find_element(By.ID, "live-status").text == "live"
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []  # no script error, no Content-Security-Policy violation

        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1400, min(int(height) + 40, 6000))
        shot = _artifacts(tmp_path) / "dashboard-e2e.png"
        assert browser.save_screenshot(str(shot))
        print(f"dashboard screenshot: {shot}")
