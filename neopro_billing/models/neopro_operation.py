import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib.dates import format_date
from .neopro_guard_mixin import local_today, selection_label

OPERATION_TYPES = [
    ('charge', 'Charge'),
    ('payment', 'Payment'),
    ('correction', 'Correction'),
    ('penalty', 'Penalty'),
]
BASES = [
    ('meter', 'Meter'),
    ('average', 'Average'),
    ('average_reversal', 'Average reversal'),
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
    date = fields.Date(required=True, default=local_today, index=True)
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
    reversed_volume = fields.Float(digits=(12, 3), string='Less billed by average', readonly=True,
                                   help='Volume billed by average since the meters\' last actual readings, deducted '
                                        'from what they counted (RULES §12).')
    band_lines = fields.Text(readonly=True, help='Bands of a tiered tariff: volume and amount of each (JSON).')
    basis_text = fields.Char(compute='_compute_basis_text', string='Basis of the line',
                             help='How the line was calculated: meters, average, reversal, norm, bands, absence.')
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
        ('amount_sign', "CHECK(operation_type IN ('correction', 'penalty') OR amount >= 0 "
                        "OR basis = 'average_reversal')",
         'Only a correction, a penalty write-off or an average reversal can have a negative amount.'),
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

    @api.multi
    @api.depends('basis', 'volume', 'reversed_volume', 'band_lines', 'date', 'period_id')
    def _compute_basis_text(self):
        bases = dict(self._fields['basis']._description_selection(self.env))
        for op in self:
            if op.operation_type != 'charge' or not op.basis:
                op.basis_text = op.name or ''
                continue
            op.basis_text = '; '.join([bases.get(op.basis, '')] + op._get_basis_details())

    def _get_basis_details(self):
        """What the receipt prints under a line's basis: the reversal, the bands, the proration, the absence."""
        self.ensure_one()
        details = []
        if self.reversed_volume:
            details.append(_('counted %s m³ less %s m³ billed by average')
                           % (_format_volume(self.volume + self.reversed_volume),
                              _format_volume(self.reversed_volume)))
        bands = self._get_band_text()
        if bands:
            details.append(bands)
        if self.is_auto and self.period_id and self.date and self.date < self.period_id.date_end:
            details.append(_('intermediate: prorated to %s') % _format_day(self.date))
        if self.is_auto and self.basis == 'norm':
            absence = self._get_absence_text()
            if absence:
                details.append(absence)
        return details

    def _get_bands(self):
        """The bands of the line as the calculation recorded them: [{from, to, volume, price, amount}], minimum."""
        self.ensure_one()
        if not self.band_lines:
            return [], 0.0
        data = json.loads(self.band_lines)
        minimum = sum(part['minimum'] for part in data.get('parts', []) if part.get('minimum_applied'))
        return data.get('bands', []), minimum

    def _get_band_text(self):
        """«до 10 м³ × 2,00; 10–20 м³ × 2,50; …» and the minimum when it applied."""
        bands, minimum = self._get_bands()
        texts = []
        for band in bands:
            if not band['from']:
                limits = _('up to %s m³') % _format_volume(band['to'])
            elif band['to'] is None:
                limits = _('over %s m³') % _format_volume(band['from'])
            else:
                limits = '%s–%s m³' % (_format_volume(band['from']), _format_volume(band['to']))
            texts.append(_('%s: %s m³ × %s = %s') % (limits, _format_volume(band['volume']),
                                                     _format_money(band['price']), _format_money(band['amount'])))
        if minimum:
            texts.append(_('tariff minimum %s') % _format_money(minimum))
        return '; '.join(texts)

    def _get_absence_text(self):
        """«temporary absence: 1 resident 01.03–10.03 (doc. 17)» of the line's subscriber and days."""
        self.ensure_one()
        holder = self.account_id._get_holder()
        if holder._name != 'neopro.subscriber':
            return ''
        absences = holder.absence_ids.filtered(
            lambda a: a.date_from <= self.date and a.date_to >= self.period_id.date_start)
        return '; '.join(_('temporary absence: %s of %s residents %s–%s (document %s)')
                         % (a.residents, holder.residents, _format_day(a.date_from), _format_day(a.date_to),
                            a.document_number) for a in absences)

    @api.constrains('amount', 'operation_type')
    def _check_amount(self):
        for op in self:
            if op.operation_type == 'payment' and op.amount <= 0:
                raise ValidationError(_('Account %s: a payment must be a positive amount.') % op.account_number)
            if op.operation_type == 'correction' and not op.amount:
                raise ValidationError(_('Account %s: a correction of 0.00 changes nothing.') % op.account_number)
            if op.operation_type == 'penalty' and op.amount < 0 and (op.is_auto or not (op.name or '').strip()):
                raise ValidationError(_('Account %s: a penalty write-off (a negative penalty) needs its reason.')
                                      % op.account_number)

    @api.constrains('operation_type', 'correction_type_id')
    def _check_correction_type(self):
        for op in self.filtered(lambda o: o.operation_type == 'correction' and not o.correction_type_id):
            raise ValidationError(_('Account %s: a correction needs a correction type.') % op.account_number)

    @api.model
    def _check_writeoff_access(self, vals):
        """A penalty write-off (a negative penalty operation) is made by accountants only (RULES §12)."""
        if vals.get('operation_type', 'penalty') == 'penalty' and (vals.get('amount') or 0) < 0 \
                and not self.env.user.has_group('neopro_billing.group_accountant') \
                and not self.env.user._is_superuser():
            raise AccessError(_('Only accountants write penalties off.'))

    @api.model
    def create(self, vals):
        vals = self._add_missing_default_values(self._holder_to_account(vals))
        self._check_writeoff_access(vals)
        period = self.env['neopro.period'].browse(vals.get('period_id'))
        account = self.env['neopro.account'].browse(vals.get('account_id'))
        if vals.get('operation_type') == 'payment' and period.state == 'open':
            vals = self._place_payment(vals, period)  # RULES §7: paid in a closed month, booked in the open one
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
        for op in self:
            self._check_writeoff_access(dict({'operation_type': op.operation_type, 'amount': op.amount}, **vals))
        payments = self.filtered(lambda o: o.operation_type == 'payment')
        if payments and {'date', 'payment_date'} & set(vals):
            if payments != self:
                raise UserError(_('Change the dates of payments apart from those of other operations.'))
            period = self.env['neopro.period'].browse(vals['period_id']) if vals.get('period_id') else \
                self[:1].period_id
            if period.state == 'open':
                vals = self._place_payment(vals, period)  # RULES §7, as on create
        if set(vals) - self._closed_period_writable_fields:
            for op in self:
                self._check_period_open(op.period_id, op.date, op.account_number)
        before = self._get_accounts_by_period()
        # every change of a ledger line, a computed one included, whoever makes it, leaves its line in the chatter
        audit = {op.id: op._audit_text() for op in self}
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
        for op in self:
            op._audit_post(_('Deleted: %s') % op._audit_text())
        before = self._get_accounts_by_period()
        res = super(NeoproOperation, self).unlink()
        self._refresh_accounts(before)
        return res

    def _audit_text(self):
        """The operation as the audit trail writes it: type, amount, date, service, reason."""
        self.ensure_one()
        kind = selection_label(self, 'operation_type', self.operation_type)
        parts = [kind, '%.2f' % self.amount, format_date(self.date), self.service_id.name, self.correction_type_id.name,
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
                              'of the open period %s.') % (account or '', format_date(date), period.name))

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


def _format_volume(value):
    """A volume as the Russian UI writes it: 12,5 (up to 3 decimals, no trailing zeros)."""
    return ('%.3f' % (value or 0)).rstrip('0').rstrip('.').replace('.', ',')


def _format_money(value):
    """An amount or price with 2 decimals and a decimal comma: 2,50."""
    return ('%.2f' % (value or 0)).replace('.', ',')


def _format_day(value):
    """A date as DD.MM.YYYY."""
    value = fields.Date.from_string(value) if isinstance(value, str) else value
    return value.strftime('%d.%m.%Y') if value else ''
