from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today


class NeoproOperationEntry(models.TransientModel):
    """Manual billing operation of an account: the manual's Начисления / Платежи / Корректировка buttons."""
    _name = 'neopro.operation.entry'
    _inherit = ['neopro.currency.mixin', 'neopro.account.link', 'neopro.money.mixin', 'neopro.transient.guard']
    _description = 'Manual billing operation'
    _money_fields = ('amount',)

    account_id = fields.Many2one(readonly=True)
    operation_type = fields.Selection([
        ('charge', 'Charge'),
        ('payment', 'Payment'),
        ('correction', 'Correction'),
        ('writeoff', 'Penalty write-off'),
    ], required=True, default='payment')
    period_id = fields.Many2one('neopro.period', readonly=True,
                                default=lambda self: self.env['neopro.period']._get_open_period())
    date = fields.Date(required=True, default=local_today)
    amount = fields.Monetary(required=True, help='Tenge. A correction is signed: negative lowers the debt.')
    service_id = fields.Many2one('neopro.service')
    volume = fields.Float(digits=(12, 3))
    correction_type_id = fields.Many2one('neopro.correction.type')
    payment_source_id = fields.Many2one('neopro.payment.source',
                                        default=lambda self: self.env.ref('neopro_billing.payment_source_cash',
                                                                          raise_if_not_found=False))
    bank_id = fields.Many2one('res.bank')
    payer_name = fields.Char()
    name = fields.Char(string='Reason / description')

    @api.multi
    def action_confirm(self):
        """Book the operation in the open period and show the account again."""
        self.ensure_one()
        account = self.account_id
        if not account:
            raise UserError(_('Choose the account of the operation.'))
        if not self.period_id or self.period_id.state != 'open':
            raise UserError(_('Account %s: there is no open billing period; operations are booked only in the open '
                              'period.') % account.account_number)
        if self.operation_type in ('charge', 'payment') and self.amount <= 0:
            raise UserError(_('Account %s: the amount of a charge or a payment must be positive, not %s.')
                            % (account.account_number, self.amount))
        if self.operation_type == 'writeoff' and (self.amount <= 0 or not self.name):
            raise UserError(_('Account %s: a penalty write-off needs the positive amount written off and its reason.')
                            % account.account_number)
        if self.operation_type == 'correction' and not (self.correction_type_id and self.name):
            raise UserError(_('Account %s: a correction needs a correction type and a reason.')
                            % account.account_number)
        self.env['neopro.operation'].create(self._prepare_operation())
        return {'type': 'ir.actions.act_window_close'}

    @api.multi
    def _prepare_operation(self):
        """Values of the ledger line."""
        self.ensure_one()
        vals = {
            'operation_type': self.operation_type,
            'account_id': self.account_id.id,
            'period_id': self.period_id.id,
            'date': self.date,
            'amount': self.amount,
            'service_id': self.service_id.id,
            'name': self.name,
            'is_auto': False,
        }
        if self.operation_type == 'writeoff':
            # RULES §12: a write-off is a negative penalty with its reason (accountants only, checked by the model)
            vals.update(operation_type='penalty', amount=-self.amount)
        elif self.operation_type == 'charge':
            vals.update(volume=self.volume, basis='manual')
        elif self.operation_type == 'payment':
            vals.update(payment_source_id=self.payment_source_id.id, bank_id=self.bank_id.id,
                        payer_name=self.payer_name or self.account_id._get_holder()._get_payer_name())
        else:
            vals.update(correction_type_id=self.correction_type_id.id)
        return vals
