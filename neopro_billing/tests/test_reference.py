import psycopg2

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import NeoproCase


class TestReference(NeoproCase):
    """Reference lists (RULES §5): records in use are archived, not deleted."""

    @classmethod
    def setUpClass(cls):
        super(TestReference, cls).setUpClass()
        cls.sub = cls._create_subscriber('T-REF-1', 'Справочников Иван', premise=cls.flat45)

    def _assert_in_use(self, record):
        with self.assertRaises(UserError) as caught, mute_logger('odoo.sql_db'):
            record.unlink()
        self.assertIn('"%s" is in use and cannot be deleted. Archive it instead.' % record.display_name,
                      caught.exception.name)
        self.assertTrue(record.exists(), 'nothing is deleted')

    def test_category_in_use_cannot_be_deleted(self):
        self._assert_in_use(self.category)

    def test_amenity_level_and_branch_in_use_cannot_be_deleted(self):
        self._assert_in_use(self.amenity)
        self._assert_in_use(self.branch1)

    def test_address_in_use_cannot_be_deleted(self):
        self._assert_in_use(self.flat45)
        self._assert_in_use(self.street)
        self._assert_in_use(self.city)

    def test_service_in_use_cannot_be_deleted(self):
        self._create_meter('T-REF-M', self.sub)
        self._assert_in_use(self.cold)

    def test_several_records_named_in_the_message(self):
        unused = self.env['neopro.amenity.level'].create({'name': 'Test unused'})
        with self.assertRaisesRegex(UserError, 'Test full amenities, Test unused'), mute_logger('odoo.sql_db'):
            (self.amenity | unused).unlink()
        self.assertTrue(unused.exists(), 'all or nothing')

    def test_unused_record_is_deleted(self):
        level = self.env['neopro.amenity.level'].create({'name': 'Test unused'})
        level.unlink()
        self.assertFalse(level.exists())
        house = self.env['neopro.house'].create({'street_id': self.street.id, 'number': '99'})
        house.unlink()
        self.assertFalse(house.exists())

    def test_archived_record_leaves_lists_but_stays_on_accounts(self):
        self.category.active = False
        Category = self.env['neopro.subscriber.category']
        self.assertNotIn(self.category, Category.search([]))
        self.assertIn(self.category, Category.with_context(active_test=False).search([]))
        self.assertEqual(self.sub.category_id, self.category)

    def test_work_goes_on_after_a_refused_delete(self):
        """The failed DELETE is rolled back to a savepoint: the transaction stays usable."""
        self._assert_in_use(self.category)
        self.sub.residents = 4
        self.assertEqual(self.sub.residents, 4)

    def test_unique_codes(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.env['neopro.branch'].create({'name': 'Duplicate', 'code': 'T1'})
