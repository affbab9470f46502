"""House balance of a period: the volume of each common-house meter (ОДПУ) against the sum of the volumes billed to
the apartments of the house for the same service."""
from odoo import _, models

from .neopro_report_xlsx import col

# Consumption of the common-house meters in the period from their readings (rollover- and reset-aware, as the
# calculation counts it), against the charge volumes of the house's subscribers.
_HOUSE_BALANCE_SQL = """
    WITH meter AS (
        SELECT m.id, m.house_id, m.service_id, m.digits, COALESCE(m.initial_value, 0) AS initial_value
          FROM neopro_meter m
          JOIN neopro_house h ON h.id = m.house_id
         WHERE m.house_id IS NOT NULL AND (m.active OR m.removal_date >= %(d1)s)
           AND (m.installation_date IS NULL OR m.installation_date <= %(d2)s)
           AND (%(service)s::integer IS NULL OR m.service_id = %(service)s) AND {branch}
    ), reading AS (
        SELECT r.meter_id, r.date, r.value, r.is_reset,
               LAG(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.date, r.id) AS prev_value
          FROM neopro_meter_reading r
          JOIN meter ON meter.id = r.meter_id
         WHERE r.date <= %(d2)s
    ), common AS (
        SELECT m.house_id, m.service_id, COUNT(DISTINCT m.id) AS meters,
               SUM(CASE WHEN r.is_reset THEN r.value
                        WHEN r.value >= COALESCE(r.prev_value, m.initial_value)
                            THEN r.value - COALESCE(r.prev_value, m.initial_value)
                        ELSE power(10::numeric, m.digits)::float - COALESCE(r.prev_value, m.initial_value) + r.value
                   END) FILTER (WHERE r.date >= %(d1)s) AS volume
          FROM meter m
     LEFT JOIN reading r ON r.meter_id = m.id
      GROUP BY m.house_id, m.service_id
    ), apartments AS (
        SELECT s.house_id, o.service_id, COUNT(DISTINCT o.account_id) AS accounts, SUM(o.volume) AS volume
          FROM neopro_operation o
          JOIN neopro_subscriber s ON s.account_id = o.account_id
         WHERE o.period_id = %(period)s AND o.operation_type = 'charge'
           AND (s.house_id, o.service_id) IN (SELECT house_id, service_id FROM common)
      GROUP BY s.house_id, o.service_id
    )
    SELECT h.full_address, h.branch_id, c.service_id, c.meters, c.volume, COALESCE(a.accounts, 0),
           COALESCE(a.volume, 0)
      FROM common c
      JOIN neopro_house h ON h.id = c.house_id
 LEFT JOIN apartments a ON a.house_id = c.house_id AND a.service_id = c.service_id
  ORDER BY h.full_address, c.service_id
"""


class NeoproHouseBalanceXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.house_balance_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'House balance (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        self.env.cr.execute(_HOUSE_BALANCE_SQL.format(branch=self._branch_condition(wizard, 'h.branch_id')),
                            self._get_params(wizard))
        rows = self.env.cr.fetchall()
        branches = self._get_names('neopro.branch', [row[1] for row in rows])
        services = self._get_names('neopro.service', [row[2] for row in rows])
        columns = [col(_('House'), width=36), col(_('Branch'), width=16), col(_('Service'), width=18),
                   col(_('Common meters'), 'integer'), col(_('Common meter volume, m³'), 'volume', total='sum'),
                   col(_('Apartments billed'), 'integer', total='sum'),
                   col(_('Apartments volume, m³'), 'volume', total='sum'),
                   col(_('Difference, m³'), 'volume', total='sum'), col(_('Difference, %'), 'percent')]
        self._write_report(workbook, wizard, columns, (self._get_line(row, branches, services) for row in rows))

    def _get_line(self, row, branches, services):
        """A row of the sheet: the difference is the common volume less the apartments' (empty without reading)."""
        address, branch_id, service_id, meters, common, accounts, apartments = row
        common = round(common, 3) if common is not None else None
        apartments = round(apartments, 3)
        difference = round(common - apartments, 3) if common is not None else None
        percent = round(100.0 * difference / common, 2) if common else None
        return (address, branches.get(branch_id, ''), services.get(service_id, ''), meters, common, accounts,
                apartments, difference, percent)
