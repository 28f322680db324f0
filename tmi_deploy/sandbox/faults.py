"""Seeded fault injection: which request gets a 429, a 5xx, a hang or a reset."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = ("429", "500", "503", "hang", "reset")


@dataclass
class FaultSpec:
    rates: dict[str, float] = field(default_factory=dict)
    hang_seconds: float = 30.0
    seed: int = 0

    @classmethod
    def parse(cls, text: str | None, seed: int = 0) -> FaultSpec:
        """``429=0.05,500=0.02,503=0.02,hang=0.01,reset=0.01,hang_seconds=5``"""
        spec = cls(seed=seed)
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"fault '{item}' needs KIND=RATE")
            try:
                number = float(value)
            except ValueError as exc:
                raise ValueError(f"fault '{item}': '{value}' is not a number") from exc
            if key == "hang_seconds":
                spec.hang_seconds = number
            elif key in KINDS:
                if not 0 <= number <= 1:
                    raise ValueError(f"fault '{item}': rate must be between 0 and 1")
                spec.rates[key] = number
            else:
                raise ValueError(f"unknown fault kind '{key}' (known: {', '.join(KINDS)}, hang_seconds)")
        return spec


@dataclass
class Fault:
    kind: str  # one of KINDS
    after: bool  # hang/reset after the request took effect (the response is lost, the change is not)


class FaultInjector:
    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)

    def draw(self) -> Fault | None:
        if not self.spec.rates:
            return None
        roll = self.rng.random()
        after = self.rng.random() < 0.5
        for kind in KINDS:
            rate = self.spec.rates.get(kind, 0.0)
            if roll < rate:
                return Fault(kind, after and kind in ("hang", "reset"))
            roll -= rate
        return None
