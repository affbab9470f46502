"""The billing engine: charges and penalties of the open period, set-based (RULES §6, §12 and §13, docs/RULES.md).

A calculation is a pipeline of named steps (``_run``); each step is one overridable method applying one rule with one
SQL statement into a temporary table, analysed before the next step joins it (the planner then knows the sizes).
Every account is a ``neopro.account``: a resident's connected service and a contract's metering point are both a
*billed unit* of an account, so each rule is written once for both. The computed lines are merged into the ledger:
unchanged lines are left alone, changed ones updated, vanished ones deleted, new ones inserted. No ORM create per
line.
"""
import contextlib
import time
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..lib import penalty as penalty_lib
from ..lib.ledger import CONSUMPTION_SQL
from .neopro_guard_mixin import local_today
from .neopro_norm import NORM_IN_FORCE_SQL

MAX_ID = 2 ** 31 - 1

# Shared fragments ----------------------------------------------------------------------------------------------------

# Price per m³ of a line: the average over its days of Σ price × days; amount rounded once per line to the tiyn.
_PRICE_SQL = 'ROUND(u.price_days / u.active_days, 4)'
_AMOUNT_SQL = 'ROUND(x.volume * u.price_days / u.active_days, 2)'
# A unit bills its fallback volume (norm × residents, or the point's fixed volume) when it has no usable meter: none,
# one overdue for verification, or one with neither a reading this month nor an average.
_FALLBACK_SQL = 'm.account_id IS NULL OR m.overdue OR NOT m.all_known'
# A fallback volume prorated to the unit's days in the period, less the norm of the residents' days of absence
# (RULES §12, temporary absence).
_FALLBACK_VOLUME_SQL = ('GREATEST(ROUND((u.fallback_volume * u.active_days - u.absent_volume_days)'
                        ' / %(days_in_period)s, 3), 0)')

# Tariff days of each distinct (service, category, first day, last day) of the units: the sum of price × days over
# the tariffs valid on those days (days without a tariff count for nothing).
_TARIFF_CTE = """
    combo AS (
        SELECT DISTINCT service_id, category_id, ds, de FROM conn
    ), combo_price AS (
        SELECT c.service_id, c.category_id, c.ds, c.de,
               COALESCE(SUM(t.price * (LEAST(c.de, COALESCE(t.date_to, c.de)) - GREATEST(c.ds, t.date_from) + 1)), 0)
                   AS price_days,
               COALESCE(bool_or(t.minimum_amount > 0
                                OR EXISTS (SELECT 1 FROM neopro_tariff_band b WHERE b.tariff_id = t.id)), FALSE)
                   AS has_bands
          FROM combo c
     LEFT JOIN neopro_tariff t ON t.service_id = c.service_id AND t.category_id = c.category_id AND t.active
                              AND t.date_from <= c.de AND (t.date_to IS NULL OR t.date_to >= c.ds)
      GROUP BY c.service_id, c.category_id, c.ds, c.de
    )
"""

# Statements of the steps -----------------------------------------------------------------------------------------

_LINE_TABLE_SQL = """
    CREATE TEMP TABLE neopro_calc_line (
        account_id integer, metering_point_id integer, service_id integer, branch_id integer,
        account_number varchar, volume numeric, basis varchar, price numeric, amount numeric,
        reversed_volume numeric, band_lines text
    ) ON COMMIT DROP
"""

