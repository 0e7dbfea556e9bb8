"""A batch of documents as one PDF (extracts.pdf.documents_to_pdf): the same pages in the same
order whether rendered in the worker's process or split between processes, each document's
pages numbered within it, and for duplex printing each document starting on a right-hand page."""

import re

import pytest

from extracts.pdf import _chunks, documents_to_pdf

from .conftest import flat, pdf_pages, pdf_text


def document(name: str, pages: int) -> str:
    body = "".join(
        f'<div style="break-before: page">{name}, лист {n}</div>' if n > 1 else ""
        for n in range(1, pages + 1)
    )
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8"></head><body>'
        f'<p class="who">{name}</p><p>{name}, лист 1</p>{body}</body></html>'
    )


BATCH = [("Иванов", 1), ("Петрова", 2), ("Сидоров", 3), ("Кузнецова", 1)]


def pages_of(content: bytes, tmp_path) -> list[str]:
    return [flat(page) for page in pdf_text(content, tmp_path).split("\f")][: pdf_pages(content)]


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_pages_come_in_the_order_of_the_documents_numbered_within_each(processes, tmp_path):
    content, pages = documents_to_pdf([document(n, p) for n, p in BATCH], processes=processes)
    assert pages == 7 == pdf_pages(content)
    texts = pages_of(content, tmp_path)
    expected = [(name, n, count) for name, count in BATCH for n in range(1, count + 1)]
    for text, (name, n, count) in zip(texts, expected, strict=True):
        assert f"{name}, лист {n}" in text
        assert re.search(rf"\b{n}\s*/\s*{count}\b", text), text


@pytest.mark.parametrize("processes", [1, 2])
def test_duplex_starts_every_document_on_a_right_hand_page(processes, tmp_path):
    content, pages = documents_to_pdf(
        [document(n, p) for n, p in BATCH], duplex=True, processes=processes
    )
    # Иванов 1 + blank, Петрова 2, Сидоров 3 + blank, Кузнецова 1 (no blank after the last).
    assert pages == 9 == pdf_pages(content)
    texts = pages_of(content, tmp_path)
    firsts = {
        name: next(i for i, t in enumerate(texts) if f"{name}, лист 1" in t) for name, _p in BATCH
    }
    assert firsts == {"Иванов": 0, "Петрова": 2, "Сидоров": 4, "Кузнецова": 8}
    assert texts[1] == "" and texts[7] == ""


def test_one_document_is_not_split():
    content, pages = documents_to_pdf([document("Иванов", 2)], processes=4)
    assert pages == 2 == pdf_pages(content)


def test_the_chunks_keep_the_order_and_split_the_documents_evenly():
    htmls = [f"документ {n}" for n in range(25)]
    for processes, sizes in ((1, [25]), (2, [13, 12]), (3, [9, 8, 8]), (4, [7, 6, 6, 6])):
        chunks = list(_chunks(iter(htmls), 25, processes))
        assert [len(c) for c in chunks] == sizes
        assert [h for c in chunks for h in c] == htmls


def test_a_generator_of_documents_is_rendered_as_it_comes(tmp_path):
    made = []

    def documents():
        for name, pages in BATCH:
            made.append(name)
            yield document(name, pages)

    content, pages = documents_to_pdf(documents(), count=len(BATCH), processes=2)
    assert made == [name for name, _p in BATCH] and pages == 7
    assert "Кузнецова, лист 1" in pages_of(content, tmp_path)[-1]


def test_no_documents_is_an_error():
    with pytest.raises(ValueError):
        documents_to_pdf([])


def test_a_failure_in_a_child_process_fails_the_batch(monkeypatch):
    from extracts import pdf

    def broken(_htmls):
        raise OSError("the disk is full")

    monkeypatch.setattr(pdf, "render_documents", broken)  # forked children inherit it
    with pytest.raises(pdf.RenderFailed, match="OSError: the disk is full"):
        documents_to_pdf([document("Иванов", 1), document("Петрова", 1)], processes=2)


def test_a_failure_reading_the_next_documents_leaves_no_child_behind(monkeypatch):
    import os

    forked = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    # Recorded at the system call, so only the batch's own children are looked at (the test
    # process may have others: a browser of the end-to-end tests, a live server).
    monkeypatch.setattr(os, "fork", fork)

    def documents():
        yield document("Иванов", 1)
        yield document("Петрова", 1)
        raise LookupError("the student is gone")

    with pytest.raises(LookupError):
        documents_to_pdf(documents(), count=4, processes=2)
    assert forked, "the first chunk was given to a child before the failure"
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: neither running nor left unwaited
