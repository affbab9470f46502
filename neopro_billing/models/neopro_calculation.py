"""The billing engine: charges and penalties of the open period, set-based (SPEC §6).

Charges are computed by SQL statements into a temporary table and merged into the ledger: unchanged lines are
left alone, changed ones updated, vanished ones deleted, new ones inserted. Penalties are computed in Python from
two bulk queries (only accounts with overdue debt) and merged the same way. No ORM create per line.
"""
import bisect
import time
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

MAX_ID = 2 ** 31 - 1

# Meters counted in the period, with their consumption from readings and their 3-month average.
# A meter counts when installed by the calculation date and not removed before the period; an archived meter
# counts only when it was removed inside the period (a replaced meter). Overdue: the meter in service at the
# calculation date was due for verification before the period started.
_METER_SQL = """
    CREATE TEMP TABLE neopro_calc_meter ON COMMIT DROP AS
    WITH meter AS (
        SELECT m.id, m.subscriber_id, m.metering_point_id, m.service_id, m.digits,
               COALESCE(m.initial_value, 0) AS initial_value,
               (m.removal_date IS NULL OR m.removal_date > %(dc)s) AND m.next_verification_date < %(d1)s AS overdue
          FROM neopro_meter m
     LEFT JOIN neopro_metering_point p ON p.id = m.metering_point_id
         WHERE (m.active OR m.removal_date BETWEEN %(d1)s AND %(dc)s)
           AND (m.installation_date IS NULL OR m.installation_date <= %(dc)s)
           AND (m.removal_date IS NULL OR m.removal_date >= %(d1)s)
           AND (m.subscriber_id BETWEEN %(sub_from)s AND %(sub_to)s
                OR p.contract_id BETWEEN %(con_from)s AND %(con_to)s)
    ), reading AS (
        SELECT r.meter_id, r.date, r.value, r.is_reset,
               LAG(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.date) AS prev_value
          FROM neopro_meter_reading r
          JOIN meter ON meter.id = r.meter_id
         WHERE r.date <= %(dc)s
    ), consumption AS (
        SELECT r.meter_id, r.date,
               CASE WHEN r.is_reset THEN r.value
                    WHEN r.value >= COALESCE(r.prev_value, m.initial_value)
                        THEN r.value - COALESCE(r.prev_value, m.initial_value)
                    ELSE power(10::numeric, m.digits) - COALESCE(r.prev_value, m.initial_value) + r.value
               END AS volume
          FROM reading r
          JOIN meter m ON m.id = r.meter_id
    ), in_period AS (
        SELECT meter_id, SUM(volume) AS volume
          FROM consumption
         WHERE date >= %(d1)s
      GROUP BY meter_id
    ), month AS (
        SELECT meter_id, SUM(volume) AS volume,
               row_number() OVER (PARTITION BY meter_id ORDER BY date_trunc('month', date) DESC) AS rank
          FROM consumption
         WHERE date < %(d1)s
      GROUP BY meter_id, date_trunc('month', date)
    ), average AS (
        SELECT meter_id, SUM(volume) / COUNT(*) AS volume
          FROM month
         WHERE rank <= 3
      GROUP BY meter_id
    )
    SELECT m.id AS meter_id, m.subscriber_id, m.metering_point_id, m.service_id, m.overdue,
           ip.meter_id IS NOT NULL AS has_reading, ip.volume AS read_volume, av.volume AS average_volume
      FROM meter m
 LEFT JOIN in_period ip ON ip.meter_id = m.id
 LEFT JOIN average av ON av.meter_id = m.id
"""

# Per owner (subscriber or metering point) and service: how the meters bill.
_METER_SERVICE_SQL = """
    CREATE TEMP TABLE neopro_calc_meter_service ON COMMIT DROP AS
    SELECT subscriber_id, metering_point_id, service_id,
           bool_or(overdue) AS overdue,
           bool_and(has_reading) AS all_read,
           bool_and(has_reading OR average_volume IS NOT NULL) AS all_known,
           COALESCE(SUM(read_volume) FILTER (WHERE has_reading), 0) AS read_volume,
           COALESCE(SUM(average_volume) FILTER (WHERE NOT has_reading), 0) AS average_volume
      FROM neopro_calc_meter
  GROUP BY subscriber_id, metering_point_id, service_id
"""

