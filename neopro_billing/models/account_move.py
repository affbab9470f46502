from odoo import fields, models


class AccountMove(models.Model):
    _inherit = 'account.move'

    neopro_period_id = fields.Many2one('neopro.period', string='Billing period', ondelete='restrict', index=True,
                                       readonly=True, copy=False)
    neopro_branch_id = fields.Many2one('neopro.branch', string='Billing branch', ondelete='restrict',
                                       readonly=True, copy=False)
    # the contract whose receivable the move carries (its invoices, credit notes, openings and payments):
    # neopro.accounting._reconcile_contracts matches them oldest first
    neopro_contract_id = fields.Many2one('neopro.contract', string='Billing contract', ondelete='restrict',
                                         index=True, readonly=True, copy=False)


class AccountPayment(models.Model):
    _inherit = 'account.payment'

    neopro_contract_id = fields.Many2one('neopro.contract', string='Billing contract', ondelete='restrict',
                                         index=True, readonly=True, copy=False)
    neopro_operation_id = fields.Many2one('neopro.operation', string='Billing payment', ondelete='set null',
                                          index=True, readonly=True, copy=False)
