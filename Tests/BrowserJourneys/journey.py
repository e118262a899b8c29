"""What the browser journeys share: Debian's headless chromium driven by Selenium, a numbered
full-page screenshot per step, clicks that wait for the page they load, money as a shopper
reads it, and psql for checking what the shop stored.

The stack comes from deploy/scripts/browser.sh, through the environment: SHOP_URL (nginx in
front of the pool), DATABASE_URL and PSQL, SCREENSHOTS (a folder), STAFF_USERNAME and
STAFF_PASSWORD.
"""

import base64
import os
import shutil
import struct
import subprocess
import zlib
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

SHOP_URL = os.environ.get("SHOP_URL", "http://127.0.0.1:8000").rstrip("/")
SCREENSHOTS = os.environ.get("SCREENSHOTS", ".data/browser-screenshots")
# Debian's chromium and its matching driver. Both are given explicitly, so Selenium's
# selenium-manager never tries to download either (nothing but Debian and PyPI is reachable).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT_SECONDS = 15


def start_chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in CI: chromium's sandbox refuses to run as root
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-US",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


def http_get(path):
    """(status, content type, body) of a GET through nginx, outside the browser (no cookies):
    for what a person would check by opening a URL, such as an uploaded image under /media/."""
    try:
        with urllib.request.urlopen(SHOP_URL + path, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def money(text):
    """'$1,299.00' as a shopper reads it, as an exact Decimal."""
    text = text.strip()
    assert text.startswith("$"), f"a price is shown as $ and two decimals, not {text!r}"
    return Decimal(text[1:].replace(",", ""))


def shown_price(amount):
    """The way the contract shows an amount: $ and two decimals, with or without grouping."""
    return f"${amount:,.2f}", f"${amount:.2f}"


def write_png(path, width=64, height=48, rgb=(200, 80, 40)):
    """A small one-colour PNG, made here, for uploading as a product image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes(rgb) * width
    with open(path, "wb") as png:
        png.write(b"\x89PNG\r\n\x1a\n"
                  + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(row * height))
                  + chunk(b"IEND", b""))
    return path


def psql(sql, **variables):
    """Rows of a query as lists of strings. Values go in as psql variables (:'name'),
    quoted by psql itself, never pasted into the SQL."""
    command = [os.environ.get("PSQL", "psql"), "-X", "-q", "-tA", "-F", "\t",
               "-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    command.append(os.environ["DATABASE_URL"])
    result = subprocess.run(command, input=sql, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"psql failed: {result.stderr}"
    return [line.split("\t") for line in result.stdout.splitlines() if line]


class Journey:
    """One person's visit: the browser, and a screenshot per step under SCREENSHOTS/<name>/."""

    def __init__(self, driver, name):
        self.driver = driver
        self.folder = os.path.join(SCREENSHOTS, name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.steps = 0

    # Seeing

    @property
    def path(self):
        return urlsplit(self.driver.current_url).path

    def find(self, css, within=None):
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def text(self, css, within=None):
        return self.find(css, within).text.strip()

    def texts(self, css, within=None):
        return [element.text.strip() for element in self.find_all(css, within)]

    def link(self, text, within=None):
        return (within or self.driver).find_element(By.LINK_TEXT, text)

    def button(self, label, within=None):
        return self.find(f'input[type="submit"][value="{label}"], button[value="{label}"]', within)

    def broken_images(self, css="img"):
        """The sources of the images that did not load (nginx's /media/ or /static/ failing)."""
        return [image.get_attribute("src") for image in self.find_all(css)
                if not self.driver.execute_script(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0", image)]

    def styled(self):
        """Whether the shop's stylesheet (from /static/) applies: the header has its colour."""
        colour = self.driver.execute_script(
            "return getComputedStyle(document.getElementById('header')).backgroundColor")
        return colour not in ("", "transparent", "rgba(0, 0, 0, 0)")

    def side_by_side(self, first, second):
        """Both elements are shown, in one row, neither covering the other."""
        a, b = first.rect, second.rect
        apart = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
        same_row = abs(a["y"] - b["y"]) < max(a["height"], b["height"])
        return first.is_displayed() and second.is_displayed() and apart and same_row

    def shot(self, step):
        """A full-page PNG, NN-step.png, so a person can follow the journey afterwards."""
        self.steps += 1
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        image = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        })
        os.makedirs(self.folder, exist_ok=True)
        file = os.path.join(self.folder, f"{self.steps:02d}-{step}.png")
        with open(file, "wb") as png:
            png.write(base64.b64decode(image["data"]))
        return file

    # Doing

    def open(self, path):
        self.driver.get(SHOP_URL + path)
        self._loaded()

    def click_and_wait(self, element):
        """Clicks a link or a submit button as a person does, then waits for the next page:
        a mark left on this page's window is gone once another document has loaded. (Waiting
        for an element to go stale raced with chromium mid-navigation: "Node with given id
        does not belong to the document".) Errors while the page changes mean "not yet"."""
        self.driver.execute_script("window.journeyPreviousPage = true")
        element.click()
        WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return window.journeyPreviousPage === undefined && document.readyState === 'complete'"))
        self._loaded()

    def type_into(self, field_id, text):
        field = self.find(f"#{field_id}")
        field.clear()
        field.send_keys(text)
        return field

    def choose(self, select_element, value):
        Select(select_element).select_by_visible_text(str(value))

    def _loaded(self):
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete")
        assert self.driver.title, f"{self.driver.current_url} has no title: not one of the shop's pages?"
