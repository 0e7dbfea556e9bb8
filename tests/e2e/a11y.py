"""Accessibility and layout checks the phone tests share: axe-core (shipped by
axe-playwright-python) for WCAG 2.1 A/AA, no horizontal scrolling, and a screenshot of every
checked page kept in artifacts/e2e/screens/ (gitignored)."""

from .conftest import ARTIFACTS

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.1 AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    )


def check_page(page, name: str, *, width: int) -> None:
    """Keep a screenshot, then assert no sideways scrolling and no blocking axe violation."""
    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: the page scrolls sideways ({scroll_width} px)"
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe(violations)}"
