"""The parts of a rendered plan a reviewer reads first: what apply will refuse (and the exact way out),
and for plans of several environments one summary table with totals."""

from __future__ import annotations

import html
import re

from tmi_deploy.plan.blockers import describe_blocker
from tmi_deploy.plan.model import Blocker, EnvironmentPlan, Plan


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def totals(env: EnvironmentPlan) -> tuple[int, int]:
    return sum(a.cost_before_cents for a in env.apps), sum(a.cost_after_cents for a in env.apps)


def blocker_counts(env: EnvironmentPlan) -> str:
    open_ = env.open_blockers
    errors = sum(1 for b in open_ if b.kind == "error")
    return f"{errors} error{'s' if errors != 1 else ''}, {len(open_) - errors} blocked"


def text_blockers(blockers: tuple[Blocker, ...]) -> list[str]:
    if not blockers:
        return []
    open_ = [b for b in blockers if b.blocking]
    head = (f"  Apply will refuse this plan ({len(open_)} blocker{'s' if len(open_) != 1 else ''}):" if open_
            else "  Consented changes:")
    return [head, *(describe_blocker(b) for b in blockers), ""]


def text_summary(plan: Plan) -> list[str]:
    if len(plan.environments) < 2:
        return []
    rows = [f"{'environment':<24} {'apps':>4} {'changes':>7} {'blocked':>7}  cost/month"]
    for env in plan.environments:
        before, after = totals(env)
        rows.append(f"{env.environment:<24} {len(env.apps):>4} {len(env.changes):>7} {len(env.open_blockers):>7}  "
                    f"{money(before)} -> {money(after)}")
    before, after = (sum(t) for t in zip(*(totals(env) for env in plan.environments), strict=True))
    rows.append(f"{'total':<24} {sum(len(e.apps) for e in plan.environments):>4} "
                f"{sum(len(e.changes) for e in plan.environments):>7} "
                f"{sum(len(e.open_blockers) for e in plan.environments):>7}  {money(before)} -> {money(after)}")
    return [*rows, ""]


def code(text: str) -> str:
    """A markdown code span showing ``text`` exactly (a fence longer than any backtick run inside)."""
    flat = text.replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def md_text(text: str) -> str:
    """Prose from a file or live state inside markdown: no HTML, no table breaks, one line."""
    flat = html.escape(text.replace("\r", " ").replace("\n", " "), quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", flat)


def md_blockers(plan: Plan) -> list[str]:
    """A visible block at the top of the comment: what apply will refuse, and the exact way out."""
    blockers = [(env.environment, b) for env in plan.environments for b in env.blockers]
    if not blockers:
        return []
    open_ = [b for _, b in blockers if b.blocking]
    out = ["> [!CAUTION]" if open_ else "> [!NOTE]",
           f"> **Apply will refuse this plan: {len(open_)} blocker{'s' if len(open_) != 1 else ''}.**" if open_
           else "> **Consented changes** (the consent is part of this pull request):", ">"]
    for environment, blocker in blockers:
        where = f" ({blocker.origin})" if blocker.origin else ""
        state = f" — consented at {blocker.consented_by}" if blocker.consented_by else ""
        app = f"{code(blocker.app)} " if blocker.app else ""
        out.append(f"> - **{blocker.kind}** {code(environment)} {app}{md_text(blocker.reason + where + state)}")
        if blocker.kind == "consent" and not blocker.consented_by and blocker.consent:
            out.append(f">   - to consent, add {code(blocker.consent)} under `consent:` in the environment file")
        out += [f">   {n}. {md_text(step)}" for n, step in enumerate(blocker.procedure, 1)]
    return [*out, ""]


def md_summary(plan: Plan) -> list[str]:
    if len(plan.environments) < 2:
        return []
    out = ["| environment | apps | changes | blocked | cost/month |", "|---|---|---|---|---|"]
    for env in plan.environments:
        before, after = totals(env)
        out.append(f"| {code(env.environment)} | {len(env.apps)} | {len(env.changes)} | {len(env.open_blockers)} | "
                   f"{money(before)} → {money(after)} |")
    before, after = (sum(t) for t in zip(*(totals(env) for env in plan.environments), strict=True))
    out.append(f"| **total** | {sum(len(e.apps) for e in plan.environments)} | "
               f"{sum(len(e.changes) for e in plan.environments)} | "
               f"{sum(len(e.open_blockers) for e in plan.environments)} | {money(before)} → {money(after)} |")
    return [*out, ""]
