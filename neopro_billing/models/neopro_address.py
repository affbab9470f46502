"""Address registry: city → street → house → premise (apartment)."""
from odoo import api, fields, models


class NeoproCity(models.Model):
    _name = 'neopro.city'
    _inherit = 'neopro.reference.mixin'
    _description = 'City'
    _order = 'name'

    name = fields.Char(required=True)
    street_ids = fields.One2many('neopro.street', 'city_id')

    _sql_constraints = [('name_unique', 'unique(name)', 'This city exists already.')]


class NeoproStreet(models.Model):
    _name = 'neopro.street'
    _inherit = 'neopro.reference.mixin'
    _description = 'Street'
    _order = 'city_id, name'

    name = fields.Char(required=True)
    city_id = fields.Many2one('neopro.city', required=True, ondelete='restrict', index=True)
    house_ids = fields.One2many('neopro.house', 'street_id')

    _sql_constraints = [('name_unique', 'unique(city_id, name)', 'This street exists already in the city.')]

    @api.multi
    def name_get(self):
        return [(s.id, '%s, %s' % (s.city_id.name, s.name)) for s in self]


class NeoproHouse(models.Model):
    _name = 'neopro.house'
    _inherit = 'neopro.reference.mixin'
    _description = 'House'
    _order = 'full_address'
    _rec_name = 'full_address'

    street_id = fields.Many2one('neopro.street', required=True, ondelete='restrict', index=True)
    city_id = fields.Many2one(related='street_id.city_id', store=True, readonly=True)
    number = fields.Char(required=True)
    full_address = fields.Char(compute='_compute_full_address', store=True, index=True)
    branch_id = fields.Many2one('neopro.branch', ondelete='restrict', help='Branch serving the house.')
    premise_ids = fields.One2many('neopro.premise', 'house_id')
    premise_count = fields.Integer(compute='_compute_premise_count')
    common_meter_ids = fields.One2many('neopro.meter', 'house_id', string='Common-house meters')

    _sql_constraints = [('number_unique', 'unique(street_id, number)', 'This house exists already on the street.')]

    @api.depends('number', 'street_id.name', 'street_id.city_id.name')
    def _compute_full_address(self):
        for house in self:
            house.full_address = self._get_full_address(house.street_id.city_id.name, house.street_id.name,
                                                        house.number)

    @api.model
    def _get_full_address(self, city_name, street_name, number):
        """The address of house ``number`` of the street ``street_name`` in ``city_name``."""
        return '%s, %s, %s' % (city_name, street_name, number)

    @api.multi
    def _compute_premise_count(self):
        data = self.env['neopro.premise'].read_group([('house_id', 'in', self.ids)], ['house_id'], ['house_id'])
        counts = {d['house_id'][0]: d['house_id_count'] for d in data}
        for house in self:
            house.premise_count = counts.get(house.id, 0)


# The apartments an open subscriber lives in.
_TAKEN_PREMISES_SQL = 'SELECT premise_id FROM neopro_subscriber WHERE active AND premise_id IS NOT NULL'


class NeoproPremise(models.Model):
    _name = 'neopro.premise'
    _inherit = 'neopro.reference.mixin'
    _description = 'Premise (apartment)'
    _order = 'house_id, sequence, number'
    _rec_name = 'full_address'

    house_id = fields.Many2one('neopro.house', required=True, ondelete='restrict', index=True)
    number = fields.Char(required=True)
    sequence = fields.Integer(help='Numeric order of the apartment number.')
    full_address = fields.Char(compute='_compute_full_address', store=True, index=True)
    is_free = fields.Boolean(compute='_compute_is_free', search='_search_is_free', string='Free',
                             help='No open subscriber lives in the apartment.')

    _sql_constraints = [('number_unique', 'unique(house_id, number)', 'This apartment exists already in the house.')]

    @api.depends('number', 'house_id.full_address')
    def _compute_full_address(self):
        for premise in self:
            premise.full_address = self._get_full_address(premise.house_id.full_address, premise.number)

    def _compute_is_free(self):
        # by SQL: whether an apartment is taken is no secret of another branch's subscriber
        self.env.cr.execute(_TAKEN_PREMISES_SQL + ' AND premise_id = ANY(%s)', (self.ids,))
        taken = {row[0] for row in self.env.cr.fetchall()}
        for premise in self:
            premise.is_free = premise.id not in taken

    def _search_is_free(self, operator, value):
        free = (operator == '=') == bool(value)
        return [('id', 'not inselect' if free else 'inselect', (_TAKEN_PREMISES_SQL, []))]

    @api.model
    def _get_full_address(self, house_address, number):
        """The address of apartment ``number`` of the house at ``house_address``."""
        return '%s, %s' % (house_address, number)

    @api.model
    def _create_range(self, house, numbers):
        """Create the apartments ``numbers`` (texts of integers) of ``house`` with one INSERT: a range of 2 000
        apartments one ``create`` at a time takes tens of seconds (bench/bench_address.py)."""
        self.check_access_rights('create')
        house.check_access_rights('write')
        house.check_access_rule('write')
        if not numbers:
            return self
        addresses = [self._get_full_address(house.full_address, number) for number in numbers]
        self.env.cr.execute("""
            INSERT INTO neopro_premise (house_id, number, sequence, full_address, active,
                                        create_uid, write_uid, create_date, write_date)
            SELECT %(house)s, t.number, t.number::integer, t.address, true, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(numbers)s::varchar[], %(addresses)s::varchar[]) AS t(number, address)
            RETURNING id""", {'house': house.id, 'numbers': list(numbers), 'addresses': addresses,
                              'uid': self.env.uid, 'now': fields.Datetime.now()})
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_cache()
        house.invalidate_cache()
        return self.browse(ids)
