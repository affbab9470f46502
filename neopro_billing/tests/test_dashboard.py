"""The summary panel (RULES §1): aggregates of the user's branches, in a fixed number of queries."""
from .common import BillingCase


class TestDashboard(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestDashboard, cls).setUpClass()
        cls.subs = [cls._create_billed_subscriber('D-%s' % i) for i in range(3)]  # cold by norm: 700.00 each
        cls._create_meter('D-M1', cls.subs[0], installation_date='2020-01-01', verification_date='2018-01-01')
        cls._create_meter('D-M2', cls.subs[1], installation_date='2023-01-01', verification_interval=600)
        cls.far = cls._create_billed_subscriber('D-FAR', branch=cls.branch2, house=cls.house2)
        cls.period.action_calculate()
        cls._operation(cls.subs[1], 'payment', 700.0, '2023-03-10')
        cls._operation(cls.subs[2], 'payment', 1000.0, '2023-03-10')
        cls.operator = cls.env['res.users'].create({
            'name': 'Dashboard operator', 'login': 'test_dashboard_operator',
            'groups_id': [(6, 0, [cls.env.ref('neopro_billing.group_operator').id])],
            'neopro_branch_ids': [(6, 0, [cls.branch1.id])],
        })

    def test_summary_of_the_users_branches(self):
        summary = self.env['neopro.dashboard'].sudo(self.operator).get_summary()
        # Subscriber 0 uses the norm since its meter is overdue: 700.00 charged on each of the three.
        self.assertEqual({key: summary[key] for key in ('subscribers', 'meters', 'overdue_verifications',
                                                        'period', 'charged', 'paid', 'debt')},
                         {'subscribers': 3, 'meters': 2, 'overdue_verifications': 1, 'period': '03.2023',
                          'charged': 2100.0, 'paid': 1700.0, 'debt': 700.0})

    def test_queries_do_not_grow_with_accounts(self):
        Dashboard = self.env['neopro.dashboard'].sudo(self.operator)
        Dashboard.get_summary()
        before = self.env.cr.sql_log_count
        Dashboard.get_summary()
        few = self.env.cr.sql_log_count - before
        for i in range(20):
            self._create_billed_subscriber('D-MORE-%s' % i)
        self.period.action_calculate()
        Dashboard.get_summary()
        before = self.env.cr.sql_log_count
        summary = Dashboard.get_summary()
        self.assertEqual(self.env.cr.sql_log_count - before, few)
        self.assertEqual(summary['subscribers'], 23)
        self.assertEqual(summary['charged'], 23 * 700.0)

    def test_inspector_sees_counts_without_money(self):
        inspector = self.env['res.users'].create({
            'name': 'Dashboard inspector', 'login': 'test_dashboard_inspector',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_inspector').id])],
            'neopro_branch_ids': [(6, 0, [self.branch1.id])],
        })
        summary = self.env['neopro.dashboard'].sudo(inspector).get_summary()
        self.assertEqual((summary['subscribers'], summary['charged'], summary['debt']), (3, 0.0, 0.0))
        self.assertIs(summary['money'], False)  # the panel shows no money at all, not 0.00
        self.assertIs(self.env['neopro.dashboard'].get_summary()['money'], True)