_METERS_SQL = """
    CREATE TEMP TABLE neopro_calc_meter ON COMMIT DROP AS
    WITH meter AS (
        SELECT m.id, m.account_id, COALESCE(m.metering_point_id, 0) AS point_id, m.service_id, m.digits,
               COALESCE(m.initial_value, 0) AS initial_value,
               (m.removal_date IS NULL OR m.removal_date > %(calculation_date)s)
                   AND m.next_verification_date < %(period_start)s AS overdue
          FROM neopro_meter m
         WHERE (m.active OR m.removal_date BETWEEN %(period_start)s AND %(calculation_date)s)
           AND (m.installation_date IS NULL OR m.installation_date <= %(calculation_date)s)
           AND (m.removal_date IS NULL OR m.removal_date >= %(period_start)s)
           AND m.account_id BETWEEN %(account_from)s AND %(account_to)s
    ), reading AS (
        SELECT r.meter_id, r.date, r.value, r.is_reset,
               LAG(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.date) AS prev_value,
               LAG(r.date) OVER (PARTITION BY r.meter_id ORDER BY r.date) AS prev_date
          FROM neopro_meter_reading r
          JOIN meter ON meter.id = r.meter_id
         WHERE r.date <= %(calculation_date)s
    ), consumption AS (
        SELECT r.meter_id, r.date, """ + CONSUMPTION_SQL.format(
    is_reset='r.is_reset', value='r.value', previous='COALESCE(r.prev_value, m.initial_value)',
    digits='m.digits') + """ AS volume,
               -- the calendar months the reading's consumption covers since the reading before (at least one)
               GREATEST(1, COALESCE((EXTRACT(YEAR FROM r.date) * 12 + EXTRACT(MONTH FROM r.date))
                                    - (EXTRACT(YEAR FROM r.prev_date) * 12 + EXTRACT(MONTH FROM r.prev_date)), 1))
                   AS months
          FROM reading r
          JOIN meter m ON m.id = r.meter_id
    ), in_period AS (
        SELECT meter_id, SUM(volume) AS volume
          FROM consumption
         WHERE date >= %(period_start)s
      GROUP BY meter_id
    ), month AS (
        -- a month's consumption for the average: a reading covering several months counts its monthly share
        SELECT meter_id, SUM(volume / months) AS volume,
               row_number() OVER (PARTITION BY meter_id ORDER BY date_trunc('month', date) DESC) AS rank
          FROM consumption
         WHERE date < %(period_start)s
      GROUP BY meter_id, date_trunc('month', date)
    ), average AS (
        SELECT meter_id, SUM(volume) / COUNT(*) AS volume
          FROM month
         WHERE rank <= 3
      GROUP BY meter_id
    ), estimated AS (
        -- the months billed by average since the meter's last actual reading before the period (RULES §12)
        SELECT e.meter_id, COUNT(*) AS months, SUM(e.volume) AS volume
          FROM neopro_meter_average e
          JOIN neopro_period p ON p.id = e.period_id
         WHERE e.account_id BETWEEN %(account_from)s AND %(account_to)s AND p.date_start < %(period_start)s
           AND NOT EXISTS (SELECT 1 FROM neopro_meter_reading r
                            WHERE r.meter_id = e.meter_id AND r.date >= p.date_start AND r.date < %(period_start)s)
      GROUP BY e.meter_id
    )
    SELECT m.id AS meter_id, m.account_id, m.point_id, m.service_id, m.overdue,
           ip.meter_id IS NOT NULL AS has_reading, ip.volume AS read_volume,
           CASE WHEN COALESCE(es.months, 0) < %(average_months)s THEN av.volume END AS average_volume,
           COALESCE(es.volume, 0) AS reversed_volume
      FROM meter m
 LEFT JOIN in_period ip ON ip.meter_id = m.id
 LEFT JOIN average av ON av.meter_id = m.id
 LEFT JOIN estimated es ON es.meter_id = m.id
"""

# The volume of a read meter is its consumption since its last actual reading less what was billed by average since
# (the reversal); a meter not read bills its average prorated to the unit's days, rounded per meter (what is recorded
# as billed by average, RULES §12).
_METER_UNITS_SQL = """
    CREATE TEMP TABLE neopro_calc_meter_unit ON COMMIT DROP AS
    SELECT m.account_id, m.point_id, m.service_id,
           bool_or(m.overdue) AS overdue,
           bool_and(m.has_reading) AS all_read,
           bool_and(m.has_reading OR m.average_volume IS NOT NULL) AS all_known,
           COALESCE(SUM(m.read_volume - m.reversed_volume) FILTER (WHERE m.has_reading), 0) AS read_volume,
           COALESCE(SUM(m.reversed_volume) FILTER (WHERE m.has_reading), 0) AS reversed_volume,
           COALESCE(SUM(ROUND(m.average_volume * u.active_days / %(days_in_period)s, 3))
                    FILTER (WHERE NOT m.has_reading), 0) AS average_volume
      FROM neopro_calc_meter m
      JOIN neopro_calc_unit u ON u.account_id = m.account_id AND u.point_id = m.point_id
                             AND u.service_id = m.service_id
  GROUP BY m.account_id, m.point_id, m.service_id
"""

# What each meter not read was billed by average this period (lines billed by average only): the reversal of a later
# actual reading and the cap of months in a row read it back.
_METER_AVERAGES_SQL = """
    CREATE TEMP TABLE neopro_calc_average ON COMMIT DROP AS
    SELECT m.meter_id, m.account_id, ROUND(m.average_volume * u.active_days / %(days_in_period)s, 3) AS volume
      FROM neopro_calc_meter m
      JOIN neopro_calc_unit u ON u.account_id = m.account_id AND u.point_id = m.point_id
                             AND u.service_id = m.service_id
      JOIN neopro_calc_line l ON l.account_id = m.account_id AND COALESCE(l.metering_point_id, 0) = m.point_id
                             AND l.service_id = m.service_id AND l.basis = 'average'
     WHERE NOT m.has_reading AND m.average_volume IS NOT NULL
"""
# Merged like the ledger lines: unchanged records stay, changed or vanished ones go, new ones come.
_METER_AVERAGE_DELETE_SQL = """
    DELETE FROM neopro_meter_average e
     WHERE e.period_id = %(period_id)s AND e.account_id BETWEEN %(account_from)s AND %(account_to)s
       AND NOT EXISTS (SELECT 1 FROM neopro_calc_average c WHERE c.meter_id = e.meter_id AND c.volume = e.volume)
"""
_METER_AVERAGE_INSERT_SQL = """
    INSERT INTO neopro_meter_average (meter_id, period_id, account_id, volume,
                                      create_uid, create_date, write_uid, write_date)
    SELECT c.meter_id, %(period_id)s, c.account_id, c.volume,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM neopro_calc_average c
     WHERE NOT EXISTS (SELECT 1 FROM neopro_meter_average e
                        WHERE e.meter_id = c.meter_id AND e.period_id = %(period_id)s)
"""

