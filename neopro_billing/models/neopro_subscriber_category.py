from odoo import fields, models


class NeoproSubscriberCategory(models.Model):
    _name = 'neopro.subscriber.category'
    _inherit = 'neopro.reference.mixin'
    _description = 'Subscriber category'
    _order = 'code'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    legal_entity = fields.Boolean(help='Category of legal-entity contracts.')

    _sql_constraints = [
        ('code_unique', 'unique(code)', 'The category code must be unique.'),
    ]
