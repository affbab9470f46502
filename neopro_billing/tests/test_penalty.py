"""Penalties (RULES §6): P = debt × R/100 × K × days / 365 from the day after the due date, cap at the principal,
payments to the oldest debt first. Hand-worked examples, exact to the tiyn."""
from datetime import date
from decimal import Decimal

from .common import BillingCase

D = Decimal


class TestPenaltyFormula(BillingCase):
    """The pure computation, on hand-worked cases (K = 1.5, due day 25, window 01–31.03.2023)."""

    def penalty(self, debts, credits, rates=((date(2015, 1, 1), D('15.25')),)):
        return self.env['neopro.calculation']._get_penalty(
            [(month, D(amount)) for month, amount in debts], [(day, D(amount)) for day, amount in credits],
            list(rates), D('1.5'), 25, date(2023, 3, 1), date(2023, 3, 31))

    def test_hand_worked_rate_change_and_payment(self):
        """February's 10 000.00 is due on 25.03. Days 26–27: 10 000 × 15.25 %; a payment of 4 000.00 on 27.03
        counts from the 28th, when the rate becomes 16 %: days 28–31 on 6 000 × 16 %.
        (10 000 × 15.25 × 2 + 6 000 × 16 × 4) × 1.5 / 36 500 = 689 000 × 1.5 / 36 500 = 28.315068… → 28.32"""
        result = self.penalty([(date(2023, 2, 1), '10000.00')], [(date(2023, 3, 27), '4000.00')],
                              rates=[(date(2015, 1, 1), D('15.25')), (date(2023, 3, 28), D('16.00'))])
        self.assertEqual(result, D('28.32'))

    def test_oldest_debt_paid_first(self):
        """January 1 000.00 (overdue since 26.02) and February 2 000.00 (due 25.03); 1 500.00 paid on 10.03 clears
        January from the 11th and leaves 1 500.00 of February: (1 000 × 10 + 1 500 × 6) × 15.25 × 1.5 / 36 500
        = 11.907534… → 11.91"""
        result = self.penalty([(date(2023, 1, 1), '1000.00'), (date(2023, 2, 1), '2000.00')],
                              [(date(2023, 3, 10), '1500.00')])
        self.assertEqual(result, D('11.91'))

    def test_cap_at_principal(self):
        """100.00 of June 2022 overdue since 26.07.2022 at 100 %: 0.410958…/day; 218 days before March accrued
        89.589041…, so March adds only 100 − 89.589041 = 10.41 (not 31 days' 12.74)."""
        result = self.penalty([(date(2022, 6, 1), '100.00')], [], rates=[(date(2015, 1, 1), D('100'))])
        self.assertEqual(result, D('10.41'))

    def test_nothing_once_capped(self):
        result = self.penalty([(date(2021, 6, 1), '100.00')], [], rates=[(date(2015, 1, 1), D('100'))])
        self.assertEqual(result, D('0.00'))

    def test_paid_before_due_date(self):
        self.assertEqual(self.penalty([(date(2023, 2, 1), '2000.00')], [(date(2023, 3, 20), '2000.00')]), D('0.00'))

    def test_advance_payment_covers_later_debt(self):
        self.assertEqual(self.penalty([(date(2023, 1, 1), '1000.00')], [(date(2022, 12, 1), '1000.00')]), D('0.00'))

    def test_due_day_is_clipped_to_month_end(self):
        calculation = self.env['neopro.calculation']
        self.assertEqual(calculation._get_due_date(date(2023, 1, 1), 31), date(2023, 2, 28))
        self.assertEqual(calculation._get_due_date(date(2023, 2, 1), 25), date(2023, 3, 25))