# A resident's unit is a service (its connections of the period summed; point 0), with norm × residents as fallback;
# a contract's unit is a metering point of an active contract, with its fixed volume as fallback.
_UNITS_SQL = """
    CREATE TEMP TABLE neopro_calc_unit ON COMMIT DROP AS
    WITH conn AS (
        SELECT s.account_id, 0 AS point_id, c.service_id, s.category_id,
               COALESCE(n.volume, 0) * s.residents AS fallback_volume, 'norm' AS fallback_basis,
               GREATEST(COALESCE(c.date_start, %(period_start)s), %(period_start)s) AS ds,
               LEAST(COALESCE(c.date_end, %(calculation_date)s), %(calculation_date)s) AS de,
               s.id AS subscriber_id, COALESCE(n.volume, 0) AS norm, s.residents
          FROM neopro_service_connection c
          JOIN neopro_subscriber s ON s.id = c.subscriber_id
     LEFT JOIN """ + NORM_IN_FORCE_SQL + """ n ON n.service_id = c.service_id
                                               AND n.amenity_level_id = s.amenity_level_id
         WHERE s.active AND s.account_id BETWEEN %(account_from)s AND %(account_to)s
           AND (c.date_start IS NULL OR c.date_start <= %(calculation_date)s)
           AND (c.date_end IS NULL OR c.date_end >= %(period_start)s)
     UNION ALL
        SELECT c.account_id, p.id, p.service_id, c.category_id, COALESCE(p.volume, 0), 'fixed',
               GREATEST(COALESCE(p.date_start, %(period_start)s), %(period_start)s),
               LEAST(COALESCE(p.date_end, %(calculation_date)s), COALESCE(c.date_end, %(calculation_date)s),
                     %(calculation_date)s),
               NULL, 0, 1
          FROM neopro_metering_point p
          JOIN neopro_contract c ON c.id = p.contract_id
         WHERE p.active AND c.active AND c.state = 'active'
           AND c.account_id BETWEEN %(account_from)s AND %(account_to)s
           AND (p.date_start IS NULL OR p.date_start <= %(calculation_date)s)
           AND (p.date_end IS NULL OR p.date_end >= %(period_start)s)
           AND (c.date_end IS NULL OR c.date_end >= %(period_start)s)
    ), """ + _TARIFF_CTE + """
    SELECT conn.account_id, conn.point_id, conn.service_id, a.branch_id, a.account_number,
           MAX(conn.fallback_volume) AS fallback_volume, MAX(conn.fallback_basis) AS fallback_basis,
           SUM(conn.de - conn.ds + 1) AS active_days, SUM(cp.price_days) AS price_days,
           bool_or(cp.has_bands) AS has_bands, MAX(conn.residents) AS residents,
           COALESCE(SUM(conn.norm * ab.resident_days), 0) AS absent_volume_days
      FROM conn
      JOIN neopro_account a ON a.id = conn.account_id
      JOIN combo_price cp ON cp.service_id = conn.service_id AND cp.category_id = conn.category_id
                         AND cp.ds = conn.ds AND cp.de = conn.de
 LEFT JOIN LATERAL (
        -- residents' days of absence inside the connection's days (looked up only when the period has absences)
        SELECT SUM(ab.residents * (LEAST(ab.date_to, conn.de) - GREATEST(ab.date_from, conn.ds) + 1)) AS resident_days
          FROM neopro_absence ab
         WHERE %(has_absences)s AND ab.subscriber_id = conn.subscriber_id
           AND ab.date_from <= conn.de AND ab.date_to >= conn.ds
     ) ab ON TRUE
     WHERE conn.de >= conn.ds
  GROUP BY conn.account_id, conn.point_id, conn.service_id, a.branch_id, a.account_number
"""

