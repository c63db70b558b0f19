"""One benchmark figure with its target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: float
    better: Literal["lower", "higher"]
    #: A figure measured in the same run only to compare with (the old way of doing it):
    #: it has no target of its own and never fails the run.
    reference: bool = False

    @property
    def ok(self) -> bool:
        if self.reference:
            return True
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def as_json(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit, "target": self.target,
                "better": self.better, "reference": self.reference}


def reference(name: str, value: float, unit: str) -> Result:
    """A same-run comparison figure (see ``Result.reference``)."""
    return Result(name, value, unit, float("nan"), "lower", reference=True)


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0–100) of ``samples`` by linear interpolation."""
    if len(samples) == 1:
        return samples[0]
    qs = statistics.quantiles(samples, n=1000, method="inclusive")
    index = min(len(qs) - 1, max(0, round(p * 10) - 1))
    return qs[index]
