"""The parts of a rendered plan a reviewer reads first: what apply will refuse (and the exact way out),
and for plans of several environments one summary table with totals."""

from __future__ import annotations

from tmi_deploy.config.secrecy import redact_text
from tmi_deploy.plan.blockers import describe_blocker
from tmi_deploy.plan.costs import ECO_PLAN_CENTS
from tmi_deploy.plan.escape import md_code, md_text, visible
from tmi_deploy.plan.model import Blocker, EnvironmentPlan, Plan


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def totals(env: EnvironmentPlan) -> tuple[int, int]:
    """The environment's monthly cost: its apps, plus the account's Eco plan while any Eco dyno runs."""
    before, after = env.eco_dynos
    return (sum(a.cost_before_cents for a in env.apps) + (ECO_PLAN_CENTS if before else 0),
            sum(a.cost_after_cents for a in env.apps) + (ECO_PLAN_CENTS if after else 0))


def total_line(env: EnvironmentPlan) -> str:
    before, after = totals(env)
    eco = f" (with the account's Eco plan, {money(ECO_PLAN_CENTS)})" if any(env.eco_dynos) else ""
    return f"{money(before)} -> {money(after)}/month{eco}"


def blocker_counts(env: EnvironmentPlan) -> str:
    open_ = env.open_blockers
    errors = sum(1 for b in open_ if b.kind == "error")
    return f"{errors} error{'s' if errors != 1 else ''}, {len(open_) - errors} blocked"


def say(text: str) -> str:
    """Free text for the terminal: quoted secrets masked (a message may quote a value), controls inert."""
    return visible(redact_text(text))


def _inert(blocker: Blocker) -> Blocker:
    """The blocker with every text escaped first, so a newline in a reason cannot forge a plan line."""
    optional = {name: say(text) for name in ("origin", "consent", "consented_by")
                if (text := getattr(blocker, name)) is not None}
    return blocker.model_copy(update={"app": say(blocker.app), "reason": say(blocker.reason),
                                      "procedure": tuple(say(step) for step in blocker.procedure), **optional})


def text_blockers(blockers: tuple[Blocker, ...]) -> list[str]:
    if not blockers:
        return []
    open_ = [b for b in blockers if b.blocking]
    head = (f"  Apply will refuse this plan ({len(open_)} blocker{'s' if len(open_) != 1 else ''}):" if open_
            else "  Consented changes:")
    return [head, *(describe_blocker(_inert(b)) for b in blockers), ""]


SummaryRow = tuple[str | None, int, int, int, int, int]  # environment (None: the total), apps, changes, blocked, costs


def summary_rows(plan: Plan) -> list[SummaryRow]:
    """One row per environment and a total row, for plans of several environments (else none)."""
    if len(plan.environments) < 2:
        return []
    rows: list[SummaryRow] = [(env.environment, len(env.apps), len(env.changes), len(env.open_blockers), *totals(env))
                              for env in plan.environments]
    total: SummaryRow = (None, sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows),
                         sum(r[4] for r in rows), sum(r[5] for r in rows))
    return [*rows, total]


def text_summary(plan: Plan) -> list[str]:
    rows = summary_rows(plan)
    if not rows:
        return []
    lines = [f"{'environment':<24} {'apps':>4} {'changes':>7} {'blocked':>7}  cost/month"]
    lines += [f"{visible(name) if name is not None else 'total':<24} {apps:>4} {changes:>7} {blocked:>7}  "
              f"{money(before)} -> {money(after)}" for name, apps, changes, blocked, before, after in rows]
    return [*lines, ""]


def code(text: str, table: bool = False) -> str:
    """A markdown code span showing ``text`` exactly (plan/escape.py; ``table`` inside a GFM table cell)."""
    return md_code(text, table=table)


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
        out.append(f"> - **{blocker.kind}** {code(environment)} {app}{md_text(redact_text(blocker.reason) + where + state)}")
        if blocker.kind == "consent" and not blocker.consented_by and blocker.consent:
            out.append(f">   - to consent, add {code(blocker.consent)} under `consent:` in the environment file")
        out += [f">   {n}. {md_text(redact_text(step), line_start=True)}" for n, step in enumerate(blocker.procedure, 1)]
    return [*out, ""]


def md_summary(plan: Plan) -> list[str]:
    rows = summary_rows(plan)
    if not rows:
        return []
    out = ["| environment | apps | changes | blocked | cost/month |", "|---|---|---|---|---|"]
    out += [f"| {code(name, table=True) if name is not None else '**total**'} | {apps} | {changes} | {blocked} | "
            f"{money(before)} → {money(after)} |" for name, apps, changes, blocked, before, after in rows]
    return [*out, ""]
