from odoo import fields, models


class NeoproMeterBrand(models.Model):
    _name = 'neopro.meter.brand'
    _inherit = 'neopro.reference.mixin'
    _description = 'Meter brand'
    _order = 'name'

    name = fields.Char(required=True)
    manufacturer = fields.Char()
