"""pdf.py: the restricted URL fetcher, one PDF, cache keys and PDF reports with their JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from podkit import pdf
from podkit.errors import PodkitError

STAMP = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- URL fetcher (moved from test_printing.py)


@pytest.fixture
def resources(tmp_path):
    project = tmp_path / "kit"
    theme = project / "themes" / "default" / "print"
    theme.mkdir(parents=True)
    (theme / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (project / "content").mkdir()
    (project / "content" / "pic.png").write_bytes(b"\x89PNG")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (theme / "escape.svg").symlink_to(outside)
    return pdf.Resources((theme.resolve(),), (project / "content").resolve(), (project.resolve(), theme.resolve())), project, outside


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/logo.png",
    "https://example.com/font.woff2",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "file://otherhost/share/x.png",
    "podkit:theme/../../../secret.txt",
    "podkit:theme/escape.svg",
    "podkit:theme/missing.png",
    "podkit:elsewhere/x.png",
    "logo.svg",
    "javascript:alert(1)",
])
def test_fetcher_refuses(resources, url):
    res, _, _ = resources
    with pytest.raises(pdf.ResourceRefused):
        pdf.resolve_resource(url, res)


def test_fetcher_serves_project_and_theme_files(resources):
    res, project, outside = resources
    assert pdf.resolve_resource("podkit:theme/logo.svg", res).name == "logo.svg"
    assert pdf.resolve_resource("podkit:content/pic.png", res).name == "pic.png"
    assert pdf.resolve_resource((project / "content" / "pic.png").as_uri(), res).name == "pic.png"
    assert pdf.resolve_resource("data:image/png;base64,iVBORw0KGgo=", res) is None
    with pytest.raises(pdf.ResourceRefused, match="outside the project"):
        pdf.resolve_resource(outside.as_uri(), res)


def test_refusals_say_why(resources):
    res, project, outside = resources
    cases = {
        "https://example.com/font.woff2": "https://example.com/font.woff2: https: URLs are not fetched; PDFs use only files from the project and the theme",
        "logo.svg": "logo.svg: relative URLs without a base are not fetched",
        "podkit:elsewhere/x.png": "podkit:elsewhere/x.png: unknown resource area 'elsewhere' (use podkit:theme/… or podkit:content/…)",
        "podkit:theme/": "podkit:theme/: expected a relative file name after podkit:theme/",
        "podkit:theme//etc/passwd": "podkit:theme//etc/passwd: expected a relative file name after podkit:theme/",
        "podkit:theme/../../../secret.txt": "podkit:theme/../../../secret.txt: points outside the theme folder; podkit only reads files inside it",
        "podkit:theme/escape.svg": "podkit:theme/escape.svg: points outside the theme folder",
        "podkit:theme/missing.png": "podkit:theme/missing.png: no such file in the theme folder",
        "file://otherhost/share/x.png": "file://otherhost/share/x.png: file URLs on other hosts are not allowed",
        (project / "content" / "nope.png").as_uri(): "no such file",
    }
    for url, message in cases.items():
        with pytest.raises(pdf.ResourceRefused) as err:
            pdf.resolve_resource(url, res)
        assert message in err.value.format_message(), url
        assert isinstance(err.value, PodkitError) and err.value.exit_code == 1


def test_quoted_and_suffixed_resource_urls(resources):
    res, _, _ = resources
    assert pdf.resolve_resource("podkit:theme/logo.svg?v=2#top", res).name == "logo.svg"
    assert pdf.resolve_resource("podkit:content/p%69c.png", res).name == "pic.png"


def test_theme_folders_are_searched_in_order(tmp_path):
    first, second = tmp_path / "mine" / "print", tmp_path / "builtin" / "print"
    for folder, text in ((first, "mine"), (second, "builtin")):
        folder.mkdir(parents=True)
        (folder / "style.css").write_text(text)
    (second / "only-builtin.css").write_text("builtin")
    res = pdf.Resources.for_folders([first, second], None, None)
    assert pdf.resolve_resource("podkit:theme/style.css", res).read_text() == "mine"
    assert pdf.resolve_resource("podkit:theme/only-builtin.css", res).read_text() == "builtin"
    with pytest.raises(pdf.ResourceRefused, match="no such file in the theme folders"):
        pdf.resolve_resource("podkit:theme/none.css", res)
    with pytest.raises(pdf.ResourceRefused, match="unknown resource area 'content'"):
        pdf.resolve_resource("podkit:content/x.png", res)  # no content folder given


def test_nothing_allows_only_data_uris(tmp_path):
    res = pdf.Resources.nothing()
    assert pdf.resolve_resource("data:text/plain,hi", res) is None
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(pdf.ResourceRefused, match="outside the project and theme folders"):
        pdf.resolve_resource((tmp_path / "f.txt").as_uri(), res)


# --------------------------------------------------------------------------- writing one PDF


def test_write_pdf_reports_pages_and_size(tmp_path):
    target = tmp_path / "out.pdf"
    html = "<html lang='en'><head><title>T</title></head><body><p>one</p><p style='break-before: page'>two</p></body></html>"
    result = pdf.write_pdf(html, "@page { size: A6 }", target, resources=pdf.Resources.nothing())
    assert result.path == target and result.pages == 2
    assert result.size == target.stat().st_size and target.read_bytes().startswith(b"%PDF-")


def test_write_pdf_refuses_a_web_resource_and_writes_nothing(tmp_path):
    target = tmp_path / "x.pdf"
    html = "<html><body><img src='https://example.com/x.png' alt=''></body></html>"
    with pytest.raises(pdf.ResourceRefused) as err:
        pdf.write_pdf(html, "", target, resources=pdf.Resources.nothing())
    assert err.value.format_message().startswith("x.pdf: https://example.com/x.png: https: URLs are not fetched")
    assert not target.exists()


# --------------------------------------------------------------------------- cache keys


def _job(**kw) -> pdf.PrintJob:
    base = dict(name="a-toolkit-a4.pdf", kind="toolkit", paper="a4", title="A", assessment="a",
                html="<img src='podkit:theme/logo.svg' alt=''>", css="p { color: black }")
    return pdf.PrintJob(**{**base, **kw})


def test_cache_key_changes_with_each_input(resources):
    res, project, _ = resources
    key = pdf.pdf_key(_job(), res, "env")
    assert key == pdf.pdf_key(_job(), res, "env")  # stable
    changed = {
        "environment": pdf.pdf_key(_job(), res, "env2"),
        "name": pdf.pdf_key(_job(name="b.pdf"), res, "env"),
        "forms": pdf.pdf_key(_job(forms=True), res, "env"),
        "html": pdf.pdf_key(_job(html="<img src='podkit:theme/logo.svg' alt='x'>"), res, "env"),
        "css": pdf.pdf_key(_job(css="p { color: red }"), res, "env"),
    }
    (project / "themes" / "default" / "print" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='2'/>")
    changed["fetched file"] = pdf.pdf_key(_job(), res, "env")
    assert all(k is not None for k in changed.values())
    assert len({key, *changed.values()}) == len(changed) + 1, changed


def test_cache_key_is_none_when_a_resource_cannot_be_resolved(resources):
    res, _, _ = resources
    assert pdf.pdf_key(_job(html="<img src='podkit:theme/missing.png'>"), res, "env") is None


def test_cache_environment_is_a_stable_digest():
    env = pdf.cache_environment()
    assert env == pdf.cache_environment()
    assert len(env) >= 32 and all(c in "0123456789abcdef" for c in env)


def test_job_weight_favours_tagged_documents():
    html = "x" * 100
    assert _job(html=html).weight == 200
    assert _job(html=html, forms=True).weight == 100
    assert _job(html=html, kind="hr-guide").weight == 100


# --------------------------------------------------------------------------- PDF reports


def test_report_pdf_attaches_json_that_reads_back(tmp_path):
    payload = {"format": "podkit-report/1", "pod": "pod-demo", "text": "Nöt ASCII “quoted”"}
    data = pdf.report_pdf(
        "<html lang='en'><head><title>Report</title></head><body><h1>Report</h1></body></html>",
        attachment=json.dumps(payload, ensure_ascii=False), attachment_name="report.json", stamp=STAMP,
    )
    assert data.startswith(b"%PDF-")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    assert pdf.read_attachment(path) == payload


def test_report_pdf_fetches_nothing():
    from weasyprint.urls import FatalURLFetchingError

    # report HTML is podkit's own and never links out; if it did, the render stops, refused
    with pytest.raises(FatalURLFetchingError) as err:
        pdf.report_pdf("<img src='https://example.com/x.png'>", attachment="{}", attachment_name="report.json", stamp=STAMP)
    assert isinstance(err.value.__cause__, pdf.ResourceRefused)
    assert "https: URLs are not fetched" in err.value.__cause__.format_message()


def test_read_attachment_without_report_json(tmp_path):
    data = pdf.report_pdf("<p>x</p>", attachment="{}", attachment_name="other.json", stamp=STAMP)
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    with pytest.raises(KeyError, match="no report.json attached"):
        pdf.read_attachment(path)
