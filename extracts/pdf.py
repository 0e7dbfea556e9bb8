"""Print rendering: HTML from the print templates to PDF with WeasyPrint, fetching nothing but
the project's own static files (the stylesheet, the shipped DejaVu font, images).

Every document is rendered against PRINT_BASE_URL, a host that does not exist, so
`{% static %}` paths resolve under it; the fetcher serves those from the static finders and
refuses everything else (http, https elsewhere, file://, data: beyond what WeasyPrint decodes
itself): nothing leaves the machine and no file outside static/ is read. What was refused is
kept on the fetcher (`refused`) so the build can log it and tests can prove it.
"""

import logging
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PRINT_BASE_URL = "https://print.invalid/"

MIME_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
}


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files under PRINT_BASE_URL; refuses every other URL."""

    def __init__(self):
        super().__init__()
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):  # noqa: ARG002 (WeasyPrint's fetcher interface)
        try:
            path, relative = self._static_path(url)
        except FetchRefused:
            self.refused.append(url)
            logger.warning("print: refused to fetch %s", url[:200])
            raise
        with open(path, "rb") as handle:
            body = handle.read()
        self.served.append(relative)
        suffix = "." + relative.rsplit(".", 1)[-1].lower() if "." in relative else ""
        return URLFetcherResponse(
            url,
            body=body,
            headers={"Content-Type": MIME_TYPES.get(suffix, "application/octet-stream")},
        )

    @staticmethod
    def _static_path(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        base = urlsplit(PRINT_BASE_URL)
        prefix = settings.STATIC_URL
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise FetchRefused(f"refused to fetch {url!r}: only the project's static files")
        if not parts.path.startswith(prefix) or parts.query:
            raise FetchRefused(f"refused to fetch {url!r}: not a static file")
        relative = unquote(parts.path[len(prefix) :])
        if not relative or ".." in relative.split("/") or "\\" in relative:
            raise FetchRefused(f"refused to fetch {url!r}")
        path = finders.find(relative)
        if not path:
            raise FetchRefused(f"no static file {relative!r}")
        return path, relative


def html_to_pdf(html: str, fetcher: StaticOnlyFetcher | None = None) -> tuple[bytes, int]:
    """The PDF of one HTML document and its number of pages."""
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)


def template_to_pdf(template_name: str, context: dict) -> tuple[bytes, int]:
    return html_to_pdf(render_to_string(template_name, context))