# Tariff days of the banded units: each tariff valid on their days with its number of days (RULES §12, bands).
_UNIT_TARIFFS_SQL = """
    CREATE TEMP TABLE neopro_calc_unit_tariff ON COMMIT DROP AS
    WITH conn AS (
        SELECT s.account_id, 0 AS point_id, c.service_id, s.category_id,
               GREATEST(COALESCE(c.date_start, %(period_start)s), %(period_start)s) AS ds,
               LEAST(COALESCE(c.date_end, %(calculation_date)s), %(calculation_date)s) AS de
          FROM neopro_service_connection c
          JOIN neopro_subscriber s ON s.id = c.subscriber_id
          JOIN neopro_calc_unit u ON u.account_id = s.account_id AND u.point_id = 0 AND u.service_id = c.service_id
         WHERE u.has_bands AND s.active
           AND (c.date_start IS NULL OR c.date_start <= %(calculation_date)s)
           AND (c.date_end IS NULL OR c.date_end >= %(period_start)s)
     UNION ALL
        SELECT c.account_id, p.id, p.service_id, c.category_id,
               GREATEST(COALESCE(p.date_start, %(period_start)s), %(period_start)s),
               LEAST(COALESCE(p.date_end, %(calculation_date)s), COALESCE(c.date_end, %(calculation_date)s),
                     %(calculation_date)s)
          FROM neopro_metering_point p
          JOIN neopro_contract c ON c.id = p.contract_id
          JOIN neopro_calc_unit u ON u.account_id = c.account_id AND u.point_id = p.id AND u.service_id = p.service_id
         WHERE u.has_bands AND p.active AND c.active AND c.state = 'active'
           AND (p.date_start IS NULL OR p.date_start <= %(calculation_date)s)
           AND (p.date_end IS NULL OR p.date_end >= %(period_start)s)
           AND (c.date_end IS NULL OR c.date_end >= %(period_start)s)
    )
    SELECT conn.account_id, conn.point_id, conn.service_id, t.id AS tariff_id,
           SUM(LEAST(conn.de, COALESCE(t.date_to, conn.de)) - GREATEST(conn.ds, t.date_from) + 1) AS days
      FROM conn
      JOIN neopro_tariff t ON t.service_id = conn.service_id AND t.category_id = conn.category_id AND t.active
                          AND t.date_from <= conn.de AND (t.date_to IS NULL OR t.date_to >= conn.ds)
     WHERE conn.de >= conn.ds
  GROUP BY 1, 2, 3, 4
"""

# Amounts of the banded units' lines: the volume split over the tariffs by days; each part billed band by band with
# the band limits scaled by its share of the days calculated (× residents for band_basis 'resident'), at least the
# tariff's minimum for those days; rounded once per line. A credit (negative volume) is priced at the first band.
_BAND_AMOUNTS_SQL = """
    WITH part AS (
        SELECT ut.account_id, ut.point_id, ut.service_id, t.id AS tariff_id, t.price, t.date_from, ut.days,
               t.minimum_amount * ut.days / %(days_elapsed)s AS minimum,
               l.volume * ut.days / u.active_days AS volume,
               ut.days::numeric / %(days_elapsed)s
                   * CASE WHEN t.band_basis = 'resident' THEN GREATEST(u.residents, 1) ELSE 1 END AS scale
          FROM neopro_calc_unit_tariff ut
          JOIN neopro_calc_unit u ON u.account_id = ut.account_id AND u.point_id = ut.point_id
                                 AND u.service_id = ut.service_id
          JOIN neopro_calc_line l ON l.account_id = ut.account_id AND COALESCE(l.metering_point_id, 0) = ut.point_id
                                 AND l.service_id = ut.service_id
          JOIN neopro_tariff t ON t.id = ut.tariff_id
    ), band AS (
        SELECT b.tariff_id, b.volume_from, b.price,
               LEAD(b.volume_from) OVER (PARTITION BY b.tariff_id ORDER BY b.volume_from) AS volume_to
          FROM neopro_tariff_band b
         WHERE b.tariff_id IN (SELECT tariff_id FROM neopro_calc_unit_tariff)
    ), part_band AS (
        SELECT p.*, b.price AS band_price, b.volume_from * p.scale AS band_from, b.volume_to * p.scale AS band_to,
               GREATEST(0, LEAST(p.volume, COALESCE(b.volume_to * p.scale, p.volume)) - b.volume_from * p.scale)
                   AS band_volume,
               row_number() OVER (PARTITION BY p.account_id, p.point_id, p.service_id, p.tariff_id
                                  ORDER BY b.volume_from) AS band_rank
          FROM part p
     LEFT JOIN band b ON b.tariff_id = p.tariff_id
    ), part_amount AS (
        SELECT account_id, point_id, service_id, tariff_id, date_from, volume, minimum,
               CASE WHEN bool_and(band_price IS NULL) THEN volume * price
                    WHEN volume < 0 THEN volume * MIN(band_price) FILTER (WHERE band_rank = 1)
                    ELSE SUM(band_volume * band_price) END AS amount,
               bool_and(band_price IS NULL) AS flat
          FROM part_band
      GROUP BY account_id, point_id, service_id, tariff_id, date_from, volume, minimum, price
    ), line AS (
        SELECT account_id, point_id, service_id,
               ROUND(SUM(CASE WHEN volume >= 0 THEN GREATEST(amount, minimum) ELSE amount END), 2) AS amount,
               jsonb_agg(jsonb_build_object('date_from', date_from, 'minimum', ROUND(minimum, 2),
                                            'minimum_applied', volume >= 0 AND minimum > amount)
                         ORDER BY date_from) AS parts
          FROM part_amount
      GROUP BY account_id, point_id, service_id
    ), detail AS (
        SELECT account_id, point_id, service_id,
               jsonb_agg(jsonb_build_object('date_from', date_from, 'from', ROUND(band_from, 3),
                                            'to', ROUND(band_to, 3), 'price', band_price,
                                            'volume', ROUND(band_volume, 3),
                                            'amount', ROUND(band_volume * band_price, 2))
                         ORDER BY date_from, band_from) AS bands
          FROM part_band
         WHERE band_price IS NOT NULL AND band_volume > 0
      GROUP BY account_id, point_id, service_id
    )
    UPDATE neopro_calc_line l
       SET amount = x.amount, price = CASE WHEN l.volume <> 0 THEN ROUND(x.amount / l.volume, 4) ELSE 0 END,
           band_lines = jsonb_build_object('bands', COALESCE(d.bands, '[]'::jsonb), 'parts', x.parts)::text
      FROM line x
 LEFT JOIN detail d ON d.account_id = x.account_id AND d.point_id = x.point_id AND d.service_id = x.service_id
     WHERE l.account_id = x.account_id AND COALESCE(l.metering_point_id, 0) = x.point_id
       AND l.service_id = x.service_id
"""