_LINE_TABLE_SQL = """
    DROP TABLE IF EXISTS neopro_calc_line;
    CREATE TEMP TABLE neopro_calc_line (
        subscriber_id integer, contract_id integer, metering_point_id integer, service_id integer,
        branch_id integer, account_number varchar, volume numeric, basis varchar, price numeric, amount numeric
    ) ON COMMIT DROP;
"""

# Tariff days of each distinct (service, category, first day, last day) of the connections: the sum of
# price × days over the tariffs valid on those days (days without a tariff count for nothing).
_TARIFF_CTE = """
    combo AS (
        SELECT DISTINCT service_id, category_id, ds, de FROM conn
    ), combo_price AS (
        SELECT c.service_id, c.category_id, c.ds, c.de,
               COALESCE(SUM(t.price * (LEAST(c.de, COALESCE(t.date_to, c.de)) - GREATEST(c.ds, t.date_from) + 1)), 0)
                   AS price_days
          FROM combo c
     LEFT JOIN neopro_tariff t ON t.service_id = c.service_id AND t.category_id = c.category_id AND t.active
                              AND t.date_from <= c.de AND (t.date_to IS NULL OR t.date_to >= c.ds)
      GROUP BY c.service_id, c.category_id, c.ds, c.de
    )
"""

# The norm in force on the first day of the period, per service and amenity level.
_NORM_SQL = """
    (SELECT DISTINCT ON (service_id, amenity_level_id) service_id, amenity_level_id, volume
       FROM neopro_norm
      WHERE active AND date_from <= %(d1)s
   ORDER BY service_id, amenity_level_id, date_from DESC)
"""

# Each step writes a temporary table that is analysed before the next one joins it: the planner then knows the
# sizes (CTE estimates are blind and lead to nested loops over 100k rows).

# Residential services: days connected in the period and Σ price × days, per subscriber and service.
_SUBSCRIBER_SERVICE_SQL = """
    CREATE TEMP TABLE neopro_calc_service ON COMMIT DROP AS
    WITH conn AS (
        SELECT c.subscriber_id, c.service_id, s.category_id,
               GREATEST(COALESCE(c.date_start, %(d1)s), %(d1)s) AS ds,
               LEAST(COALESCE(c.date_end, %(dc)s), %(dc)s) AS de
          FROM neopro_service_connection c
          JOIN neopro_subscriber s ON s.id = c.subscriber_id
         WHERE s.active AND s.id BETWEEN %(sub_from)s AND %(sub_to)s
           AND (c.date_start IS NULL OR c.date_start <= %(dc)s)
           AND (c.date_end IS NULL OR c.date_end >= %(d1)s)
    ), """ + _TARIFF_CTE + """
    SELECT conn.subscriber_id, conn.service_id, SUM(conn.de - conn.ds + 1) AS active_days,
           SUM(cp.price_days) AS price_days
      FROM conn
      JOIN combo_price cp ON cp.service_id = conn.service_id AND cp.category_id = conn.category_id
                         AND cp.ds = conn.ds AND cp.de = conn.de
  GROUP BY conn.subscriber_id, conn.service_id
"""

# Residential water lines (every service but sewage): meter, average of the meters, or norm × residents.
_SUBSCRIBER_WATER_SQL = """
    INSERT INTO neopro_calc_line (subscriber_id, service_id, branch_id, account_number, volume, basis, price,
                                  amount)
    SELECT subscriber_id, service_id, branch_id, account_number, volume, basis,
           ROUND(price_days / active_days, 4), ROUND(volume * price_days / active_days, 2)
      FROM (
        SELECT v.subscriber_id, v.service_id, v.active_days, v.price_days, s.branch_id, s.account_number,
               CASE WHEN m.subscriber_id IS NULL OR m.overdue OR NOT m.all_known THEN 'norm'
                    WHEN m.all_read THEN 'meter'
                    ELSE 'average' END AS basis,
               CASE WHEN m.subscriber_id IS NULL OR m.overdue OR NOT m.all_known
                        THEN ROUND(COALESCE(n.volume, 0) * s.residents * v.active_days / %(days)s, 3)
                    WHEN m.all_read THEN m.read_volume
                    ELSE m.read_volume + ROUND(m.average_volume * v.active_days / %(days)s, 3) END AS volume
          FROM neopro_calc_service v
          JOIN neopro_subscriber s ON s.id = v.subscriber_id
     LEFT JOIN neopro_calc_meter_service m ON m.subscriber_id = v.subscriber_id AND m.service_id = v.service_id
     LEFT JOIN """ + _NORM_SQL + """ n ON n.service_id = v.service_id AND n.amenity_level_id = s.amenity_level_id
         WHERE v.service_id <> ALL(%(sewage)s)
      ) line
"""

