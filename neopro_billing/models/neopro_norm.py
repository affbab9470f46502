from odoo import _, api, fields, models

# The norm in force on %(norm_date)s, per service and amenity level: the one definition, used by the engine (as a
# joined table) and by ``_get_volume`` (the norms panel, the receipt).
# Charges billed by norm for a service and amenity level from the first day a norm applies.
_CHARGES_BY_NORM_SQL = """
    SELECT count(*) FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
      JOIN neopro_subscriber s ON s.account_id = o.account_id
     WHERE o.operation_type = 'charge' AND o.basis = 'norm' AND o.service_id = %(service_id)s
       AND s.amenity_level_id = %(amenity_level_id)s AND p.date_end >= %(date_from)s
"""

NORM_IN_FORCE_SQL = """
    (SELECT DISTINCT ON (service_id, amenity_level_id) service_id, amenity_level_id, volume
       FROM neopro_norm
      WHERE active AND date_from <= %(norm_date)s
   ORDER BY service_id, amenity_level_id, date_from DESC)
"""


class NeoproNorm(models.Model):
    _name = 'neopro.norm'
    _inherit = ['neopro.reference.mixin', 'mail.thread']
    _description = 'Consumption norm'
    _order = 'service_id, amenity_level_id, date_from desc'

    service_id = fields.Many2one('neopro.service', required=True, ondelete='restrict', track_visibility='onchange')
    amenity_level_id = fields.Many2one('neopro.amenity.level', required=True, ondelete='restrict',
                                       track_visibility='onchange')
    volume = fields.Float(required=True, digits=(12, 4), track_visibility='onchange', help='m³ per resident per month.')
    date_from = fields.Date(required=True, track_visibility='onchange')

    _sql_constraints = [
        ('norm_unique', 'unique(service_id, amenity_level_id, date_from)',
         'A norm for this service and amenity level starts on this date already.'),
        ('volume_positive', 'CHECK(volume >= 0)', 'A norm cannot be negative.'),
    ]

    @api.multi
    def name_get(self):
        return [(n.id, '%s / %s: %s' % (n.service_id.short_name, n.amenity_level_id.name, n.volume)) for n in self]

    @api.multi
    def _get_uses_by_rule(self):
        """The charges billed by this norm (same service and amenity level, from its date)."""
        count = 0
        for norm in self:
            self.env.cr.execute(_CHARGES_BY_NORM_SQL, {'service_id': norm.service_id.id, 'date_from': norm.date_from,
                                                       'amenity_level_id': norm.amenity_level_id.id})
            count += self.env.cr.fetchone()[0]
        uses = super(NeoproNorm, self)._get_uses_by_rule()
        return uses + ([_('charges billed by the norm: %d') % count] if count else [])

    @api.model
    def _get_volume(self, service, amenity_level, date):
        """Norm volume in force on ``date`` (0 when none is defined)."""
        self.env.cr.execute('SELECT n.volume FROM ' + NORM_IN_FORCE_SQL + ' n '
                            'WHERE n.service_id = %(service_id)s AND n.amenity_level_id = %(amenity_level_id)s',
                            {'norm_date': date, 'service_id': service.id, 'amenity_level_id': amenity_level.id})
        row = self.env.cr.fetchone()
        return row[0] if row else 0.0
