from odoo import api, fields, models

# The norm in force on %(norm_date)s, per service and amenity level: the one definition, used by the engine (as a
# joined table) and by ``_get_volume`` (the norms panel, the receipt).
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

    @api.model
    def _get_volume(self, service, amenity_level, date):
        """Norm volume in force on ``date`` (0 when none is defined)."""
        self.env.cr.execute('SELECT n.volume FROM ' + NORM_IN_FORCE_SQL + ' n '
                            'WHERE n.service_id = %(service_id)s AND n.amenity_level_id = %(amenity_level_id)s',
                            {'norm_date': date, 'service_id': service.id, 'amenity_level_id': amenity_level.id})
        row = self.env.cr.fetchone()
        return row[0] if row else 0.0
