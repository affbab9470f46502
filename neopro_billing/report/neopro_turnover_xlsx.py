"""Turnover statement (оборотно-сальдовая ведомость) of a period: by account, by branch or by service."""
from decimal import Decimal

from odoo import _, models

from ..lib.ledger import SIGNED_AMOUNT_SQL, balance_end
from .neopro_report_xlsx import col, to_decimal

_BY_ACCOUNT_SQL = """
    SELECT a.account_number, a.holder_name, a.holder_address, b.branch_id,
           b.balance_start, b.amount_paid, b.amount_charged, b.amount_correction, b.amount_penalty, b.balance_end
      FROM neopro_balance b
      JOIN neopro_account a ON a.id = b.account_id
     WHERE b.period_id = %(period)s AND {branch}
  ORDER BY 1
"""

_BY_BRANCH_SQL = """
    SELECT b.branch_id, COUNT(*), SUM(b.balance_start), SUM(b.amount_paid), SUM(b.amount_charged),
           SUM(b.amount_correction), SUM(b.amount_penalty), SUM(b.balance_end)
      FROM neopro_balance b
     WHERE b.period_id = %(period)s AND {branch}
  GROUP BY b.branch_id
"""

# Per service: the signed operations before the period make its opening balance; the movements of the period.
_BY_SERVICE_SQL = """
    SELECT o.service_id,
           COALESCE(SUM(""" + SIGNED_AMOUNT_SQL.format(alias='o') + """) FILTER (WHERE p.date_start < %(d1)s), 0),
           COALESCE(SUM(o.amount) FILTER (WHERE p.id = %(period)s AND o.operation_type = 'payment'), 0),
           COALESCE(SUM(o.amount) FILTER (WHERE p.id = %(period)s AND o.operation_type = 'charge'), 0),
           COALESCE(SUM(o.amount) FILTER (WHERE p.id = %(period)s AND o.operation_type = 'correction'), 0),
           COALESCE(SUM(o.amount) FILTER (WHERE p.id = %(period)s AND o.operation_type = 'penalty'), 0)
      FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
     WHERE p.date_start <= %(d1)s AND {branch}
  GROUP BY o.service_id
"""

_OPENING_SQL = """
    SELECT COALESCE(SUM(b.balance_start), 0) FROM neopro_balance b WHERE b.period_id = %(period)s AND {branch}
"""


class NeoproTurnoverXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.turnover_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Turnover statement (XLSX)'

    def _get_figure_columns(self):
        """The billing line of the manual: opening | paid | charged | correction | penalty | closing."""
        return [col(_('Opening balance'), 'money', total='sum'), col(_('Paid'), 'money', total='sum'),
                col(_('Charged'), 'money', total='sum'), col(_('Correction'), 'money', total='sum'),
                col(_('Penalty'), 'money', total='sum'), col(_('Closing balance'), 'money', total='sum')]

    def generate_xlsx_report(self, workbook, data, objs):
        wizard = self._get_wizard(objs)
        columns, rows = getattr(self, '_get_by_%s' % wizard.grouping)(wizard)
        grouping = self._get_selection(wizard._name, 'grouping')[wizard.grouping]
        self._write_report(workbook, wizard, columns, rows,
                           title='%s (%s)' % (wizard._get_report_label(), grouping.lower()),
                           freeze_columns=2 if wizard.grouping == 'account' else 1)

    def _get_by_account(self, wizard):
        """One row per account (subscriber or contract) with a balance in the period."""
        self.env.cr.execute(_BY_ACCOUNT_SQL.format(branch=self._branch_condition(wizard, 'b.branch_id')),
                            self._get_params(wizard))
        rows = self.env.cr.fetchall()
        branches = self._get_names('neopro.branch', [row[3] for row in rows])
        columns = [col(_('Account number'), width=14), col(_('Name'), width=32), col(_('Address'), width=40),
                   col(_('Branch'), width=16)] + self._get_figure_columns()
        return columns, (row[:3] + (branches.get(row[3], ''),) + row[4:] for row in rows)

    def _get_by_branch(self, wizard):
        """One row per branch: the sums of its accounts' balances."""
        self.env.cr.execute(_BY_BRANCH_SQL.format(branch=self._branch_condition(wizard, 'b.branch_id')),
                            self._get_params(wizard))
        rows = self.env.cr.fetchall()
        branches = self._get_names('neopro.branch', [row[0] for row in rows])
        rows = sorted(((branches.get(row[0], _('No branch')),) + row[1:] for row in rows), key=lambda r: r[0])
        columns = [col(_('Branch'), width=28), col(_('Accounts'), 'integer', total='sum')] + \
            self._get_figure_columns()
        return columns, rows

    def _get_by_service(self, wizard):
        """One row per service, from the ledger; payments and balances of no service on their own row.

        The opening balance of a service is the sum of its operations before the period (charges, corrections and
        penalties less payments); what is left of the accounts' opening balances (the initial debts, payments not
        assigned to a service) goes to the row "No service", so the totals are the ledger's.
        """
        branch = self._branch_condition(wizard, 'o.branch_id')
        params = self._get_params(wizard)
        self.env.cr.execute(_BY_SERVICE_SQL.format(branch=branch), params)
        # Odoo reads SQL numerics as floats: exact Decimals again for the arithmetic below.
        data = {row[0]: [to_decimal(value) for value in row[1:]] for row in self.env.cr.fetchall()}
        self.env.cr.execute(_OPENING_SQL.format(branch=self._branch_condition(wizard, 'b.branch_id')), params)
        opening = to_decimal(self.env.cr.fetchone()[0])
        unassigned = data.setdefault(None, [Decimal(0)] * 5)
        unassigned[0] = opening - sum((figures[0] for service, figures in data.items() if service), Decimal(0))
        if not any(unassigned):
            del data[None]
        services = self.env['neopro.service'].with_context(active_test=False).browse(
            [service for service in data if service]).sorted(key=lambda s: (s.sequence, s.id))
        rows = []
        for service_id, name in [(s.id, s.name) for s in services] + [(None, _('No service'))]:
            if service_id not in data:
                continue
            start, paid, charged, correction, penalty = data[service_id]
            rows.append((name, start, paid, charged, correction, penalty,
                         balance_end(start, charged, correction, penalty, paid)))
        return [col(_('Service'), width=28)] + self._get_figure_columns(), rows
