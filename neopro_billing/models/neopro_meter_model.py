from odoo import fields, models


class NeoproMeterModel(models.Model):
    _name = 'neopro.meter.model'
    _inherit = 'neopro.reference.mixin'
    _description = 'Meter model'
    _order = 'name'

    name = fields.Char(required=True)
    brand_id = fields.Many2one('neopro.meter.brand', ondelete='restrict')
    type_id = fields.Many2one('neopro.meter.type', ondelete='restrict')
    digits = fields.Integer(default=5, help='Digits of the counter: it rolls over to 0 after 10^digits − 1.')
    verification_interval_id = fields.Many2one('neopro.verification.interval', ondelete='restrict')
