"""PDFs from print templates with WeasyPrint and a fetcher that reads only our static files."""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from typing_extensions import override
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents are rendered against this base, so `{% static %}` paths resolve under it and
# nothing else can: no network, no file://.
PRINT_BASE_URL = "https://print.invalid/"

MIME_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's own static files; refuses every other URL."""

    @override
    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        base = urlsplit(PRINT_BASE_URL)
        prefix = settings.STATIC_URL
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
            prefix
        ):
            raise ValueError(f"refused to fetch {url!r}: only the project's static files")
        relative = unquote(parts.path[len(prefix) :])
        if ".." in relative.split("/"):
            raise ValueError(f"refused to fetch {url!r}")
        path = finders.find(relative)
        if not path:
            raise ValueError(f"no static file {relative!r}")
        with open(path, "rb") as handle:
            body = handle.read()
        suffix = "." + relative.rsplit(".", 1)[-1] if "." in relative else ""
        return URLFetcherResponse(
            url,
            body=body,
            headers={"Content-Type": MIME_TYPES.get(suffix, "application/octet-stream")},
        )


def pdf_render(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
