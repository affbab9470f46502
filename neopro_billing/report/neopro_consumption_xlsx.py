"""Consumption of a period by service and basis (meter, average, norm, …), residents and legal entities apart."""
from odoo import _, models

from .neopro_report_xlsx import col

_CONSUMPTION_SQL = """
    SELECT o.service_id, a.holder_type = 'subscriber', o.basis, COUNT(DISTINCT o.account_id), SUM(o.volume),
           SUM(o.amount)
      FROM neopro_operation o
      JOIN neopro_account a ON a.id = o.account_id
     WHERE o.period_id = %(period)s AND o.operation_type = 'charge' AND {branch}
       AND (%(service)s::integer IS NULL OR o.service_id = %(service)s)
  GROUP BY 1, 2, 3
"""


class NeoproConsumptionXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.consumption_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Consumption by service and basis (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        self.env.cr.execute(_CONSUMPTION_SQL.format(branch=self._branch_condition(wizard, 'o.branch_id')),
                            self._get_params(wizard))
        rows = self.env.cr.fetchall()
        services = self.env['neopro.service'].with_context(active_test=False).browse(
            list({row[0] for row in rows if row[0]}))
        order = {service.id: (service.sequence, service.id) for service in services}
        names = {service.id: service.name for service in services}
        basis_field = self.env['neopro.operation']._fields['basis']
        bases = [value for value, _label in basis_field.selection]
        labels = self._get_selection('neopro.operation', 'basis')
        kinds = {True: _('Residents'), False: _('Legal entities')}
        rows.sort(key=lambda r: (order.get(r[0], (999, 0)), not r[1], bases.index(r[2]) if r[2] in bases else 99))
        columns = [col(_('Service'), width=20), col(_('Accounts of'), width=16), col(_('Basis'), width=18),
                   col(_('Accounts'), 'integer'), col(_('Volume, m³'), 'volume', total='sum'),
                   col(_('Amount'), 'money', total='sum')]
        self._write_report(workbook, wizard, columns, (
            (names.get(row[0], _('No service')), kinds[row[1]], labels.get(row[2], ''), row[3], row[4], row[5])
            for row in rows))
