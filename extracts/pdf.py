"""Print rendering: HTML from the print templates to PDF with WeasyPrint, fetching nothing but
the project's own static files (the stylesheet, the shipped DejaVu font, images).

Every document is rendered against PRINT_BASE_URL, a host that does not exist, so
`{% static %}` paths resolve under it; the fetcher serves those from the static finders and
refuses everything else (http, https elsewhere, file://, data: beyond what WeasyPrint decodes
itself): nothing leaves the machine and no file outside static/ is read. What was refused is
kept on the fetcher (`refused`) so the build can log it and tests can prove it.
"""

import contextlib
import functools
import io
import itertools
import json
import logging
import os
import signal
from collections.abc import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
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


# --- Several documents as one PDF (the class batch) ---------------------------------------------


@functools.cache
def print_style(name: str = "css/print.css") -> tuple[CSS, FontConfiguration]:
    """The print stylesheet parsed once per process, with the font configuration its
    @font-face rules loaded the shipped fonts into: every document of a batch (and every
    batch a worker process builds) reuses both instead of fetching and parsing them again."""
    fonts = FontConfiguration()
    url = PRINT_BASE_URL + settings.STATIC_URL.lstrip("/") + name
    return CSS(url=url, url_fetcher=StaticOnlyFetcher(), font_config=fonts), fonts


def render_documents(htmls: list[str]) -> tuple[bytes, list[int]]:
    """Documents (without a stylesheet link of their own: print_style is applied) laid out
    one by one and written as one PDF; the number of pages of each."""
    sheet, fonts = print_style()
    documents = [
        HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
            font_config=fonts, stylesheets=[sheet]
        )
        for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(), [len(d.pages) for d in documents]


def documents_to_pdf(
    htmls: Iterable[str],
    *,
    count: int | None = None,
    duplex: bool = False,
    processes: int | None = None,
) -> tuple[bytes, int]:
    """Several documents as one PDF and its number of pages: each laid out on its own (its
    pages numbered within it: an extract handed to a family says «1 / 2», not «37 / 56»),
    split in contiguous chunks of about the same number of documents between forked
    processes (layout is pure CPU; one process per CPU), the chunks joined in order with
    pypdf. `htmls` may be a generator of `count` documents: each chunk's process starts as
    soon as its documents are made, while the next ones are still read from the database.
    Duplex: a blank page after every document of an odd number of pages but the last, so
    each starts on a right-hand page."""
    count = len(htmls) if count is None else count
    if not count:
        raise ValueError("no documents to print")
    processes = min(processes or settings.PRINT_PROCESSES or os.cpu_count() or 1, count)
    if processes <= 1 or not hasattr(os, "fork"):
        parts = [render_documents(list(htmls))]
    else:
        print_style()  # parsed before the fork: every process starts with it
        parts = _render_forked(_chunks(iter(htmls), count, processes))
    if len(parts) == 1 and not duplex:
        content, counts = parts[0]
        return content, sum(counts)
    return _join(parts, duplex=duplex)


class RenderFailed(RuntimeError):
    pass


def _render_forked(chunks: Iterable[list[str]]) -> list[tuple[bytes, list[int]]]:
    """Each chunk rendered by a child forked for it, its PDF sent back through a pipe (a line
    of JSON with the pages of each document, or the error, then the PDF's bytes).

    Plain fork rather than multiprocessing: the worker's own pool processes are daemonic,
    and multiprocessing refuses children to a daemonic process. A child never touches the
    database, and leaves with os._exit (nothing of the parent's is cleaned up twice)."""
    children = []
    try:
        for chunk in chunks:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the child; its work is checked through the parent)
                os.close(read)
                _child_render(chunk, write)
            os.close(write)
            children.append([pid, read])
        return _collect(children)
    finally:
        # Reading the next students failed, or the task's time limit struck: no child is left
        # running or unwaited.
        for child in children:
            _stop(child)


def _collect(children: list[list]) -> list[tuple[bytes, list[int]]]:
    parts, errors = [], []
    for child in children:
        pid, read = child
        with os.fdopen(read, "rb") as source:
            child[1] = None
            header, _newline, content = source.read().partition(b"\n")
        _pid, status = os.waitpid(pid, 0)
        child[0] = None
        answer = json.loads(header or b'{"error": "no answer"}')
        if "error" in answer or status:
            errors.append(answer.get("error") or f"exit status {status}")
        else:
            parts.append((content, answer["pages"]))
    if errors:
        raise RenderFailed("; ".join(errors))
    return parts


def _stop(child: list) -> None:
    pid, read = child
    if read is not None:
        os.close(read)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _child_render(chunk: list[str], write: int) -> None:  # pragma: no cover (the child)
    status = 0
    try:
        content, counts = render_documents(chunk)
        payload = json.dumps({"pages": counts}).encode() + b"\n" + content
    except BaseException as error:  # noqa: BLE001 (told to the parent, which raises it)
        payload = json.dumps({"error": f"{type(error).__name__}: {error}"[:2000]}).encode()
        status = 1
    try:
        with os.fdopen(write, "wb") as out:
            out.write(payload)
    finally:
        os._exit(status)


def _chunks(htmls: Iterator[str], count: int, processes: int) -> Iterator[list[str]]:
    """`processes` contiguous chunks of the `count` documents, each handed on as soon as it
    is full (the first ones one document larger when they do not divide evenly)."""
    size, larger = divmod(count, processes)
    for index in range(processes):
        chunk = list(itertools.islice(htmls, size + (index < larger)))
        if chunk:
            yield chunk


def _join(parts: list[tuple[bytes, list[int]]], *, duplex: bool) -> tuple[bytes, int]:
    writer = PdfWriter()
    counts = [count for _content, part_counts in parts for count in part_counts]
    documents_left = len(counts)
    for content, part_counts in parts:
        reader = PdfReader(io.BytesIO(content))
        if not len(writer.pages) and reader.metadata:
            writer.add_metadata(reader.metadata)
        start = 0
        for count in part_counts:
            for page in reader.pages[start : start + count]:
                writer.add_page(page)
            start += count
            documents_left -= 1
            if duplex and count % 2 and documents_left:
                writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
