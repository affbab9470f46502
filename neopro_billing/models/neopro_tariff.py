from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .neopro_account import HOLDER_MODELS

# Charges of a service in the periods a tariff's dates touch, on accounts whose holder has the tariff's category.
_CHARGES_PRICED_SQL = """
    SELECT count(*) FROM neopro_operation o
      JOIN neopro_period p ON p.id = o.period_id
     WHERE o.operation_type = 'charge' AND o.service_id = %(service_id)s
       AND p.date_end >= %(date_from)s AND (%(date_to)s::date IS NULL OR p.date_start <= %(date_to)s)
       AND o.account_id IN ({holders})
"""
_HOLDERS_OF_CATEGORY_SQL = 'SELECT account_id FROM {table} WHERE category_id = %(category_id)s'


class NeoproTariff(models.Model):
    _name = 'neopro.tariff'
    _inherit = ['neopro.reference.mixin', 'neopro.currency.mixin', 'mail.thread']
    _description = 'Tariff'
    _order = 'service_id, category_id, date_from desc'

    service_id = fields.Many2one('neopro.service', required=True, ondelete='restrict', track_visibility='onchange')
    category_id = fields.Many2one('neopro.subscriber.category', required=True, ondelete='restrict',
                                  track_visibility='onchange')
    price = fields.Float(required=True, digits=(12, 4), track_visibility='onchange',
                         help='Tenge per m³ (VAT included).')
    date_from = fields.Date(required=True, track_visibility='onchange')
    date_to = fields.Date(track_visibility='onchange', help='Last day the price applies; empty: open.')
    band_ids = fields.One2many('neopro.tariff.band', 'tariff_id', string='Bands', copy=True,
                               help='Consumption bands (RULES §12): each band\'s volume is billed at its own price. '
                                    'Without bands the tariff bills volume × price.')
    band_basis = fields.Selection([('account', 'Per account'), ('resident', 'Per resident')], required=True,
                                  default='account', track_visibility='onchange',
                                  help='Per resident: the band limits are multiplied by the residents of the account.')
    minimum_amount = fields.Monetary(track_visibility='onchange',
                                     help='The least the tariff charges a month (tenge; prorated by days).')

    _sql_constraints = [
        ('price_positive', 'CHECK(price >= 0)', 'A tariff price cannot be negative.'),
        ('dates_ordered', 'CHECK(date_to IS NULL OR date_to >= date_from)',
         'A tariff cannot end before it starts.'),
        ('minimum_positive', 'CHECK(minimum_amount IS NULL OR minimum_amount >= 0)',
         'A tariff minimum cannot be negative.'),
    ]

    @api.multi
    def name_get(self):
        return [(t.id, '%s / %s: %s (%s)' % (t.service_id.short_name, t.category_id.code, t.price, t.date_from))
                for t in self]

    @api.constrains('band_ids')
    def _check_bands(self):
        for tariff in self.filtered('band_ids'):
            if min(tariff.band_ids.mapped('volume_from')) != 0:
                raise ValidationError(_('Tariff %s: the first band must start at 0 m³.') % tariff.display_name)

    @api.constrains('service_id', 'category_id', 'date_from', 'date_to', 'active')
    def _check_overlap(self):
        for tariff in self.filtered('active'):
            domain = [
                ('id', '!=', tariff.id),
                ('service_id', '=', tariff.service_id.id),
                ('category_id', '=', tariff.category_id.id),
                '|', ('date_to', '=', False), ('date_to', '>=', tariff.date_from),
            ]
            if tariff.date_to:
                domain.append(('date_from', '<=', tariff.date_to))
            other = self.search(domain, limit=1)
            if other:
                raise ValidationError(_('The tariff %s overlaps the tariff %s: only one price may apply '
                                        'to a service and category on a day.')
                                      % (tariff.display_name, other.display_name))

    @api.multi
    def _get_uses_by_rule(self):
        """The charges this tariff priced (same service, category and dates)."""
        holders = ' UNION ALL '.join(_HOLDERS_OF_CATEGORY_SQL.format(table=self.env[model]._table)
                                     for model in sorted(HOLDER_MODELS.values()))
        count = 0
        for tariff in self:
            self.env.cr.execute(_CHARGES_PRICED_SQL.format(holders=holders), {
                'service_id': tariff.service_id.id, 'category_id': tariff.category_id.id,
                'date_from': tariff.date_from, 'date_to': tariff.date_to or None})
            count += self.env.cr.fetchone()[0]
        uses = super(NeoproTariff, self)._get_uses_by_rule()
        return uses + ([_('charges priced by it: %d') % count] if count else [])


class NeoproTariffBand(models.Model):
    """A consumption band of a tariff: the volume from ``volume_from`` up to the next band's at ``price``."""
    _name = 'neopro.tariff.band'
    _description = 'Tariff band'
    _order = 'tariff_id, volume_from'

    tariff_id = fields.Many2one('neopro.tariff', required=True, ondelete='cascade', index=True)
    volume_from = fields.Float(string='From, m³', required=True, digits=(12, 3),
                               help='The band starts at this monthly volume (per account or per resident).')
    price = fields.Float(required=True, digits=(12, 4), help='Tenge per m³ of the band.')

    _sql_constraints = [
        ('volume_from_unique', 'unique(tariff_id, volume_from)', 'Two bands of a tariff cannot start at one volume.'),
        ('volume_from_positive', 'CHECK(volume_from >= 0)', 'A band cannot start below 0 m³.'),
        ('price_positive', 'CHECK(price >= 0)', 'A band price cannot be negative.'),
    ]