# A unit's volume: its meters' (the read ones less what they billed by average since their last actual reading, the
# others by average), else its fallback. A negative volume is a credit: basis "average reversal" (RULES §12).
_WATER_LINES_SQL = """
    INSERT INTO neopro_calc_line (account_id, metering_point_id, service_id, branch_id, account_number, volume,
                                  basis, price, amount, reversed_volume)
    SELECT u.account_id, NULLIF(u.point_id, 0), u.service_id, u.branch_id, u.account_number, x.volume,
           CASE WHEN x.volume < 0 THEN 'average_reversal' ELSE x.basis END,
           """ + _PRICE_SQL + ", " + _AMOUNT_SQL + """, x.reversed_volume
      FROM neopro_calc_unit u
 LEFT JOIN neopro_calc_meter_unit m ON m.account_id = u.account_id AND m.point_id = u.point_id
                                   AND m.service_id = u.service_id
     CROSS JOIN LATERAL (
        SELECT CASE WHEN """ + _FALLBACK_SQL + """ THEN u.fallback_basis
                    WHEN m.all_read THEN 'meter'
                    ELSE 'average' END AS basis,
               CASE WHEN """ + _FALLBACK_SQL + " THEN " + _FALLBACK_VOLUME_SQL + """
                    WHEN m.all_read THEN m.read_volume
                    ELSE m.read_volume + m.average_volume
               END AS volume,
               CASE WHEN """ + _FALLBACK_SQL + """ THEN 0 ELSE m.reversed_volume END AS reversed_volume
     ) x
     WHERE u.service_id <> ALL(%(sewage_ids)s)
"""

# The first sewage unit of an account with water lines bills the account's cold + hot volume, prorated to its days;
# any other sewage unit (a contract's further sewage points), or one of an account without water, its fallback.
_SEWAGE_LINES_SQL = """
    INSERT INTO neopro_calc_line (account_id, metering_point_id, service_id, branch_id, account_number, volume,
                                  basis, price, amount)
    SELECT u.account_id, NULLIF(u.point_id, 0), u.service_id, u.branch_id, u.account_number, x.volume, x.basis,
           """ + _PRICE_SQL + ", " + _AMOUNT_SQL + """
      FROM neopro_calc_unit u
 LEFT JOIN (SELECT account_id, MIN(point_id) AS point_id FROM neopro_calc_unit
             WHERE service_id = ANY(%(sewage_ids)s) GROUP BY account_id) f
        ON f.account_id = u.account_id AND f.point_id = u.point_id
 LEFT JOIN (SELECT account_id, SUM(volume) AS volume FROM neopro_calc_line
             WHERE service_id = ANY(%(water_ids)s) GROUP BY account_id) w ON w.account_id = u.account_id
     CROSS JOIN LATERAL (
        SELECT CASE WHEN w.account_id IS NULL OR f.account_id IS NULL THEN u.fallback_basis
                    WHEN w.volume < 0 THEN 'average_reversal'
                    ELSE 'sewage' END AS basis,
               CASE WHEN w.account_id IS NULL OR f.account_id IS NULL THEN """ + _FALLBACK_VOLUME_SQL + """
                    ELSE ROUND(w.volume * u.active_days / %(days_elapsed)s, 3) END AS volume
     ) x
     WHERE u.service_id = ANY(%(sewage_ids)s)
"""

# Merge of the computed lines into the ledger: auto lines of this type, of the period and of the accounts of the run.
_SAME_LINE = """o.account_id = l.account_id AND COALESCE(o.metering_point_id, 0) = COALESCE(l.metering_point_id, 0)
                AND COALESCE(o.service_id, 0) = COALESCE(l.service_id, 0)"""
_IN_RUN = """o.period_id = %(period_id)s AND o.is_auto AND o.operation_type = %(operation_type)s
             AND o.account_id BETWEEN %(account_from)s AND %(account_to)s"""
