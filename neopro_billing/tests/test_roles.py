"""What each billing role may do with money and periods, logged in as that role (issue 6)."""
from odoo.exceptions import AccessError

from .common import BillingCase


class TestRoles(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestRoles, cls).setUpClass()
        cls.own = cls._create_billed_subscriber('ROLE-1')
        cls.other = cls._create_billed_subscriber('ROLE-2', branch=cls.branch2, house=cls.house2)
        cls.inspector = cls._create_user('role_inspector', ['group_inspector'], cls.branch1)
        cls.operator = cls._create_user('role_operator', ['group_operator'], cls.branch1)
        cls.accountant = cls._create_user('role_accountant', ['group_accountant'])
        cls.admin_user = cls._create_user('role_admin', ['group_administrator'])
        cls.error = cls.env.ref('neopro_billing.correction_type_error')

    def _correction(self, user, sub, amount=10.0):
        return self.env['neopro.operation'].sudo(user).create({
            'operation_type': 'correction', 'subscriber_id': sub.id, 'amount': amount, 'date': '2023-03-05',
            'correction_type_id': self.error.id, 'name': 'Role check'})

    def test_operator_books_payments_and_corrections_in_own_branch_only(self):
        self._correction(self.operator, self.own)
        self.env['neopro.operation'].sudo(self.operator).create({
            'operation_type': 'payment', 'subscriber_id': self.own.id, 'amount': 100.0, 'date': '2023-03-05',
            'payment_source_id': self.env.ref('neopro_billing.payment_source_cash').id})
        self.assertEqual((self.own.amount_correction, self.own.amount_paid), (10.0, 100.0))
        with self.assertRaises(AccessError):
            self._correction(self.operator, self.other)

    def test_inspector_has_no_money(self):
        with self.assertRaises(AccessError):
            self._correction(self.inspector, self.own)
        with self.assertRaises(AccessError):
            self.env['neopro.balance'].sudo(self.inspector).search([])

    def test_operator_neither_calculates_nor_closes_periods(self):
        period = self.period.sudo(self.operator)
        with self.assertRaises(AccessError):
            period.action_calculate()
        self.assertFalse(self.env['neopro.operation'].search([('subscriber_id', '=', self.own.id),
                                                              ('is_auto', '=', True)]))
        with self.assertRaises(AccessError):
            period.action_close()
        with self.assertRaises(AccessError):
            self.env['neopro.period'].sudo(self.operator).create({'date_start': '2030-01-01',
                                                                 'date_end': '2030-01-31'})

    def test_accountant_calculates_and_closes_any_branch(self):
        self.period.sudo(self.accountant).action_calculate()
        self.assertTrue(self.other.amount_charged)
        self._correction(self.accountant, self.other, amount=-5.0)
        self.period.sudo(self.accountant).action_close()
        self.assertEqual(self.period.state, 'closed')

    def test_accountant_changes_no_reference_data_nor_accounts(self):
        with self.assertRaises(AccessError):
            self.env['neopro.tariff'].sudo(self.accountant).search([], limit=1).write({'price': 1.0})
        with self.assertRaises(AccessError):
            self.other.sudo(self.accountant).write({'residents': 9})

    def test_administrator_changes_reference_data(self):
        tariff = self.env['neopro.tariff'].sudo(self.admin_user).search([('service_id', '=', self.cold.id)], limit=1)
        tariff.write({'price': tariff.price + 1})
        self.env['neopro.branch'].sudo(self.admin_user).create({'name': 'New branch', 'code': 'NB9'})
