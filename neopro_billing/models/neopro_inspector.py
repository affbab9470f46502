from odoo import fields, models


class NeoproInspector(models.Model):
    _name = 'neopro.inspector'
    _inherit = 'neopro.reference.mixin'
    _description = 'Inspector'
    _order = 'name'

    name = fields.Char(required=True)
    branch_id = fields.Many2one('neopro.branch', ondelete='restrict')
    user_id = fields.Many2one('res.users', ondelete='set null', help='Login of the inspector, if any.')
    phone = fields.Char()
