"""pytest fixtures for the journeys: a fresh chromium (no cookies) per journey, and a last
screenshot named failed.png when a journey fails, showing where it stopped."""

import pytest

from journey import Journey, start_chromium


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.journey_failed = True
    return report


@pytest.fixture
def journey(request):
    driver = start_chromium()
    visit = Journey(driver, request.node.name.removeprefix("test_"))
    try:
        yield visit
        if getattr(request.node, "journey_failed", False):
            try:
                visit.shot("failed")
            except Exception:  # the browser itself may be what broke
                pass
    finally:
        driver.quit()
