from odoo import fields, models


class AccountMove(models.Model):
    _inherit = 'account.move'

    neopro_period_id = fields.Many2one('neopro.period', string='Billing period', ondelete='restrict', index=True,
                                       readonly=True, copy=False)
    neopro_branch_id = fields.Many2one('neopro.branch', string='Billing branch', ondelete='restrict',
                                       readonly=True, copy=False)
