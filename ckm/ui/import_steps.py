"""The Import page's steps as components: file, reading options, mapping, report."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ckm.i18n import translate
from ckm.services.errors import CKMError
from ckm.services.importing import FileInfo, ImportReport, ImportSettings, Kind, suggest_mapping
from ckm.services.importing.fields import CUSTOM_PREFIX, CUSTOMER_KEYS, FIELDS, IGNORE
from ckm.services.importing.mappings import list_mappings, load_mapping, save_mapping
from ckm.services.importing.parsing import cell_text
from ckm.services.importing.reading import preview
from ckm.services.importing.sniff import ENCODINGS, sniff
from ckm.services.permissions import Actor
from ckm.ui.i18n import isolate, joined, language, number, plain, t
from ckm.ui.resources import get_settings, get_store
from ckm.ui.tables import show_table

FILE_STATE = "ckm_import_file"
# The batch (check or import) the page follows; None: none since the last new file.
BATCH_STATE = "ckm_import_batch"
SHOWN_ERRORS = 500
CURRENCIES = ["", "IRR", "TOMAN", "USD", "EUR", "AED", "GBP"]


@dataclass(frozen=True)
class Upload:
    """A file saved on the server for this import: where, its name, its hash."""

    path: str
    name: str
    sha256: str


def show_problem(problem: CKMError) -> None:
    """A service error as a message; values from the file are shown as typed, not as Markdown."""
    st.error(t(problem.key, **{name: plain(str(value)) for name, value in problem.values.items()}))


def receive_file(kind: str) -> Upload | None:
    """The uploader; a new file is saved under data/imports by its hash (so background runs
    and re-runs of the page find it) and any earlier report is cleared."""
    limit = st.get_option("server.maxUploadSize")
    uploaded = st.file_uploader(
        t("import.upload", limit=number(limit)),
        type=["csv", "txt", "tsv", "xlsx"],
        key=f"ckm_import_upload_{kind}",
        help=t("import.upload_help"),
    )
    if uploaded is None:
        kept: Upload | None = st.session_state.get(FILE_STATE)
        if kept is not None and not Path(kept.path).exists():
            st.session_state.pop(FILE_STATE)  # removed meanwhile: ask for it again
            return None
        return kept
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    current: Upload | None = st.session_state.get(FILE_STATE)
    if current is None or current.sha256 != digest or current.name != uploaded.name:
        folder = get_settings().data_dir / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{digest}{Path(uploaded.name).suffix.lower()}"
        path.write_bytes(data)
        current = Upload(str(path), uploaded.name, digest)
        st.session_state[FILE_STATE] = current
        st.session_state[BATCH_STATE] = None  # an earlier file's report no longer applies
    return current


def reading_options(upload: Upload) -> tuple[FileInfo, ImportSettings] | None:
    """How the file is read: encoding (shown, overridable) or sheet and header row."""
    key = upload.sha256[:12]
    try:
        detected = sniff(Path(upload.path))
    except CKMError as problem:
        show_problem(problem)
        detected = None
    if detected is not None and detected.format == "xlsx":
        left, right = st.columns(2)
        sheet = left.selectbox(t("import.sheet"), detected.sheets, key=f"ckm_import_sheet_{key}")
        header_row = right.number_input(
            t("import.header_row"),
            min_value=1,
            max_value=1000,
            value=1,
            key=f"ckm_import_hr_{key}",
            help=t("import.header_row_help"),
        )
        return detected, ImportSettings(kind="", sheet=sheet, header_row=int(header_row))
    guess = detected.encoding if detected else None
    choices = list(dict.fromkeys([guess, *ENCODINGS] if guess else ENCODINGS))
    encoding = st.selectbox(
        t("import.encoding"),
        choices,
        key=f"ckm_import_encoding_{key}",
        help=t("import.encoding_help"),
    )
    if detected is not None and encoding == guess:
        st.caption(
            t("import.encoding_found", encoding=encoding, reason=t(detected.encoding_reason))
        )
        return detected, ImportSettings(kind="", encoding=None)
    try:
        return sniff(Path(upload.path), encoding=encoding), ImportSettings(
            kind="", encoding=encoding
        )
    except CKMError as problem:
        show_problem(problem)
        return None


def labeller(make_key: Callable[[Any], str], **values: object) -> Callable[[Any], str]:
    """A format_func that translates into the language of this run, whenever it is called."""
    lang = language()
    return lambda value: translate(make_key(value), lang, **values)


def field_labeller() -> Callable[[str], str]:
    """Labels for mapping targets: ignore, a field, or an extra (custom) field."""
    lang = language()

    def label(target: str) -> str:
        if target == IGNORE:
            return translate("import.map.ignore", lang)
        if target.startswith(CUSTOM_PREFIX):
            return translate("import.map.custom", lang, name=target[len(CUSTOM_PREFIX) :])
        return translate(f"import.field.{target}", lang)

    return label


def mapping_editor(
    actor: Actor, upload: Upload, info: FileInfo, settings: ImportSettings
) -> ImportSettings | None:
    """One choice per column with its example values; saved mappings can be applied."""
    kind = Kind(settings.kind)
    try:
        headers, sample = preview(info, sheet=settings.sheet, header_row=settings.header_row)
    except CKMError as problem:
        show_problem(problem)
        return None
    show_table(
        pd.DataFrame(
            [[cell_text(v) for v in row[: len(headers)]] for row in sample], columns=headers
        ),
    )
    with get_store().read() as session:
        saved = list_mappings(session, kind=kind.value)
    none_label = t("import.saved_none")
    chosen = st.selectbox(
        t("import.saved_mapping"),
        ["", *saved],
        format_func=lambda name: name or none_label,
        key=f"ckm_import_saved_{kind}",
    )
    suggestion = suggest_mapping(kind, headers)
    if chosen:
        with get_store().read() as session:
            stored = load_mapping(session, chosen)
        suggestion |= {
            header: target for header, target in stored.mapping.items() if header in suggestion
        }
        settings.currency = settings.currency or stored.currency
        settings.source_name = stored.source_name
    targets = [IGNORE, *(spec.name for spec in FIELDS[kind])]
    st.markdown(t("import.map.intro"))
    columns = st.columns(3)
    mapping: dict[str, str] = {}
    for position, header in enumerate(headers):
        options = list(targets)
        if kind is Kind.CUSTOMERS:
            options.append(CUSTOM_PREFIX + header[:80])
        default = suggestion.get(header, IGNORE)
        if default not in options:
            options.append(default)
        with columns[position % 3]:
            mapping[header] = st.selectbox(
                plain(header),
                options,
                index=options.index(default),
                format_func=field_labeller(),
                key=f"ckm_import_map_{upload.sha256[:8]}_{kind}_{chosen}_{position}",
            )
            examples = [
                cell_text(row[position])
                for row in sample
                if position < len(row) and cell_text(row[position])
            ]
            # Each value isolated: Persian and Latin examples keep their own order.
            shown = joined(isolate(plain(value)) for value in examples[:3])
            st.caption(t("import.examples", values=shown or "—"))
    settings.mapping = mapping
    left, right = st.columns(2)
    if kind is Kind.ORDERS:
        settings.currency = (
            left.selectbox(
                t("import.currency"),
                CURRENCIES,
                format_func=labeller(lambda code: f"import.currency.{code or 'none'}"),
                key=f"ckm_import_currency_{upload.sha256[:8]}",
                help=t("import.currency_help"),
            )
            or None
        )
    if kind is Kind.CUSTOMERS:
        keys = [name for name in CUSTOMER_KEYS if name in mapping.values()]
        if keys:
            settings.key = left.selectbox(
                t("import.key"),
                keys,
                format_func=field_labeller(),
                key=f"ckm_import_key_{upload.sha256[:8]}",
                help=t("import.key_help"),
            )
    settings.source_name = (
        right.text_input(
            t("import.source"),
            value=settings.source_name if chosen else Path(upload.name).stem[:60],
            max_chars=60,
            key=f"ckm_import_source_{upload.sha256[:8]}_{chosen}",
            help=t("import.source_help"),
        )
        or "import"
    )
    with st.expander(t("import.save_mapping")):
        name = st.text_input(t("import.mapping_name"), key="ckm_import_mapping_name")
        if st.button(t("import.save_mapping_button"), key="ckm_import_save_mapping"):
            try:
                with get_store().write() as session:
                    save_mapping(session, actor=actor, name=name, settings=settings)
                st.success(t("import.mapping_saved", name=plain(name)))
            except CKMError as problem:
                show_problem(problem)
    return settings


def show_report(report: ImportReport) -> None:
    """Counts, notes about the file, and the rejected rows with a file to fix them."""
    st.subheader(
        t("import.report.dry_title")
        if report.dry_run
        else t("import.report.title", batch=number(report.batch_id or 0))
    )
    counts = report.counts
    cells = st.columns(5)
    for cell, name, value in zip(
        cells,
        ("new", "updated", "unchanged", "duplicate", "rejected"),
        (counts.new, counts.updated, counts.unchanged, counts.duplicate, counts.rejected),
        strict=True,
    ):
        cell.metric(t(f"import.count.{name}"), number(value), help=t(f"import.count.{name}_help"))
    st.caption(
        t(
            "import.report.speed",
            rows=number(counts.read),
            seconds=number(report.seconds, 1),
            speed=number(report.rows_per_second),
        )
    )
    if counts.toman:
        st.info(t("import.report.toman", count=number(counts.toman)))
    for key, values in report.warnings:
        st.warning(t(key, **{name: plain(str(value)) for name, value in values.items()}))
    if not report.rejected:
        return
    lang = language()
    rows = [
        {
            t("import.errors.line"): row.line,
            t("import.errors.column"): columns,
            t("import.errors.problem"): reasons,
        }
        for row in report.rejected[:SHOWN_ERRORS]
        for columns, reasons in [report.problem_text(row, lang)]
    ]
    show_table(rows)
    st.download_button(
        t("import.errors.download"),
        report.error_csv(lang),
        file_name=f"{Path(report.file_name).stem}-errors.csv",
        mime="text/csv",
        key="ckm_import_errors_download",
        help=t("import.errors.download_help"),
    )
