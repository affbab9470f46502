"""What the server refuses whatever the client sends (issue 11): period states and dates, amounts that are no
amounts, dates outside the billing history, system fields typed by users.

The repo-level tests/test_hostile.py sends the same over XML-RPC as the demo users; these check the models.
"""
from odoo.exceptions import UserError

from .common import BillingCase

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
