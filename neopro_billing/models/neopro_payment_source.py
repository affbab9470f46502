from odoo import fields, models


class NeoproPaymentSource(models.Model):
    _name = 'neopro.payment.source'
    _inherit = 'neopro.reference.mixin'
    _description = 'Payment source'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    code = fields.Selection([
        ('bank', 'Bank file'),
        ('cash', 'Cash desk'),
        ('manual', 'Manual entry'),
        ('online', 'Online (Kaspi)'),
    ], required=True, default='manual')
