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
