"""Payments register of a date range: totals by bank and date, and every payment."""
from odoo import _, models

from .neopro_report_xlsx import col

_FILTER = """o.operation_type = 'payment' AND o.date BETWEEN %(date_from)s AND %(date_to)s AND {branch}
             AND (%(bank)s::integer IS NULL OR o.bank_id = %(bank)s)"""

_BY_BANK_SQL = """
    SELECT o.bank_id, o.date, o.payment_source_id, COUNT(*), SUM(o.amount)
      FROM neopro_operation o
     WHERE """ + _FILTER + """
  GROUP BY o.bank_id, o.date, o.payment_source_id
"""

_PAYMENTS_SQL = """
    SELECT o.date, o.bank_id, o.payment_source_id, o.account_number,
           COALESCE(NULLIF(o.payer_name, ''), a.payer_name), o.txn_id, o.amount
      FROM neopro_operation o
      JOIN neopro_account a ON a.id = o.account_id
     WHERE """ + _FILTER + """
  ORDER BY o.date, o.account_number, o.id
"""


class NeoproPaymentsXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.payments_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Payments register (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        params = self._get_params(wizard, date_from=wizard.date_from, date_to=wizard.date_to)
        branch = self._branch_condition(wizard, 'o.branch_id')
        self.env.cr.execute(_BY_BANK_SQL.format(branch=branch), params)
        summary = self.env.cr.fetchall()
        self.env.cr.execute(_PAYMENTS_SQL.format(branch=branch), params)
        payments = self.env.cr.fetchall()
        banks = self._get_names('res.bank', [row[0] for row in summary])
        sources = self._get_names('neopro.payment.source', [row[2] for row in summary])
        no_bank = _('No bank')
        summary = sorted(((banks.get(row[0], no_bank), row[1], sources.get(row[2], '')) + row[3:]
                          for row in summary), key=lambda r: (r[0] == no_bank, r[0], r[1], r[2]))
        title = wizard._get_report_label()
        self._write_report(workbook, wizard, [
            col(_('Bank'), width=28), col(_('Date'), 'date'), col(_('Source'), width=18),
            col(_('Payments'), 'integer', total='sum'), col(_('Amount'), 'money', total='sum'),
        ], summary, title=_('%s by bank and date') % title, sheet_name=_('By bank and date'))
        self._write_report(workbook, wizard, [
            col(_('Date'), 'date'), col(_('Bank'), width=24), col(_('Source'), width=16),
            col(_('Account number'), width=14), col(_('Payer'), width=32), col(_('Transaction id'), width=20),
            col(_('Amount'), 'money', total='sum'),
        ], ((row[0], banks.get(row[1], no_bank), sources.get(row[2], '')) + row[3:] for row in payments),
            title=title, sheet_name=_('Payments'))
