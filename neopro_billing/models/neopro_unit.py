from odoo import fields, models


class NeoproUnit(models.Model):
    _name = 'neopro.unit'
    _inherit = 'neopro.reference.mixin'
    _description = 'Unit of measure'

    name = fields.Char(required=True, translate=True)
