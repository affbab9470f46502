from odoo import _, api, fields, models
from odoo.exceptions import UserError


class NeoproAddressWizard(models.TransientModel):
    """Administration → Add address: a street, a house and a range of apartments in one step."""
    _name = 'neopro.address.wizard'
    _inherit = 'neopro.transient.guard'
    _description = 'Add address'

    city_id = fields.Many2one('neopro.city', required=True)
    street_id = fields.Many2one('neopro.street', domain="[('city_id', '=', city_id)]")
    street_name = fields.Char(string='New street', help='Fill in when the street is not in the list yet.')
    house_number = fields.Char(required=True)
    branch_id = fields.Many2one('neopro.branch')
    apartment_from = fields.Integer(string='Apartments from')
    apartment_to = fields.Integer(string='Apartments to')

    @api.multi
    def action_create(self):
        """Create what is missing and open the house."""
        self.ensure_one()
        street = self._get_street()
        House = self.env['neopro.house']
        number = self.house_number.strip()
        house = House.search([('street_id', '=', street.id), ('number', '=', number)])
        numbers = self._get_apartment_numbers()
        if house and not numbers:
            raise UserError(_('The house %s exists already.') % house.full_address)
        if not house:
            house = House.create({'street_id': street.id, 'number': number, 'branch_id': self.branch_id.id})
        existing = house.premise_ids.filtered(lambda p: p.number in numbers)
        if existing:
            raise UserError(_('The house %s has these apartments already: %s.')
                            % (house.full_address, ', '.join(existing.mapped('number'))))
        self.env['neopro.premise']._create_range(house, numbers)
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'neopro.house',
            'res_id': house.id,
            'view_mode': 'form',
        }

    def _get_street(self):
        """The chosen street, or the new one created in the city (refused if it exists)."""
        if self.street_id:
            return self.street_id
        name = (self.street_name or '').strip()
        if not name:
            raise UserError(_('Choose a street or type the name of a new one.'))
        Street = self.env['neopro.street']
        if Street.search([('city_id', '=', self.city_id.id), ('name', '=ilike', name)]):
            raise UserError(_('The street "%s" exists already in %s: choose it in the list.')
                            % (name, self.city_id.name))
        return Street.create({'city_id': self.city_id.id, 'name': name})

    def _get_apartment_numbers(self):
        """Apartment numbers of the range, as text ([] when no range is given)."""
        low, high = self.apartment_from, self.apartment_to
        if not low and not high:
            return []
        if low < 1 or high < low:
            raise UserError(_('Apartments: the range %s–%s is not valid (from 1, "to" not below "from").')
                            % (low, high))
        if high - low >= 2000:
            raise UserError(_('Apartments: at most 2000 apartments at a time.'))
        return [str(n) for n in range(low, high + 1)]
