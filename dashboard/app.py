"""The dashboard's entry file: the store check, the global filters and the pages.

Run with `backlog-health dashboard` (or `streamlit run dashboard/app.py` with
BACKLOG_HEALTH_DB set). Every page reads the `Selection` the sidebar made in this rerun.
"""

from __future__ import annotations

import streamlit as st

from backlog_health.errors import BacklogHealthError, StoreError
from backlog_health.dashboard import auth, context, data, settings, views

st.set_page_config(page_title="Backlog health", page_icon=":material/health_metrics:", layout="wide")
# The tables' built-in CSV download writes cells as they are, formulas included; the pages
# offer formula-safe downloads of their own instead.
st.set_option("client.disableDataExport", True)
auth.require_login()

PAGES = {
    "portfolio": st.Page("app_pages/portfolio.py", title="Portfolio", icon=":material/view_list:"),
    "agenda": st.Page("app_pages/agenda.py", title="Agenda", icon=":material/checklist:"),
    "overview": st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    "readiness": st.Page("app_pages/readiness.py", title="Readiness", icon=":material/task_alt:"),
    "estimates": st.Page("app_pages/estimates.py", title="Estimates", icon=":material/straighten:"),
    "duplicates": st.Page("app_pages/duplicates.py", title="Duplicates", icon=":material/content_copy:"),
    "churn": st.Page("app_pages/churn.py", title="Ranking churn", icon=":material/swap_vert:"),
    "retro": st.Page("app_pages/retro.py", title="Sprint retro", icon=":material/history:"),
    "upload": st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:"),
}

failure: BacklogHealthError | None = None
try:
    base_rules = settings.base_rules()
    view = context.open_store()
except BacklogHealthError as error:
    failure, view = error, None

# Portfolio leads the navigation when there are several backlogs to compare; with one it would
# only repeat the Overview, so it is left out. The Overview stays the page a bare URL opens.
shown = [p for name, p in PAGES.items() if name != "portfolio" or context.several_backlogs(view)]
page = st.navigation(shown)
if failure is not None:
    st.error(str(failure))
    st.stop()

if (view is None or view.empty) and page.url_path != PAGES["upload"].url_path:
    views.first_run(settings.db_path(), data.load_demo)
    st.stop()

filters = st.sidebar.container()
rules = context.sidebar_checks(context.sidebar_rules(base_rules))
context.remember_rules(rules)
try:
    if view is not None and not view.empty:
        context.sidebar_selection(view, rules, filters)
    loaded = st.session_state.pop("first_run.loaded", None)
    if loaded is not None:
        st.toast(f"Loaded {loaded} demo snapshots")
    page.run()
except StoreError as error:
    if view is not None and context.fall_back(view, error):
        st.rerun()
    st.error(str(error))
except BacklogHealthError as error:
    st.error(str(error))