# Residential sewage: the cold + hot water volume of the subscriber (norm × residents without water).
_SUBSCRIBER_SEWAGE_SQL = """
    INSERT INTO neopro_calc_line (subscriber_id, service_id, branch_id, account_number, volume, basis, price,
                                  amount)
    SELECT subscriber_id, service_id, branch_id, account_number, volume, basis,
           ROUND(price_days / active_days, 4), ROUND(volume * price_days / active_days, 2)
      FROM (
        SELECT v.subscriber_id, v.service_id, v.active_days, v.price_days, s.branch_id, s.account_number,
               CASE WHEN w.subscriber_id IS NULL THEN 'norm' ELSE 'sewage' END AS basis,
               CASE WHEN w.subscriber_id IS NULL
                        THEN ROUND(COALESCE(n.volume, 0) * s.residents * v.active_days / %(days)s, 3)
                    ELSE ROUND(w.volume * v.active_days / %(elapsed)s, 3) END AS volume
          FROM neopro_calc_service v
          JOIN neopro_subscriber s ON s.id = v.subscriber_id
     LEFT JOIN (SELECT subscriber_id, SUM(volume) AS volume FROM neopro_calc_line
                 WHERE subscriber_id IS NOT NULL AND service_id = ANY(%(water)s)
              GROUP BY subscriber_id) w ON w.subscriber_id = v.subscriber_id
     LEFT JOIN """ + _NORM_SQL + """ n ON n.service_id = v.service_id AND n.amenity_level_id = s.amenity_level_id
         WHERE v.service_id = ANY(%(sewage)s)
      ) line
"""

# Legal-entity metering points billed in the period: days and Σ price × days.
_CONTRACT_POINT_SQL = """
    CREATE TEMP TABLE neopro_calc_point ON COMMIT DROP AS
    WITH conn AS (
        SELECT p.id AS point_id, p.contract_id, p.service_id, c.category_id, c.branch_id, c.account_number,
               COALESCE(p.volume, 0) AS fixed_volume,
               GREATEST(COALESCE(p.date_start, %(d1)s), %(d1)s) AS ds,
               LEAST(COALESCE(p.date_end, %(dc)s), COALESCE(c.date_end, %(dc)s), %(dc)s) AS de
          FROM neopro_metering_point p
          JOIN neopro_contract c ON c.id = p.contract_id
         WHERE p.active AND c.active AND c.state = 'active' AND c.id BETWEEN %(con_from)s AND %(con_to)s
           AND (p.date_start IS NULL OR p.date_start <= %(dc)s)
           AND (p.date_end IS NULL OR p.date_end >= %(d1)s)
           AND (c.date_end IS NULL OR c.date_end >= %(d1)s)
    ), """ + _TARIFF_CTE + """
    SELECT conn.point_id, conn.contract_id, conn.service_id, conn.branch_id, conn.account_number,
           conn.fixed_volume, conn.de - conn.ds + 1 AS active_days, cp.price_days
      FROM conn
      JOIN combo_price cp ON cp.service_id = conn.service_id AND cp.category_id = conn.category_id
                         AND cp.ds = conn.ds AND cp.de = conn.de
     WHERE conn.de >= conn.ds
"""

# Legal-entity water lines: one per metering point; a point without a (usable) meter bills its fixed volume.
_CONTRACT_WATER_SQL = """
    INSERT INTO neopro_calc_line (contract_id, metering_point_id, service_id, branch_id, account_number, volume,
                                  basis, price, amount)
    SELECT contract_id, point_id, service_id, branch_id, account_number, volume, basis,
           ROUND(price_days / active_days, 4), ROUND(volume * price_days / active_days, 2)
      FROM (
        SELECT p.*,
               CASE WHEN m.metering_point_id IS NULL OR m.overdue OR NOT m.all_known THEN 'fixed'
                    WHEN m.all_read THEN 'meter'
                    ELSE 'average' END AS basis,
               CASE WHEN m.metering_point_id IS NULL OR m.overdue OR NOT m.all_known
                        THEN ROUND(p.fixed_volume * p.active_days / %(days)s, 3)
                    WHEN m.all_read THEN m.read_volume
                    ELSE m.read_volume + ROUND(m.average_volume * p.active_days / %(days)s, 3) END AS volume
          FROM neopro_calc_point p
     LEFT JOIN neopro_calc_meter_service m ON m.metering_point_id = p.point_id AND m.service_id = p.service_id
         WHERE p.service_id <> ALL(%(sewage)s)
      ) line
"""

