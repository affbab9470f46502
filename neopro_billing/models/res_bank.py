from odoo import fields, models


class ResBank(models.Model):
    _name = 'res.bank'
    _inherit = ['res.bank', 'neopro.reference.mixin']  # a reference list: archived, not deleted, while in use

    neopro_payment_format_id = fields.Many2one('neopro.payment.format', string='Payment file format',
                                               ondelete='restrict',
                                               help='Layout of the payment registries this bank sends.')
