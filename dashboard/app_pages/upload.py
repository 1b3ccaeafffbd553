"""Upload: analyse Jira CSV exports or any tracker's CSV in memory, then save them if wanted."""

import hashlib

import pandas as pd
import streamlit as st

from backlog_health.errors import BacklogHealthError
from backlog_health.dashboard import context, data, fmt, settings, tables, views
from backlog_health.ingest.generic_csv import REQUIRED_FIELDS
from backlog_health.ingest.guess_mapping import guess_mapping, is_jira_export

limit_mb = settings.upload_limit_mb()
rules = context.rules()
st.title("Upload a backlog export")
st.write(
    "Drop a Jira CSV export (**Export > Export CSV (all fields)**) or any tracker's CSV. "
    "Files are analysed in memory with every page's metrics; two or more files of one backlog "
    "give the ranking churn between them. Nothing is stored until you save."
)
saved = st.session_state.pop("upload.saved", None)
if saved:
    for line in saved:
        st.success(line)

files = st.file_uploader(
    f"CSV files (up to {limit_mb} MB each)", type=["csv"], accept_multiple_files=True,
    max_upload_size=limit_mb, key="upload.files",
)
if not files:
    st.stop()


def fail(message: str) -> None:
    st.error(message)
    st.stop()


snapshots = []
for file in files:
    raw = file.getvalue()
    if len(raw) > limit_mb * 1024 * 1024:
        fail(
            f"{file.name}: is {len(raw) / 1024 / 1024:.1f} MB, above the upload limit of {limit_mb} MB "
            f"(set {settings.UPLOAD_ENV} to change it)"
        )
    digest = hashlib.blake2b(raw, digest_size=8).hexdigest()
    try:
        header = data.upload_header(file.name, raw)
        mapping, done = None, ()
        if not is_jira_export(header):
            mapping = views.column_mapping(file.name, header, guess_mapping(header), f"upload.map.{digest}")
            if not {field for field, _ in mapping} >= set(REQUIRED_FIELDS):
                fail(f"{file.name}: choose the columns that hold the key and the summary of each item.")
            status = dict(mapping).get("status")
            if status:
                statuses = data.upload_values(file.name, raw, status)
                done = views.done_statuses(file.name, statuses, f"upload.done.{digest}")
        snapshot = data.read_upload(file.name, raw, mapping, done)
    except BacklogHealthError as error:
        fail(str(error))
    except Exception as error:  # noqa: BLE001 - a reader bug must not show a traceback to the person uploading
        fail(f"{file.name}: could not be read ({type(error).__name__}: {error})")
    # How the file was read (its mapping and done statuses) is part of the analysis' cache key.
    snapshots.append((file.name, raw, None if mapping is None else (mapping, done), snapshot))

summary = [
    {
        "file": name,
        "read as": "Jira export" if mapping is None else "CSV with a column mapping",
        "backlog": s.backlog,
        "taken at": s.taken_at,
        "rows": s.row_count,
        "backlog items": s.backlog_item_count,
    }
    for name, _, mapping, s in snapshots
]
views.show_table(pd.DataFrame(summary), "upload.summary")
for *_, s in snapshots:
    for warning in s.warnings:
        st.warning(fmt.md(warning), icon=":material/warning:")

backlogs = sorted({s.backlog for *_, s in snapshots})
backlog = st.selectbox("Backlog to analyse", backlogs, key="upload.backlog") if len(backlogs) > 1 else backlogs[0]
group = sorted((entry for entry in snapshots if entry[3].backlog == backlog), key=lambda e: (e[3].taken_at, e[3].source_name))
name_in_store = st.text_input(
    "Save as backlog", value=backlog, key=f"upload.name.{backlog}",
    help="Snapshots of the same backlog build its history in the store.",
).strip() or backlog

if st.button(f"Save {len(snapshots)} snapshot(s) to the store", type="primary", key="upload.save", icon=":material/save:"):
    chosen = [data.renamed(s, name_in_store) if s.backlog == backlog else s for *_, s in snapshots]
    try:
        results = data.save_snapshots(settings.db_path(), chosen)
    except BacklogHealthError as error:
        fail(str(error))
    st.session_state["upload.saved"] = [
        f"{w.snapshot.source_name}: saved as snapshot {w.snapshot_id} of backlog {w.snapshot.backlog}"
        if w.created
        else f"{w.snapshot.source_name}: already in the store as snapshot {w.snapshot_id}; nothing added"
        for w in results
    ]
    st.rerun()

now = context.now()
identity = tuple(data.upload_identity(name, raw, mapping, s.backlog) for name, raw, mapping, s in group)
try:
    points = data.analysed_uploads(tuple(s for *_, s in group), identity, rules, now)
except BacklogHealthError as error:
    fail(str(error))
labels = [f"{s.taken_at:%Y-%m-%d %H:%M} {name}" for name, _, _, s in group]
last = len(points) - 1
m = points[last].metrics
items = tables.backlog(group[last][3].items)
trend = tables.trend(points, labels)

st.subheader(f"{fmt.md(backlog)}: {fmt.md(labels[last])}")
if len(points) > 1:
    st.caption(f"Compared with {fmt.md(labels[last - 1])}; trends over {len(points)} files.")
overview, readiness, estimates, duplicates, churn = st.tabs(
    ["Overview", "Readiness", "Estimates", "Duplicates", "Ranking churn"]
)
with overview:
    views.draw_cards(views.headline_cards(points, 0, last))
with readiness:
    views.readiness_section(m, items, trend, key="upload.readiness")
with estimates:
    views.estimates_section(m, items, trend, rules.max_points, key="upload.estimates")
with duplicates:
    views.duplicate_tables(m, items, key="upload.duplicates")
with churn:
    if len(points) < 2:
        st.info("Upload two or more exports of this backlog, taken at different times, to see ranking churn.")
    else:
        top_n = max(3, min(m.near_term.size or 10, 15))
        previous = tables.backlog(group[last - 1][3].items)
        views.churn_section(m, trend, tables.top_n_table(items, previous, top_n), key="upload.churn", items=items)
