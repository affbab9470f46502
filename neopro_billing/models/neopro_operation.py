from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

OPERATION_TYPES = [
    ('charge', 'Charge'),
    ('payment', 'Payment'),
    ('correction', 'Correction'),
    ('penalty', 'Penalty'),
]
BASES = [
    ('meter', 'Meter'),
    ('average', 'Average'),
    ('norm', 'Norm'),
    ('fixed', 'Fixed volume'),
    ('sewage', 'Sewage (cold + hot)'),
    ('manual', 'Manual'),
]


class NeoproOperation(models.Model):
    """A line of the billing ledger of a personal account (a subscriber's or a contract's)."""
    _name = 'neopro.operation'
    _inherit = ['neopro.currency.mixin', 'neopro.account.link']
    _description = 'Billing operation'
    _order = 'date desc, id desc'

    # Fields that may still be written on operations of a closed period (an extension point: the accounting
    # link adds the fields it fills when the period is closed). Nothing else of a closed period changes.
    _closed_period_writable_fields = set()

    operation_type = fields.Selection(OPERATION_TYPES, required=True, index=True)
    amount = fields.Monetary(required=True, help='Tenge; positive, except corrections which are signed.')
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    period_id = fields.Many2one('neopro.period', required=True, ondelete='restrict', index=True,
                                default=lambda self: self.env['neopro.period']._get_open_period())
    period_state = fields.Selection(related='period_id.state', readonly=True, string='Period state')
    account_id = fields.Many2one('neopro.account', required=True, ondelete='restrict', index=True)
    metering_point_id = fields.Many2one('neopro.metering.point', ondelete='restrict',
                                        help='Metering point of a legal-entity charge.')
    branch_id = fields.Many2one('neopro.branch', compute='_compute_account', store=True, index=True)
    account_number = fields.Char(compute='_compute_account', store=True, index=True)
    service_id = fields.Many2one('neopro.service', ondelete='restrict')
    volume = fields.Float(digits=(12, 3))
    basis = fields.Selection(BASES)
    # no sum of prices in grouped lists: it means nothing
    price = fields.Float(digits=(12, 4), group_operator=False,
                         help='Tariff applied, tenge per m³ (the average over the days billed '
                              'when the tariff changed inside the period).')
    correction_type_id = fields.Many2one('neopro.correction.type', ondelete='restrict')
    payment_source_id = fields.Many2one('neopro.payment.source', ondelete='restrict')
    bank_id = fields.Many2one('res.bank', ondelete='restrict')
    txn_id = fields.Char(string='Transaction id', index=True, copy=False)
    payer_name = fields.Char()
    name = fields.Char(string='Reason / description')
    is_auto = fields.Boolean(string='Computed', readonly=True,
                             help='Created by the period calculation, replaced when it runs again.')
    norm_volume = fields.Float(compute='_compute_norm_volume', digits=(12, 3), string='Norm',
                               help='Monthly norm of the account for the service: norm × residents, or the fixed '
                                    'volume of the metering point.')

    _sql_constraints = [
        ('amount_sign', "CHECK(operation_type = 'correction' OR amount >= 0)",
         'Only a correction can have a negative amount.'),
    ]

    @api.depends('account_id.branch_id', 'account_id.account_number')
    def _compute_account(self):
        for op in self:
            op.branch_id = op.account_id.branch_id
            op.account_number = op.account_id.account_number

    @api.multi
    def _compute_norm_volume(self):
        for op in self.filtered(lambda o: o.operation_type == 'charge' and o.service_id):
            holder = op.account_id._get_holder()
            op.norm_volume = holder._get_norm_volume(op) if holder else 0.0

    @api.constrains('amount', 'operation_type')
    def _check_amount(self):
        for op in self:
            if op.operation_type == 'payment' and op.amount <= 0:
                raise ValidationError(_('Account %s: a payment must be a positive amount.') % op.account_number)
            if op.operation_type == 'correction' and not op.amount:
                raise ValidationError(_('Account %s: a correction of 0.00 changes nothing.') % op.account_number)

    @api.constrains('operation_type', 'correction_type_id')
    def _check_correction_type(self):
        for op in self.filtered(lambda o: o.operation_type == 'correction' and not o.correction_type_id):
            raise ValidationError(_('Account %s: a correction needs a correction type.') % op.account_number)

    @api.model
    def create(self, vals):
        vals = self._add_missing_default_values(self._holder_to_account(vals))
        period = self.env['neopro.period'].browse(vals.get('period_id'))
        account = self.env['neopro.account'].browse(vals.get('account_id'))
        self._check_period_open(period, vals.get('date'), account.account_number)
        if vals.get('operation_type') == 'payment' and account and not account.sudo().holder_active:
            # one rule for every path: bank files and Kaspi refuse closed accounts too (holder_active)
            raise UserError(_('Account %s is closed (archived, or its contract terminated): it takes no payments.')
                            % account.account_number)
        op = super(NeoproOperation, self).create(vals)
        op._refresh_own_balances()
        if not op.is_auto:
            op._audit_post(_('Added: %s') % op._audit_text())
        return op

    @api.multi
    def write(self, vals):
        vals = self._holder_to_account(vals)
        if set(vals) - self._closed_period_writable_fields:
            for op in self:
                self._check_period_open(op.period_id, op.date, op.account_number)
        before = self._get_accounts_by_period()
        audit = {op.id: op._audit_text() for op in self if not op.is_auto}
        res = super(NeoproOperation, self).write(vals)
        for op in self.filtered(lambda o: o.id in audit and o._audit_text() != audit[o.id]):
            op._audit_post(_('Changed: %s → %s') % (audit[op.id], op._audit_text()))
        if {'period_id', 'date'} & set(vals):
            for op in self:
                self._check_period_open(op.period_id, op.date, op.account_number)
        if {'amount', 'operation_type', 'period_id', 'account_id'} & set(vals):
            self._refresh_accounts(before, self._get_accounts_by_period())
        return res

    @api.multi
    def unlink(self):
        for op in self:
            self._check_period_open(op.period_id, op.date, op.account_number)
        for op in self.filtered(lambda o: not o.is_auto):
            op._audit_post(_('Deleted: %s') % op._audit_text())
        before = self._get_accounts_by_period()
        res = super(NeoproOperation, self).unlink()
        self._refresh_accounts(before)
        return res

    def _audit_text(self):
        """The operation as the audit trail writes it: type, amount, date, service, reason."""
        self.ensure_one()
        kind = dict(self._fields['operation_type']._description_selection(self.env)).get(self.operation_type)
        parts = [kind, '%.2f' % self.amount, self.date, self.service_id.name, self.correction_type_id.name,
                 self.name]
        return ', '.join(p for p in parts if p)

    def _audit_post(self, body):
        """Audit trail of a manual ledger change: a message on the account (who and when come with it)."""
        self.ensure_one()
        self.account_id._audit_post(body)

    @api.model
    def _check_period_open(self, period, date, account):
        """Refuse an operation booked in a closed period, or dated inside one."""
        if not period:
            raise UserError(_('Account %s: there is no open billing period to book the operation in. '
                              'Create the first period (Administration → Periods).') % (account or ''))
        if period.state != 'open':
            raise UserError(_('Account %s: the period %s is closed; its operations can no longer be added, '
                              'changed or deleted.') % (account or '', period.name))
        if date and self.env['neopro.period'].search_count([
                ('state', '=', 'closed'), ('date_start', '<=', date), ('date_end', '>=', date)]):
            raise UserError(_('Account %s: the date %s lies in a closed period; book the operation with a date '
                              'of the open period %s.') % (account or '', date, period.name))

    def _get_accounts_by_period(self):
        """{period: account ids} of these operations."""
        result = {}
        for op in self:
            result.setdefault(op.period_id, set()).add(op.account_id.id)
        return result

    def _refresh_accounts(self, *account_maps):
        """Refresh the balances of every account and period of the given maps."""
        merged = {}
        for account_map in account_maps:
            for period, account_ids in account_map.items():
                merged.setdefault(period, set()).update(account_ids)
        for period, account_ids in merged.items():
            if period.exists() and period.state == 'open':
                self._refresh_balances(period, sorted(account_ids))

    def _refresh_own_balances(self):
        """Refresh the balances of the accounts of these operations."""
        self._refresh_accounts(self._get_accounts_by_period())

    @api.model
    def _refresh_balances(self, period, account_ids=None):
        """Recompute the stored balances of these accounts (all when None) in ``period`` from the ledger.

        Set-based SQL: call it after operations are written with SQL. Refused for a closed period.
        """
        return self.env['neopro.balance']._recompute(period, account_ids)
