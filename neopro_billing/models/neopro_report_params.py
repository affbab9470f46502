from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .neopro_guard_mixin import money_problem

# The XLSX reports of the Reports menu (RULES §9): key, label.
REPORTS = [
    ('turnover', 'Turnover statement'),
    ('charges', 'Charges register'),
    ('payments', 'Payments register'),
    ('debtors', 'Debtors'),
    ('consumption', 'Consumption by service and basis'),
    ('meter_verification', 'Meters: verification due or overdue'),
    ('house_balance', 'House balance (common-house meters)'),
    ('debt_registry', 'Debt registry (for banks, Kazpost, ЕРЦ)'),
]

# Bounds of the parameters: 50 years of debt, 10 years ahead of verifications.
MAX_DEBT_MONTHS = 600
MAX_DAYS_AHEAD = 3650

# Money reports read the ledger: operators and accountants. The meter reports hold volumes only: inspectors too.
_MONEY_GROUPS = ('neopro_billing.group_operator', 'neopro_billing.group_accountant')
_METER_GROUPS = ('neopro_billing.group_inspector',)
REPORT_GROUPS = {
    'turnover': _MONEY_GROUPS,
    'charges': _MONEY_GROUPS,
    'payments': _MONEY_GROUPS,
    'debtors': _MONEY_GROUPS,
    'consumption': _MONEY_GROUPS,
    'meter_verification': _METER_GROUPS,
    'house_balance': _METER_GROUPS,
    'debt_registry': _MONEY_GROUPS,
}


class NeoproReportParams(models.AbstractModel):
    """Which XLSX report and its filters: shared by the report wizard and the report schedules."""
    _name = 'neopro.report.params'
    _inherit = 'neopro.currency.mixin'
    _description = 'Billing report parameters'

    report = fields.Selection(REPORTS, required=True, default='turnover')
    grouping = fields.Selection([
        ('account', 'By account'),
        ('branch', 'By branch'),
        ('service', 'By service'),
    ], string='Turnover', default='account', required=True)
    branch_id = fields.Many2one('neopro.branch', help='Empty: every branch you may see.')
    service_id = fields.Many2one('neopro.service', help='Empty: every service.')
    bank_id = fields.Many2one('res.bank', help='Empty: every bank and the payments without a bank.')
    min_debt = fields.Monetary(string='Debt from', default=0.0, help='Only accounts owing at least this amount.')
    debt_months = fields.Integer(string='Debt older than (months)', default=0,
                                 help='Only accounts with debt left unpaid for more than this many months '
                                      '(payments go to the oldest debt first); 0: every debtor.')
    debt_format_id = fields.Many2one('neopro.debt.registry.format', string='Registry layout',
                                     help='The layout of the debt registry the recipient wants (CSV, XLSX, DBF).')
    days_ahead = fields.Integer(string='Due within (days)', default=30,
                                help='Meters whose verification is overdue or due within this many days.')

    @api.constrains('debt_months', 'days_ahead', 'min_debt')
    def _check_bounds(self):
        """Parameters a report can answer: an absurd one (10**6 months) gets a message, not a crash."""
        for params in self:
            if not 0 <= params.debt_months <= MAX_DEBT_MONTHS:
                raise ValidationError(_('%s: "Debt older than (months)" must be between 0 and %s, not %s.')
                                      % (params._get_report_label(), MAX_DEBT_MONTHS, params.debt_months))
            if not 0 <= params.days_ahead <= MAX_DAYS_AHEAD:
                raise ValidationError(_('%s: "Due within (days)" must be between 0 and %s, not %s.')
                                      % (params._get_report_label(), MAX_DAYS_AHEAD, params.days_ahead))
            if money_problem(params.min_debt) or params.min_debt < 0:
                raise ValidationError(_('%s: "Debt from" must be an amount of tenge from 0 to 10,000,000,000, not '
                                        '%s.') % (params._get_report_label(), params.min_debt))

    @api.multi
    def _check_report_access(self, user=None):
        """Refuse a report the billing groups of ``user`` (default: the current user) do not cover (its data is read
        with SQL)."""
        users = self.env['res.users'].sudo(user) if user else self.env['res.users']  # has_group checks the env's uid
        for params in self:
            groups = REPORT_GROUPS[params.report]
            if not any(users.has_group(group) for group in groups):
                raise AccessError(_('The report "%s" is not available to your billing role.')
                                  % params._get_report_label())

    @api.multi
    def _get_report_label(self):
        """The translated name of the chosen report."""
        self.ensure_one()
        return dict(self._fields['report']._description_selection(self.env))[self.report]

    @api.multi
    def _get_report_action(self):
        """The ir.actions.report of the chosen report."""
        self.ensure_one()
        return self.env.ref('neopro_billing.neopro_report_%s_xlsx' % self.report)

    @api.multi
    def _get_branch_ids(self):
        """The branch chosen for the report ([id]), or None for every branch the user may see.

        Which rows the user may see is the record rules' business (the report's SQL applies them,
        ``_branch_condition``); a chosen branch must be one of those the user works in.
        """
        self.ensure_one()
        if not self.branch_id:
            return None
        if not self.env.user.has_group('neopro_billing.group_accountant') and \
                self.branch_id not in self.env.user.neopro_branch_ids:
            raise AccessError(_('The branch %s is not one of your branches.') % self.branch_id.name)
        return [self.branch_id.id]

    @api.multi
    def _get_parameter_lines(self):
        """[(label, value)] of the filters that apply to the chosen report, for the sheet and the file list."""
        self.ensure_one()
        lines = []
        if self.report == 'turnover':
            lines.append((_('Turnover'), dict(self._fields['grouping']._description_selection(self.env))[
                self.grouping]))
        if self.report == 'debtors':
            lines.append((_('Debt from'), '%.2f' % self.min_debt))
            lines.append((_('Debt older than (months)'), str(self.debt_months)))
        if self.report == 'meter_verification':
            lines.append((_('Due within (days)'), str(self.days_ahead)))
        if self.report == 'debt_registry':
            lines.append((_('Registry layout'), self.debt_format_id.name or ''))
        lines.append((_('Branch'), self.branch_id.name or _('All')))
        if self.report in ('charges', 'consumption', 'meter_verification', 'house_balance'):
            lines.append((_('Service'), self.service_id.name or _('All')))
        if self.report == 'payments':
            lines.append((_('Bank'), self.bank_id.name or _('All')))
        return lines
