"""The browser recorder: one offline page per assessment that writes the file ``podkit score`` reads.

``record/<assessment-id>/index.html`` is plain HTML rendered at build time from the same model and
wording as the observation sheet, with one small script (``record/recorder.js``) and one style
sheet (``record/recorder.css``) shared by every recorder, and no request to anywhere else. The
pages are staged beside the site's Markdown (MkDocs copies them as they are), so they work from the
published site and from the offline build opened from file://.

Before a session the observer may load the pod's last report (the JSON ``podkit score`` wrote):
each item then shows the level last observed and the actions in flight for it, read in the page
and never sent or kept. The report's format and file name are emitted from :mod:`podkit.results`
and :func:`podkit.portfolio.report_name`.

What the page needs to know is emitted into it, never retyped in the script:

- the limits and patterns of :mod:`podkit.model` (pod and observer ids, minutes, counts, text);
- the form-field names of :mod:`podkit.fields` (the contract the fillable PDF sheet uses too);
- the CSV columns of :mod:`podkit.csvfiles`;
- the YAML ``podkit new-observation`` writes (:func:`podkit.blanks.blank_observation`), turned into
  a skeleton whose session values and responses are markers the script fills in. A session with
  nothing recorded downloads as exactly the blank file, and a filled one differs only where the
  observer recorded something.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from pathlib import Path

from . import csvfiles, fields, model, results
from .blanks import blank_observation, default_file_name
from .csvfiles import CSV_COLUMNS
from .kit import Kit
from .model import AnchoredItem, Assessment, CheckItem, CodesItem, CountItem
from .portfolio import report_name
from .templates import environment, theme_search_path
from .text import html_inline, md_inline, plain
from .wording import check_answer, threshold_bands

#: Site-relative folder of the recorders, and the files every recorder page shares.
RECORD_DIR = "record"
SCRIPT = "recorder.js"
STYLE = "recorder.css"
#: The Markdown page listing every recorder (linked from the Toolkits page).
INDEX_PAGE = f"{RECORD_DIR}/index.md"
#: How the intervals of a codes item are written in one CSV cell (see :mod:`podkit.csvfiles`):
#: intervals joined by ``|``, codes by ``+``, ``-`` for an interval with no code ticked.
#: Prefix of the browser's storage keys: ``<prefix><assessment>:<session>``.
STORAGE_PREFIX = "podkit-recorder:"
#: Where the site publishes the observation schema, relative to the site root.
SCHEMA_PATH = "schemas/observation.schema.json"

# Markers in the YAML skeleton; the script replaces each with the recorded value.
_MARK = "\u27e6{}\u27e7"  # ⟦name⟧: brackets no assessment text or YAML key uses
_SAMPLE_POD, _SAMPLE_OBSERVER, _SAMPLE_DATE = "pod-recorder", "obs-recorder", _dt.date(2000, 1, 1)


def page_path(assessment_id: str) -> str:
    """Site-relative path of an assessment's recorder page."""
    return f"{RECORD_DIR}/{assessment_id}/index.html"


def recorder_pages(kit: Kit, *, theme: Path | None = None, offline: bool = False, compiled=None) -> dict[str, str]:
    """Every recorder page, the shared script and style, and the index page, as staged pages
    (docs-relative path -> text) for :class:`podkit.site.SiteExtras`."""
    env = _env(kit.project.root, theme, compiled)
    pages = {page_path(a.id): render_page(env, a, offline=offline) for a in kit.assessments}
    folder = _asset_folder(kit.project.root, theme)
    for name in (SCRIPT, STYLE):
        pages[f"{RECORD_DIR}/{name}"] = (folder / name).read_text(encoding="utf-8")
    md = environment(theme_search_path(kit.project.root, "recorder", theme), autoescape=False, compiled=compiled)
    md.filters["md"] = md_inline
    pages[INDEX_PAGE] = md.get_template("index.md.j2").render(assessments=kit.assessments, page_path=lambda i: page_path(i).split("/", 1)[1])
    return pages


