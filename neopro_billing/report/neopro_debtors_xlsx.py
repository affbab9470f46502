"""Debtors: accounts owing at least an amount at the end of a period, with debt older than N months."""
from odoo import _, models

from .neopro_report_xlsx import col

# The debt older than N months is what was owed at the end of the period N months before and not paid (or
# credited) since: payments go to the oldest debt first.
_DEBTORS_SQL = """
    WITH debt AS (
        SELECT b.account_id AS account, b.branch_id, b.balance_end
          FROM neopro_balance b
         WHERE b.period_id = %(period)s AND b.balance_end > 0 AND b.balance_end >= %(min_debt)s AND {branch}
    ), credit AS (
        SELECT b.account_id AS account,
               SUM(b.amount_paid - LEAST(b.amount_correction, 0)) AS amount
          FROM neopro_balance b
         WHERE b.period_id = ANY(%(since)s)
      GROUP BY 1
    ), old AS (
        SELECT b.account_id AS account,
               CASE WHEN %(at_start)s THEN b.balance_start ELSE b.balance_end END AS balance_end
          FROM neopro_balance b
         WHERE b.period_id = %(old)s
    ), last_payment AS (
        SELECT o.account_id AS account, MAX(o.date) AS date
          FROM neopro_operation o
         WHERE o.operation_type = 'payment' AND o.date <= %(d2)s
           AND o.account_id IN (SELECT account FROM debt)
      GROUP BY 1
    )
    SELECT * FROM (
        SELECT a.account_number, a.holder_name, a.holder_address, d.branch_id, COALESCE(s.phone, p.phone),
               d.balance_end,
               LEAST(d.balance_end, GREATEST(COALESCE(old.balance_end, 0) - COALESCE(credit.amount, 0), 0))
                   AS old_debt,
               lp.date
          FROM debt d
          JOIN neopro_account a ON a.id = d.account
     LEFT JOIN neopro_subscriber s ON s.account_id = d.account
     LEFT JOIN neopro_contract c ON c.account_id = d.account
     LEFT JOIN res_partner p ON p.id = c.partner_id
     LEFT JOIN old ON old.account = d.account
     LEFT JOIN credit ON credit.account = d.account
     LEFT JOIN last_payment lp ON lp.account = d.account
    ) debtor
     WHERE old_debt > 0
  ORDER BY 6 DESC, account_number
"""


class NeoproDebtorsXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.debtors_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Debtors (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        rows = self._get_rows(wizard)
        branches = self._get_names('neopro.branch', [row[3] for row in rows])
        columns = [col(_('Account number'), width=14), col(_('Name'), width=32), col(_('Address'), width=40),
                   col(_('Branch'), width=16), col(_('Phone'), width=16),
                   col(_('Debt'), 'money', total='sum'),
                   col(_('Of which older than %s months') % wizard.debt_months, 'money', total='sum'),
                   col(_('Last payment'), 'date')]
        self._write_report(workbook, wizard, columns, (
            row[:3] + (branches.get(row[3], ''),) + row[4:] for row in rows), freeze_columns=2)

    def _get_rows(self, wizard):
        """The debtors of the wizard's period, largest debt first."""
        params = self._get_params(wizard, min_debt=wizard.min_debt, **self._get_old_debt_params(wizard))
        self.env.cr.execute(_DEBTORS_SQL.format(branch=self._branch_condition(wizard, 'b.branch_id')), params)
        return self.env.cr.fetchall()

    def _get_old_debt_params(self, wizard):
        """SQL parameters of the old debt: the period whose closing balance is old, the periods paying it since."""
        Period = self.env['neopro.period']
        period = wizard.period_id
        if not wizard.debt_months:
            return {'old': period.id, 'at_start': False, 'since': []}
        old = wizard._get_previous_period(wizard.debt_months)
        if old:
            since = Period.search([('date_start', '>', old.date_start), ('date_start', '<=', period.date_start)])
            return {'old': old.id, 'at_start': False, 'since': since.ids}
        # Billing started less than N months ago: the debts the accounts came with (the opening balances of the
        # first period) are the old ones, less what was paid since.
        first = Period.search([], order='date_start', limit=1)
        since = Period.search([('date_start', '>=', first.date_start), ('date_start', '<=', period.date_start)])
        return {'old': first.id, 'at_start': True, 'since': since.ids}
