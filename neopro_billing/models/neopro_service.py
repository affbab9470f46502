from odoo import fields, models


class NeoproService(models.Model):
    _name = 'neopro.service'
    _inherit = 'neopro.reference.mixin'
    _description = 'Utility service'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    short_name = fields.Char(required=True, translate=True, help='Abbreviation shown in panels, e.g. ХВС.')
    code = fields.Selection([
        ('cold_water', 'Cold water'),
        ('hot_water', 'Hot water'),
        ('sewage', 'Sewage'),
    ], required=True)
    sequence = fields.Integer(default=10)
    unit_id = fields.Many2one('neopro.unit', ondelete='restrict')
    metered = fields.Boolean(default=True, help='Consumption can be measured by a meter.')

    _sql_constraints = [
        ('code_unique', 'unique(code)', 'A service with this code exists already.'),
    ]
