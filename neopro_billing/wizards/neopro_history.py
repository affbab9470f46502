from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date, formatLang

from ..lib.ledger import SIGNED_AMOUNT_SQL
from ..models.neopro_guard_mixin import local_today

# The years a History window may cover (the billing's records lie well inside).
HISTORY_FIRST, HISTORY_LAST = '1900-01-01', '2999-12-31'


class NeoproHistory(models.TransientModel):
    """The manual's History window: operations of an account over a date range, and the reconciliation act."""
    _name = 'neopro.history'
    _inherit = ['neopro.currency.mixin', 'neopro.account.link', 'neopro.transient.guard']
    _description = 'Account history'

    account_id = fields.Many2one(readonly=True)
    date_from = fields.Date(required=True, default=lambda self: fields.Date.to_string(
        fields.Date.from_string(local_today(self)).replace(day=1) - relativedelta(months=11)))
    date_to = fields.Date(required=True, default=local_today)
    show_charge = fields.Boolean(string='Charges', default=True)
    show_payment = fields.Boolean(string='Payments', default=True)
    show_correction = fields.Boolean(string='Corrections', default=True)
    show_penalty = fields.Boolean(string='Penalties', default=True)
    balance_opening = fields.Monetary(compute='_compute_balances', string='Opening balance')
    balance_closing = fields.Monetary(compute='_compute_balances', string='Closing balance')
    amount_charged = fields.Monetary(compute='_compute_balances', string='Charged')
    amount_paid = fields.Monetary(compute='_compute_balances', string='Paid')
    amount_correction = fields.Monetary(compute='_compute_balances', string='Corrections')
    amount_penalty = fields.Monetary(compute='_compute_balances', string='Penalties')

    @api.constrains('date_from', 'date_to')
    def _check_dates(self):
        """A range the ledger can answer: an absurd one (0001 – 9999) gets a message, not a crash."""
        for history in self:
            for day in (history.date_from, history.date_to):
                if day and not HISTORY_FIRST <= day <= HISTORY_LAST:
                    raise ValidationError(_('Account %s: the history covers the years %s – %s, not %s.')
                                          % (history.account_id.account_number, HISTORY_FIRST[:4], HISTORY_LAST[:4],
                                             day))

    @api.depends('account_id', 'date_from', 'date_to')
    def _compute_balances(self):
        for history in self:
            if history.account_id and history.date_from and history.date_to and \
                    HISTORY_FIRST <= history.date_from <= HISTORY_LAST and \
                    HISTORY_FIRST <= history.date_to <= HISTORY_LAST:
                history.balance_opening = history._get_balance_before(history.date_from)
                history.balance_closing = history._get_balance_before(
                    fields.Date.to_string(fields.Date.from_string(history.date_to) + relativedelta(days=1)))
                totals = history._get_totals()
                history.amount_charged = totals.get('charge', 0.0)
                history.amount_paid = totals.get('payment', 0.0)
                history.amount_correction = totals.get('correction', 0.0)
                history.amount_penalty = totals.get('penalty', 0.0)

    @api.multi
    def _get_totals(self):
        """{operation type: sum of its amounts} over the range: with the opening balance they make the closing one."""
        self.ensure_one()
        self._check_account_access()
        self.env.cr.execute("""
            SELECT operation_type, SUM(amount) FROM neopro_operation
             WHERE account_id = %s AND date >= %s AND date <= %s
          GROUP BY operation_type
        """, (self.account_id.id, self.date_from, self.date_to))
        return {operation_type: round(amount, 2) for operation_type, amount in self.env.cr.fetchall()}

    @api.multi
    def _get_account(self):
        """The account of the window."""
        self.ensure_one()
        return self.account_id

    @api.multi
    def _get_account_domain(self):
        """Domain of the account's operations."""
        self.ensure_one()
        return [('account_id', '=', self.account_id.id)]

    @api.multi
    def _get_operation_types(self):
        """Operation types ticked in the window."""
        self.ensure_one()
        return [t for t in ('charge', 'payment', 'correction', 'penalty') if self['show_%s' % t]]

    @api.multi
    def _get_initial_balance(self):
        """Balance the account had when billing started: the opening balance of its first period."""
        self.ensure_one()
        self._check_account_access()
        self.env.cr.execute("""
            SELECT b.balance_start FROM neopro_balance b JOIN neopro_period p ON p.id = b.period_id
             WHERE b.account_id = %s AND NOT EXISTS (SELECT 1 FROM neopro_period e WHERE e.date_start < p.date_start)
        """, (self.account_id.id,))
        row = self.env.cr.fetchone()
        return row[0] if row else 0.0

    @api.multi
    def _get_balance_before(self, date):
        """Debt of the account at the start of ``date``: the initial balance and every operation dated before."""
        self.ensure_one()
        self._check_account_access()
        self.env.cr.execute("""
            SELECT COALESCE(SUM(""" + SIGNED_AMOUNT_SQL.format(alias='o') + """), 0) FROM neopro_operation o
             WHERE o.account_id = %s AND o.date < %s
        """, (self.account_id.id, date))
        return round(self.env.cr.fetchone()[0] + self._get_initial_balance(), 2)

    @api.multi
    def _check_range(self):
        self.ensure_one()
        if not self._get_account():
            raise UserError(_('Choose the account.'))
        if self.date_from > self.date_to:
            raise UserError(_('Account %s: the history must start (%s) before it ends (%s).')
                            % (self._get_account().account_number, self.date_from, self.date_to))

    @api.multi
    def action_show(self):
        """List the operations of the range, of the ticked types."""
        self._check_range()
        money = lambda amount: formatLang(self.env, amount, currency_obj=self.currency_id)  # noqa: E731
        return {
            'type': 'ir.actions.act_window',
            # the balance movement first: the breadcrumb cuts a long title
            'name': _('%s: balance %s → %s, operations of %s – %s') % (
                self._get_account().account_number, money(self.balance_opening), money(self.balance_closing),
                format_date(self.env, self.date_from), format_date(self.env, self.date_to)),
            'res_model': 'neopro.operation',
            'view_mode': 'tree,form',
            'views': [(self.env.ref('neopro_billing.neopro_operation_view_tree_history').id, 'tree'), (False, 'form')],
            'domain': self._get_account_domain() + [('date', '>=', self.date_from), ('date', '<=', self.date_to),
                                                    ('operation_type', 'in', self._get_operation_types())],
            # one group per type, each with its own total (a sum over types means nothing)
            'context': {'group_by': ['operation_type']},
        }

    @api.multi
    def action_reconciliation_pdf(self):
        """The reconciliation act of the range, as a PDF."""
        self._check_range()
        return self.env.ref('neopro_billing.neopro_reconciliation_report').report_action(self, config=False)

    @api.multi
    def action_reconciliation_xlsx(self):
        """The reconciliation act of the range, as an XLSX file."""
        self._check_range()
        return self.env.ref('neopro_billing.neopro_reconciliation_report_xlsx').report_action(self, config=False)

    @api.multi
    def action_reconciliation_screen(self):
        """The reconciliation act of the range, on screen."""
        self._check_range()
        return self.env.ref('neopro_billing.neopro_reconciliation_report_html').report_action(self, config=False)

    @api.multi
    def _get_act_data(self):
        """Reconciliation act: opening balance, every operation of the range (debit / credit), closing balance."""
        self._check_range()
        operations = self.env['neopro.operation'].search(
            self._get_account_domain() + [('date', '>=', self.date_from), ('date', '<=', self.date_to)],
            order='date, id')
        self._check_account_access()
        self.env.cr.execute("""
            SELECT COALESCE(SUM(amount) FILTER (WHERE operation_type <> 'payment' AND amount > 0), 0),
                   COALESCE(SUM(abs(amount)) FILTER (WHERE operation_type = 'payment' OR amount < 0), 0)
              FROM neopro_operation WHERE account_id = %s AND date >= %s AND date <= %s
        """, (self.account_id.id, self.date_from, self.date_to))
        total_debit, total_credit = self.env.cr.fetchone()
        types = dict(self.env['neopro.operation']._fields['operation_type']._description_selection(self.env))
        lines = []
        for op in operations:
            credit = op.operation_type == 'payment' or op.amount < 0
            description = op.name or op.service_id.name or op.payment_source_id.name or ''
            if op.operation_type == 'charge' and op.volume:
                description = _('%s, %s m³') % (description, op.volume)
            if op.operation_type == 'payment' and op.payment_date and op.payment_date != op.date:
                # RULES §7: paid in a month already closed, booked (and counted here) on the first day of the open one
                paid = _('paid on %s') % fields.Date.from_string(op.payment_date).strftime('%d.%m.%Y')
                description = ', '.join(part for part in (description, paid) if part)
            lines.append({
                'date': op.date, 'type': types[op.operation_type], 'description': description,
                'period': op.period_id.name,
                'debit': 0.0 if credit else op.amount, 'credit': abs(op.amount) if credit else 0.0,
            })
        return {
            'account': self._get_account(),
            'opening': self.balance_opening,
            'lines': lines,
            'debit': round(total_debit, 2),
            'credit': round(total_credit, 2),
            'closing': self.balance_closing,
        }

    def _get_reconciliation_filename(self):
        """The name of the reconciliation act's file, in the user's language ("Акт сверки 12345")."""
        self.ensure_one()
        return _('Reconciliation act %s') % self.account_id.account_number
