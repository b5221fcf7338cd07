"""The shared list of Saudi cities used by ``city`` fields that don't bring their own list.

The list is data (``cities.yaml``) so an association can ask for a governorate to be added
without a code change; values are stable ids because answers store them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.flows.matching import Option

CITIES_FILE = Path(__file__).with_name("cities.yaml")


@cache
def saudi_cities() -> tuple[Option, ...]:
    """Every city in ``cities.yaml``, in file order (loaded once per process)."""
    with CITIES_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    out: list[Option] = []
    for item in data["cities"]:
        label = item["label"]
        out.append(
            Option(
                value=str(item["value"]),
                label_ar=str(label["ar"]),
                label_en=str(label["en"]),
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
            )
        )
    return tuple(out)
