"""The billing arithmetic of ``neopro_billing/lib`` as plain unit tests: no database, no Odoo.

The modules are pure Python; they are loaded from their files so the add-on's package (which needs Odoo) is not
imported. Hand-worked examples, exact to the tiyn (K = 1.5, due day 25, window 01–31.03.2023).
"""
import importlib.util
import os
from datetime import date
from decimal import Decimal as D

import pytest

LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'neopro_billing', 'lib')


def load(name):
    spec = importlib.util.spec_from_file_location('neopro_lib_' + name, os.path.join(LIB, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


penalty = load('penalty')
ledger = load('ledger')
kz_id = load('kz_id')

RATE = [(date(2015, 1, 1), D('15.25'))]
START, END = date(2023, 3, 1), date(2023, 3, 31)


def settings(rates=None, coefficient='1.5', due_day=25):
    return penalty.PenaltySettings(D(coefficient), due_day, RATE if rates is None else rates)


def test_rate_change_and_payment():
    """February's 10 000.00 is due on 25.03. Days 26–27 on 10 000 at 15.25 %; 4 000.00 paid on the 27th counts
    from the 28th, when the rate becomes 16 %: days 28–31 on 6 000 at 16 %.
    (10 000 × 15.25 × 2 + 6 000 × 16 × 4) × 1.5 / 36 500 = 28.315068… → 28.32"""
    rates = RATE + [(date(2023, 3, 28), D('16.00'))]
    result = penalty.penalty([(date(2023, 2, 1), D('10000.00'))], [(date(2023, 3, 27), D('4000.00'))],
                             settings(rates), START, END)
    assert result == D('28.32')


def test_oldest_debt_paid_first():
    """January 1 000.00 (overdue since 26.02), February 2 000.00 (due 25.03); 1 500.00 paid on 10.03 clears
    January from the 11th: (1 000 × 10 + 1 500 × 6) × 15.25 × 1.5 / 36 500 = 11.907534… → 11.91"""
    result = penalty.penalty([(date(2023, 1, 1), D('1000.00')), (date(2023, 2, 1), D('2000.00'))],
                             [(date(2023, 3, 10), D('1500.00'))], settings(), START, END)
    assert result == D('11.91')


def test_cap_at_principal():
    """100.00 of June 2022 at 100 % accrued 89.589041… before March: March adds 10.41, not 12.74."""
    result = penalty.penalty([(date(2022, 6, 1), D('100.00'))], [], settings([(date(2015, 1, 1), D('100'))]),
                             START, END)
    assert result == D('10.41')


def test_rounded_once_not_daily():
    """333.33 overdue for the 31 days of March at 15.25 %, K 1.5: 333.33 × 15.25 × 1.5 / 36 500 = 0.208902… a day.
    Rounding each day to the tiyn would give 31 × 0.21 = 6.51; accrued unrounded it is 6.475963… → 6.48."""
    debts = [(date(2023, 1, 1), D('333.33'))]
    unrounded = penalty.penalty_unrounded(debts, [], settings(), START, END)
    assert unrounded.quantize(D('0.000001')) == D('6.475963')
    assert penalty.penalty(debts, [], settings(), START, END) == D('6.48')
    daily = D('333.33') * D('15.25') * D('1.5') / D(36500)
    assert (daily.quantize(D('0.01')) * 31) == D('6.51')


def test_paid_before_due_date_and_advance():
    assert penalty.penalty([(date(2023, 2, 1), D('2000.00'))], [(date(2023, 3, 20), D('2000.00'))], settings(),
                           START, END) == D('0.00')
    assert penalty.penalty([(date(2023, 1, 1), D('1000.00'))], [(date(2022, 12, 1), D('1000.00'))], settings(),
                           START, END) == D('0.00')


@pytest.mark.parametrize('month, due_day, expected', [
    (date(2023, 1, 1), 31, date(2023, 2, 28)),
    (date(2023, 2, 1), 25, date(2023, 3, 25)),
    (date(2023, 12, 1), 25, date(2024, 1, 25)),
    (date(2024, 1, 1), 30, date(2024, 2, 29)),
])
def test_due_date(month, due_day, expected):
    assert penalty.due_date(month, due_day) == expected


def test_rate_table():
    table = settings([(date(2023, 3, 28), D('16')), (date(2015, 1, 1), D('15.25'))])
    assert table.rate_on(date(2014, 12, 31)) == D(0)
    assert table.rate_on(date(2023, 3, 27)) == D('15.25')
    assert table.rate_on(date(2023, 3, 28)) == D('16')
    assert table.next_rate_change(date(2023, 3, 1)) == date(2023, 3, 28)
    assert table.next_rate_change(date(2023, 3, 28)) is None


def test_balance_formula_and_signs():
    """The manual's billing line: 111.00, paid 120.00, charged 0.00, correction 34.00, penalty 0.00 → 25.00."""
    assert ledger.balance_end(D('111.00'), D('0.00'), D('34.00'), D('0.00'), D('120.00')) == D('25.00')
    assert ledger.BALANCE_END_SQL.format(start='s', charged='c', correction='k', penalty='p', paid='x') == \
        's + c + k + p - x'
    assert ledger.signed_amount('payment', D('5')) == D('-5')
    assert ledger.signed_amount('correction', D('-3')) == D('-3')
    assert ledger.signed_amount('charge', D('7')) == D('7')


def test_consumption_and_rollover():
    assert ledger.consumption(120, 125.5, 5) == 5.5
    assert ledger.consumption(99980, 15, 5) == 35  # past 99 999
    assert ledger.consumption(500, 3, 5, is_reset=True) == 3
    assert ledger.is_rollover(99980, 15, 5)
    assert not ledger.is_rollover(50000, 15, 5)  # half the range back: a wrong reading, not a rollover
    assert not ledger.is_rollover(10, 20, 5)


def test_iin_bin_check_digit():
    """990140001233: 9·1 + 9·2 + 0·3 + 1·4 + 4·5 + 0·6 + 0·7 + 0·8 + 1·9 + 2·10 + 3·11 = 113, 113 mod 11 = 3.
    880101300123: the first sum is 10 mod 11, so the second weights 3…11, 1, 2 give 3."""
    assert kz_id.check_digit('99014000123') == 3
    assert kz_id.check_digit('88010130012') == 3
    assert kz_id.check_digit('03114000445') is None  # both sums are 10: never issued
    assert kz_id.is_valid('990140001233') and kz_id.is_valid('880101300123')
    for bad in ('990140001234', '880101300120', '031140004450', '99014000123', '9901400012333', '99014000123a',
                '', None):
        assert not kz_id.is_valid(bad), bad


def test_rounded_once_differs_by_one_tiyn():
    """RULES §12: 1 000.00 of January, due 25.02, overdue 26–28.02 (3 days) at 15.25 %, K 1.5:
    1 000 × 15.25 × 1.5 / 36 500 = 0.626712… a day; 3 days unrounded 1.880136… → 1.88, where rounding each day
    would give 3 × 0.63 = 1.89: one tiyn more."""
    debts = [(date(2023, 1, 1), D('1000.00'))]
    result = penalty.penalty(debts, [], settings(), date(2023, 2, 1), date(2023, 2, 28))
    assert result == D('1.88')
    daily = (D('1000.00') * D('15.25') * D('1.5') / D(36500)).quantize(D('0.01'))
    assert daily * 3 == D('1.89')
