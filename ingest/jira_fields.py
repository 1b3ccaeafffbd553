"""Which of a Jira site's fields hold rank, sprints, story points and the epic link.

Custom field ids differ per site (Story Points is customfield_10016 on one site and
customfield_12310293 on another), so they are found from /rest/api/N/field by the
field's schema type, then by name, never by a fixed id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from backlog_health.errors import BacklogHealthError

ROLES = ("rank", "sprint", "story_points", "epic_link")

_BY_SCHEMA: dict[str, tuple[str, ...]] = {
    "rank": ("com.pyxis.greenhopper.jira:gh-lexo-rank",),
    "sprint": ("com.pyxis.greenhopper.jira:gh-sprint",),
    "story_points": ("com.pyxis.greenhopper.jira:jsw-story-points",),
    "epic_link": ("com.pyxis.greenhopper.jira:gh-epic-link",),
}
# By name when no schema matches, in order of preference (lower case).
_BY_NAME: dict[str, tuple[str, ...]] = {
    "rank": ("rank",),
    "sprint": ("sprint",),
    "story_points": ("story point estimate", "story points", "story point"),
    "epic_link": ("epic link",),
}


class FieldOverrideError(BacklogHealthError):
    """A `--field role=id` option that cannot be used."""


@dataclass(frozen=True)
class JiraFields:
    """Candidate field ids per role, best first (an issue's value is the first one set;
    a Cloud site may have both "Story point estimate" and "Story Points"), and every
    field's display name."""

    rank: tuple[str, ...] = ()
    sprint: tuple[str, ...] = ()
    story_points: tuple[str, ...] = ()
    epic_link: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # field id -> display name

    def custom_ids(self) -> list[str]:
        """Ids of the custom fields not used for a role (kept by name in `custom_fields`)."""
        roles = {fid for role in ROLES for fid in getattr(self, role)}
        return [fid for fid in self.names if fid.startswith("customfield_") and fid not in roles]


def parse_overrides(options: Iterable[str]) -> dict[str, str]:
    """`["story_points=customfield_12345"]` as `{"story_points": "customfield_12345"}`."""
    overrides: dict[str, str] = {}
    for option in options:
        role, sep, field_id = option.partition("=")
        role, field_id = role.strip().replace("-", "_"), field_id.strip()
        if not sep or not field_id:
            raise FieldOverrideError(
                f'--field: expected ROLE=FIELD_ID like story_points=customfield_12345, got "{option}"'
            )
        if role not in ROLES:
            raise FieldOverrideError(f'--field: unknown role "{role}"; expected one of {", ".join(ROLES)}')
        overrides[role] = field_id
    return overrides


def discover_fields(site_fields: list[dict], overrides: dict[str, str] | None = None) -> JiraFields:
    """Pick each role's field from the site's field list (`GET /rest/api/N/field`)."""
    overrides = overrides or {}
    names = {str(f["id"]): str(f.get("name") or f["id"]) for f in site_fields if f.get("id")}
    chosen: dict[str, tuple[str, ...]] = {}
    for role in ROLES:
        if role in overrides:
            if overrides[role] not in names:
                raise FieldOverrideError(
                    f"--field {role}={overrides[role]}: the site has no field with that id; "
                    "see /rest/api/2/field for the ids"
                )
            chosen[role] = (overrides[role],)
        else:
            chosen[role] = tuple(dict.fromkeys(_by_schema(site_fields, role) + _by_name(site_fields, role)))
    return JiraFields(**chosen, names=names)


def _by_schema(site_fields: list[dict], role: str) -> list[str]:
    return [str(f["id"]) for f in site_fields if (f.get("schema") or {}).get("custom") in _BY_SCHEMA[role]]


def _by_name(site_fields: list[dict], role: str) -> list[str]:
    found = []
    for name in _BY_NAME[role]:
        found += [str(f["id"]) for f in site_fields if str(f.get("name", "")).strip().lower() == name]
    return found
