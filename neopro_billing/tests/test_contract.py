import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import NeoproCase


class TestContract(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestContract, cls).setUpClass()
        cls.legal = cls.env['neopro.subscriber.category'].create({
            'name': 'Test legal entities', 'code': 'TLE', 'legal_entity': True})
        cls.post = cls.env['res.partner'].create({
            'name': 'ООО Пост (test)', 'is_company': True, 'neopro_is_contractor': True,
            'neopro_account_number': '992222', 'neopro_branch_id': cls.branch1.id,
            'neopro_house_id': cls.house.id, 'neopro_premise_id': cls.flat45.id,
            'neopro_legal_address': 'Testgrad, Test street, 2, 45', 'neopro_bin': '123456789013'})
        cls.dostup = cls.env['res.partner'].create({
            'name': 'ООО "Доступ" (test)', 'is_company': True, 'neopro_is_contractor': True,
            'neopro_account_number': '99333', 'neopro_branch_id': cls.branch2.id, 'neopro_house_id': cls.house2.id})
        cls.contract1 = cls._create_contract(cls.post, '1306548-T')
        cls.contract2 = cls._create_contract(cls.post, '2263008-T')
        cls.point_cold = cls.env['neopro.metering.point'].create({
            'contract_id': cls.contract1.id, 'service_id': cls.cold.id, 'house_id': cls.house.id})
        cls.meter = cls._create_meter('T30511', cls.point_cold, installation_date='2023-04-02')
        cls.point_fixed = cls.env['neopro.metering.point'].create({
            'contract_id': cls.contract2.id, 'service_id': cls.cold.id, 'volume': 15.0})

    @classmethod
    def _create_contract(cls, partner, number, branch=None):
        return cls.env['neopro.contract'].create({
            'partner_id': partner.id, 'name': number, 'account_number': number,
            'branch_id': (branch or partner.neopro_branch_id).id, 'category_id': cls.legal.id})

    def _contractor_search(self, text):
        Partner = self.env['res.partner'].with_context(neopro_contractor_search=True)
        return [r[0] for r in Partner.name_search(text, args=[('id', 'in', (self.post | self.dostup).ids)])]

    # contractors

    def test_contractor_address_from_the_registry(self):
        self.assertEqual(self.post.neopro_address, 'Testgrad, Test street, 2, 45')
        self.assertEqual(self.dostup.neopro_address, 'Testgrad, Test street, 6')

    def test_contractor_search_by_account_name_address_and_serial(self):
        self.assertEqual(self._contractor_search('992222'), [self.post.id])
        self.assertEqual(self._contractor_search('доступ'), [self.dostup.id])
        self.assertEqual(self._contractor_search('Test street, 6'), [self.dostup.id])
        self.assertEqual(self._contractor_search('T30511'), [self.post.id])

    def test_contractor_found_by_a_contract_account(self):
        contract = self.contract2
        self.assertTrue(contract.account_number)
        self.assertNotEqual(contract.account_number, self.post.neopro_account_number)
        self.assertEqual(self._contractor_search(contract.account_number), [self.post.id])

    def test_contract_opens_as_a_full_form_with_its_points(self):
        contract = self.contract2
        action = contract.action_open_form()
        self.assertEqual((action['res_model'], action['res_id'], action['view_mode'], action['target']),
                         ('neopro.contract', contract.id, 'form', 'current'))
        points = contract.action_metering_points()
        self.assertEqual(points['domain'], [('contract_id', '=', contract.id)])
        self.assertEqual(points['context'], {'default_contract_id': contract.id})
        self.assertEqual(self.env['neopro.metering.point'].search(points['domain']), contract.metering_point_ids)

    def test_contractor_search_view_box(self):
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval
        arch = etree.fromstring(self.env.ref('neopro_billing.res_partner_view_search_contractor').arch)
        filter_domain = arch.xpath('//field[@name="name"]')[0].get('filter_domain')
        for text, partner in (('99333', self.dostup), ('Пост', self.post), ('Test street, 2', self.post),
                              ('T305', self.post)):
            found = self.env['res.partner'].search(
                safe_eval(filter_domain, {'self': text}) + [('id', 'in', (self.post | self.dostup).ids)])
            self.assertEqual(found, partner, text)

    def test_contractor_account_number_unique(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.dostup.neopro_account_number = '992222'

    def test_contractor_bin_12_digits(self):
        with self.assertRaisesRegex(ValidationError, 'BIN must be 12 digits'):
            self.dostup.neopro_bin = '12345'

    def test_contractor_has_several_contracts(self):
        self.assertEqual(self.post.neopro_contract_ids, self.contract1 | self.contract2)

    def test_meter_counts(self):
        self._create_meter('T30512', self.env['neopro.metering.point'].create({
            'contract_id': self.contract2.id, 'service_id': self.hot.id}), service=self.hot)
        self.assertEqual(self.post.neopro_meter_count, 2)
        self.assertEqual(self.contract1.meter_count, 1)
        self.assertEqual(self.dostup.neopro_meter_count, 0)

    # contracts

    def test_contract_account_number_unique(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._create_contract(self.dostup, '1306548-T')

    def test_contract_name_and_search(self):
        self.assertEqual(self.contract1.display_name, 'ООО Пост (test) № 1306548-T')
        Contract = self.env['neopro.contract']
        scope = [('id', 'in', (self.contract1 | self.contract2).ids)]
        self.assertEqual([r[0] for r in Contract.name_search('2263008', args=scope)], [self.contract2.id])
        self.assertEqual([r[0] for r in Contract.name_search('T30511', args=scope)], [self.contract1.id])
        self.assertEqual(len(Contract.name_search('Пост (test)', args=scope)), 2)

    def test_onchange_partner_sets_branch(self):
        contract = self.env['neopro.contract'].new({'partner_id': self.dostup.id})
        contract._onchange_partner_id()
        self.assertEqual(contract.branch_id, self.branch2)

    # metering points

    def test_point_meter_id_is_the_installed_meter(self):
        self.assertEqual(self.point_cold.meter_id, self.meter)
        newer = self._create_meter('T30513', self.point_cold, installation_date='2025-01-10')
        self.assertEqual(self.point_cold.meter_id, newer)

    def test_point_with_fixed_volume_has_no_meter(self):
        self.assertFalse(self.point_fixed.meter_id)
        self.assertEqual(self.point_fixed.volume, 15.0)

    def test_point_meter_id_inverse_moves_the_meter(self):
        spare = self._create_meter('T40721', self.env['neopro.subscriber'].browse())
        self.point_fixed.meter_id = spare
        self.assertEqual(spare.metering_point_id, self.point_fixed)
        self.assertEqual(self.point_fixed.meter_ids, spare)
        self.assertEqual(spare.contract_id, self.contract2)

    def test_point_meter_id_refuses_a_meter_owned_elsewhere(self):
        """A metering point takes only a free meter: not a subscriber's, a house's or another point's (issue 12)."""
        sub = self._create_subscriber('T-C-1', 'Абонентов Иван')
        meter = self._create_meter('T40722', sub)
        with self.assertRaisesRegex(ValidationError, 'the meter T40722 belongs to Абонентов Иван already'):
            self.point_fixed.meter_id = meter
        self.assertEqual((meter.subscriber_id, meter.metering_point_id), (sub, self.env['neopro.metering.point']))
        with self.assertRaisesRegex(ValidationError, 'the meter %s belongs to' % self.meter.serial_number):
            self.point_fixed.meter_id = self.meter

    def test_point_meter_owner_fields(self):
        self.assertEqual(self.meter.branch_id, self.branch1)
        self.assertEqual(self.meter.owner_name, 'ООО Пост (test)')
        self.assertEqual(self.meter.address, 'Testgrad, Test street, 2')
        self.assertEqual(self.point_cold.address, 'Testgrad, Test street, 2')
        self.assertEqual(self.point_cold.branch_id, self.branch1)

    def test_point_without_address_shows_the_contractor_address(self):
        meter = self._create_meter('T30514', self.point_fixed)
        self.assertEqual(meter.address, 'Testgrad, Test street, 2, 45')

    def test_point_service_mismatch_refused_on_meter_ids(self):
        hot_meter = self._create_meter('T50119', self.env['neopro.subscriber'].browse(), service=self.hot)
        with self.assertRaisesRegex(ValidationError, 'measures'):
            self.point_fixed.write({'meter_ids': [(4, hot_meter.id)]})

    def test_point_service_mismatch_refused_on_meter_id(self):
        hot_meter = self._create_meter('T50120', self.env['neopro.subscriber'].browse(), service=self.hot)
        with self.assertRaisesRegex(ValidationError, 'measures'):
            self.point_fixed.meter_id = hot_meter

    def test_point_service_mismatch_refused_from_the_meter(self):
        with self.assertRaisesRegex(ValidationError, 'measures'):
            self._create_meter('T50121', self.point_fixed, service=self.hot)
        with self.assertRaisesRegex(ValidationError, 'measures'):
            self.meter.service_id = self.hot

    def test_point_service_change_refused_when_meter_differs(self):
        with self.assertRaisesRegex(ValidationError, 'measures'):
            self.point_cold.service_id = self.hot

    def test_point_volume_not_negative(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.point_fixed.volume = -1

    def test_point_branch_follows_the_contract(self):
        self.contract2.branch_id = self.branch2
        self.assertEqual(self.point_fixed.branch_id, self.branch2)
