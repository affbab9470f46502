from odoo import fields, models


class AccountInvoice(models.Model):
    _inherit = 'account.invoice'

    neopro_period_id = fields.Many2one('neopro.period', string='Billing period', ondelete='restrict', index=True,
                                       readonly=True, copy=False)
    neopro_contract_id = fields.Many2one('neopro.contract', string='Billing contract', ondelete='restrict',
                                         index=True, readonly=True, copy=False)
    neopro_kind = fields.Selection([
        ('opening', 'Opening debt'),
        ('invoice', 'Period invoice'),
        ('credit', 'Corrections and refunds'),
    ], string='Billing document', readonly=True, copy=False)