def _env(root: Path, theme: Path | None, compiled=None):
    env = environment(theme_search_path(root, "recorder", theme), autoescape=True, compiled=compiled)
    env.filters["inline"] = html_inline
    env.filters["plain"] = plain
    env.globals.update(
        is_anchored=lambda it: isinstance(it, AnchoredItem),
        is_check=lambda it: isinstance(it, CheckItem),
        is_count=lambda it: isinstance(it, CountItem),
        is_codes=lambda it: isinstance(it, CodesItem),
        threshold_bands=threshold_bands,
        check_answer=check_answer,
        field=fields.field_name,
        NOT_OBSERVED=fields.NOT_OBSERVED,
        NOT_APPLICABLE=fields.NOT_APPLICABLE,
        REASON=fields.REASON,
        OUT_OF=fields.OUT_OF,
        limits=_limits(),
        fmt=lambda v: f"{v:g}",
    )
    return env


def _asset_folder(root: Path, theme: Path | None) -> Path:
    for folder in theme_search_path(root, "recorder", theme):
        if (folder / SCRIPT).is_file() and (folder / STYLE).is_file():
            return folder
    raise FileNotFoundError(f"no theme folder holds recorder/{SCRIPT} and recorder/{STYLE}")


def _limits() -> dict:
    """The limits of the files people write, as :mod:`podkit.model` names them."""
    return {
        "slug_pattern": model.SLUG_PATTERN,
        "max_id_length": model.MAX_ID_LENGTH,
        "observer_pattern": model.OBSERVER_ID_PATTERN,
        "max_observer_length": model.MAX_OBSERVER_ID_LENGTH,
        "consensus": model.CONSENSUS,
        "max_session_minutes": model.MAX_SESSION_MINUTES,
        "max_count": model.MAX_COUNT,
        "max_text_length": model.MAX_TEXT_LENGTH,
        # Characters no text may hold (model._no_control refuses them).
        "control_pattern": model.CONTROL.pattern,
    }


def render_page(env, a: Assessment, *, offline: bool = False) -> str:
    """The HTML of one assessment's recorder page."""
    back = f"../../assessments/{a.id}.html" if offline else f"../../assessments/{a.id}/"
    return env.get_template("page.html.j2").render(
        a=a, config=_json_for_script(config(a)), back=back, home="../../index.html",
        script=f"../{SCRIPT}", style=f"../{STYLE}", report_file=report_file(a.id),
    )


def report_file(assessment_id: str) -> str:
    """The name of the report JSON ``podkit score`` writes for a pod, with ``<pod>`` for the pod."""
    return report_name("<pod>", assessment_id) + ".json"


def config(a: Assessment) -> dict:
    """Everything the script needs about one assessment (the page's controls carry the rest)."""
    items = []
    for it in a.items:
        entry = {"id": it.id, "kind": it.kind, "title": plain(it.title), "not_applicable": it.not_applicable is not None}
        if isinstance(it, CountItem):
            entry.update(ratio=it.denominator is not None, per=it.per)
        if isinstance(it, CodesItem):
            entry.update(interval_minutes=it.interval_minutes, codes=[{"id": c.id, "label": plain(c.label)} for c in it.codes])
        items.append(entry)
    return {
        "assessment": a.id,
        "version": a.version,
        "title": plain(a.title),
        "levels": a.levels,
        "sessions": list(a.setting.sessions),
        "duration": a.setting.duration_minutes,
        "items": items,
        "limits": _limits(),
        "fields": {"prefix": fields.PREFIX, "sep": fields.SEP, "not_observed": fields.NOT_OBSERVED,
                   "not_applicable": fields.NOT_APPLICABLE, "reason": fields.REASON, "out_of": fields.OUT_OF,
                   "meta": list(fields.META_KEYS)},
        "csv": {"columns": list(CSV_COLUMNS), "interval_sep": csvfiles.INTERVAL_SEP, "code_sep": csvfiles.CODE_SEP, "empty_interval": csvfiles.EMPTY_INTERVAL},
        "yaml": yaml_skeleton(a),
        "file_name": default_file_name(a.id, _MARK.format("pod"), _SampleDate()),
        "storage_prefix": STORAGE_PREFIX + a.id + ":",
        "scale_labels": {str(s.level): plain(s.label) for s in a.scale},
        "report": {"format": results.REPORT_FORMAT, "family": results.REPORT_FORMAT.split("/")[0] + "/",
                   "file_name": report_file(a.id)},
        "schema_path": "../../" + SCHEMA_PATH,
    }


