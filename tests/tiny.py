"""A tiny health system for sweep and catalogue tests: two sites, two zones, one bedded service, one scheme.

Site A provides inpatient care (ip) today; scheme `newB` (capital £50k) lets site B provide it too, closer to
zone z2. Each solve takes a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders import make

TABLES: dict[str, list[dict[str, Any]]] = {
    "sites": [{"site_id": "A", "lat": 52.0, "lon": -1.0, "bed_capacity": 100},
              {"site_id": "B", "lat": 52.4, "lon": -1.0, "bed_capacity": 100}],
    "zones": [{"zone_id": "z1", "lat": 52.0, "lon": -1.0}, {"zone_id": "z2", "lat": 52.4, "lon": -1.0}],
    "bed_types": [{"bed_type": "acute", "occupancy": 0.9, "cost_per_bed_gbp_k": 10}],
    "services": [{"service_id": "ip", "bed_type": "acute", "fixed_cost_gbp_k": 20, "min_sites": 1}],
    "site_services": [{"site_id": "A", "service_id": "ip", "today": True},
                      {"site_id": "B", "service_id": "ip", "can_host": False}],
    "demand": [{"service_id": "ip", "rate_per_1000": 100, "los_days": 3}],
    "beds_today": [{"site_id": "A", "bed_type": "acute", "beds": 2}],
    "schemes": [{"scheme_id": "newB", "site_id": "B"}],
    "scheme_costs": [{"scheme_id": "newB", "year_offset": 0, "cost_gbp_k": 50}],
    "scheme_effects": [{"scheme_id": "newB", "effect": "enable_service", "service_id": "ip"}],
    "funding": [{"funding_id": "f", "year": "total", "available_gbp_k": 1000}],
    "funding_eligibility": [{"funding_id": "f", "scheme_id": "*"}],
}


def tiny_scenario(tmp_path: Path, name: str = "tiny", **settings: Any) -> Path:
    """Write the tiny system and its scenario (2 years, npv_cost + 20 × travel); returns the scenario file."""
    settings.setdefault("objective", {"weights": {"npv_cost": 1.0, "travel": 20.0}})
    make(tmp_path, TABLES, years=2, name=name, **settings)
    return Path(tmp_path) / name / "scenario.toml"


def crash_worker_at_rate(task: dict[str, Any]) -> dict[str, Any]:
    """run_point, except that a point with discount rate 0.09 kills its worker process (like a solver crash)."""
    import os

    from reconfig.analysis.sweep.point import run_point

    if task["overrides"].get("finance.discount_rate") == 0.09:
        os._exit(3)
    return run_point(task)