class TestPenaltyCalculation(BillingCase):
    """The same FIFO case through the ledger: periods 01 and 02.2023 closed with charges, a payment in March."""
    period_start = '2023-01-01'

    @classmethod
    def setUpClass(cls):
        super(TestPenaltyCalculation, cls).setUpClass()
        cls.debtor = cls._create_billed_subscriber('P-1', services=[])
        cls.payer = cls._create_billed_subscriber('P-2', services=[])
        cls.contract = cls._create_contract('PC-1')
        cls.late = cls._create_billed_subscriber('P-3', services=[])
        cls._operation(cls.debtor, 'charge', 1000.0, '2023-01-31')
        cls._operation(cls.payer, 'charge', 1000.0, '2023-01-31')
        cls._operation(cls.contract, 'charge', 1000.0, '2023-01-31')
        cls.period = cls._close(cls.period)
        cls._operation(cls.debtor, 'charge', 2000.0, '2023-02-28')
        cls._operation(cls.payer, 'payment', 1000.0, '2023-02-20')
        cls._operation(cls.late, 'charge', 2000.0, '2023-02-28')
        cls.period = cls._close(cls.period)
        cls._operation(cls.debtor, 'payment', 1500.0, '2023-03-10')
        cls._operation(cls.late, 'payment', 2000.0, '2023-03-26')

    def test_penalty_line(self):
        self.period.action_calculate()
        penalty = self._lines(self.debtor, 'penalty')
        self.assertEqual(len(penalty), 1)
        self.assertEqual(penalty.amount, 11.91)
        self.assertEqual(penalty.date, '2023-03-31')
        self.assertTrue(penalty.is_auto)
        self.assertEqual(self._figures(self.debtor), [3000.0, 1500.0, 0.0, 0.0, 11.91, 1511.91])

    def test_no_penalty_without_overdue_debt(self):
        self.period.action_calculate()
        self.assertFalse(self._lines(self.payer, 'penalty'))

    def test_paid_a_day_late(self):
        """February's 2 000.00 due on 25.03, paid on the 26th: one day, 2 000 × 15.25 × 1.5 / 36 500 = 1.25"""
        self.period.action_calculate()
        self.assertEqual(self._lines(self.late, 'penalty').amount, 1.25)

    def test_contract_penalty(self):
        """1 000.00 of January, unpaid, all of March: 1 000 × 15.25 × 1.5 × 31 / 36 500 = 19.428082… → 19.43"""
        self.period.action_calculate()
        self.assertEqual(self._lines(self.contract, 'penalty').amount, 19.43)
        self.assertEqual(self.contract.amount_penalty, 19.43)

    def test_penalty_up_to_calculation_date(self):
        """Up to 27.03: January 10 days × 1 000, February 2 days × 1 500 → 13 000 × 15.25 × 1.5 / 36 500 = 8.15"""
        self.period.action_calculate('2023-03-27')
        self.assertEqual(self._lines(self.debtor, 'penalty').amount, 8.15)

    def test_recalculation_replaces_penalty(self):
        self.period.action_calculate()
        first = self._lines(self.debtor, 'penalty')
        self._operation(self.debtor, 'payment', 1500.0, '2023-03-20')
        self.period.action_calculate()
        # January cleared from the 11th, February fully paid from the 21st: only January's 10 days remain.
        # 1 000 × 10 × 15.25 × 1.5 / 36 500 = 6.267123… → 6.27
        self.assertEqual(self._lines(self.debtor, 'penalty'), first)
        self.assertEqual(first.amount, 6.27)
        self.assertEqual(self.debtor.amount_penalty, 6.27)

    def test_negative_correction_is_a_credit(self):
        self._operation(self.debtor, 'correction', -1500.0, '2023-03-10', name='Recalculation of February')
        self.period.action_calculate()
        # The same as a second payment on 10.03: January cleared from the 11th, February fully paid from the 11th.
        # 1 000 × 10 × 15.25 × 1.5 / 36 500 = 6.27
        self.assertEqual(self._lines(self.debtor, 'penalty').amount, 6.27)

    def test_coefficient_is_a_parameter(self):
        self.env['ir.config_parameter'].set_param('neopro_billing.penalty_coefficient', '1')
        self.period.action_calculate()
        # 19 000 × 15.25 × 1 / 36 500 = 7.938356… → 7.94
        self.assertEqual(self._lines(self.debtor, 'penalty').amount, 7.94)
