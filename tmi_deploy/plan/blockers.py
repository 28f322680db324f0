"""What apply will stop on, decided at plan time so the reviewer sees it (pure).

Three kinds (see ``Blocker``): errors to fix, changes tmi-deploy refuses (with the manual procedure),
and destructive changes that need a consent token naming the exact resource. A token is written under
``consent:`` in the environment file (so it is part of the reviewed diff) or given as
``--allow-destroy``; it matches one resource of one app and nothing else.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from tmi_deploy.config.models import Environment
from tmi_deploy.errors import Problem
from tmi_deploy.plan.model import AppSummary, Blocker, Change
from tmi_deploy.plan.state import LiveAddon

PG_MIGRATION = (
    "provision the new plan as a second add-on: heroku addons:create {new} -a {app} --as NEW_DATABASE",
    "put the app in maintenance mode: heroku maintenance:on -a {app}",
    "copy the data: heroku pg:copy {attachment} NEW_DATABASE -a {app}",
    "promote the copy: heroku pg:promote NEW_DATABASE -a {app}",
    "leave maintenance mode: heroku maintenance:off -a {app}; check the app",
    "remove the old database: heroku addons:destroy {addon} -a {app}",
    "change `{attachment}` to {new} in the environment file; the next plan is empty",
)


@dataclass
class Notes:
    """The planner's collector of warnings and blockers, filled while changes are computed."""

    warnings: list[str] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def error(self, app: str, reason: str, origin: str | None = None) -> None:
        self.blockers.append(Blocker(kind="error", app=app, reason=reason, origin=origin))

    def refuse(self, app: str, reason: str, origin: str | None = None, procedure: tuple[str, ...] = ()) -> None:
        self.blockers.append(Blocker(kind="refused", app=app, reason=reason, origin=origin, procedure=procedure))

    def need_consent(self, app: str, reason: str, token: str, origin: str | None = None,
                     aliases: tuple[str, ...] = ()) -> None:
        self.blockers.append(Blocker(kind="consent", app=app, reason=reason, consent=token, origin=origin,
                                     aliases=aliases))


def nearest(name: str, candidates: Iterable[str], listing: str) -> str:
    """A did-you-mean from the real names, else the command that lists them."""
    found = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    return f"did you mean {' or '.join(found)}?" if found else f"see `{listing}`"


def findings_as_blockers(findings: Iterable[Problem], notes: Notes) -> None:
    """Lint errors stop apply like any other error; lint warnings are plan warnings."""
    for problem in findings:
        text = f"[{problem.code}] {problem.path + ': ' if problem.path else ''}{problem.message}"
        if problem.hint:
            text += f" (fix: {problem.hint})"
        if problem.severity == "error":
            notes.error("", text, f"{problem.file}:{problem.line}")
        else:
            notes.warn(f"{problem.file}:{problem.line}: {text}")


def addon_token(verb: str, app: str, addon: LiveAddon) -> str:
    """Names one add-on: its name (what people read) and its id's start (a later add-on given the same
    name, as `addons:create --name` allows, is another token)."""
    return f"{verb}:{app}:{addon.name}:{addon.id.replace('-', '')[:8]}"


def delete_share_token(app: str, names: Iterable[str]) -> str:
    """Names the exact set of vars: the same count of other vars is a different token."""
    digest = hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:10]
    return f"delete-config:{app}:{digest}"


def delete_share(env: Environment, summary: AppSummary, changes: list[Change], notes: Notes) -> None:
    deleted = [c.renamed_from or c.key for c in changes
               if c.kind == "config" and (c.action == "delete" or c.renamed_from)]
    share = env.policy.max_delete_share
    if summary.live_config_vars and len(deleted) / summary.live_config_vars > share:
        notes.need_consent(summary.name, f"deletes {len(deleted)} of {summary.live_config_vars} config vars "
                           f"(more than policy.max_delete_share {share:.0%}): {', '.join(sorted(deleted))}",
                           delete_share_token(summary.name, deleted), aliases=(summary.name,))


def with_consents(blockers: list[Blocker], env: Environment, allowed: Iterable[str],
                  notes: Notes) -> tuple[Blocker, ...]:
    """Mark consented blockers; warn about consents that match nothing (never widen them)."""
    given = {c.token: str(c.origin) for c in env.consent}
    given.update({token: f"--allow-destroy {token}" for token in allowed})
    used: set[str] = set()
    result = []
    for blocker in blockers:
        if blocker.kind == "consent" and blocker.consent is not None:
            by = _consent_for(blocker, given)
            if by is not None:
                used.add(by[0])
                blocker = blocker.model_copy(update={"consented_by": by[1]})
        result.append(blocker)
    for consent in env.consent:
        if consent.token not in used:
            notes.warn(f"{consent.origin}: consent '{consent.token}' matches no blocked change in this plan; "
                       "remove it")
    return tuple(result)


def _consent_for(blocker: Blocker, given: dict[str, str]) -> tuple[str, str] | None:
    if blocker.consent in given:
        return blocker.consent, given[blocker.consent]
    # The short command-line form (--allow-destroy DATABASE, --allow-destroy APP) is accepted from an
    # operator at a terminal only; a file must name the exact token.
    for alias in blocker.aliases:
        if given.get(alias, "").startswith("--allow-destroy"):
            return alias, given[alias]
    return None


def describe_blocker(blocker: Blocker) -> str:
    """Plain text of a blocker with the exact way out; renderers escape it for their format."""
    where = f" ({blocker.origin})" if blocker.origin else ""
    app = f"{blocker.app}: " if blocker.app else ""
    state = f" [consented: {blocker.consented_by}]" if blocker.consented_by else ""
    lines = [f"  {blocker.kind}: {app}{blocker.reason}{where}{state}"]
    if blocker.kind == "consent" and not blocker.consented_by:
        lines.append(f"    to consent: add `{blocker.consent}` under `consent:` in the environment file "
                     f"(reviewed with this plan), or run apply with --allow-destroy {blocker.consent}")
    lines += [f"    {number}. {step}" for number, step in enumerate(blocker.procedure, 1)]
    return "\n".join(lines)
