"""The investors' waterfall and returns, computed by hand (and the XIRR against an independent
root-finder)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from scipy.optimize import brentq

from broen.analytics.settlement._model import Tranche
from broen.analytics.settlement._waterfall import run_waterfall

START = date(2020, 1, 1)
TRANCHES = (
    Tranche("fee", "manager", "fee", Decimal(100_000)),
    Tranche("senior", "fund", "loan", Decimal(1_000_000), rate=Decimal("0.05"), drawn=START),
    Tranche("first-loss", "fund", "residual", Decimal(500_000), share=Decimal("0.5"), drawn=START),
)
PAYMENTS = [(date(2021, 1, 1), 60_000_000), (date(2022, 1, 1), 120_000_000)]


def test_waterfall_by_hand() -> None:
    w = run_waterfall(TRANCHES, PAYMENTS, START)
    fee, senior, residual = w.tranches
    # 2021-01-01, 600,000.00: the fee 100,000.00; interest 1,000,000 × 5 % × 366/365 =
    # 50,136.98 (øre rounded down); principal 449,863.02 (outstanding 550,136.98)
    # 2022-01-01, 1,200,000.00: interest 550,136.98 × 5 % × 365/365 = 27,506.84; principal
    # 550,136.98; left 622,356.18, half to the first-loss tranche: 311,178.09
    assert fee.principal_paid == 10_000_000 and fee.outstanding == 0
    assert senior.interest_paid == 5_013_698 + 2_750_684
    assert senior.principal_paid == 100_000_000 and senior.outstanding == 0
    assert residual.residual_paid == 31_117_809
    assert w.to_provider == 31_117_809
    paid_out = sum(t.received for t in w.tranches) + w.to_provider
    assert paid_out == w.paid_in == 180_000_000  # every øre accounted for
    fund = next(i for i in w.investors if i.investor == "fund")
    assert fund.invested == 150_000_000
    assert fund.received == 50_000_000 + 88_882_191
    assert fund.flows == [
        (START, -150_000_000),
        (date(2021, 1, 1), 50_000_000),
        (date(2022, 1, 1), 88_882_191),
    ]
    assert fund.repayment == "some" and fund.moic == pytest.approx(138_882_191 / 150_000_000)

    def npv(rate: float) -> float:
        return sum(a / (1 + rate) ** ((d - START).days / 365) for d, a in fund.flows)

    assert fund.xirr == pytest.approx(brentq(npv, -0.9, 1.0), abs=1e-9)
    assert fund.xirr < 0
    manager = next(i for i in w.investors if i.investor == "manager")
    assert manager.received == 10_000_000 and manager.repayment == "no capital"
    assert manager.xirr is None


def test_nothing_paid() -> None:
    w = run_waterfall(TRANCHES, [], START)
    fund = next(i for i in w.investors if i.investor == "fund")
    assert fund.received == 0 and fund.repayment == "none" and fund.xirr is None
    assert fund.moic == 0


def test_principal_and_return() -> None:
    w = run_waterfall(TRANCHES, [(date(2021, 1, 1), 300_000_000)], START)
    fund = next(i for i in w.investors if i.investor == "fund")
    assert fund.repayment == "principal + return" and fund.xirr is not None and fund.xirr > 0


def test_a_clawback_comes_out_of_the_next_payment() -> None:
    # 100,000 paid, then 40,000 clawed back, then 200,000: the last pays 160,000 into the fall
    w = run_waterfall(
        TRANCHES[:1],
        [
            (date(2021, 1, 1), 10_000_000),
            (date(2021, 6, 1), -4_000_000),
            (date(2022, 1, 1), 20_000_000),
        ],
        START,
    )
    assert w.tranches[0].principal_paid == 10_000_000
    assert w.to_provider == 16_000_000 - 0 and w.clawback_owed == 0
    owing = run_waterfall(
        TRANCHES[:1], [(date(2021, 1, 1), 1_000), (date(2021, 6, 1), -5_000)], START
    )
    assert owing.clawback_owed == 5_000
