"""Meters whose verification (поверка) is overdue or due within N days of a date (days overdue: 0 for those due)."""
from odoo import _, models

from .neopro_report_xlsx import col

_METERS_SQL = """
    SELECT m.branch_id, m.serial_number, m.service_id, m.owner_name, m.address, m.seal_number, m.verification_date,
           m.next_verification_date, GREATEST(%(date)s::date - m.next_verification_date, 0)
      FROM neopro_meter m
     WHERE m.active AND m.next_verification_date <= %(date)s::date + %(days)s AND {branch}
       AND (%(service)s::integer IS NULL OR m.service_id = %(service)s)
  ORDER BY m.next_verification_date, m.serial_number
"""


class NeoproMeterVerificationXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.meter_verification_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Meters: verification due or overdue (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        self.env.cr.execute(_METERS_SQL.format(branch=self._branch_condition(wizard, 'm.branch_id')),
                            self._get_params(wizard, date=wizard.date, days=max(wizard.days_ahead, 0)))
        rows = self.env.cr.fetchall()
        branches = self._get_names('neopro.branch', [row[0] for row in rows])
        services = self._get_names('neopro.service', [row[2] for row in rows])
        overdue, due = _('Overdue'), _('Due')
        columns = [col(_('Branch'), width=16), col(_('Serial number'), width=16, total='count'),
                   col(_('Service'), width=18), col(_('Owner'), width=30), col(_('Address'), width=40),
                   col(_('Seal number'), width=14), col(_('Verified on'), 'date'),
                   col(_('Next verification'), 'date'), col(_('Days overdue'), 'integer'), col(_('State'), width=12)]
        self._write_report(workbook, wizard, columns, (
            (branches.get(row[0], ''), row[1], services.get(row[2], '')) + row[3:] +
            (overdue if row[8] > 0 else due,) for row in rows), freeze_columns=2)
