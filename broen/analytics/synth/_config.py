"""Configuration of the synthetic population: programme effects, populations, area profiles.

Figures are approximate and documented in ``docs/synthetic-data.md`` with their source (the
research notes, a seed document, or an explicit assumption).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

PROGRAMMES = ("et-liv-i-balance", "sammen-om-min-vej", "rygestop")


@dataclass(frozen=True)
class ProgrammeEffect:
    """The true effect of one programme on its participants, from their start_date.

    Multipliers act on the hazard of events in the world with the programme; 1.0 is no effect.
    Costs add rows that exist only in the world with the programme. ``reach`` is not an effect:
    it scales the referral rates (use it to get more participants in small test populations).
    """

    acute_hazard: float = 1.0  # multiplier on acute hospital contacts (admissions, ED, outpatient)
    gp_rate: float = 1.0  # multiplier on GP contacts
    self_support: float = 1.0  # multiplier on the remaining length of benefit spells
    session_cost_dkk: float = 0.0  # municipal cost of one programme session (prevention)
    coordination_cost_dkk_month: float = 0.0  # monthly municipal coordination cost ("other")
    medicine_cost_dkk_month: float = 0.0  # programme medicine per month (GLP-1, varenicline)
    reach: float = 1.0

    def is_neutral(self) -> bool:
        return (
            self.acute_hazard == 1.0
            and self.gp_rate == 1.0
            and self.self_support == 1.0
            and self.session_cost_dkk == 0.0
            and self.coordination_cost_dkk_month == 0.0
            and self.medicine_cost_dkk_month == 0.0
        )


def _elib() -> ProgrammeEffect:
    return ProgrammeEffect(
        acute_hazard=0.8, gp_rate=1.0, session_cost_dkk=850.0, medicine_cost_dkk_month=1_800.0
    )


def _somv() -> ProgrammeEffect:
    return ProgrammeEffect(
        acute_hazard=0.75,
        gp_rate=1.2,
        self_support=0.7,
        session_cost_dkk=0.0,
        coordination_cost_dkk_month=2_000.0,
    )


def _rygestop() -> ProgrammeEffect:
    return ProgrammeEffect(acute_hazard=1.0, session_cost_dkk=350.0, medicine_cost_dkk_month=600.0)


@dataclass(frozen=True)
class ProgrammeEffects:
    """True effects per programme (the ground truth the evaluation should recover)."""

    et_liv_i_balance: ProgrammeEffect = field(default_factory=_elib)
    sammen_om_min_vej: ProgrammeEffect = field(default_factory=_somv)
    rygestop: ProgrammeEffect = field(default_factory=_rygestop)

    def of(self, programme: str) -> ProgrammeEffect:
        effect: ProgrammeEffect = getattr(self, programme.replace("-", "_"))
        return effect

    @classmethod
    def none(cls, reach: float = 1.0) -> ProgrammeEffects:
        """No effect at all: both worlds are identical (programme rows cost nothing)."""
        neutral = ProgrammeEffect(reach=reach)
        return cls(neutral, neutral, neutral)

    def with_reach(self, reach: float) -> ProgrammeEffects:
        return ProgrammeEffects(
            *(replace(self.of(p), reach=reach) for p in PROGRAMMES),
        )

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {p: asdict(self.of(p)) for p in PROGRAMMES}


# Residents about 1 January 2020 (DST FOLK1A levels, approximate; Lolland, Guldborgsund, Næstved
# and Vordingborg as in the research notes section 7, the rest from memory, rounded to 100).
POPULATION_2020: dict[int, int] = {
    253: 50_600,  # Greve
    259: 60_900,  # Køge
    265: 88_800,  # Roskilde
    269: 23_200,  # Solrød
    306: 32_900,  # Odsherred
    316: 71_700,  # Holbæk
    320: 36_800,  # Faxe
    326: 48_400,  # Kalundborg
    329: 34_900,  # Ringsted
    330: 79_100,  # Slagelse
    336: 22_900,  # Stevns
    340: 29_900,  # Sorø
    350: 28_600,  # Lejre
    360: 41_105,  # Lolland
    370: 83_143,  # Næstved
    376: 60_722,  # Guldborgsund
    390: 45_566,  # Vordingborg
}

# Area profile: (age: 0 = national age pyramid .. 1 = Lolland's; deprivation: 0 = national
# education/origin/health mix .. 1 = Lolland's). Assumption from the areas' known character.
AREA_PROFILE: dict[int, tuple[float, float]] = {
    253: (0.3, 0.25),
    259: (0.2, 0.3),
    265: (0.0, 0.0),
    269: (0.3, 0.0),
    306: (0.9, 0.7),
    316: (0.4, 0.45),
    320: (0.5, 0.5),
    326: (0.6, 0.6),
    329: (0.2, 0.45),
    330: (0.4, 0.6),
    336: (0.6, 0.4),
    340: (0.4, 0.4),
    350: (0.4, 0.0),
    360: (1.0, 1.0),
    370: (0.4, 0.5),
    376: (0.8, 0.75),
    390: (0.8, 0.6),
}
DEFAULT_PROFILE = (0.3, 0.3)
