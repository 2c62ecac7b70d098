"""Synthetic rosters for the matching benchmark and tests: fictional people, fixed seed."""

from __future__ import annotations

import random

DEPARTMENTS = ["Operations", "Finance", "Sales", "Logistics", "IT", "People", "Customer Service", "Legal"]
ZONES = ["Europe/Berlin", "Europe/London", "Europe/Lisbon", "Europe/Warsaw", "Europe/Helsinki", "Africa/Lagos"]
GOALS = ["delegation", "difficult conversations", "strategy", "team dynamics", "innovation", "hiring",
         "stakeholder management", "change management", "coaching skills", "time management"]
EXPERTISE = ["finance", "operations", "sales", "data", "process improvement", "customer experience",
             "negotiation", "project management", "people development", "technology"]
STYLES = ["structured", "exploratory", "reflective", "action-oriented"]


def roster_csv(n: int, seed: int = 7) -> str:
    """Return a roster of `n` fictional people as CSV text with the example's columns."""
    rng = random.Random(seed)
    managers = [f"m{k:03d}" for k in range(max(5, n // 5))]
    lines = ["id,name,email,department,manager,timezone,goals,challenges,leadership_experience,expertise,"
             "work_style,communication_style"]
    for i in range(n):
        goals = ";".join(rng.sample(GOALS, 2))
        challenges = ";".join(rng.sample(["power dynamics", "time constraints", "lack of structure",
                                          "confidentiality"], 2))
        expertise = ";".join(rng.sample(EXPERTISE, 2))
        zone = ZONES[0] if rng.random() < 0.5 else rng.choice(ZONES)
        lines.append(f"p{i:04d},Person {i},p{i:04d}@example.org,{rng.choice(DEPARTMENTS)},{rng.choice(managers)},"
                     f"{zone},{goals},{challenges},{rng.randint(1, 15)},{expertise},{rng.choice(STYLES)},"
                     f"{rng.choice(['direct', 'diplomatic', 'listener', 'storyteller'])}")
    return "\n".join(lines) + "\n"
