from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

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
    """A line of the billing ledger of a subscriber or a contract."""
    _name = 'neopro.operation'
    _inherit = 'neopro.currency.mixin'
    _description = 'Billing operation'
    _order = 'date desc, id desc'

    operation_type = fields.Selection(OPERATION_TYPES, required=True, index=True)
    amount = fields.Monetary(required=True, help='Tenge; positive, except corrections which are signed.')
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    period_id = fields.Many2one('neopro.period', required=True, ondelete='restrict', index=True,
                                default=lambda self: self.env['neopro.period']._get_open_period())
    subscriber_id = fields.Many2one('neopro.subscriber', ondelete='restrict', index=True)
    contract_id = fields.Many2one('neopro.contract', ondelete='restrict', index=True)
    branch_id = fields.Many2one('neopro.branch', compute='_compute_account', store=True, index=True)
    account_number = fields.Char(compute='_compute_account', store=True, index=True)
    service_id = fields.Many2one('neopro.service', ondelete='restrict')
    volume = fields.Float(digits=(12, 3))
    basis = fields.Selection(BASES)
    price = fields.Float(digits=(12, 4), help='Tariff applied, tenge per m³.')
    correction_type_id = fields.Many2one('neopro.correction.type', ondelete='restrict')
    payment_source_id = fields.Many2one('neopro.payment.source', ondelete='restrict')
    bank_id = fields.Many2one('res.bank', ondelete='restrict')
    txn_id = fields.Char(string='Transaction id', index=True, copy=False)
    payer_name = fields.Char()
    name = fields.Char(string='Reason / description')
    is_auto = fields.Boolean(string='Computed', readonly=True,
                             help='Created by the period calculation, replaced when it runs again.')

    _sql_constraints = [
        ('one_account', 'CHECK((subscriber_id IS NULL) <> (contract_id IS NULL))',
         'An operation belongs to one subscriber or to one contract.'),
        ('amount_sign', "CHECK(operation_type = 'correction' OR amount >= 0)",
         'Only a correction can have a negative amount.'),
    ]

    @api.depends('subscriber_id.branch_id', 'contract_id.branch_id', 'subscriber_id.account_number',
                 'contract_id.account_number')
    def _compute_account(self):
        for op in self:
            account = op.subscriber_id or op.contract_id
            op.branch_id = account.branch_id
            op.account_number = account.account_number

    @api.constrains('amount', 'operation_type')
    def _check_amount(self):
        for op in self:
            if op.operation_type == 'payment' and op.amount <= 0:
                raise ValidationError(_('Account %s: a payment must be a positive amount.') % op.account_number)
            if op.operation_type == 'correction' and not op.amount:
                raise ValidationError(_('Account %s: a correction of 0.00 changes nothing.') % op.account_number)

    @api.model
    def _refresh_balances(self, period, subscriber_ids=None, contract_ids=None):
        """Recompute the stored balances of these accounts (all when None) in ``period`` from the ledger.

        Called after operations are written with SQL; implemented by the billing engine.
        """
        return True