# Legal-entity sewage: the first sewage point of a contract bills the cold + hot water volume of the contract;
# other sewage points, or a contract without water, bill their fixed volume.
_CONTRACT_SEWAGE_SQL = """
    INSERT INTO neopro_calc_line (contract_id, metering_point_id, service_id, branch_id, account_number, volume,
                                  basis, price, amount)
    SELECT contract_id, point_id, service_id, branch_id, account_number, volume, basis,
           ROUND(price_days / active_days, 4), ROUND(volume * price_days / active_days, 2)
      FROM (
        SELECT p.*,
               CASE WHEN w.contract_id IS NULL OR f.point_id IS NULL THEN 'fixed' ELSE 'sewage' END AS basis,
               CASE WHEN w.contract_id IS NULL OR f.point_id IS NULL
                        THEN ROUND(p.fixed_volume * p.active_days / %(days)s, 3)
                    ELSE ROUND(w.volume * p.active_days / %(elapsed)s, 3) END AS volume
          FROM neopro_calc_point p
     LEFT JOIN (SELECT MIN(point_id) AS point_id FROM neopro_calc_point WHERE service_id = ANY(%(sewage)s)
              GROUP BY contract_id) f ON f.point_id = p.point_id
     LEFT JOIN (SELECT contract_id, SUM(volume) AS volume FROM neopro_calc_line
                 WHERE contract_id IS NOT NULL AND service_id = ANY(%(water)s)
              GROUP BY contract_id) w ON w.contract_id = p.contract_id
         WHERE p.service_id = ANY(%(sewage)s)
      ) line
"""

# Merge of the computed lines into the ledger: auto lines of the period and of the accounts of the run only.
_KEY = """COALESCE(o.subscriber_id, 0) = COALESCE(l.subscriber_id, 0)
          AND COALESCE(o.contract_id, 0) = COALESCE(l.contract_id, 0)
          AND COALESCE(o.metering_point_id, 0) = COALESCE(l.metering_point_id, 0)
          AND COALESCE(o.service_id, 0) = COALESCE(l.service_id, 0)"""
_SCOPE = """o.period_id = %(period)s AND o.is_auto AND o.operation_type = %(type)s
            AND (o.subscriber_id BETWEEN %(sub_from)s AND %(sub_to)s
                 OR o.contract_id BETWEEN %(con_from)s AND %(con_to)s)"""
_MERGE_SQL = [
    """UPDATE neopro_operation o
          SET volume = l.volume, basis = l.basis, price = l.price, amount = l.amount, date = %(date)s,
              branch_id = l.branch_id, account_number = l.account_number,
              write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
         FROM neopro_calc_line l
        WHERE """ + _SCOPE + " AND " + _KEY + """
          AND (o.volume, o.basis, o.price, o.amount, o.date, o.branch_id, o.account_number)
              IS DISTINCT FROM (l.volume, l.basis, l.price, l.amount, %(date)s::date, l.branch_id, l.account_number)
    """,
    """DELETE FROM neopro_operation o
        WHERE """ + _SCOPE + """
          AND NOT EXISTS (SELECT 1 FROM neopro_calc_line l WHERE """ + _KEY + """)
    """,
    """INSERT INTO neopro_operation (operation_type, is_auto, period_id, date, subscriber_id, contract_id,
                                     metering_point_id, service_id, branch_id, account_number, volume, basis, price,
                                     amount, create_uid, create_date, write_uid, write_date)
       SELECT %(type)s, TRUE, %(period)s, %(date)s, l.subscriber_id, l.contract_id, l.metering_point_id,
              l.service_id, l.branch_id, l.account_number, l.volume, l.basis, l.price, l.amount,
              %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
         FROM neopro_calc_line l
        WHERE NOT EXISTS (SELECT 1 FROM neopro_operation o WHERE """ + _SCOPE + " AND " + _KEY + """)
    """,
]

