"""TEST-ONLY stand-in for the person-month panel builder (broen.analytics.panel).

Builds a ``panel`` table with exactly the columns the real builder will produce (panel metrics,
version 1, and the sector/state/payer breakdowns) from the contract tables of a warehouse, with
plain DuckDB SQL. It follows the contract's definitions (cost spread evenly over the days of a
contact, first and last day included; bed days counted on the evening they begin; events in the
month they start; a week in the month of its Thursday) but is not tuned for size or speed and is
not part of Broen. The payer split is a crude placeholder. Tests use the real builder when it
exists (see :func:`build_panel`).
"""

from __future__ import annotations

from typing import Any

from broen.analytics import _contract

PROVIDERS = _contract.PROVIDERS
SERVICES = _contract.MUNICIPAL_SERVICES
STATES = _contract.TRANSFER_STATES
MUNICIPAL_TRANSFERS = ("sickness_benefit", "cash_benefit", "flexjob", "other_benefit")


def _sum(expr: str, cond: str, name: str) -> str:
    return "coalesce(sum(" + expr + ") FILTER (WHERE " + cond + "), 0) AS " + name


def _count(cond: str, name: str) -> str:
    return "count(*) FILTER (WHERE " + cond + ") AS " + name


def panel_sql() -> str:
    hosp_cols = [
        _sum("cost", "priority = 'acute'", "cost_hospital_acute"),
        _sum("cost", "priority = 'planned'", "cost_hospital_planned"),
        _sum("cost", "psychiatric", "cost_hospital_psychiatric"),
    ]
    for prio in ("acute", "planned"):
        for setting in ("inpatient", "outpatient", "emergency"):
            cond = f"priority = '{prio}' AND setting = '{setting}'"
            hosp_cols.append(_sum("cost", cond, f"cost_hospital_{prio}_{setting}"))
    pc_cols = [_sum("fee_dkk", f"provider = '{p}'", f"cost_pc_{p}") for p in PROVIDERS] + [
        _sum("coalesce(services, 1)", f"provider = '{p}'", f"services_{p}") for p in PROVIDERS
    ]
    mun_cols = [_sum("cost", f"service = '{s}'", f"cost_municipal_{s}") for s in SERVICES]
    amount = "coalesce(amount_dkk, 0)"
    tr_cols = [_count(f"state = '{s}'", f"weeks_{s}") for s in STATES] + [
        _sum(amount, f"state = '{s}'", f"transfer_dkk_{s}") for s in STATES
    ]
    mun_states = ", ".join(f"'{s}'" for s in MUNICIPAL_TRANSFERS)
    tr_cols += [
        _sum(amount, f"state IN ({mun_states})", "transfer_payer_municipality"),
        _sum(amount, f"state NOT IN ({mun_states})", "transfer_payer_state"),
        "coalesce(sum(amount_dkk), 0) AS transfer_dkk",
    ]
    value_cols = (
        [c.rsplit(" AS ", 1)[1] for c in hosp_cols + pc_cols + mun_cols + tr_cols]
        + ["cost_primary_care", "cost_medicine", "cost_municipal", "medicine_subsidy_dkk"]
        + ["dispensings", "acute_admissions", "planned_admissions", "outpatient_visits"]
        + ["emergency_visits", "bed_days", "bed_days_psychiatric", "weeks_self_supporting"]
    )
    co = ",\n        ".join(f"coalesce({c}, 0) AS {c}" for c in value_cols)
    return f"""
CREATE OR REPLACE TABLE panel AS
WITH period AS (
    SELECT date_trunc('month', min(period_start))::DATE AS p0,
           date_trunc('month', max(period_end))::DATE AS p1 FROM batches
), months AS (
    SELECT unnest(generate_series(p0, p1, INTERVAL 1 MONTH))::DATE AS month FROM period
), pm AS (
    SELECT person_id, month, birth_date, greatest(month, birth_date) AS d0,
           least(last_day(month), coalesce(death_date, DATE '9999-12-31'),
                 coalesce(moved_out_date - 1, DATE '9999-12-31')) AS d1
    FROM (SELECT DISTINCT person_id, birth_date, death_date, moved_out_date FROM persons), months
), alive AS (SELECT * FROM pm WHERE d1 >= d0),
hday AS (
    SELECT person_id, priority, setting, coalesce(psychiatric, false) AS psychiatric,
           unnest(generate_series("start"::DATE, "end"::DATE, INTERVAL 1 DAY))::DATE AS day,
           cost_dkk / (date_diff('day', "start"::DATE, "end"::DATE) + 1) AS cost
    FROM hospital_contacts
), hosp AS (
    SELECT person_id, date_trunc('month', day)::DATE AS month, {", ".join(hosp_cols)}
    FROM hday GROUP BY ALL
), hev AS (
    SELECT person_id, date_trunc('month', "start")::DATE AS month,
      count(*) FILTER (WHERE priority = 'acute' AND setting = 'inpatient') AS acute_admissions,
      count(*) FILTER (WHERE priority = 'planned' AND setting = 'inpatient') AS planned_admissions,
      count(*) FILTER (WHERE setting = 'outpatient') AS outpatient_visits,
      count(*) FILTER (WHERE setting = 'emergency') AS emergency_visits
    FROM hospital_contacts GROUP BY ALL
), nights AS (
    SELECT person_id, coalesce(psychiatric, false) AS psychiatric,
           unnest(generate_series("start"::DATE, "end"::DATE - 1, INTERVAL 1 DAY))::DATE AS night
    FROM hospital_contacts WHERE setting = 'inpatient' AND "end"::DATE > "start"::DATE
), beds AS (
    SELECT person_id, date_trunc('month', night)::DATE AS month, count(*) AS bed_days,
           count(*) FILTER (WHERE psychiatric) AS bed_days_psychiatric
    FROM nights GROUP BY ALL
), pc AS (
    SELECT person_id, date_trunc('month', date)::DATE AS month, {", ".join(pc_cols)},
           sum(fee_dkk) AS cost_primary_care
    FROM primary_care GROUP BY ALL
), med AS (
    SELECT person_id, date_trunc('month', dispensing_date)::DATE AS month,
           sum(cost_dkk) AS cost_medicine, sum(coalesce(subsidy_dkk, 0)) AS medicine_subsidy_dkk,
           count(*) AS dispensings
    FROM prescriptions GROUP BY ALL
), mday AS (
    SELECT person_id, service,
           unnest(generate_series(start_date, coalesce(end_date, start_date), INTERVAL 1 DAY))::DATE
               AS day,
           cost_dkk / (date_diff('day', start_date, coalesce(end_date, start_date)) + 1) AS cost
    FROM municipal_services
), mun AS (
    SELECT person_id, date_trunc('month', day)::DATE AS month, {", ".join(mun_cols)},
           sum(cost) AS cost_municipal
    FROM mday GROUP BY ALL
), tw AS (
    SELECT person_id, state, amount_dkk,
           make_date(CAST(substr(week, 1, 4) AS INTEGER), 1, 4)
             - CAST(isodow(make_date(CAST(substr(week, 1, 4) AS INTEGER), 1, 4)) - 1 AS INTEGER)
             + CAST(7 * (CAST(substr(week, 7, 2) AS INTEGER) - 1) + 3 AS INTEGER) AS thursday
    FROM transfers
), tr AS (
    SELECT person_id, date_trunc('month', thursday)::DATE AS month, {", ".join(tr_cols)}
    FROM tw GROUP BY ALL
), thursdays AS (
    SELECT unnest(generate_series(p0 + CAST((11 - isodow(p0)) % 7 AS INTEGER),
                                  last_day(p1), INTERVAL 7 DAY))::DATE AS thursday
    FROM period
), selfsup AS (
    SELECT a.person_id, a.month, count(*) AS weeks_self_supporting
    FROM alive a
    JOIN thursdays t ON date_trunc('month', t.thursday) = a.month
         AND t.thursday BETWEEN a.d0 AND a.d1
         AND date_sub('year', a.birth_date, t.thursday) BETWEEN 16 AND 64
    LEFT JOIN tw ON tw.person_id = a.person_id AND tw.thursday = t.thursday
    WHERE tw.state IS NULL OR tw.state IN ('education', 'parental_leave')
    GROUP BY ALL
), joined AS (
    SELECT a.person_id, a.month,
           CAST(date_sub('year', a.birth_date, a.month) AS INTEGER) AS age,
           CAST(date_diff('day', a.d0, a.d1) + 1 AS INTEGER) AS days_resident,
        {co}
    FROM alive a
    LEFT JOIN hosp USING (person_id, month) LEFT JOIN hev USING (person_id, month)
    LEFT JOIN beds USING (person_id, month) LEFT JOIN pc USING (person_id, month)
    LEFT JOIN med USING (person_id, month) LEFT JOIN mun USING (person_id, month)
    LEFT JOIN tr USING (person_id, month) LEFT JOIN selfsup USING (person_id, month)
)
SELECT *,
    cost_hospital_acute + cost_hospital_planned + cost_primary_care + cost_medicine
        + cost_municipal AS cost_total,
    cost_hospital_acute + cost_hospital_planned + cost_primary_care
        + medicine_subsidy_dkk AS cost_payer_region,
    cost_municipal AS cost_payer_municipality,
    0.0 AS cost_payer_state,
    cost_medicine - medicine_subsidy_dkk AS cost_payer_citizen,
    CAST(gp_contacts_ AS BIGINT) AS gp_contacts
FROM (SELECT *, services_gp AS gp_contacts_ FROM joined)
"""


def build_panel(con: Any) -> None:
    """Create ``panel`` in the open warehouse ``con`` (test fixture)."""
    con.execute(panel_sql())
    con.execute("ALTER TABLE panel DROP COLUMN gp_contacts_")
