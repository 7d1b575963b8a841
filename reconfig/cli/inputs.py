"""Commands on inputs: validate and describe a scenario."""

from __future__ import annotations

import json
from collections import Counter

from rich.table import Table

from reconfig.cli.app import JsonOpt, ScenarioArg, app, console, load_instance
from reconfig.results.summary import plan_figures


@app.command()
def validate(scenario: ScenarioArg, json_: JsonOpt = False) -> None:
    """Check a scenario and its input tables; list every problem found (exit status 2 if any)."""
    inst = load_instance(scenario, json_)
    if json_:
        print(json.dumps({"ok": True, "scenario": inst.scenario.name}))
    else:
        console.print(f"[green]✓[/] {scenario}: scenario and {len(inst.system.tables)} tables are valid.")


@app.command()
def describe(scenario: ScenarioArg, json_: JsonOpt = False) -> None:
    """Counts of sites, services, zones and schemes; capital by year; population; today's beds."""
    inst = load_instance(scenario, json_)
    sys_ = inst.system
    sites = Counter(sys_["sites"]["kind"])
    beds = sys_["beds_today"].groupby("bed_type")["beds"].sum().astype(int).to_dict()
    capital = {y: 0.0 for y in inst.years}
    for sch in inst.schemes.values():
        t0 = sch.earliest
        for off, v in sch.profile.items():
            if t0 + off < len(inst.years):
                capital[inst.years[t0 + off]] += v
    d = {"scenario": inst.scenario.name, "horizon": inst.years, "sites": dict(sites), "services": len(inst.services),
         "zones": len(inst.zones), "population": int(inst.population.sum()),
         "population_by_group": {k: int(v) for k, v in sys_["zones"].groupby("group")["population"].sum().items()},
         "schemes": len(inst.schemes), "scheme_capital_gbp_k": sum(sum(s.profile.values())
                                                                   for s in inst.schemes.values()),
         "capital_if_started_earliest_gbp_k": capital, "beds_today": beds,
         "funding_available_gbp_k": {y: sum(v for (f, yy), v in inst.funding_year.items() if yy == y)
                                     for y in inst.years},
         "options": sorted(set(sys_["options"]["option_id"])),
         "roles": {r.id: sorted(s for rr, s in inst.roles.allowed if rr == r.id) for r in inst.roles.roles.values()},
         "plan_figures": plan_figures(inst)}
    if json_:
        print(json.dumps(d, indent=2))
        return
    console.print(f"[bold]{inst.scenario.name}[/] — {inst.scenario.description}")
    t = Table(show_header=False, box=None)
    t.add_row("Horizon", f"{inst.years[0]} – {inst.years[-1]}")
    t.add_row("Sites", ", ".join(f"{n} {k}" for k, n in sites.items()))
    t.add_row("Services", str(d["services"]))
    t.add_row("Zones", f"{d['zones']} (population {d['population']:,})")
    for g, p in d["population_by_group"].items():
        t.add_row("", f"{g}: {p:,}")
    t.add_row("Capital schemes", f"{d['schemes']} (£{d['scheme_capital_gbp_k'] / 1000:,.2f}m in all)")
    t.add_row("Beds today", ", ".join(f"{b} {n:,}" for b, n in beds.items()))
    t.add_row("Named options", ", ".join(d["options"]) or "none")
    for role, sites in d["roles"].items():
        t.add_row(f"Role {role}", f"{inst.roles.roles[role].name}: may be taken by {', '.join(sites) or 'no site'}")
    for f in d["plan_figures"]:
        value = f"{f['value']:,.0f}" if f["value"] == round(f["value"]) else f"{f['value']:,}"
        t.add_row("Plan figure", f"{f['description']}: {value} {f['unit']} ({f['source']})")
    console.print(t)
    ct = Table(title="Capital by year if every scheme starts at its earliest (£000)")
    ct.add_column("Year")
    ct.add_column("Scheme capital", justify="right")
    ct.add_column("Funding available", justify="right")
    for y in inst.years:
        ct.add_row(y, f"{capital[y]:,.0f}", f"{d['funding_available_gbp_k'][y]:,.0f}")
    console.print(ct)