class _SampleDate:
    """Stands in for a date in :func:`default_file_name` so that the name keeps a date marker."""

    def isoformat(self) -> str:
        return _MARK.format("date")


def yaml_skeleton(a: Assessment) -> str:
    """The file ``podkit new-observation`` writes for ``a``, with markers for what the recorder fills.

    Markers: ``⟦schema⟧``, ``⟦pod⟧``, ``⟦date⟧``, ``⟦session⟧``, ``⟦duration⟧``, ``⟦observer⟧``,
    ``⟦notes⟧`` (session values), ``⟦max:<item>⟧`` (the most intervals the session length allows)
    and one ``⟦response:<item>⟧`` line per item, where the blank file lists the observer with
    ``not_observed: true``.
    """
    duration = a.setting.duration_minutes
    stype = a.setting.sessions[0]
    text = blank_observation(a, pod=_SAMPLE_POD, date=_SAMPLE_DATE, observers=[_SAMPLE_OBSERVER], session_type=stype,
                             duration=duration, schema_ref=_MARK.format("schema"))
    exact = {
        f"pod: {_SAMPLE_POD}": f"pod: {_MARK.format('pod')}",
        f"date: {_SAMPLE_DATE.isoformat()}": f"date: {_MARK.format('date')}",
        f"  duration_minutes: {duration}": f"  duration_minutes: {_MARK.format('duration')}",
        f"observers: [{_SAMPLE_OBSERVER}]": f"observers: [{_MARK.format('observer')}]",
        'notes: ""': f"notes: {_MARK.format('notes')}",
    }
    response = [f"    {_SAMPLE_OBSERVER}:", "      not_observed: true", '      evidence: ""']
    items = {it.id: it for it in a.items}
    lines = text.split("\n")
    out: list[str] = []
    block = 0  # where the current item's comment block starts in ``out``
    seen = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        head = re.fullmatch(r"  ([a-z0-9-]+):", line)
        if line in exact and line not in seen:
            seen.add(line)
            out.append(exact[line])
        elif line.startswith(f"  type: {stype}  #"):
            out.append(f"  type: {_MARK.format('session')}" + line[len(f"  type: {stype}"):])
        elif head and head.group(1) in items and lines[i + 1:i + 4] == response:
            it = items[head.group(1)]
            if isinstance(it, CodesItem):
                out[block:] = _mark_max_intervals(out[block:], it, duration)
            out += [line, _MARK.format(f"response:{it.id}")]
            i += 4
            block = len(out)
            continue
        else:
            out.append(line)
            if line == "responses:":
                block = len(out)
        i += 1
    missing = set(exact) - seen
    if missing or sum(1 for ln in out if ln.startswith(_MARK.format("response:")[:-1])) != len(a.items):
        raise RuntimeError(f"the blank observation file of {a.id!r} no longer has the expected shape (recorder.yaml_skeleton): {sorted(missing)}")
    return "\n".join(out)


def _mark_max_intervals(block: list[str], it: CodesItem, duration: int) -> list[str]:
    """Replace "at most N," in a codes item's comment (N depends on the session's length)."""
    n = math.ceil(duration / it.interval_minutes)
    joined = "\n".join(block)
    # the comment may be wrapped anywhere in "at most N,"
    new, count = re.subn(r"(at(?:\s|#)+most(?:\s|#)+)" + str(n) + ",", lambda m: m.group(1) + _MARK.format(f"max:{it.id}") + ",", joined, count=1)
    if count != 1:
        raise RuntimeError(f"the blank observation comment of codes item {it.id!r} no longer says 'at most {n},' (recorder.yaml_skeleton)")
    return new.split("\n")


def _json_for_script(data: dict) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>`` or ``<!--``."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