_MERGE_UPDATE_SQL = """
    UPDATE neopro_operation o
       SET volume = l.volume, basis = l.basis, price = l.price, amount = l.amount, date = %(line_date)s,
           reversed_volume = l.reversed_volume, band_lines = l.band_lines,
           branch_id = l.branch_id, account_number = l.account_number,
           write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
      FROM neopro_calc_line l
     WHERE """ + _IN_RUN + " AND " + _SAME_LINE + """
       AND (o.volume, o.basis, o.price, o.amount, o.date, o.branch_id, o.account_number, o.reversed_volume,
            o.band_lines)
           IS DISTINCT FROM (l.volume, l.basis, l.price, l.amount, %(line_date)s::date, l.branch_id, l.account_number,
                             l.reversed_volume, l.band_lines)
"""
_MERGE_DELETE_SQL = """
    DELETE FROM neopro_operation o
     WHERE """ + _IN_RUN + """
       AND NOT EXISTS (SELECT 1 FROM neopro_calc_line l WHERE """ + _SAME_LINE + """)
"""
_MERGE_INSERT_SQL = """
    INSERT INTO neopro_operation (operation_type, is_auto, period_id, date, account_id, metering_point_id, service_id,
                                  branch_id, account_number, volume, basis, price, amount, reversed_volume,
                                  band_lines, create_uid, create_date, write_uid, write_date)
    SELECT %(operation_type)s, TRUE, %(period_id)s, %(line_date)s, l.account_id, l.metering_point_id, l.service_id,
           l.branch_id, l.account_number, l.volume, l.basis, l.price, l.amount, l.reversed_volume, l.band_lines,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM neopro_calc_line l
     WHERE NOT EXISTS (SELECT 1 FROM neopro_operation o WHERE """ + _IN_RUN + " AND " + _SAME_LINE + """)
"""

# Debts of the accounts of the run: charges and positive corrections per billing month before the period, and the
# opening balance of the first period (the debt billing started with) as a debt of the month before it.
_DEBTS_SQL = """
    CREATE TEMP TABLE neopro_calc_debt ON COMMIT DROP AS
    SELECT o.account_id, p.date_start AS month, SUM(o.amount) AS amount
      FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
     WHERE p.date_start < %(period_start)s
       AND (o.operation_type = 'charge' OR (o.operation_type = 'correction' AND o.amount > 0))
       AND o.account_id BETWEEN %(account_from)s AND %(account_to)s
  GROUP BY 1, 2
    UNION ALL
    SELECT b.account_id, (p.date_start - interval '1 month')::date, b.balance_start
      FROM neopro_balance b
      JOIN neopro_period p ON p.id = b.period_id
     WHERE b.balance_start > 0 AND p.date_start <= %(period_start)s
       AND NOT EXISTS (SELECT 1 FROM neopro_period e WHERE e.date_start < p.date_start)
       AND b.account_id BETWEEN %(account_from)s AND %(account_to)s
"""
# Credits: payments and negative corrections per day, up to the end of the penalty window.
_CREDITS_SQL = """
    CREATE TEMP TABLE neopro_calc_credit ON COMMIT DROP AS
    SELECT account_id, date, SUM(CASE WHEN operation_type = 'payment' THEN amount ELSE -amount END) AS amount
      FROM neopro_operation
     WHERE (operation_type = 'payment' OR (operation_type = 'correction' AND amount < 0)) AND date < %(penalty_end)s
       AND account_id BETWEEN %(account_from)s AND %(account_to)s
  GROUP BY 1, 2
"""
# A penalty needs a debt still unpaid when it starts accruing in the window: the debts due before the window
# (billing months before the previous one) not covered by the credits before the window, or the previous month's
# debt (due inside the window) not covered by the credits before its first day of penalty. Outstanding debt only
# decreases over time, so this keeps every account that can owe a penalty and few others.
_DEBTORS_SQL = """
    CREATE TEMP TABLE neopro_calc_debtor ON COMMIT DROP AS
    SELECT d.account_id
      FROM (SELECT account_id, SUM(amount) FILTER (WHERE month < %(previous_month)s) AS older, SUM(amount) AS total
              FROM neopro_calc_debt GROUP BY account_id) d
 LEFT JOIN (SELECT account_id, SUM(amount) FILTER (WHERE date < %(period_start)s) AS before_window,
                   SUM(amount) FILTER (WHERE date < %(previous_penalty_start)s) AS before_previous
              FROM neopro_calc_credit GROUP BY account_id) c ON c.account_id = d.account_id
     WHERE d.older > COALESCE(c.before_window, 0)
        OR (%(previous_penalty_start)s <= %(penalty_end)s AND d.total > COALESCE(c.before_previous, 0))
"""
_PENALTY_LINES_SQL = """
    INSERT INTO neopro_calc_line (account_id, branch_id, account_number, amount)
    SELECT a.id, a.branch_id, a.account_number, x.amount
      FROM unnest(%(account_ids)s::integer[], %(amounts)s::numeric[]) AS x(account_id, amount)
      JOIN neopro_account a ON a.id = x.account_id
"""
_TEMP_TABLES = ('neopro_calc_line', 'neopro_calc_meter', 'neopro_calc_meter_unit', 'neopro_calc_unit',
                'neopro_calc_unit_tariff', 'neopro_calc_average', 'neopro_calc_debt', 'neopro_calc_credit',
                'neopro_calc_debtor')
# Statements on the temporary tables, made of the constant names above only.
_DROP_TEMP_SQL = 'DROP TABLE IF EXISTS ' + ', '.join(_TEMP_TABLES)
_ANALYZE_SQL = {table: 'ANALYZE ' + table for table in _TEMP_TABLES}


