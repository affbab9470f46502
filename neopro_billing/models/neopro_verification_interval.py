from odoo import fields, models


class NeoproVerificationInterval(models.Model):
    _name = 'neopro.verification.interval'
    _inherit = 'neopro.reference.mixin'
    _description = 'Verification interval'
    _order = 'months'

    name = fields.Char(required=True, translate=True)
    months = fields.Integer(required=True)
    service_id = fields.Many2one('neopro.service', ondelete='restrict',
                                 help='Default interval for meters of this service.')

    _sql_constraints = [
        ('months_positive', 'CHECK(months > 0)', 'The interval must be at least one month.'),
    ]
