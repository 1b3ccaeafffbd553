"""Backlog-health metrics: pure functions over snapshots (no Streamlit, no clock, no network)."""
