from odoo import fields, models


class NeoproCorrectionType(models.Model):
    _name = 'neopro.correction.type'
    _inherit = 'neopro.reference.mixin'
    _description = 'Correction (recalculation) type'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
