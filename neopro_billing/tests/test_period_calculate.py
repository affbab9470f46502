"""Administration → Calculate period: totals by branch and service, in the foreground or as queue jobs."""
from odoo.addons.queue_job.job import Job

from .common import BillingCase


class TestPeriodCalculateWizard(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestPeriodCalculateWizard, cls).setUpClass()
        # Branch 1: three subscribers by norm (2 residents: cold 7 m³ = 700.00, hot 5 m³ = 1 500.00);
        # branch 2: one, cold only; one contract in branch 1 with a fixed 40 m³ of cold (6 000.00).
        cls.subs = [cls._create_billed_subscriber('W-%s' % i, services=[cls.cold, cls.hot]) for i in range(3)]
        cls.far = cls._create_billed_subscriber('W-FAR', branch=cls.branch2, house=cls.house2)
        cls.contract = cls._create_contract('W-CON')
        cls._create_point(cls.contract, cls.cold, volume=40.0)

    def totals(self, wizard):
        return {(line.branch_id.code, line.service_id.code or False, line.operation_type):
                (line.count, line.volume, line.amount)
                for line in wizard.line_ids if line.branch_id in (self.branch1, self.branch2)}

    def expected(self):
        return {
            ('T1', 'cold_water', 'charge'): (4, 61.0, 8100.0),
            ('T1', 'hot_water', 'charge'): (3, 15.0, 4500.0),
            ('T2', 'cold_water', 'charge'): (1, 7.0, 700.0),
        }

    def test_calculate_in_foreground(self):
        wizard = self.env['neopro.period.calculate'].create({'date': '2023-03-31'})
        self.assertEqual(wizard.period_id, self.period)
        wizard.action_calculate()
        self.assertEqual(wizard.state, 'done')
        self.assertEqual(self.totals(wizard), self.expected())
        self.assertEqual(self.period.date_calculated, '2023-03-31')

    def test_default_date_within_period(self):
        wizard = self.env['neopro.period.calculate'].create({})
        self.assertTrue(self.period.date_start <= wizard.date <= self.period.date_end)

    def test_calculate_as_jobs(self):
        """Above the threshold the accounts are split into jobs; running them gives the same figures."""
        self.env['ir.config_parameter'].set_param('neopro_billing.calculation_job_threshold', '0')
        self.env['ir.config_parameter'].set_param('neopro_billing.calculation_job_size', '2')
        wizard = self.env['neopro.period.calculate'].create({'date': '2023-03-31'})
        wizard.action_calculate()
        self.assertEqual(wizard.state, 'queued')
        uuids = self.period.calculation_job_uuids.split()
        self.assertGreater(len(uuids), 2)
        self.assertEqual((self.period.calculation_state, self.period.calculation_progress), ('running', 0.0))
        self.assertFalse(self._lines(self.far))
        for index, uuid in enumerate(uuids):
            job = Job.load(self.env, uuid)
            job.set_started()
            job.perform()
            job.set_done()
            job.store()
            self.period.invalidate_cache()
            self.assertAlmostEqual(self.period.calculation_progress, 100.0 * (index + 1) / len(uuids))
        self.assertEqual(self.period.calculation_state, 'done')
        wizard.action_refresh()
        self.assertEqual(wizard.state, 'done')
        self.assertEqual(self.totals(wizard), self.expected())
        self.assertEqual(self.far.amount_charged, 700.0)
        self.assertEqual(self.contract.amount_charged, 6000.0)

    def test_jobs_run_synchronously_in_tests(self):
        self.env['ir.config_parameter'].set_param('neopro_billing.calculation_job_threshold', '0')
        self.env['ir.config_parameter'].set_param('neopro_billing.calculation_job_size', '2')
        wizard = self.env['neopro.period.calculate'].with_context(test_queue_job_no_delay=True).create(
            {'date': '2023-03-31'})
        wizard.action_calculate()
        self.assertEqual(self.totals(wizard), self.expected())

    def test_chunks_cover_every_id(self):
        ranges = self.period._get_calculation_chunks(2)
        self.assertEqual(ranges[0][0], 0)
        self.assertEqual(ranges[-1][1], 2 ** 31 - 1)
        for (_first, last), (following, _end) in zip(ranges, ranges[1:]):
            self.assertEqual(following, last + 1)
