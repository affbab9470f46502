from odoo import fields, models


class NeoproPenaltyRate(models.Model):
    _name = 'neopro.penalty.rate'
    _inherit = 'mail.thread'
    _description = 'National Bank base rate'
    _order = 'date_from desc'
    _rec_name = 'date_from'

    date_from = fields.Date(required=True, track_visibility='onchange')
    rate = fields.Float(required=True, digits=(6, 4), track_visibility='onchange', help='% per year.')

    _sql_constraints = [
        ('date_unique', 'unique(date_from)', 'A rate starting on this date exists already.'),
        ('rate_positive', 'CHECK(rate >= 0)', 'A rate cannot be negative.'),
    ]
