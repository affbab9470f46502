from odoo.exceptions import AccessError, ValidationError

from .common import NeoproCase


class TestSecurity(NeoproCase):
    """Users of each billing group, limited to branches (other branches' data may exist: demo data)."""

    @classmethod
    def setUpClass(cls):
        super(TestSecurity, cls).setUpClass()
        env = cls.env
        cls.sub1 = cls._create_subscriber('T-S-1', 'Первый Филиал', branch=cls.branch1)
        cls.sub2 = cls._create_subscriber('T-S-2', 'Второй Филиал', branch=cls.branch2, house=cls.house2)
        cls.meter1 = cls._create_meter('T-S-M1', cls.sub1)
        cls.meter2 = cls._create_meter('T-S-M2', cls.sub2)
        Reading = env['neopro.meter.reading']
        cls.reading1 = Reading.create({'meter_id': cls.meter1.id, 'date': '2025-09-28', 'value': 10})
        cls.reading2 = Reading.create({'meter_id': cls.meter2.id, 'date': '2025-09-28', 'value': 20})
        cls.sub1.service_ids = cls.cold
        cls.sub2.service_ids = cls.cold
        legal = env['neopro.subscriber.category'].create({'name': 'Test legal', 'code': 'TLE', 'legal_entity': True})
        partner = env['res.partner'].create({'name': 'ООО Тест', 'is_company': True, 'neopro_is_contractor': True})
        cls.contract1 = env['neopro.contract'].create({
            'partner_id': partner.id, 'name': 'T-1', 'account_number': 'T-C-1', 'branch_id': cls.branch1.id,
            'category_id': legal.id, 'metering_point_ids': [(0, 0, {'service_id': cls.cold.id, 'volume': 5})]})
        cls.contract2 = env['neopro.contract'].create({
            'partner_id': partner.id, 'name': 'T-2', 'account_number': 'T-C-2', 'branch_id': cls.branch2.id,
            'category_id': legal.id, 'metering_point_ids': [(0, 0, {'service_id': cls.cold.id, 'volume': 7})]})
        Period = env['neopro.period']
        period = Period._get_open_period() or Period.create({'date_start': '2025-10-01', 'date_end': '2025-10-31'})
        Operation = env['neopro.operation']
        error = env.ref('neopro_billing.correction_type_error').id
        cls.op1 = Operation.create({'operation_type': 'correction', 'amount': 34.0, 'subscriber_id': cls.sub1.id,
                                    'period_id': period.id, 'date': period.date_start, 'correction_type_id': error})
        cls.op2 = Operation.create({'operation_type': 'correction', 'amount': 35.0, 'contract_id': cls.contract2.id,
                                    'period_id': period.id, 'date': period.date_start, 'correction_type_id': error})
        cls.operator1 = cls._create_user('t_operator1', ['group_operator'], cls.branch1)
        cls.operator2 = cls._create_user('t_operator2', ['group_operator'], cls.branch2)
        cls.inspector1 = cls._create_user('t_inspector1', ['group_inspector'], cls.branch1)
        cls.accountant = cls._create_user('t_accountant', ['group_accountant'])
        cls.admin = cls._create_user('t_admin', ['group_administrator'])
        cls.both = cls._create_user('t_operator12', ['group_operator'], cls.branch1 | cls.branch2)

    def _visible(self, user, records):
        """The records of ``records`` that ``user`` finds by searching."""
        return records.sudo(user).search([('id', 'in', records.ids)]).sudo()

    # branch restriction

    def test_operator_sees_only_own_branch_subscribers(self):
        self.assertEqual(self._visible(self.operator1, self.sub1 | self.sub2), self.sub1)
        self.assertEqual(self._visible(self.operator2, self.sub1 | self.sub2), self.sub2)
        everything = self.env['neopro.subscriber'].sudo(self.operator1).search([])
        self.assertEqual(everything.mapped('branch_id'), self.branch1)

    def test_operator_cannot_open_another_branch_subscriber(self):
        with self.assertRaises(AccessError):
            self.sub2.sudo(self.operator1).read(['name'])

    def test_operator_sees_only_own_branch_meters_readings_and_connections(self):
        self.assertEqual(self._visible(self.operator1, self.meter1 | self.meter2), self.meter1)
        self.assertEqual(self._visible(self.operator1, self.reading1 | self.reading2), self.reading1)
        connections = self.sub1.connection_ids | self.sub2.connection_ids
        self.assertEqual(self._visible(self.operator1, connections), self.sub1.connection_ids)

    def test_operator_sees_only_own_branch_contracts_and_points(self):
        self.assertEqual(self._visible(self.operator1, self.contract1 | self.contract2), self.contract1)
        points = self.contract1.metering_point_ids | self.contract2.metering_point_ids
        self.assertEqual(self._visible(self.operator1, points), self.contract1.metering_point_ids)

    def test_operator_sees_only_own_branch_operations(self):
        self.assertEqual(self._visible(self.operator1, self.op1 | self.op2), self.op1)
        self.assertEqual(self._visible(self.operator2, self.op1 | self.op2), self.op2)

    def test_operator_of_two_branches_sees_both(self):
        self.assertEqual(self._visible(self.both, self.sub1 | self.sub2), self.sub1 | self.sub2)

    def test_changing_the_branches_of_a_user_applies_at_once(self):
        self.assertEqual(self._visible(self.operator1, self.sub1 | self.sub2), self.sub1)
        self.operator1.neopro_branch_ids = self.branch2
        self.assertEqual(self._visible(self.operator1, self.sub1 | self.sub2), self.sub2)

    def test_operator_works_in_own_branch(self):
        Sub = self.env['neopro.subscriber'].sudo(self.operator1)
        sub = Sub.create({'account_number': 'T-S-3', 'name': 'Новый Абонент', 'branch_id': self.branch1.id,
                          'category_id': self.category.id, 'house_id': self.house.id})
        sub.residents = 3
        self.meter1.sudo(self.operator1).current_value = 15
        self.assertEqual(sub.sudo().residents, 3)

    def test_operator_cannot_write_another_branch(self):
        with self.assertRaises(AccessError):
            self.sub2.sudo(self.operator1).write({'residents': 5})

    def test_operator_cannot_create_in_another_branch(self):
        with self.assertRaises(AccessError):
            self.env['neopro.subscriber'].sudo(self.operator1).create({
                'account_number': 'T-S-4', 'name': 'Чужой Абонент', 'branch_id': self.branch2.id,
                'category_id': self.category.id})

    def test_operator_cannot_enter_readings_of_another_branch(self):
        # refused by the record rule, or earlier by the reading check that cannot read the meter
        with self.assertRaises((AccessError, ValidationError)), self.env.cr.savepoint():
            self.env['neopro.meter.reading'].sudo(self.operator1).create({
                'meter_id': self.meter2.id, 'date': '2025-10-28', 'value': 25})
        self.meter2.invalidate_cache()
        self.assertEqual(self.meter2.reading_ids, self.reading2)

    def test_operator_cannot_delete_subscribers_or_change_tariffs(self):
        with self.assertRaises(AccessError):
            self.sub1.sudo(self.operator1).unlink()
        with self.assertRaises(AccessError):
            self.env['neopro.tariff'].sudo(self.operator1).create({
                'service_id': self.cold.id, 'category_id': self.category.id, 'date_from': '2025-01-01',
                'price': 150})

    # inspector

    def test_inspector_reads_own_branch_only(self):
        self.assertEqual(self._visible(self.inspector1, self.sub1 | self.sub2), self.sub1)
        self.assertEqual(self._visible(self.inspector1, self.meter1 | self.meter2), self.meter1)

    def test_inspector_cannot_create_subscribers(self):
        with self.assertRaises(AccessError):
            self.env['neopro.subscriber'].sudo(self.inspector1).create({
                'account_number': 'T-S-5', 'name': 'Инспекторов Абонент', 'branch_id': self.branch1.id,
                'category_id': self.category.id})

    def test_inspector_cannot_read_operations(self):
        with self.assertRaises(AccessError):
            self.env['neopro.operation'].sudo(self.inspector1).search([])

    def test_inspector_enters_readings_and_verifies_meters(self):
        # dated in the open period: users date readings and verifications inside the billing history (issue 11)
        day = self.env['neopro.period']._get_open_period().date_start
        reading = self.env['neopro.meter.reading'].sudo(self.inspector1).create({
            'meter_id': self.meter1.id, 'date': day, 'value': 12, 'source': 'inspector'})
        self.assertEqual(reading.sudo().value, 12)
        wizard = self.env['neopro.meter.verify'].sudo(self.inspector1).with_context(
            default_meter_id=self.meter1.id).create({'verification_date': day, 'seal_number': 'S-1'})
        wizard.action_save()
        self.assertEqual(self.meter1.seal_number, 'S-1')

    # accountant and administrator

    def test_accountant_sees_all_branches_read_only(self):
        self.assertEqual(self._visible(self.accountant, self.sub1 | self.sub2), self.sub1 | self.sub2)
        self.assertEqual(self._visible(self.accountant, self.op1 | self.op2), self.op1 | self.op2)
        self.assertEqual(self._visible(self.accountant, self.contract1 | self.contract2),
                         self.contract1 | self.contract2)
        with self.assertRaises(AccessError):
            self.sub1.sudo(self.accountant).write({'residents': 5})

    def test_administrator_sees_and_edits_all(self):
        self.assertEqual(self._visible(self.admin, self.sub1 | self.sub2), self.sub1 | self.sub2)
        self.assertEqual(self._visible(self.admin, self.reading1 | self.reading2), self.reading1 | self.reading2)
        self.sub2.sudo(self.admin).write({'residents': 5})
        self.env['neopro.tariff'].sudo(self.admin).create({
            'service_id': self.cold.id, 'category_id': self.category.id, 'date_from': '2025-01-01', 'price': 150})

    def test_administrator_implies_every_role(self):
        for role in ('group_inspector', 'group_operator', 'group_accountant'):
            self.assertTrue(self.admin.has_group('neopro_billing.%s' % role), role)
        self.assertTrue(self.operator1.has_group('neopro_billing.group_inspector'))
        self.assertFalse(self.operator1.has_group('neopro_billing.group_accountant'))

    # every model is covered

    def _billing_models(self):
        return [model for name, model in sorted(self.env.items())
                if name.startswith('neopro.') and not model._abstract and not model._transient]

    def test_every_billing_model_has_access_rows(self):
        Access = self.env['ir.model.access']
        missing = [m._name for m in self._billing_models()
                   if not Access.search_count([('model_id.model', '=', m._name)])]
        self.assertFalse(missing, 'models without access rows')

    def test_every_model_with_branch_data_has_branch_rules(self):
        """Reference data (branch, inspector, house: neopro.reference.mixin) is shared by all branches; report
        parameters (wizards, administrators' schedules) name a branch to filter on, they hold no branch data."""
        Rule = self.env['ir.rule']
        reference = type(self.env['neopro.reference.mixin'])
        inspector = self.env.ref('neopro_billing.group_inspector')
        accountant = self.env.ref('neopro_billing.group_accountant')
        missing = []
        for model in self._billing_models():
            if 'branch_id' not in model._fields or isinstance(model, reference) or \
                    isinstance(model, type(self.env['neopro.report.params'])):
                continue
            rules = Rule.search([('model_id.model', '=', model._name)])
            restricted = rules.filtered(lambda r: inspector in r.groups and 'neopro_branch_ids' in r.domain_force)
            unrestricted = rules.filtered(lambda r: accountant in r.groups and r.domain_force == "[(1, '=', 1)]")
            if not (restricted and unrestricted):
                missing.append(model._name)
        self.assertFalse(missing, 'models with branch data but no branch rules')
