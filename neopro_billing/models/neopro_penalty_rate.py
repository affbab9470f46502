from odoo import _, api, fields, models

# Penalties of the periods that end on or after the first day of a rate.
_PENALTIES_SQL = """
    SELECT count(*) FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
     WHERE o.operation_type = 'penalty' AND p.date_end >= %(date_from)s
"""


class NeoproPenaltyRate(models.Model):
    _name = 'neopro.penalty.rate'
    _inherit = ['neopro.reference.mixin', 'mail.thread']
    _description = 'National Bank base rate'
    _order = 'date_from desc'
    _rec_name = 'date_from'

    date_from = fields.Date(required=True, track_visibility='onchange')
    rate = fields.Float(required=True, digits=(6, 4), track_visibility='onchange', help='% per year.')

    _sql_constraints = [
        ('date_unique', 'unique(date_from)', 'A rate starting on this date exists already.'),
        ('rate_positive', 'CHECK(rate >= 0)', 'A rate cannot be negative.'),
    ]

    @api.multi
    def _get_uses_by_rule(self):
        """The penalties computed while this rate applied."""
        count = 0
        for rate in self:
            self.env.cr.execute(_PENALTIES_SQL, {'date_from': rate.date_from})
            count += self.env.cr.fetchone()[0]
        uses = super(NeoproPenaltyRate, self)._get_uses_by_rule()
        return uses + ([_('penalties computed at this rate: %d') % count] if count else [])
