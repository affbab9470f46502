"""Scheduled reports: the cron generates the due ones into report files; "Open" downloads a file (manual §4.8)."""
import base64
import io
from urllib.parse import unquote

import openpyxl
import xlsxwriter

import odoo
from odoo.exceptions import ValidationError
from odoo.tests.common import HttpCase
from odoo.tools import mute_logger

from .common_report import ReportCase


class TestReportSchedule(ReportCase):

    @classmethod
    def setUpClass(cls):
        super(TestReportSchedule, cls).setUpClass()
        cls.operator = cls._create_user('schedule_operator', ['group_operator'], cls.branch2)
        cls.accountant = cls._create_user('schedule_accountant', ['group_accountant'])
        cls.env.user.tz = 'UTC'

    def schedule(self, **vals):
        vals.setdefault('name', 'Morning turnover')
        vals.setdefault('report', 'turnover')
        vals.setdefault('branch_id', self.branch1.id)
        vals.setdefault('nextcall', '2023-02-15 06:00:00')
        return self.env['neopro.report.schedule'].create(vals)

    def test_cron_generates_due_report(self):
        schedule = self.schedule(shared_user_ids=[(6, 0, self.accountant.ids)])
        self.env['neopro.report.schedule']._run_due()
        report_file = schedule.file_ids
        self.assertEqual(len(report_file), 1)
        self.assertEqual((report_file.report, report_file.user_id, report_file.shared_user_ids),
                         ('turnover', self.env.user, self.accountant))
        self.assertEqual(report_file.name, 'Turnover statement, period 02.2023')
        self.assertEqual(report_file.parameters, 'Period: 02.2023\nTurnover: By account\nBranch: Test branch 1')
        self.assertTrue(report_file.filename.startswith('Turnover statement ') and
                        report_file.filename.endswith('.xlsx'))
        self.assertEqual(schedule.last_run[:10], odoo.fields.Date.today())
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report_file.data))).active
        totals = [row for row in sheet.iter_rows(min_row=5, values_only=True)][-1]
        self.assertEqual(totals[0], 'Total')
        self.assertEqual(totals[9], 5791.13)  # the closing balances of branch 1 in February

    def test_next_run_after_the_run(self):
        schedule = self.schedule(nextcall='2023-02-15 06:00:00', interval_number=1, interval_type='days')
        self.env['neopro.report.schedule']._run_due()
        self.assertGreater(schedule.nextcall, odoo.fields.Datetime.now())
        self.assertEqual(schedule.nextcall[11:], '06:00:00')

    def test_not_due_yet(self):
        schedule = self.schedule(nextcall='2999-01-01 06:00:00')
        self.env['neopro.report.schedule']._run_due()
        self.assertFalse(schedule.file_ids)

    def test_failing_schedule_does_not_stop_others(self):
        """The operator of branch 2 cannot report on branch 1: logged on the schedule, the next one runs."""
        bad = self.schedule(name='Branch 1 as the branch 2 operator', user_id=self.operator.id)
        good = self.schedule(name='Branch 2 as the branch 2 operator', user_id=self.operator.id,
                             branch_id=self.branch2.id)
        with mute_logger('odoo.addons.neopro_billing.models.neopro_report_schedule'):
            self.env['neopro.report.schedule']._run_due()
        self.assertFalse(bad.file_ids)
        self.assertIn('Test branch 1', bad.last_error)
        self.assertGreater(bad.nextcall, odoo.fields.Datetime.now())
        self.assertEqual(len(good.file_ids), 1)
        self.assertFalse(good.last_error)
        self.assertEqual(good.file_ids.user_id, self.operator)

    def test_run_as_user_needs_the_report(self):
        inspector = self._create_user('schedule_inspector', ['group_inspector'], self.branch1)
        with self.assertRaises(ValidationError):
            self.schedule(report='debtors', user_id=inspector.id)

    def test_run_now(self):
        schedule = self.schedule(report='payments', nextcall='2999-01-01 06:00:00')
        action = schedule.action_run_now()
        report_file = self.env['neopro.report.file'].browse(action['res_id'])
        self.assertEqual(report_file.schedule_id, schedule)
        self.assertIn('Dates: 01.02.2023 – 28.02.2023', report_file.parameters)
        self.assertEqual(schedule.nextcall, '2999-01-01 06:00:00')

    def test_first_run_in_user_time_zone(self):
        self.env.user.tz = 'Asia/Tokyo'  # UTC+9, no daylight saving
        schedule = self.schedule(nextcall=False, hour=6, minute=30)
        self.assertEqual(schedule._get_first_call('2023-02-15 20:00:00'), '2023-02-15 21:30:00')
        self.assertEqual(schedule._get_first_call('2023-02-15 22:00:00'), '2023-02-16 21:30:00')
        self.assertTrue(schedule.nextcall.endswith('21:30:00'))

    def test_monthly(self):
        schedule = self.schedule(nextcall='2023-01-31 06:00:00', interval_type='months')
        self.assertEqual(schedule._get_following_call('2023-02-01 00:00:00'), '2023-02-28 06:00:00')

    def test_run_report_now_from_wizard(self):
        wizard = self.env['neopro.report.wizard'].create({'report': 'consumption', 'period_id': self.february.id})
        action = wizard.action_generate()
        report_file = self.env['neopro.report.file'].browse(action['res_id'])
        self.assertEqual((report_file.report, report_file.schedule_id.id), ('consumption', False))
        self.assertTrue(report_file.data)

    def test_files_of_others_are_hidden(self):
        """A user sees the files he generated or that are shared with him; administrators see all."""
        mine = self.schedule(user_id=self.operator.id, branch_id=self.branch2.id)
        shared = self.schedule(shared_user_ids=[(6, 0, self.operator.ids)])
        private = self.schedule(name='Private')
        self.env['neopro.report.schedule']._run_due()
        visible = self.env['neopro.report.file'].sudo(self.operator).search([])
        self.assertEqual(visible.mapped('schedule_id'), mine | shared)
        self.assertIn(private, self.env['neopro.report.file'].search([]).mapped('schedule_id'))

    def test_open_action(self):
        report_file = self.schedule().action_run_now()['res_id']
        action = self.env['neopro.report.file'].browse(report_file).action_open()
        self.assertEqual(action['type'], 'ir.actions.act_url')
        self.assertIn('/web/content?model=neopro.report.file&id=%s&field=data' % report_file, action['url'])
        self.assertIn('download=true', action['url'])

    def test_cron_exists(self):
        cron = self.env.ref('neopro_billing.neopro_report_schedule_cron')
        self.assertEqual((cron.model_id.model, cron.code.strip(), cron.active),
                         ('neopro.report.schedule', 'model._run_due()', True))


