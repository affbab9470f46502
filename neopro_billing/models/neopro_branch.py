from odoo import fields, models


class NeoproBranch(models.Model):
    _name = 'neopro.branch'
    _inherit = 'neopro.reference.mixin'
    _description = 'Branch'
    _order = 'code, name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    address = fields.Char()
    phone = fields.Char()
    bin = fields.Char(string='BIN')
    bank_account = fields.Char(string='Bank account (IBAN)')
    bank_id = fields.Many2one('res.bank')

    _sql_constraints = [
        ('code_unique', 'unique(code)', 'The branch code must be unique.'),
    ]
