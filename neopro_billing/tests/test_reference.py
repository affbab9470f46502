import psycopg2

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import BillingCase, NeoproCase


class TestReference(NeoproCase):
    """Reference lists (RULES §5): records in use are archived, not deleted."""

    @classmethod
    def setUpClass(cls):
        super(TestReference, cls).setUpClass()
        cls.sub = cls._create_subscriber('T-REF-1', 'Справочников Иван', premise=cls.flat45)

    def _assert_in_use(self, record, uses=None):
        """Deleting ``record`` is refused with a message naming what uses it (``uses``: the exact list)."""
        with self.assertRaises(UserError) as caught, mute_logger('odoo.sql_db'):
            record.unlink()
        message = caught.exception.name
        self.assertTrue(message.startswith('"%s" is in use and cannot be deleted: ' % record.display_name), message)
        self.assertTrue(message.endswith('. Archive it instead.'), message)
        if uses is not None:
            self.assertEqual(message, '"%s" is in use and cannot be deleted: %s. Archive it instead.'
                             % (record.display_name, '; '.join(uses)))
        self.assertTrue(record.exists(), 'nothing is deleted')

    def test_category_in_use_cannot_be_deleted(self):
        self._assert_in_use(self.category, ['Subscriber (residential account), field "Type": 1'])

    def test_message_counts_every_use(self):
        """A model used by several kinds of records: each named with its field and count."""
        self._create_subscriber('T-REF-2', 'Справочников Пётр', premise=self.flat45)
        self._assert_in_use(self.flat45, ['Subscriber (residential account), field "Apartment": 2'])
        self._assert_in_use(self.house, ['Premise (apartment), field "House": 1',
                                         'Subscriber (residential account), field "House": 2'])

    def test_bank_is_a_reference_list(self):
        bank = self.env['res.bank'].create({'name': 'Test Bank of branches'})
        self.branch1.bank_id = bank
        self._assert_in_use(bank, ['Branch, field "Bank": 1'])
        bank.toggle_active()
        self.assertFalse(bank.active)
        self.branch1.bank_id = False
        bank.unlink()
        self.assertFalse(bank.exists())

    def test_archived_user_still_blocks_the_delete(self):
        """Archived subscribers still use their category: the count does not skip them."""
        self.sub.active = False
        self._assert_in_use(self.category, ['Subscriber (residential account), field "Type": 1'])

    def test_refused_over_rpc_for_an_administrator(self):
        """The refusal is in the model: an administrator (not the superuser) gets it too."""
        admin = self._create_user('t_ref_admin', ['group_administrator'])
        with self.assertRaises(UserError), mute_logger('odoo.sql_db'):
            self.category.sudo(admin).unlink()
        self.assertTrue(self.category.exists())

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


class TestReferenceUsedByCharges(BillingCase):
    """Tariffs, norms and base rates are used by the charges they priced, without a reference to them."""

    @classmethod
    def setUpClass(cls):
        super(TestReferenceUsedByCharges, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('T-REF-C1')  # cold water by norm (no meter), 2 residents
        cls.period.action_calculate()

    def _refused(self, record):
        with self.assertRaises(UserError) as caught:
            record.unlink()
        self.assertTrue(record.exists())
        return caught.exception.name

    def test_tariff_that_priced_charges_is_kept(self):
        tariff = self.env['neopro.tariff'].search([('service_id', '=', self.cold.id),
                                                   ('category_id', '=', self.category.id)])
        self.assertEqual(self._line(self.sub, self.cold).amount, 700.0)  # 3.5 × 2 × 100.00
        self.assertEqual(self._refused(tariff), '"%s" is in use and cannot be deleted: charges priced by it: 1. '
                                                'Archive it instead.' % tariff.display_name)
        tariff.toggle_active()
        self.assertFalse(tariff.active)
        tariff.toggle_active()
        self.assertTrue(tariff.active)

    def test_tariff_of_another_category_is_deleted(self):
        category = self.env['neopro.subscriber.category'].create({'name': 'Test unbilled', 'code': 'TUB'})
        tariff = self._create_tariff(self.cold, category, 150.0, '2015-01-01')
        tariff.unlink()
        self.assertFalse(tariff.exists())

    def test_norm_that_billed_charges_is_kept(self):
        norm = self.env['neopro.norm'].search([('service_id', '=', self.cold.id),
                                               ('amenity_level_id', '=', self.amenity.id)])
        self.assertEqual(self._refused(norm), '"%s" is in use and cannot be deleted: charges billed by the norm: 1. '
                                              'Archive it instead.' % norm.display_name)
        hot = self.env['neopro.norm'].search([('service_id', '=', self.hot.id),
                                              ('amenity_level_id', '=', self.amenity.id)])
        hot.unlink()  # no hot-water charge uses it
        self.assertFalse(hot.exists())

    def test_base_rate_of_penalties_is_kept(self):
        rate = self.env['neopro.penalty.rate'].search([('date_from', '=', '2015-01-01')])
        self._operation(self.sub, 'penalty', 5.0, '2023-03-20')
        self.assertIn('penalties computed at this rate: 1', self._refused(rate))
        later = self.env['neopro.penalty.rate'].create({'date_from': '2030-01-01', 'rate': 10.0})
        later.unlink()
        self.assertFalse(later.exists())

    def test_archived_rate_is_not_used_by_the_engine(self):
        rate = self.env['neopro.penalty.rate'].search([('date_from', '=', '2015-01-01')])
        self.assertEqual(self.env['neopro.calculation']._get_penalty_settings().rates[-1][0].isoformat(),
                         '2015-01-01')
        rate.active = False
        self.assertFalse([r for r in self.env['neopro.calculation']._get_penalty_settings().rates
                          if r[0].isoformat() == '2015-01-01'])
