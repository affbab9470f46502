"""The personal account (ЛС) as the one key of the ledger (RULES §13), and the RULES §11 names kept on top of it."""
import psycopg2

from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import BillingCase


class TestAccount(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestAccount, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('A-100')
        cls.contract = cls._create_contract('A-900')
        cls.point = cls._create_point(cls.contract, cls.cold, volume=10.0)

    def test_each_holder_is_one_account(self):
        account = self.sub.account_id
        self.assertEqual((account.account_number, account.holder_type, account.branch_id),
                         ('A-100', 'subscriber', self.branch1))
        self.assertEqual(account.holder_name, 'Абонент A-100')
        self.assertEqual(account._get_holder(), self.sub)
        contract = self.contract.account_id
        self.assertEqual((contract.account_number, contract.holder_type), ('A-900', 'contract'))
        self.assertEqual(contract.holder_name, 'Test Water Users LLP № C-A-900')
        self.assertEqual(contract.payer_name, 'Test Water Users LLP')
        self.assertTrue(contract.holder_active)
        self.contract.state = 'terminated'
        self.assertFalse(contract.holder_active)

    def test_account_number_unique_across_residents_and_contracts(self):
        with mute_logger('odoo.sql_db'), self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self._create_contract('A-100')
        with mute_logger('odoo.sql_db'), self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self.sub.account_number = 'A-900'

    def test_number_and_branch_written_on_the_holder_are_the_accounts(self):
        self.sub.write({'account_number': 'A-101', 'branch_id': self.branch2.id})
        self.assertEqual(self.sub.account_id.account_number, 'A-101')
        self.assertEqual(self.sub.account_id.branch_id, self.branch2)
        self.assertEqual(self.env['neopro.subscriber'].search([('account_number', '=', 'A-101')]), self.sub)

    def test_operation_created_with_the_holder_names_gets_the_account(self):
        payment = self._operation(self.sub, 'payment', 100.0, '2023-03-05')
        self.assertEqual(payment.account_id, self.sub.account_id)
        self.assertEqual((payment.subscriber_id, payment.contract_id), (self.sub, self.env['neopro.contract']))
        charge = self._operation(self.contract, 'charge', 250.0, '2023-03-06')
        self.assertEqual(charge.account_id, self.contract.account_id)
        self.assertEqual((charge.subscriber_id, charge.contract_id), (self.env['neopro.subscriber'], self.contract))
        Operation = self.env['neopro.operation']
        self.assertEqual(Operation.search([('subscriber_id', '=', self.sub.id)]), payment)
        self.assertEqual(Operation.search([('contract_id', 'in', self.contract.ids)]), charge)
        self.assertIn(charge, Operation.search([('contract_id', '!=', False)]))
        self.assertNotIn(payment, Operation.search([('contract_id', '!=', False)]))
        self.assertIn(payment, Operation.search([('contract_id', '=', False)]))
        self.assertEqual((payment.account_number, payment.branch_id), ('A-100', self.branch1))

    def test_six_figures_read_on_holder_and_account(self):
        self._operation(self.sub, 'payment', 100.0, '2023-03-05')
        self.period.action_calculate()
        figures = self._figures(self.sub)
        self.assertEqual(figures, [0.0, 100.0, 700.0, 0.0, 0.0, 600.0])  # 3.5 m³ × 2 residents × 100.00
        self.assertEqual(self._figures(self.sub.account_id), figures)
        balance = self.env['neopro.balance'].search([('subscriber_id', '=', self.sub.id),
                                                     ('period_id', '=', self.period.id)])
        self.assertEqual((balance.account_id, balance.balance_end), (self.sub.account_id, 600.0))
        self.assertEqual(self._figures(self.contract), [0.0, 0.0, 1500.0, 0.0, 0.0, 1500.0])  # 10 m³ × 150.00

    def test_subscriber_list_sorts_by_debt(self):
        other = self._create_billed_subscriber('A-101', residents=5)
        self.period.action_calculate()
        found = self.env['neopro.subscriber'].search([('id', 'in', (self.sub | other).ids)], order='balance_end desc')
        self.assertEqual(found.mapped('account_number'), ['A-101', 'A-100'])

    def test_history_of_an_account_of_another_branch_is_refused(self):
        """The History window reads money by SQL: an operator of branch 1 cannot open it on a branch-2 account."""
        foreign = self._create_billed_subscriber('A-200', branch=self.branch2)
        self._operation(foreign, 'charge', 5000.0, '2023-03-02')
        operator = self._create_user('acc_operator', ['group_operator'], self.branch1)
        History = self.env['neopro.history'].sudo(operator)
        with self.assertRaises(AccessError):
            History.create({'subscriber_id': foreign.id, 'date_from': '2023-01-01', 'date_to': '2023-12-31'})
        with self.assertRaises(AccessError):
            History.create({'account_id': foreign.account_id.id, 'date_from': '2023-01-01',
                            'date_to': '2023-12-31'}).balance_closing
        own = History.create({'subscriber_id': self.sub.id, 'date_from': '2023-01-01', 'date_to': '2023-12-31'})
        self.assertEqual(own.account_id, self.sub.account_id)
        self.assertEqual(own.balance_closing, 0.0)

    def test_closed_account_refuses_manual_payments(self):
        """An archived subscriber or a terminated contract takes no payment, by hand as by file or Kaspi."""
        from odoo.exceptions import UserError
        self.sub.active = False
        self.contract.state = 'terminated'
        for holder in (self.sub, self.contract):
            with self.assertRaisesRegex(UserError, 'is closed'):
                self._operation(holder, 'payment', 100.0, '2023-03-05')
        self._operation(self.sub, 'correction', -10.0, '2023-03-05', name='Write-off on closing')
        self.assertEqual(self.sub.account_id.holder_name, 'Абонент A-100', 'an archived account keeps its holder')
        self.sub.active = True
        self.assertEqual(self._operation(self.sub, 'payment', 100.0, '2023-03-05').amount, 100.0)

    def test_kaspi_pay_url(self):
        """The Kaspi deep link of an account: none until the settings are filled in, then alias, service, ЛС, due."""
        account = self.sub.account_id
        set_param = self.env['ir.config_parameter'].sudo().set_param
        for key in ('alias', 'service_id', 'account_field'):  # the demo utility has its page set
            set_param('neopro_billing.kaspi_pay_' + key, '')
        self.assertFalse(account._get_kaspi_pay_url(1200.5))
        set_param('neopro_billing.kaspi_pay_alias', 'vodokanal-test')
        set_param('neopro_billing.kaspi_pay_service_id', '4521')
        self.assertFalse(account._get_kaspi_pay_url(1200.5), 'the account field is still missing')
        set_param('neopro_billing.kaspi_pay_account_field', '7788')
        self.assertEqual(account._get_kaspi_pay_url(1200.5),
                         'https://kaspi.kz/pay/vodokanal-test?service_id=4521&7788=A-100&amount=1200.50')
        self.assertEqual(account._get_kaspi_pay_url(-5.0),
                         'https://kaspi.kz/pay/vodokanal-test?service_id=4521&7788=A-100')
        self.assertEqual(account._get_kaspi_pay_url(0.005),
                         'https://kaspi.kz/pay/vodokanal-test?service_id=4521&7788=A-100&amount=0.01')
        settings = self.env['res.config.settings'].create({})
        self.assertEqual((settings.neopro_kaspi_pay_alias, settings.neopro_kaspi_pay_service_id,
                          settings.neopro_kaspi_pay_account_field), ('vodokanal-test', '4521', '7788'))
