"""Settlements computed by hand, to the øre (issue 11's acceptance: first-krone, excess over
threshold, lower bound, tiered, capped with pro rata, guard-withheld; and the rest of the
rule library: noise threshold, rate card, floor, per-person cap, indexation).

The common case: 100 participants; bed days per participant over the window: effect −1.25
(95 % interval −2.00 to −0.50), counterfactual 6.00. So the cohort avoided Δ = 125 bed days
(interval 50 to 200) of C = 600 (20.8333 %); a 5 % threshold is T = 30 bed days.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from broen.analytics.settlement import Effect, SettlementError, apply_rules, pro_rata
from tests.settlement.conftest import rule

BED_DAYS = Effect(
    "bed-days", n=100, att=-1.25, ci_low=-2.0, ci_high=-0.5, se=0.38, counterfactual=6.0
)
# Municipal cost in kroner per participant: −3,456.78 (interval −6,000 to −900), level 40,000.
MUNICIPAL = Effect(
    "municipal-cost", n=100, att=-3456.78, ci_low=-6000, ci_high=-900, se=1300, counterfactual=40000
)
EMERGENCY_OK = Effect(
    "emergency", n=100, att=-0.1, ci_low=-0.3, ci_high=0.1, se=0.1, counterfactual=2.0
)
EFFECTS = {"bed-days": BED_DAYS, "municipal-cost": MUNICIPAL, "emergency": EMERGENCY_OK}


def kr(text: str) -> int:
    """'250,000.00' → øre."""
    return int(Decimal(text.replace(",", "")) * 100)


def test_first_krone(contract_of) -> None:  # type: ignore[no-untyped-def]
    # 125 bed days × 4,000 kr. × share 0.5 = 250,000.00 (threshold 30 met)
    contract = contract_of(
        rule(amount="{base: first_krone, price: 4000, share: 0.5, threshold: {relative: 0.05}}")
    )
    s = apply_rules(contract, "year-1", EFFECTS)
    (line,) = s.lines
    assert line.avoided == Decimal("125") and line.threshold == Decimal("30")
    assert line.threshold_met and line.relative == Decimal("0.208333")
    assert line.amount == kr("250,000.00") and s.total == kr("250,000.00")
    assert [p.amount for p in s.payers] == [kr("250,000.00")]


def test_excess_over_threshold(contract_of) -> None:  # type: ignore[no-untyped-def]
    # (125 − 30) × 2,000 = 190,000.00
    contract = contract_of(
        rule(amount="{base: excess, price: 4000, share: 0.5, threshold: {relative: 0.05}}")
    )
    assert apply_rules(contract, "year-1", EFFECTS).total == kr("190,000.00")


def test_excess_below_threshold_pays_nothing(contract_of) -> None:  # type: ignore[no-untyped-def]
    # T = 25 % of 600 = 150 > 125: not met
    contract = contract_of(
        rule(amount="{base: excess, price: 4000, share: 0.5, threshold: {relative: 0.25}}")
    )
    (line,) = apply_rules(contract, "year-1", EFFECTS).lines
    assert not line.threshold_met and line.base == 0 and line.amount == 0


def test_lower_bound(contract_of) -> None:  # type: ignore[no-untyped-def]
    # the interval's end nearest no effect: −0.50 × 100 → 50 bed days × 2,000 = 100,000.00
    contract = contract_of(rule(amount="{base: lower_bound, price: 4000, share: 0.5}"))
    (line,) = apply_rules(contract, "year-1", EFFECTS).lines
    assert line.avoided_low == Decimal("50") and line.avoided_high == Decimal("200")
    assert line.amount == kr("100,000.00")


def test_lower_bound_across_zero_pays_nothing(contract_of) -> None:  # type: ignore[no-untyped-def]
    contract = contract_of(rule(amount="{base: lower_bound, price: 4000}"))
    effect = Effect("bed-days", n=100, att=-1.25, ci_low=-2.0, ci_high=0.4, counterfactual=6.0)
    (line,) = apply_rules(contract, "year-1", {"bed-days": effect}).lines
    assert line.avoided_low == Decimal("-40") and line.amount == 0


def test_tiers(contract_of) -> None:  # type: ignore[no-untyped-def]
    # relative effect 20.83 %: the 10 % tier (2,500 kr.) → 125 × 2,500 = 312,500.00
    tiers = (
        "[{at_least: 0.05, price: 1000}, {at_least: 0.10, price: 2500}, "
        "{at_least: 0.25, price: 4000}]"
    )
    contract = contract_of(rule(amount=f"{{base: tiers, tiers: {tiers}}}"))
    (line,) = apply_rules(contract, "year-1", EFFECTS).lines
    assert line.unit_price == Decimal("2500") and line.amount == kr("312,500.00")
    # below the first tier: nothing
    small = Effect("bed-days", n=100, att=-0.2, ci_low=-1, ci_high=0.6, counterfactual=6.0)
    (line,) = apply_rules(contract, "year-1", {"bed-days": small}).lines
    assert line.amount == 0


def test_total_cap_pro_rata(contract_of) -> None:  # type: ignore[no-untyped-def]
    # region 250,000.00 + municipality 345,678 kr. × 0.5 = 172,839.00; total 422,839.00 over a
    # cap of 300,000.00: region 25,000,000 × 30,000,000 / 42,283,900 øre = 17,737,247 rest
    # 21,576,700; municipality 12,262,752 rest 20,707,200; the øre left goes to the larger rest
    contract = contract_of(
        rule(),
        rule("kommune-cost", "{base: first_krone, share: 0.5}", "kommune", "municipal-cost"),
        extra="caps: {total: 300000}",
    )
    s = apply_rules(contract, "year-1", EFFECTS)
    by_rule = {line.rule: line for line in s.lines}
    assert by_rule["kommune-cost"].after_rule_caps == kr("172,839.00")
    assert s.total_before_cap == kr("422,839.00")
    assert by_rule["region-bed-days"].amount == kr("177,372.48")
    assert by_rule["kommune-cost"].amount == kr("122,627.52")
    assert s.total == kr("300,000.00") == sum(p.amount for p in s.payers)


def test_payer_cap_pro_rata_over_its_rules(contract_of) -> None:  # type: ignore[no-untyped-def]
    # the region pays bed days (250,000.00) and 10 fewer emergency visits (0.1 × 100) × 1,000
    # = 10,000.00; sum 260,000.00 over its cap of 200,000.00, in øre: 25,000,000 × 20/26 =
    # 19,230,769 rest 0.23, 1,000,000 × 20/26 = 769,230 rest 0.77; the øre left goes to the
    # larger rest
    contract = contract_of(
        rule(),
        rule("region-emergency", "{base: first_krone, price: 1000}", "region", "emergency"),
        extra="caps: {payers: {region: 200000}}",
    )
    s = apply_rules(contract, "year-1", EFFECTS)
    amounts = {line.rule: line.amount for line in s.lines}
    assert amounts == {"region-bed-days": 19_230_769, "region-emergency": 769_231}
    (region,) = s.payers
    assert region.before_cap == kr("260,000.00") and region.amount == kr("200,000.00")


def test_guard_withholds(contract_of) -> None:  # type: ignore[no-untyped-def]
    # emergency visits up 0.30 per participant on a level of 2.00: 15 % the wrong way, over a
    # tolerance of 10 %: the region's bed-day payment is withheld, the municipality's is not
    contract = contract_of(
        rule(),
        rule("kommune-cost", "{base: first_krone, share: 0.5}", "kommune", "municipal-cost"),
        extra="guards:\n  - {id: no-more-emergencies, metric: emergency, tolerance: 0.10, "
        "rules: [region-bed-days]}",
    )
    worse = Effect("emergency", n=100, att=0.30, ci_low=0.05, ci_high=0.55, counterfactual=2.0)
    s = apply_rules(contract, "year-1", {**EFFECTS, "emergency": worse})
    (guard,) = s.guards
    assert guard.withheld and guard.moved == Decimal("0.15")
    amounts = {line.rule: line.amount for line in s.lines}
    assert amounts == {"region-bed-days": 0, "kommune-cost": kr("172,839.00")}
    assert {line.rule: line.withheld_by for line in s.lines}["region-bed-days"] == (
        "no-more-emergencies",
    )
    # on significant evidence the interval (2.5 % to 27.5 %) must lie beyond 10 %: it does not
    significant = contract_of(
        rule(),
        extra="guards:\n  - {id: g, metric: emergency, tolerance: 0.10, evidence: significant}",
    )
    s = apply_rules(significant, "year-1", {**EFFECTS, "emergency": worse})
    assert not s.guards[0].withheld and s.total == kr("250,000.00")


def test_noise_threshold(contract_of) -> None:  # type: ignore[no-untyped-def]
    # one-sided 10 %: z = 1.281552, SE of the total 0.38 × 100 = 38 → T = 48.6990 bed days
    contract = contract_of(rule(amount="{base: excess, price: 4000, threshold: {noise: 0.10}}"))
    (line,) = apply_rules(contract, "year-1", EFFECTS).lines
    assert line.threshold == Decimal("48.6990")
    # (125 − 48.699) × 4,000 = 305,204.00
    assert line.amount == kr("305,204.00")


def test_rate_card(contract_of) -> None:  # type: ignore[no-untyped-def]
    # 60 completed courses × 5,000 = 300,000.00; at least 50 needed (absolute threshold)
    contract = contract_of(
        rule(
            "completion",
            "{base: rate_card, price: 5000, threshold: {absolute: 50}}",
            outcome="completed",
        )
    )
    done = Effect("completed", n=100, achieved=60)
    assert apply_rules(contract, "year-1", {"completed": done}).total == kr("300,000.00")
    few = Effect("completed", n=100, achieved=40)
    assert apply_rules(contract, "year-1", {"completed": few}).total == 0


def test_floor_and_caps(contract_of) -> None:  # type: ignore[no-untyped-def]
    # floor 300,000 once the threshold is met lifts 250,000; a rule cap of 280,000 then cuts
    contract = contract_of(
        rule(amount="{base: first_krone, price: 4000, share: 0.5, floor: 300000, cap: 280000}")
    )
    assert apply_rules(contract, "year-1", EFFECTS).total == kr("280,000.00")
    # per person 1,500 × 100 = 150,000.00
    contract = contract_of(
        rule(amount="{base: first_krone, price: 4000, share: 0.5, per_person_cap: 1500}")
    )
    assert apply_rules(contract, "year-1", EFFECTS).total == kr("150,000.00")


def test_indexation(contract_of) -> None:  # type: ignore[no-untyped-def]
    # prices in 2021 kroner, paid in 2023 (the period ends 2023-12-31): × 1.02² = 1.0404
    # → 125 × 4,000 × 0.5 × 1.0404 = 260,100.00
    contract = contract_of(rule(), extra="indexation: {base_year: 2021, rate: 0.02}")
    s = apply_rules(contract, "year-1", EFFECTS)
    assert s.index_factor == Decimal("1.040400") and s.total == kr("260,100.00")
    # an index table: 2021 = 100.0, 2023 = 107.3 → × 1.073 → 268,250.00
    contract = contract_of(
        rule(), extra="indexation: {base_year: 2021, index: {2021: 100.0, 2023: 107.3}}"
    )
    assert apply_rules(contract, "year-1", EFFECTS).total == kr("268,250.00")


def test_increase_metric(contract_of) -> None:  # type: ignore[no-untyped-def]
    # weeks self-supporting should rise: +2.50 per participant (interval 0.50 to 4.50) × 100
    # = 250 weeks (50 to 450) × 1,000 = 250,000.00; on the lower bound 50,000.00
    weeks = Effect("weeks", n=100, att=2.5, ci_low=0.5, ci_high=4.5, counterfactual=20.0)
    for base, expected in (("first_krone", "250,000.00"), ("lower_bound", "50,000.00")):
        contract = contract_of(
            rule("weeks-rule", f"{{base: {base}, price: 1000}}", "kommune", "weeks")
        )
        (line,) = apply_rules(contract, "year-1", {"weeks": weeks}).lines
        assert (line.avoided, line.avoided_low) == (Decimal("250"), Decimal("50"))
        assert line.amount == kr(expected)


def test_too_few_participants(contract_of) -> None:  # type: ignore[no-untyped-def]
    contract = contract_of(rule())
    few = Effect("bed-days", n=4, att=-1.0, ci_low=-2, ci_high=0, counterfactual=6.0)
    with pytest.raises(SettlementError, match="fewer than 5"):
        apply_rules(contract, "year-1", {"bed-days": few})


def test_missing_estimate(contract_of) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettlementError, match="no estimate of metric 'bed-days'"):
        apply_rules(contract_of(rule()), "year-1", {})


@pytest.mark.parametrize(
    ("amounts", "total", "expected"),
    [
        ([100, 200], 1000, [100, 200]),  # fits: unchanged
        ([1, 1, 1], 2, [1, 1, 0]),  # ties: the earlier
        ([25_000_000, 17_283_900], 30_000_000, [17_737_248, 12_262_752]),
        ([0, 0], 0, [0, 0]),
        ([5, 0, 5], 7, [4, 0, 3]),
    ],
)
def test_pro_rata(amounts: list[int], total: int, expected: list[int]) -> None:
    out = pro_rata(amounts, total)
    assert out == expected and sum(out) == min(total, sum(amounts))


def test_counts_of_persons_leave_suppressed() -> None:
    from broen.analytics.settlement._statement import _count

    assert [_count(n) for n in (0, 1, 4, 5, 71)] == [0, "<5", "<5", 5, 71]