def set_jit(cr, on):
    """Turn PostgreSQL's JIT off for the rest of the transaction, or back to its default.

    Compiling the one-off statements over every account costs more than it saves (up to a second each).
    """
    if cr._cnx.server_version >= 110000:  # no JIT before PostgreSQL 11
        cr.execute('SET LOCAL jit TO DEFAULT' if on else 'SET LOCAL jit = off')


def _to_date(value):
    return fields.Date.from_string(value) if isinstance(value, str) else value


class NeoproCalculation(models.AbstractModel):
    """Charges and penalties of a billing period for all accounts or a range of them."""
    _name = 'neopro.calculation'
    _description = 'Billing calculation'

    @api.model
    def _run(self, period, date, account_range=None):
        """Calculate ``period`` up to ``date`` for the accounts whose id lies in ``account_range`` (all when None).

        Returns a dict of counts (lines, untariffed, penalties) and the step timings for the log.
        """
        params = self._get_params(period, date, account_range)
        timings = []
        cr = self.env.cr
        set_jit(cr, False)
        cr.execute(_DROP_TEMP_SQL)
        cr.execute(_LINE_TABLE_SQL)
        with self._timed('units', timings):
            self._compute_units(params)
        with self._timed('meters', timings):
            self._compute_meters(params)
            self._compute_meter_units(params)
        with self._timed('charge lines', timings):
            self._compute_water_lines(params)
            self._compute_sewage_lines(params)
            self._compute_band_amounts(params)
            self._record_meter_averages(params)
            cr.execute('SELECT count(*), count(*) FILTER (WHERE price = 0 AND volume > 0) FROM neopro_calc_line')
            lines, untariffed = cr.fetchone()
        with self._timed('merge charges', timings):
            self._merge_lines('charge', params)
        with self._timed('penalties', timings):
            penalties = self._compute_penalties(params)
        with self._timed('merge penalties', timings):
            cr.execute('TRUNCATE neopro_calc_line')
            cr.execute(_PENALTY_LINES_SQL, {'account_ids': [a for a, _amount in penalties],
                                            'amounts': [amount for _a, amount in penalties]})
            self._merge_lines('penalty', dict(params, line_date=params['penalty_end']))
        cr.execute(_DROP_TEMP_SQL)
        set_jit(cr, True)
        self.env['neopro.operation'].invalidate_cache()
        return {'lines': lines, 'untariffed': untariffed, 'penalties': len(penalties), 'timings': timings}

    @contextlib.contextmanager
    def _timed(self, step, timings):
        """Append (step, seconds) to ``timings`` for the block."""
        start = time.time()
        yield
        timings.append((step, time.time() - start))

    @api.model
    def _get_params(self, period, date, account_range=None):
        """SQL parameters of a run, by name: the period's days, the calculation date, the services, the accounts."""
        period_start, period_end = _to_date(period.date_start), _to_date(period.date_end)
        calculation_date = _to_date(date)
        today = _to_date(local_today(self))
        account_from, account_to = account_range or (0, MAX_ID)
        services = self.env['neopro.service'].with_context(active_test=False).search([])
        return {
            'period_id': period.id, 'period_start': period_start, 'period_end': period_end,
            'calculation_date': calculation_date, 'line_date': calculation_date, 'norm_date': period_start,
            'penalty_end': min(calculation_date, today),
            'days_in_period': (period_end - period_start).days + 1,
            'days_elapsed': (calculation_date - period_start).days + 1,
            'uid': self.env.uid, 'account_from': account_from, 'account_to': account_to,
            'average_months': self._get_average_months(),
            'has_absences': self._has_absences(period_start, calculation_date),
            'sewage_ids': services.filtered(lambda s: s.code == 'sewage').ids or [0],
            'water_ids': services.filtered(lambda s: s.code in ('cold_water', 'hot_water')).ids or [0],
        }

    @api.model
    def _get_average_months(self):
        """Months in a row a meter without reading is billed by average before the norm (RULES §12; default 3)."""
        get = self.env['ir.config_parameter'].sudo().get_param  # sudo: system parameters are admin-only
        try:
            return max(int(get('neopro_billing.average_months', '3') or 3), 0)
        except ValueError:
            return 3

    @api.model
    def _has_absences(self, date_from, date_to):
        """Whether any temporary absence overlaps the days calculated (else the lookup is skipped)."""
        self.env.cr.execute('SELECT EXISTS (SELECT 1 FROM neopro_absence WHERE date_from <= %s AND date_to >= %s)',
                            (date_to, date_from))
        return self.env.cr.fetchone()[0]

    def _execute(self, query, params, table=None):
        """Run one step's statement; analyse the table it wrote so the next step is planned on its real size."""
        self.env.cr.execute(query, params)
        if table:
            self.env.cr.execute(_ANALYZE_SQL[table])

    # Charges -----------------------------------------------------------------------------------------------------

    @api.model
    def _compute_meters(self, params):
        """Meters in service in the period: their consumption from readings (rollover-aware) and 3-month average."""
        self._execute(_METERS_SQL, params, 'neopro_calc_meter')

    @api.model
    def _compute_meter_units(self, params):
        """Per account, point and service: whether its meters were all read, overdue, and their volumes."""
        self._execute(_METER_UNITS_SQL, params, 'neopro_calc_meter_unit')

    @api.model
    def _compute_units(self, params):
        """Billed units of the period (resident services, contract points): days billed and Σ tariff × days."""
        self._execute(_UNITS_SQL, params, 'neopro_calc_unit')

    @api.model
    def _compute_water_lines(self, params):
        """Water lines: meter volume, meter + average for meters not read, else norm × residents / fixed volume."""
        self._execute(_WATER_LINES_SQL, params, 'neopro_calc_line')

    @api.model
    def _compute_sewage_lines(self, params):
        """Sewage lines: the account's cold + hot volume (RULES §6), else the fallback volume."""
        self._execute(_SEWAGE_LINES_SQL, params)

    @api.model
    def _compute_band_amounts(self, params):
        """Amounts of the lines of banded units (bands or a minimum, RULES §12); the others keep volume × price."""
        self.env.cr.execute('SELECT EXISTS (SELECT 1 FROM neopro_calc_unit WHERE has_bands)')
        if not self.env.cr.fetchone()[0]:
            return
        self._execute(_UNIT_TARIFFS_SQL, params, 'neopro_calc_unit_tariff')
        self._execute(_BAND_AMOUNTS_SQL, params)

    @api.model
    def _record_meter_averages(self, params):
        """Record what each meter not read billed by average this period (for the reversal and the cap)."""
        self._execute(_METER_AVERAGES_SQL, params, 'neopro_calc_average')
        self._execute(_METER_AVERAGE_DELETE_SQL, params)
        self._execute(_METER_AVERAGE_INSERT_SQL, params)

    @api.model
    def _merge_lines(self, operation_type, params):
        """Make the auto lines of this type in the ledger equal to the computed lines (update, delete, insert)."""
        params = dict(params, operation_type=operation_type)
        self.env.cr.execute(_ANALYZE_SQL['neopro_calc_line'])
        for query in (_MERGE_UPDATE_SQL, _MERGE_DELETE_SQL, _MERGE_INSERT_SQL):
            self.env.cr.execute(query, params)

    # Penalties -------------------------------------------------------------------------------------------------

    @api.model
    def _get_penalty_settings(self):
        """The penalty settings in force: coefficient K, due day and the dated rate table (lib.penalty)."""
        get = self.env['ir.config_parameter'].sudo().get_param  # sudo: system parameters are admin-only
        self.env.cr.execute('SELECT date_from, rate::text FROM neopro_penalty_rate WHERE active ORDER BY date_from')
        rates = [(_to_date(day), rate) for day, rate in self.env.cr.fetchall()]
        return penalty_lib.PenaltySettings(get('neopro_billing.penalty_coefficient', '1.5') or '1.5',
                                           get('neopro_billing.penalty_due_day', '25') or 25, rates)

    @api.model
    def _compute_penalties(self, params):
        """[(account id, amount)] of the penalties of the window [period start, min(date, today)]."""
        start, end = params['period_start'], params['penalty_end']
        if end < start:
            return []
        settings = self._get_penalty_settings()
        previous_month = start - relativedelta(months=1)
        params = dict(params, previous_month=previous_month,
                      previous_penalty_start=penalty_lib.due_date(previous_month, settings.due_day)
                      + timedelta(days=1))
        self._execute(_DEBTS_SQL, params)
        self._execute(_CREDITS_SQL, params)
        self._execute(_DEBTORS_SQL, params)
        debts = self._fetch_by_account("""
            SELECT d.account_id, d.month, d.amount::text
              FROM neopro_calc_debt d JOIN neopro_calc_debtor USING (account_id)
             WHERE d.amount > 0 ORDER BY d.account_id, d.month""")
        credits = self._fetch_by_account("""
            SELECT c.account_id, c.date, c.amount::text FROM neopro_calc_credit c
              JOIN neopro_calc_debtor USING (account_id) ORDER BY c.account_id, c.date""")
        result = []
        for account_id, account_debts in debts.items():
            amount = penalty_lib.penalty(account_debts, credits.get(account_id, []), settings, start, end)
            if amount > 0:
                result.append((account_id, amount))
        return result

    def _fetch_by_account(self, query):
        """{account id: [(date, Decimal amount)]} of a query returning (account id, date, amount as text)."""
        self.env.cr.execute(query)
        result = {}
        for account_id, day, amount in self.env.cr.fetchall():
            result.setdefault(account_id, []).append((_to_date(day), Decimal(amount)))
        return result

    @api.model
    def _get_due_date(self, month, due_day):
        """Due date of the charges of the billing month starting ``month`` (lib.penalty.due_date)."""
        return penalty_lib.due_date(_to_date(month), due_day)

    @api.model
    def _get_penalty(self, debts, credits, rates, coefficient, due_day, start, end):
        """Penalty accrued from ``start`` to ``end`` on one account, rounded once to the tiyn (lib.penalty)."""
        return penalty_lib.penalty(debts, credits, penalty_lib.PenaltySettings(coefficient, due_day, rates),
                                   start, end)