# Penalties: debts (charges and positive corrections per billing month) and credits (payments and negative
# corrections per day) of the accounts whose debt before the window is not covered. Accounts are keyed by
# subscriber id, contract id negated.
_DEBT_SQL = """
    CREATE TEMP TABLE neopro_calc_debt ON COMMIT DROP AS
    SELECT COALESCE(o.subscriber_id, -o.contract_id) AS account, p.date_start AS month, SUM(o.amount) AS amount
      FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
     WHERE p.date_start < %(d1)s
       AND (o.operation_type = 'charge' OR (o.operation_type = 'correction' AND o.amount > 0))
       AND (o.subscriber_id BETWEEN %(sub_from)s AND %(sub_to)s OR o.contract_id BETWEEN %(con_from)s AND %(con_to)s)
  GROUP BY 1, 2
    UNION ALL
    SELECT COALESCE(b.subscriber_id, -b.contract_id), (p.date_start - interval '1 month')::date, b.balance_start
      FROM neopro_balance b
      JOIN neopro_period p ON p.id = b.period_id
     WHERE b.balance_start > 0 AND p.date_start <= %(d1)s
       AND NOT EXISTS (SELECT 1 FROM neopro_period e WHERE e.date_start < p.date_start)
       AND (b.subscriber_id BETWEEN %(sub_from)s AND %(sub_to)s OR b.contract_id BETWEEN %(con_from)s AND %(con_to)s);
    CREATE TEMP TABLE neopro_calc_credit ON COMMIT DROP AS
    SELECT COALESCE(subscriber_id, -contract_id) AS account, date,
           SUM(CASE WHEN operation_type = 'payment' THEN amount ELSE -amount END) AS amount
      FROM neopro_operation
     WHERE (operation_type = 'payment' OR (operation_type = 'correction' AND amount < 0)) AND date < %(de)s
       AND (subscriber_id BETWEEN %(sub_from)s AND %(sub_to)s OR contract_id BETWEEN %(con_from)s AND %(con_to)s)
  GROUP BY 1, 2;
    CREATE TEMP TABLE neopro_calc_debtor ON COMMIT DROP AS
    SELECT d.account
      FROM (SELECT account, SUM(amount) FILTER (WHERE month < %(previous)s) AS older, SUM(amount) AS total
              FROM neopro_calc_debt GROUP BY account) d
 LEFT JOIN (SELECT account, SUM(amount) FILTER (WHERE date < %(d1)s) AS before_window,
                   SUM(amount) FILTER (WHERE date < %(previous_first)s) AS before_previous
              FROM neopro_calc_credit GROUP BY account) c ON c.account = d.account
     WHERE d.older > COALESCE(c.before_window, 0)
        OR (%(previous_first)s <= %(de)s AND d.total > COALESCE(c.before_previous, 0));
"""
# A penalty needs a debt still unpaid when it starts accruing in the window: the debts due before the window
# (billing months before the previous one) not covered by the credits before the window, or the previous month's
# debt (due inside the window) not covered by the credits before its first day of penalty. Outstanding debt only
# decreases over time, so this keeps every account that can owe a penalty and few others.

