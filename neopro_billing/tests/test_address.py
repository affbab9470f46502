import psycopg2

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import NeoproCase


class TestAddress(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestAddress, cls).setUpClass()
        cls.uralsk = cls.env['neopro.city'].create({'name': 'Уральск (test)'})
        cls.mkr4 = cls.env['neopro.street'].create({'name': '4-й микрорайон', 'city_id': cls.uralsk.id})

    def _wizard(self, **vals):
        vals.setdefault('city_id', self.uralsk.id)
        return self.env['neopro.address.wizard'].create(vals)

    def test_full_address_reads_like_the_manual(self):
        house = self.env['neopro.house'].create({'street_id': self.mkr4.id, 'number': '2'})
        flat = self.env['neopro.premise'].create({'house_id': house.id, 'number': '45'})
        self.assertEqual(house.full_address, 'Уральск (test), 4-й микрорайон, 2')
        self.assertEqual(flat.full_address, 'Уральск (test), 4-й микрорайон, 2, 45')
        self.assertEqual(flat.display_name, flat.full_address)

    def test_renaming_a_street_updates_stored_addresses(self):
        sub = self._create_subscriber('T-ADDR-1', 'Адресов Пётр', premise=self.flat45)
        self.street.name = 'Test avenue'
        self.assertEqual(self.flat45.full_address, 'Testgrad, Test avenue, 2, 45')
        self.assertEqual(sub.address, 'Testgrad, Test avenue, 2, 45')

    def test_wizard_street_house_and_120_apartments_in_one_step(self):
        action = self._wizard(street_name=' Абая ', house_number=' 10 ', branch_id=self.branch2.id,
                              apartment_from=1, apartment_to=120).action_create()
        house = self.env['neopro.house'].browse(action['res_id'])
        self.assertEqual(action['res_model'], 'neopro.house')
        self.assertEqual(house.full_address, 'Уральск (test), Абая, 10')
        self.assertEqual(house.street_id.city_id, self.uralsk)
        self.assertEqual(house.branch_id, self.branch2)
        self.assertEqual(house.premise_count, 120)
        # apartments in numeric order, not text order (1, 2, ... 10, not 1, 10, 100)
        self.assertEqual(house.premise_ids.mapped('number')[:11], [str(n) for n in range(1, 12)])
        self.assertEqual(house.premise_ids[-1].full_address, 'Уральск (test), Абая, 10, 120')

    def test_wizard_house_without_apartments(self):
        action = self._wizard(street_id=self.mkr4.id, house_number='7').action_create()
        house = self.env['neopro.house'].browse(action['res_id'])
        self.assertEqual(house.full_address, 'Уральск (test), 4-й микрорайон, 7')
        self.assertFalse(house.premise_ids)

    def test_wizard_adds_apartments_to_an_existing_house(self):
        self._wizard(city_id=self.city.id, street_id=self.street.id, house_number='2',
                     apartment_from=46, apartment_to=50).action_create()
        self.assertEqual(sorted(self.house.premise_ids.mapped('number')), ['45', '46', '47', '48', '49', '50'])

    def test_wizard_refuses_an_existing_street(self):
        with self.assertRaisesRegex(UserError, 'exists already'):
            self._wizard(street_name='4-Й МИКРОРАЙОН', house_number='1').action_create()

    def test_wizard_refuses_an_existing_house_without_new_apartments(self):
        with self.assertRaisesRegex(UserError, 'Testgrad, Test street, 2 exists already'):
            self._wizard(city_id=self.city.id, street_id=self.street.id, house_number='2').action_create()

    def test_wizard_refuses_existing_apartments_and_creates_none(self):
        with self.assertRaisesRegex(UserError, 'apartments already: 45'):
            self._wizard(city_id=self.city.id, street_id=self.street.id, house_number='2',
                         apartment_from=40, apartment_to=50).action_create()
        self.assertEqual(self.house.premise_ids, self.flat45)

    def test_wizard_refuses_a_reversed_range(self):
        with self.assertRaisesRegex(UserError, 'not valid'):
            self._wizard(street_id=self.mkr4.id, house_number='3', apartment_from=10,
                         apartment_to=5).action_create()

    def test_wizard_needs_a_street(self):
        with self.assertRaisesRegex(UserError, 'Choose a street'):
            self._wizard(house_number='3').action_create()

    def test_duplicate_apartment_refused_by_the_database(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.env['neopro.premise'].create({'house_id': self.house.id, 'number': '45'})

    def test_duplicate_house_refused_by_the_database(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.env['neopro.house'].create({'street_id': self.street.id, 'number': '2'})

    def test_same_street_name_in_another_city_allowed(self):
        street = self.env['neopro.street'].create({'name': '4-й микрорайон', 'city_id': self.city.id})
        self.assertEqual(street.display_name, 'Testgrad, 4-й микрорайон')
