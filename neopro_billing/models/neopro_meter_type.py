from odoo import fields, models


class NeoproMeterType(models.Model):
    _name = 'neopro.meter.type'
    _inherit = 'neopro.reference.mixin'
    _description = 'Meter type'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
