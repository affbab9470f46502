"""What the server refuses whatever the client sends (issue 11): period states and dates, amounts that are no
amounts, dates outside the billing history, system fields typed by users.

The repo-level tests/test_hostile.py sends the same over XML-RPC as the demo users; these check the models.
"""
from datetime import date, timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from .common import BillingCase
from .common_payment import NeoproPaymentCase
from .payment_files import generic_csv

FUTURE = '2099-01-15'  # after today, in no period


class GuardCase(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(GuardCase, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('GD-SUB')
        cls.meter = cls._create_meter('GD-METER', cls.sub, installation_date='2020-01-01',
                                      verification_date='2020-01-01')
        cls.operator = cls._create_user('guard_operator', ['group_operator'], branches=cls.branch1)
        cls.accountant = cls._create_user('guard_accountant', ['group_accountant'])
        cls.inspector = cls._create_user('guard_inspector', ['group_inspector'], branches=cls.branch1)
        cls.payment = cls._operation(cls.sub, 'payment', 100.0, '2023-03-10')

    def _as(self, user, record):
        return record.sudo(user).with_context(lang='en_US')

    def assertRefused(self, exception, pattern=None, msg=None):
        """assertRaises(Regex) in a savepoint: what a refused call wrote before raising goes, as over RPC."""
        return _Refused(self, exception, pattern, msg)


class _Refused(object):
    def __init__(self, case, exception, pattern, msg):
        self.case, self.exception, self.pattern, self.msg = case, exception, pattern, msg

    def __enter__(self):
        if self.pattern:
            self.raises = self.case.assertRaisesRegex(self.exception, self.pattern, msg=self.msg)
        else:
            self.raises = self.case.assertRaises(self.exception, msg=self.msg)
        self.raises.__enter__()
        self.savepoint = self.case.env.cr.savepoint()
        self.savepoint.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.savepoint.__exit__(*exc_info)
        self.case.env.clear()
        return self.raises.__exit__(*exc_info)


class TestPeriodGuards(GuardCase):
    """Item 1: state and dates of a period change only through its actions."""

    def test_direct_close_refused(self):
        for user in (self.accountant, self.env.ref('base.user_root')):
            with self.assertRefused(UserError, 'changes only through its actions'):
                self._as(user, self.period).write({'state': 'closed'})
        self.assertEqual(self.period.state, 'open')

    def test_client_context_key_does_not_open_the_door(self):
        """An RPC client can send the context key the actions use, but not the object they put in it."""
        for value in (True, 1, 'neopro_period_action', {'token': 1}):
            with self.assertRefused(UserError):
                self._as(self.accountant, self.period).with_context(neopro_period_action=value).write(
                    {'state': 'closed'})
        self.assertEqual(self.period.state, 'open')

    def test_closed_period_cannot_reopen(self):
        april = self._close(self.period)
        with self.assertRefused(UserError):
            self._as(self.accountant, self.period).write({'state': 'open'})
        self.assertEqual((self.period.state, april.state), ('closed', 'open'))

    def test_create_closed_refused(self):
        with self.assertRefused(UserError, 'created open'):
            self._as(self.accountant, self.env['neopro.period']).create(
                {'date_start': '2021-01-01', 'date_end': '2021-01-31', 'state': 'closed'})
        with self.assertRefused(UserError, 'created open'):
            self.period.copy({'date_start': '2021-02-01', 'date_end': '2021-02-28', 'state': 'closed'})

    def test_dates_of_period_with_operations_refused(self):
        with self.assertRefused(UserError, 'has operations and balances'):
            self._as(self.accountant, self.period).write({'date_start': '2023-04-01', 'date_end': '2023-04-30'})
        self.assertEqual(self.period.date_start, '2023-03-01')

    def test_dates_of_empty_open_period_may_move(self):
        """A period nothing was booked in yet (the first one, created by hand) may still be corrected."""
        self.env.cr.execute("UPDATE neopro_period SET state = 'closed' WHERE id = %s", (self.period.id,))
        self.period.invalidate_cache()
        empty = self.env['neopro.period'].create({'date_start': '2023-05-01', 'date_end': '2023-05-31'})
        self._as(self.accountant, empty).write({'date_start': '2023-06-01', 'date_end': '2023-06-30'})
        self.assertEqual(empty.name, '06.2023')

    def test_close_action_still_closes(self):
        april = self._close(self.period)
        self.assertEqual((self.period.state, april.state, april.date_start), ('closed', 'open', '2023-04-01'))


class TestMoneyGuards(GuardCase):
    """Item 2: every amount is finite, below 10^10 and has at most 2 decimals, on every path."""

    def _create(self, amount, user=None, **vals):
        Operation = self._as(user or self.operator, self.env['neopro.operation'])
        vals = dict({'operation_type': 'payment', 'subscriber_id': self.sub.id, 'date': '2023-03-11',
                     'amount': amount}, **vals)
        return Operation.create(vals)

    def test_bad_amounts_refused_with_account_and_field(self):
        cases = [
            ('nan', 'must be a number'), ('inf', 'must be a number'), ('1e3', 'must be a number'),
            (float('nan'), 'must be a finite amount'), (float('inf'), 'must be a finite amount'),
            (float('-inf'), 'must be a finite amount'), (1e300, 'beyond the limit'), (1e15, 'beyond the limit'),
            (10 ** 10, 'beyond the limit'), (10.005, 'more than 2 decimals'), (0.001, 'more than 2 decimals'),
            (True, 'must be a number'),
        ]
        for amount, message in cases:
            with self.assertRefused(ValidationError, 'Account GD-SUB: Amount .*%s' % message, msg=repr(amount)):
                self._create(amount)
        self.assertEqual(self.sub.amount_paid, 100.0)

    def test_write_refused_not_rounded(self):
        """Odoo rounds a Monetary on write to the currency (10.005 → 10.01): refused instead."""
        for amount in (10.005, float('nan'), '1e3', 1e15):
            with self.assertRefused(ValidationError):
                self._as(self.operator, self.payment).write({'amount': amount})
        self.assertEqual(self.payment.amount, 100.0)

    def test_good_amounts_stored_as_cents(self):
        op = self._create(0.1 + 0.2)  # binary noise of a float of cents is no fraction of a tiyn
        self.env.cr.execute('SELECT amount::text FROM neopro_operation WHERE id = %s', (op.id,))
        self.assertEqual(self.env.cr.fetchone()[0], '0.3')
        op = self._create(9999999999.99, user=self.env.user)
        self.assertEqual(op.amount, 9999999999.99)

    def test_sql_check(self):
        """The paths writing with SQL (bank files, the calculation) meet the same rule in the database."""
        for value in ("'NaN'", "'Infinity'", '1e10', '10.005'):
            with self.assertRefused(psycopg2.IntegrityError, msg=value), mute_logger('odoo.sql_db'):
                self.env.cr.execute('UPDATE neopro_operation SET amount = %s WHERE id = %%s' % value,
                                    (self.payment.id,))

    def test_entry_wizard_refuses_tiyn_fractions(self):
        action = self.sub.sudo(self.operator).with_context(neopro_operation_type='payment').action_operation_entry()
        Entry = self.env['neopro.operation.entry'].sudo(self.operator).with_context(action['context'], lang='en_US')
        with self.assertRefused(ValidationError, 'Account GD-SUB: Amount 0.001 has more than 2 decimals'):
            Entry.create({'amount': 0.001, 'date': '2023-03-12'})
        wizard = Entry.create({'amount': 1.0, 'date': '2023-03-12'})
        with self.assertRefused(ValidationError):
            wizard.write({'amount': float('nan')})

    def test_payment_dates_bounded(self):
        with self.assertRefused(ValidationError, 'is in the future'):
            self._create(10.0, date=FUTURE)
        with self.assertRefused(ValidationError, 'before the first billing period, which starts on 01.03.2023'):
            self._create(10.0, date='2023-02-28')
        with self.assertRefused(ValidationError):
            self._as(self.operator, self.payment).write({'date': '2020-01-01'})
        # other ledger lines are dated by the calculation (the end of the period, maybe ahead of today)
        self._create(10.0, operation_type='charge', date='2023-02-28')

    def test_reading_dates_bounded(self):
        Reading = self._as(self.inspector, self.env['neopro.meter.reading'])
        with self.assertRefused(ValidationError, 'Meter GD-METER, reading: the date .* is in the future'):
            Reading.create({'meter_id': self.meter.id, 'date': FUTURE, 'value': 5})
        with self.assertRefused(ValidationError, 'Meter GD-METER, reading: .* before the first billing period'):
            Reading.create({'meter_id': self.meter.id, 'date': '2023-02-01', 'value': 5})
        reading = Reading.create({'meter_id': self.meter.id, 'date': '2023-03-05', 'value': 5})
        with self.assertRefused(ValidationError):
            reading.write({'date': FUTURE})

    def test_verification_dates_bounded(self):
        Verify = self.env['neopro.meter.verify'].sudo(self.inspector).with_context(
            lang='en_US', default_meter_id=self.meter.id)
        with self.assertRefused(ValidationError, 'Meter GD-METER, verification: .* before the first billing'):
            Verify.create({'verification_date': '2022-12-31'}).action_save()
        with self.assertRefused((UserError, ValidationError)):
            Verify.create({'verification_date': FUTURE}).action_save()
        with self.assertRefused(ValidationError, 'Meter GD-METER.* is in the future'):
            self._as(self.inspector, self.meter).write({'verification_date': FUTURE})
        self.assertEqual(self.meter.verification_date, '2020-01-01')
        Verify.create({'verification_date': '2023-03-20'}).action_save()
        self.assertEqual(self.meter.verification_date, '2023-03-20')


class TestBankFileGuards(NeoproPaymentCase):
    """Item 2 for bank files: lines beyond the bound or dated before the first period go to the protocol."""

    def test_amount_bound_and_dates_in_the_protocol(self):
        bank = self.env['res.bank'].create({'name': 'Guard bank', 'neopro_payment_format_id': self.generic.id})
        first = self.env['neopro.period'].search([], order='date_start', limit=1).date_start
        before = (date(*map(int, first.split('-'))) - timedelta(days=1)).strftime('%d.%m.%Y')
        rows = [
            ['12345', 'Фролов Степан', '100,00', '11.09.2025', 'G-1'],        # good
            ['12345', 'Фролов Степан', '10000000000', '11.09.2025', 'G-2'],   # 10^10: beyond the bound
            ['12345', 'Фролов Степан', '9999999999,99', '11.09.2025', 'G-3'],  # just below it: booked
            ['12345', 'Фролов Степан', '10', before, 'G-4'],                   # before the first period
            ['12345', 'Фролов Степан', '1e3', '11.09.2025', 'G-5'],            # not written as an amount
        ]
        payment_file = self._import(bank, generic_csv(rows), 'guards.csv')
        self.assertEqual([(line, reason) for line, _a, _p, reason in self._protocol(payment_file)],
                         [(3, 'amount'), (5, 'date'), (6, 'amount')])
        self.assertIn('before the first billing period', payment_file.error_ids.filtered(
            lambda e: e.line_number == 5).message)
        self.assertEqual(sorted(payment_file.operation_ids.mapped('amount')), [100.0, 9999999999.99])


class TestProtectedFields(GuardCase):
    """Item 3: system fields are refused, not ignored, when a user sends them."""

    @classmethod
    def setUpClass(cls):
        super(TestProtectedFields, cls).setUpClass()
        cls.period.action_calculate()
        cls.charge = cls.env['neopro.operation'].search([('subscriber_id', '=', cls.sub.id),
                                                         ('operation_type', '=', 'charge')])

    def test_computed_charge_cannot_become_manual(self):
        self.assertTrue(self.charge.is_auto)
        with self.assertRefused(AccessError, 'Account GD-SUB: the field "Computed" is filled by the system'):
            self._as(self.operator, self.charge).write({'is_auto': False})
        with self.assertRefused(AccessError):
            self._as(self.operator, self.charge).write({'basis': 'manual'})
        self.period.action_calculate()
        self.assertEqual(len(self._lines(self.sub)), 1, 'the next calculation replaces its line, once')

    def test_operation_system_fields_refused(self):
        payment = self._as(self.operator, self.payment)
        payment_file = self.env['neopro.payment.file'].create({
            'name': 'forged.csv', 'bank_id': self.env.ref('neopro_billing.bank_kaspi').id})
        for vals in ({'txn_id': 'FORGED-1'}, {'payment_file_id': payment_file.id}, {'is_auto': True},
                     {'basis': 'meter'}):
            with self.assertRefused(AccessError, msg=vals):
                payment.write(vals)
        with self.assertRefused(AccessError):
            self._as(self.accountant, payment_file).write({'operation_ids': [(4, self.payment.id)]})
        Operation = self._as(self.operator, self.env['neopro.operation'])
        base = {'operation_type': 'payment', 'subscriber_id': self.sub.id, 'date': '2023-03-11', 'amount': 5.0}
        for vals in ({'is_auto': True}, {'txn_id': 'FORGED-2'}, {'payment_file_id': payment_file.id},
                     {'basis': 'meter'}):
            with self.assertRefused(AccessError, msg=vals):
                Operation.create(dict(base, **vals))
        self.assertFalse(self.payment.txn_id or self.payment.payment_file_id)

    def test_neutral_values_pass(self):
        """What the screens send (the entry dialog: is_auto False, basis manual) and repeated values pass."""
        Operation = self._as(self.operator, self.env['neopro.operation'])
        charge = Operation.create({'operation_type': 'charge', 'subscriber_id': self.sub.id, 'date': '2023-03-11',
                                   'amount': 5.0, 'is_auto': False, 'basis': 'manual'})
        charge.write({'is_auto': False, 'basis': 'manual', 'amount': 6.0})
        self._as(self.operator, self.charge).write({'is_auto': True, 'name': 'Note'})
        self.assertEqual(charge.amount, 6.0)

    def test_balance_copies_refused(self):
        sub = self._as(self.operator, self.sub)
        for name in ('balance_start', 'amount_charged', 'amount_paid', 'amount_correction', 'amount_penalty',
                     'balance_end'):
            with self.assertRefused(AccessError, 'Account GD-SUB: the field ".*" is filled by the system'):
                sub.write({name: 0.0 if sub[name] else 1.0})
        with self.assertRefused(AccessError):
            self._as(self.operator, self.env['neopro.contract']).create({
                'name': 'C-GD', 'account_number': 'GD-CON', 'partner_id': self.company.id,
                'branch_id': self.branch1.id, 'category_id': self.legal_category.id, 'balance_start': 500.0})
        self.assertEqual(self._figures(self.sub), [0.0, 100.0, self.charge.amount, 0.0, 0.0,
                                                   self.charge.amount - 100.0])
        sub.write({'balance_end': self.sub.balance_end, 'residents': 3})  # the value it has: harmless

    def test_engine_still_writes(self):
        """The engine (SQL) and trusted code (superuser) are not affected."""
        self._operation(self.sub, 'payment', 50.0, '2023-03-12', txn_id='ENGINE-1')
        self.period.action_calculate()
        self.assertEqual(self.sub.amount_paid, 150.0)


class TestUtilityDay(GuardCase):
    """"Today" is the utility's day (Asia/Almaty, UTC+5) for a user without a time zone, the user's own for one
    with a zone: at 20:30 UTC on 2 December it is already 3 December in Kazakhstan. Every default date and date
    check of the add-on takes it from ``local_today`` (Odoo's ``context_today`` would give 2 December)."""

    def _at(self, utc):
        return patch.object(fields.Datetime, 'now', lambda *args: utc)

    def _user(self, tz):
        self.operator.partner_id.tz = tz
        return self.env(user=self.operator.id, context={'lang': 'en_US'})

    def test_user_without_a_zone_lives_the_utility_day(self):
        env = self._user(False)
        with self._at('2026-12-02 20:30:00'):
            self.assertEqual(env['neopro.guard']._today(), '2026-12-03')
            self.assertEqual(env['neopro.meter.reading'].default_get(['date'])['date'], '2026-12-03')
            self.assertEqual(env['neopro.operation'].default_get(['date'])['date'], '2026-12-03')
            self.assertEqual(env['neopro.meter.verify'].default_get(['verification_date', 'reading_date']),
                             {'verification_date': '2026-12-03', 'reading_date': '2026-12-03'})
        with self._at('2026-12-02 18:59:59'):  # 23:59:59 in Almaty: still the 2nd
            self.assertEqual(env['neopro.meter.reading'].default_get(['date'])['date'], '2026-12-02')

    def test_user_zone_and_context_zone_count(self):
        with self._at('2026-12-02 20:30:00'):
            env = self._user('UTC')
            self.assertEqual(env['neopro.meter.reading'].default_get(['date'])['date'], '2026-12-02')
            self.assertEqual(env['neopro.meter.reading'].with_context(tz='Asia/Almaty').default_get(['date']),
                             {'date': '2026-12-03'})

    def test_a_verification_of_the_utility_day_is_not_in_the_future(self):
        """At 20:30 UTC a user without a zone verifies a meter "today", 3 December: saved, not refused as a future
        date, as it was while the check compared it with the UTC day; an hour before Almaty's midnight it is."""
        env = self._user(False)
        self.operator.groups_id |= self.env.ref('neopro_billing.group_inspector')
        Verify = env['neopro.meter.verify']
        with self._at('2026-12-02 18:00:00'):
            wizard = Verify.create({'meter_id': self.meter.id, 'verification_date': '2026-12-03', 'seal_number': 'S1'})
            with self.assertRefused(UserError, 'Meter GD-METER: the verification date cannot be in the future.'):
                wizard.action_save()
        with self._at('2026-12-02 20:30:00'):
            wizard = Verify.create({'meter_id': self.meter.id, 'seal_number': 'S2'})
            self.assertEqual(wizard.verification_date, '2026-12-03')
            wizard.action_save()
        self.assertEqual((self.meter.verification_date, self.meter.seal_number), ('2026-12-03', 'S2'))