class TestReportDownload(HttpCase):
    """Downloads through the web client's routes: "Open" of a report file, and a report printed from its wizard."""
    post_install = True
    at_install = False

    def test_open_downloads_the_file(self):
        # Created in the cursor the test HTTP server uses (the registry is in test mode now).
        env = odoo.api.Environment(self.registry.cursor(), odoo.SUPERUSER_ID, {})
        stream = io.BytesIO()
        workbook = xlsxwriter.Workbook(stream)
        workbook.add_worksheet().write_number(0, 0, 450.19)
        workbook.close()
        report_file = env['neopro.report.file'].create({
            'name': 'Debtors, period 02.2023', 'report': 'debtors', 'filename': 'Debtors.xlsx',
            'data': base64.b64encode(stream.getvalue())})
        url = report_file.action_open()['url']
        # Release the test cursor (its data kept) so that the HTTP server can use it.
        env.cr.commit()
        env.cr.close()
        self.authenticate('admin', 'admin')
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, stream.getvalue())
        self.assertIn('attachment', response.headers.get('Content-Disposition', ''))
        self.assertIn('Debtors.xlsx', response.headers.get('Content-Disposition', ''))
        self.assertEqual(openpyxl.load_workbook(io.BytesIO(response.content)).active['A1'].value, 450.19)

    def test_report_from_wizard(self):
        env = odoo.api.Environment(self.registry.cursor(), odoo.SUPERUSER_ID, {})
        wizard = env['neopro.report.wizard'].create({'report': 'meter_verification', 'date': '2024-05-15'})
        action = wizard.action_download()
        url = '/report/xlsx/%s/%s' % (action['report_name'], wizard.id)
        env.cr.commit()
        env.cr.close()
        self.authenticate('admin', 'admin')
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("filename*=UTF-8''Meters: verification due or overdue, on 15.05.2024.xlsx",
                      unquote(response.headers.get('Content-Disposition', '')))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet['A4'].value, 'Branch')
