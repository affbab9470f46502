import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import NeoproCase


class TestTariff(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestTariff, cls).setUpClass()
        cls.other_category = cls.env['neopro.subscriber.category'].create({'name': 'Test private', 'code': 'TSB'})
        cls.tariff = cls._tariff('2025-01-01', '2025-07-14', 162.40)

    @classmethod
    def _tariff(cls, date_from, date_to, price, service=None, category=None):
        return cls.env['neopro.tariff'].create({
            'service_id': (service or cls.cold).id, 'category_id': (category or cls.category).id,
            'date_from': date_from, 'date_to': date_to, 'price': price})

    def test_overlap_refused(self):
        with self.assertRaisesRegex(ValidationError, 'overlaps'):
            self._tariff('2025-07-14', False, 178.64)

    def test_overlap_inside_refused(self):
        with self.assertRaisesRegex(ValidationError, 'overlaps'):
            self._tariff('2025-03-01', '2025-03-31', 170.00)

    def test_overlap_around_refused(self):
        with self.assertRaisesRegex(ValidationError, 'overlaps'):
            self._tariff('2024-12-01', '2025-08-31', 170.00)

    def test_adjacent_allowed(self):
        after = self._tariff('2025-07-15', False, 178.64)
        before = self._tariff('2024-01-01', '2024-12-31', 150.10)
        self.assertEqual(after.price, 178.64)
        self.assertEqual(before.date_to, '2024-12-31')

    def test_open_ended_blocks_every_later_start(self):
        self._tariff('2025-07-15', False, 178.64)
        with self.assertRaisesRegex(ValidationError, 'overlaps'):
            self._tariff('2030-01-01', False, 190.00)

    def test_open_ended_tariff_can_be_closed_then_followed(self):
        open_tariff = self._tariff('2025-07-15', False, 178.64)
        open_tariff.date_to = '2025-12-31'
        follower = self._tariff('2026-01-01', False, 185.00)
        self.assertFalse(follower.date_to)

    def test_extending_into_the_next_tariff_refused(self):
        self._tariff('2025-07-15', False, 178.64)
        with self.assertRaisesRegex(ValidationError, 'overlaps'):
            self.tariff.date_to = '2025-07-20'

    def test_other_service_or_category_does_not_clash(self):
        self._tariff('2025-01-01', False, 512.30, service=self.hot)
        self._tariff('2025-01-01', False, 172.80, category=self.other_category)

    def test_archived_tariff_does_not_clash(self):
        self.tariff.active = False
        replacement = self._tariff('2025-01-01', '2025-07-14', 160.00)
        self.assertTrue(replacement.active)

    def test_end_before_start_refused(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._tariff('2026-02-01', '2026-01-31', 170.00)

    def test_negative_price_refused(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._tariff('2026-01-01', False, -1)

    def test_norm_in_force_on_a_date(self):
        Norm = self.env['neopro.norm']
        Norm.create({'service_id': self.cold.id, 'amenity_level_id': self.amenity.id, 'volume': 4.2,
                     'date_from': '2024-01-01'})
        Norm.create({'service_id': self.cold.id, 'amenity_level_id': self.amenity.id, 'volume': 3.9,
                     'date_from': '2025-07-01'})
        self.assertEqual(Norm._get_volume(self.cold, self.amenity, '2023-12-31'), 0)
        self.assertEqual(Norm._get_volume(self.cold, self.amenity, '2025-06-30'), 4.2)
        self.assertEqual(Norm._get_volume(self.cold, self.amenity, '2025-07-01'), 3.9)
        self.assertEqual(Norm._get_volume(self.hot, self.amenity, '2025-07-01'), 0)