_PENALTY_LINES_SQL = """
    INSERT INTO neopro_calc_line (subscriber_id, contract_id, branch_id, account_number, amount)
    SELECT s.id, c.id, COALESCE(s.branch_id, c.branch_id), COALESCE(s.account_number, c.account_number), x.amount
      FROM unnest(%(accounts)s::integer[], %(amounts)s::numeric[]) AS x(account, amount)
 LEFT JOIN neopro_subscriber s ON x.account > 0 AND s.id = x.account
 LEFT JOIN neopro_contract c ON x.account < 0 AND c.id = -x.account
"""


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
    def _run(self, period, date, subscriber_range=None, contract_range=None):
        """Calculate ``period`` up to ``date`` for the accounts in the id ranges (all when both are None).

        Returns a dict of counts (lines, penalties) for the log.
        """
        params = self._get_params(period, date, subscriber_range, contract_range)
        cr = self.env.cr
        timings = []
        clock = [time.time()]

        def lap(step):
            now = time.time()
            timings.append((step, now - clock[0]))
            clock[0] = now

        set_jit(cr, False)
        cr.execute(_LINE_TABLE_SQL)
        cr.execute('DROP TABLE IF EXISTS neopro_calc_meter, neopro_calc_meter_service, neopro_calc_service, '
                   'neopro_calc_point')
        # Each step fills a work table, then refreshes its statistics for the next steps' plans.
        for query, analyze in ((_METER_SQL, 'ANALYZE neopro_calc_meter'),
                               (_METER_SERVICE_SQL, 'ANALYZE neopro_calc_meter_service')):
            cr.execute(query, params)
            cr.execute(analyze)
        lap('meters')
        for query, analyze in ((_SUBSCRIBER_SERVICE_SQL, 'ANALYZE neopro_calc_service'),
                               (_SUBSCRIBER_WATER_SQL, 'ANALYZE neopro_calc_line'), (_SUBSCRIBER_SEWAGE_SQL, None)):
            cr.execute(query, params)
            if analyze:
                cr.execute(analyze)
        lap('subscriber lines')
        for query, analyze in ((_CONTRACT_POINT_SQL, 'ANALYZE neopro_calc_point'),
                               (_CONTRACT_WATER_SQL, 'ANALYZE neopro_calc_line'), (_CONTRACT_SEWAGE_SQL, None)):
            cr.execute(query, params)
            if analyze:
                cr.execute(analyze)
        cr.execute('SELECT count(*), count(*) FILTER (WHERE price = 0 AND volume > 0) FROM neopro_calc_line')
        lines, untariffed = cr.fetchone()
        lap('contract lines')
        self._merge('charge', params)
        lap('merge charges')
        penalties = self._compute_penalties(params)
        lap('penalties')
        cr.execute('TRUNCATE neopro_calc_line')
        cr.execute(_PENALTY_LINES_SQL, {'accounts': [a for a, _amount in penalties],
                                        'amounts': [amount for _a, amount in penalties]})
        self._merge('penalty', dict(params, date=params['de']))
        lap('merge penalties')
        cr.execute('DROP TABLE IF EXISTS neopro_calc_line, neopro_calc_meter, neopro_calc_meter_service, '
                   'neopro_calc_service, neopro_calc_point')
        set_jit(cr, True)
        self.env['neopro.operation'].invalidate_cache()
        return {'lines': lines, 'untariffed': untariffed, 'penalties': len(penalties), 'timings': timings}

    @api.model
    def _get_params(self, period, date, subscriber_range, contract_range):
        """SQL parameters of a run: period dates, calculation date, services and account id ranges."""
        d1, d2, dc = _to_date(period.date_start), _to_date(period.date_end), _to_date(date)
        today = _to_date(fields.Date.context_today(self))
        everything = subscriber_range is None and contract_range is None
        sub_from, sub_to = subscriber_range or ((0, MAX_ID) if everything else (1, 0))
        con_from, con_to = contract_range or ((0, MAX_ID) if everything else (1, 0))
        services = self.env['neopro.service'].with_context(active_test=False).search([])
        return {
            'period': period.id, 'd1': d1, 'd2': d2, 'dc': dc, 'de': min(dc, today),
            'date': dc, 'days': (d2 - d1).days + 1, 'elapsed': (dc - d1).days + 1, 'uid': self.env.uid,
            'sub_from': sub_from, 'sub_to': sub_to, 'con_from': con_from, 'con_to': con_to,
            'sewage': services.filtered(lambda s: s.code == 'sewage').ids or [0],
            'water': services.filtered(lambda s: s.code in ('cold_water', 'hot_water')).ids or [0],
        }

    @api.model
    def _merge(self, operation_type, params):
        """Make the auto lines of this type in the ledger equal to the computed lines (neopro_calc_line)."""
        params = dict(params, type=operation_type)
        self.env.cr.execute('ANALYZE neopro_calc_line')
        for query in _MERGE_SQL:
            self.env.cr.execute(query, params)

    # Penalties -------------------------------------------------------------------------------------------------

    @api.model
    def _get_penalty_settings(self):
        """Coefficient K, due day and the dated rate table [(date_from, rate)]."""
        get = self.env['ir.config_parameter'].sudo().get_param  # sudo: system parameters are admin-only
        coefficient = Decimal(get('neopro_billing.penalty_coefficient', '1.5') or '1.5')
        due_day = int(get('neopro_billing.penalty_due_day', '25') or 25)
        self.env.cr.execute('SELECT date_from, rate::text FROM neopro_penalty_rate ORDER BY date_from')
        rates = [(_to_date(row[0]), Decimal(row[1])) for row in self.env.cr.fetchall()]
        return coefficient, due_day, rates

    @api.model
    def _compute_penalties(self, params):
        """[(account key, amount)] of the penalties of the window [period start, min(date, today)]."""
        start, end = params['d1'], params['de']
        if end < start:
            return []
        cr = self.env.cr
        coefficient, due_day, rates = self._get_penalty_settings()
        previous = start - relativedelta(months=1)
        cr.execute('DROP TABLE IF EXISTS neopro_calc_debt, neopro_calc_credit, neopro_calc_debtor')
        cr.execute(_DEBT_SQL, dict(params, previous=previous,
                                   previous_first=self._get_due_date(previous, due_day) + timedelta(days=1)))
        cr.execute("""
            SELECT d.account, d.month, d.amount::text FROM neopro_calc_debt d JOIN neopro_calc_debtor USING (account)
             WHERE d.amount > 0 ORDER BY d.account, d.month
        """)
        debts = {}
        for account, month, amount in cr.fetchall():
            debts.setdefault(account, []).append((_to_date(month), Decimal(amount)))
        cr.execute("""
            SELECT c.account, c.date, c.amount::text FROM neopro_calc_credit c JOIN neopro_calc_debtor USING (account)
          ORDER BY c.account, c.date
        """)
        credits = {}
        for account, date, amount in cr.fetchall():
            credits.setdefault(account, []).append((_to_date(date), Decimal(amount)))
        cr.execute('DROP TABLE neopro_calc_debt, neopro_calc_credit, neopro_calc_debtor')
        result = []
        for account, account_debts in debts.items():
            amount = self._get_penalty(account_debts, credits.get(account, []), rates, coefficient, due_day,
                                       start, end)
            if amount > 0:
                result.append((account, amount))
        return result

    @api.model
    def _get_due_date(self, month, due_day):
        """Due date of the charges of the billing month starting ``month``: ``due_day`` of the next month."""
        following = month + relativedelta(months=1)
        last = (following + relativedelta(months=1, days=-1)).day
        return following.replace(day=min(due_day, last))

    @api.model
    def _get_penalty(self, debts, credits, rates, coefficient, due_day, start, end):
        """Penalty accrued from ``start`` to ``end`` (dates included) on an account, rounded to the tiyn.

        ``debts``: [(billing month start, amount)] sorted by month; ``credits``: [(date, amount)] sorted by date
        (payments and negative corrections); ``rates``: [(date_from, % per year)] sorted. Payments go to the
        oldest debt first and reduce it from the day after they are made. On each day after its due date a debt
        accrues outstanding × R/100 × K / 365; the total accrued on a debt never exceeds the debt.
        """
        credit_days = [date + timedelta(days=1) for date, _amount in credits]  # a credit counts from the next day
        credit_cumulative = []
        total = Decimal(0)
        for _date, amount in credits:
            total += Decimal(amount)
            credit_cumulative.append(total)
        rate_days = [date for date, _rate in rates]

        def credited(day):
            index = bisect.bisect_right(credit_days, day)
            return credit_cumulative[index - 1] if index else Decimal(0)

        def rate_on(day):
            index = bisect.bisect_right(rate_days, day)
            return rates[index - 1][1] if index else Decimal(0)

        def accrue(debt, cumulative, first, last):
            """Σ outstanding × rate × days over [first, last], before × K / 100 / 365."""
            accrued = Decimal(0)
            day = first
            while day <= last:
                outstanding = max(Decimal(0), min(debt, cumulative - credited(day)))
                if not outstanding:
                    break  # credits only grow: the debt stays paid
                following = [last + timedelta(days=1)]
                index = bisect.bisect_right(credit_days, day)
                if index < len(credit_days):
                    following.append(credit_days[index])
                index = bisect.bisect_right(rate_days, day)
                if index < len(rate_days):
                    following.append(rate_days[index])
                step = min(following)
                accrued += outstanding * rate_on(day) * (step - day).days
                day = step
            return accrued * coefficient / Decimal(36500)

        penalty = Decimal(0)
        cumulative = Decimal(0)
        for month, amount in debts:
            amount = Decimal(amount)
            cumulative += amount
            first = self._get_due_date(month, due_day) + timedelta(days=1)
            if amount <= 0 or first > end:
                continue
            before = accrue(amount, cumulative, first, start - timedelta(days=1)) if first < start else Decimal(0)
            after = before + accrue(amount, cumulative, max(first, start), end)
            penalty += min(amount, after) - min(amount, before)
        return penalty.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)
