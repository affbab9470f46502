from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    _sql_constraints = [
        ('price_positive', 'CHECK(price >= 0)', 'A tariff price cannot be negative.'),
        ('dates_ordered', 'CHECK(date_to IS NULL OR date_to >= date_from)',
         'A tariff cannot end before it starts.'),
    ]

    @api.multi
    def name_get(self):
        return [(t.id, '%s / %s: %s (%s)' % (t.service_id.short_name, t.category_id.code, t.price, t.date_from))
                for t in self]

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
