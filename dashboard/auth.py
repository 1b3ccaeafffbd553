"""Optional sign-in. When `.streamlit/secrets.toml` holds an `[auth]` table (Streamlit's OpenID
Connect login), every page asks for a login first; without one, the app is open to whoever
can reach it, which is why it listens on the loopback address by default."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit import config


def providers() -> list[str | None]:
    """The configured login providers: None for a single provider set directly in `[auth]`,
    else the names of its sub-tables (`[auth.google]`...); empty when sign-in is off."""
    try:
        auth = st.secrets.get("auth")
    except FileNotFoundError as error:  # no secrets file, or one that cannot be read
        if any(Path(path).expanduser().exists() for path in config.get_option("secrets.files")):
            # fail closed: a broken file may be the one that turns sign-in on
            st.error(f"The secrets file could not be read, so sign-in cannot be checked: {error}")
            st.stop()
        return []
    if not auth:
        return []
    if "client_id" in auth:
        return [None]
    return sorted(name for name, value in auth.items() if hasattr(value, "keys"))


def require_login() -> None:
    """Stop this run with a login screen unless sign-in is off or the person is logged in."""
    configured = providers()
    if not configured:
        return
    if st.user.get("is_logged_in", False):
        with st.sidebar:
            st.caption(f"Signed in as {st.user.get('email') or st.user.get('name') or 'you'}")
            st.button("Log out", on_click=st.logout, key="auth.logout", type="tertiary")
        return
    st.title("Backlog health")
    st.write("Sign in to see the backlog's health.")
    for provider in configured:
        label = "Log in" if provider is None else f"Log in with {provider}"
        st.button(label, on_click=st.login, args=() if provider is None else (provider,), key=f"auth.login.{provider}",
                  type="primary")
    st.stop()
