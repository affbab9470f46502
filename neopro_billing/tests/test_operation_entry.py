"""Manual operations from the subscriber and contract forms (Charges / Payments / Correction buttons)."""
from odoo.exceptions import UserError, ValidationError

from .common import BillingCase


class TestOperationEntry(BillingCase):
    period_start = '2023-02-01'

    @classmethod
    def setUpClass(cls):
        super(TestOperationEntry, cls).setUpClass()
        cls.frolov = cls._create_billed_subscriber('12345', services=[])
        cls.contract = cls._create_contract('E-CON')
        cls.operator = cls.env['res.users'].create({
            'name': 'Test operator', 'login': 'test_operator_entry',
            'groups_id': [(6, 0, [cls.env.ref('neopro_billing.group_operator').id])],
            'neopro_branch_ids': [(6, 0, [cls.branch1.id])],
        })

    def enter(self, account, button, **vals):
        """Press the button on the account's form, fill the dialog and save it."""
        action = account.with_context(neopro_operation_type=button).action_operation_entry()
        self.assertEqual(action['res_model'], 'neopro.operation.entry')
        wizard = account.env['neopro.operation.entry'].with_context(**action['context']).create(vals)
        wizard.action_confirm()
        return wizard

    def test_manual_billing_line(self):
        """The manual's example (Рис. 9): 111.00 | 120.00 | 0.00 | 34.00 | 0.00 → 25.00."""
        self.enter(self.frolov, 'charge', amount=111.0, date='2023-02-27', name='Debt of February')
        march = self._close(self.period)
        self.enter(self.frolov, 'payment', amount=120.0, date='2023-03-03')
        self.enter(self.frolov, 'correction', amount=34.0, date='2023-03-04',
                   correction_type_id=self.env.ref('neopro_billing.correction_type_error').id,
                   name='Meter misread in February')
        self.assertEqual(self._figures(self.frolov), [111.0, 120.0, 0.0, 34.0, 0.0, 25.0])
        payment = self._lines(self.frolov, 'payment', period=march)
        self.assertEqual(payment.payment_source_id, self.env.ref('neopro_billing.payment_source_cash'))
        self.assertEqual(payment.payer_name, self.frolov.name)
        self.assertFalse(payment.is_auto)

    def test_manual_charge_survives_calculation(self):
        self.enter(self.frolov, 'charge', amount=111.0, date='2023-02-27', service_id=self.cold.id, volume=1.11)
        self.period.action_calculate()
        charge = self._lines(self.frolov)
        self.assertEqual((charge.amount, charge.basis, charge.volume, charge.is_auto), (111.0, 'manual', 1.11, False))

    def test_contract_entry(self):
        self.enter(self.contract, 'charge', amount=1000.0, date='2023-02-10')
        self.enter(self.contract, 'payment', amount=400.0, date='2023-02-11')
        self.assertEqual(self._figures(self.contract), [0.0, 400.0, 1000.0, 0.0, 0.0, 600.0])
        self.assertEqual(self._lines(self.contract, 'payment').payer_name, self.company.name)

    def test_correction_needs_type_and_reason(self):
        with self.assertRaises(UserError):
            self.enter(self.frolov, 'correction', amount=-10.0, date='2023-02-10')
        with self.assertRaises(ValidationError):
            self._operation(self.frolov, 'correction', -10.0, '2023-02-10', correction_type_id=False)

    def test_negative_correction_lowers_debt(self):
        self.enter(self.frolov, 'correction', amount=-15.5, date='2023-02-10',
                   correction_type_id=self.env.ref('neopro_billing.correction_type_absence').id, name='Away')
        self.assertEqual(self._figures(self.frolov), [0.0, 0.0, 0.0, -15.5, 0.0, -15.5])

    def test_payment_must_be_positive(self):
        with self.assertRaises(UserError):
            self.enter(self.frolov, 'payment', amount=-5.0, date='2023-02-10')

    def test_only_in_open_period(self):
        march = self._close(self.period)
        with self.assertRaises(UserError):  # a correction dated in the closed February
            self.enter(self.frolov, 'correction', amount=5.0, date='2023-02-10', name='Late',
                       correction_type_id=self.env.ref('neopro_billing.correction_type_absence').id)
        self.enter(self.frolov, 'payment', amount=5.0, date='2023-03-10')
        self.assertEqual(self._lines(self.frolov, 'payment', period=march).amount, 5.0)
        # a payment paid in the closed February is booked on the first day of March, keeping its day (RULES §7)
        self.enter(self.frolov, 'payment', amount=6.0, date='2023-02-10')
        late = self._lines(self.frolov, 'payment', period=march).filtered(lambda o: o.amount == 6.0)
        self.assertEqual((late.date, late.payment_date), ('2023-03-01', '2023-02-10'))

    def test_operator_enters_payment(self):
        sub = self.frolov.sudo(self.operator)
        self.enter(sub, 'payment', amount=42.0, date='2023-02-10')
        self.assertEqual(self.frolov.amount_paid, 42.0)
        self.assertEqual(self.frolov.balance_end, -42.0)

    def test_edit_and_delete_refresh_balance(self):
        self.enter(self.frolov, 'payment', amount=42.0, date='2023-02-10')
        payment = self._lines(self.frolov, 'payment')
        payment.amount = 50.0
        self.assertEqual(self.frolov.amount_paid, 50.0)
        payment.unlink()
        self.assertEqual(self._figures(self.frolov), [0.0] * 6)
