from odoo import fields, models


class NeoproAmenityLevel(models.Model):
    _name = 'neopro.amenity.level'
    _inherit = 'neopro.reference.mixin'
    _description = 'Amenity level'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    description = fields.Text()
