"""Readable and keyboard-usable: axe-core (from npm, which ``.ci/run`` installs) run
in Debian's Chromium on the workbench's main pages, with no serious or critical
violation allowed.

Why axe-core: it is the checker the accessibility field uses (WCAG rules: contrast,
names of controls, landmarks, focus order), so "no serious violations" means what a
reviewer would mean.  The page's own CSP would refuse the injected checker, so this
one browser context bypasses CSP; every other browser test keeps it on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import CHROMIUM, FLAGS, base_url, sync_api  # noqa: F401

AXE = Path(os.environ.get("PROPSCOPE_AXE",
                          "/tmp/propscope-axe/node_modules/axe-core/axe.min.js"))
if not AXE.is_file():
    pytest.skip(f"the accessibility check needs axe-core at {AXE} (npm install --prefix "
                "/tmp/propscope-axe axe-core@4, as .ci/run does; or set PROPSCOPE_AXE)",
                allow_module_level=True)

PAGES = ["/", "/documents", "/documents/1", "/documents/2", "/search?q=imperialist",
         "/techniques", "/techniques/loaded-language", "/outlets", "/trends"]


@pytest.fixture(scope="module")
def axe_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def _serious(page: Any) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(axe_page: Any, base_url: str,  # noqa: F811
                                            path: str) -> None:
    axe_page.goto(base_url + path)
    assert _serious(axe_page) == []


def test_the_analyse_result_page_passes_too(axe_page: Any, base_url: str) -> None:  # noqa: F811
    axe_page.goto(base_url + "/")
    axe_page.fill("#text", "The imperialist aggressors staged a heinous provocation.")
    axe_page.click("#analyse-btn")
    axe_page.wait_for_selector("#doc-text")
    assert _serious(axe_page) == []


def test_the_check_catches_a_serious_violation(axe_page: Any) -> None:
    # A button without a name and an image without text: axe calls both serious or
    # worse, so an empty list above means the checker looked.
    axe_page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                         '<button></button><img src="data:,"></main></body></html>')
    found = _serious(axe_page)
    assert any(v.startswith("button-name") for v in found), found
