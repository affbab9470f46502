"""Charges register of a period: every charge line (account, service, basis, volume, tariff, amount, details)."""
from odoo import _, models

from .neopro_report_xlsx import col

_CHARGES_SQL = """
    SELECT o.account_number, a.holder_name, COALESCE(mp.address, a.holder_address), o.branch_id, o.service_id,
           o.basis, o.volume, o.price, o.amount, o.id, o.reversed_volume <> 0 OR o.band_lines IS NOT NULL
      FROM neopro_operation o
      JOIN neopro_account a ON a.id = o.account_id
 LEFT JOIN neopro_metering_point mp ON mp.id = o.metering_point_id
     WHERE o.period_id = %(period)s AND o.operation_type = 'charge' AND {branch}
       AND (%(service)s::integer IS NULL OR o.service_id = %(service)s)
  ORDER BY o.account_number, o.service_id, o.id
"""


class NeoproChargesXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.charges_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Charges register (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        self.env.cr.execute(_CHARGES_SQL.format(branch=self._branch_condition(wizard, 'o.branch_id')),
                            self._get_params(wizard))
        rows = self.env.cr.fetchall()
        branches = self._get_names('neopro.branch', [row[3] for row in rows])
        services = self._get_names('neopro.service', [row[4] for row in rows])
        bases = self._get_selection('neopro.operation', 'basis')
        columns = [col(_('Account number'), width=14), col(_('Name'), width=32), col(_('Address'), width=40),
                   col(_('Branch'), width=16), col(_('Service'), width=18), col(_('Basis'), width=14),
                   col(_('Volume, m³'), 'volume', total='sum'), col(_('Tariff'), 'price'),
                   col(_('Amount'), 'money', total='sum'), col(_('Details'), width=60)]
        # RULES §12: the reversal and the bands behind a line, read for the lines that have them only
        operations = self.env['neopro.operation'].browse([row[9] for row in rows if row[10]])
        details = {op.id: '; '.join(op._get_basis_details()) for op in operations}
        self._write_report(workbook, wizard, columns, (
            row[:3] + (branches.get(row[3], ''), services.get(row[4], ''), bases.get(row[5], '')) + row[6:9]
            + (details.get(row[9], ''),) for row in rows), freeze_columns=2)
