import logging

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

_logger = logging.getLogger(__name__)

# Fields of neopro.report.params copied into the report wizard when a schedule runs.
_PARAM_FIELDS = ('report', 'grouping', 'branch_id', 'service_id', 'bank_id', 'min_debt', 'debt_months', 'days_ahead',
                 'debt_format_id')


class NeoproReportSchedule(models.Model):
    """A report generated at a set time for the open period, kept in the report files (manual §4.8)."""
    _name = 'neopro.report.schedule'
    _inherit = 'neopro.report.params'
    _description = 'Scheduled report'
    _order = 'nextcall, id'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    hour = fields.Integer(default=6, required=True, help='Time of the run in the time zone of the "Run as" user '
                                                         '(UTC when the user has none).')
    minute = fields.Integer(default=0, required=True)
    interval_number = fields.Integer(string='Every', default=1, required=True)
    interval_type = fields.Selection([('days', 'Days'), ('weeks', 'Weeks'), ('months', 'Months')],
                                     string='Interval unit', default='days', required=True)
    nextcall = fields.Datetime(string='Next run', copy=False, help='Empty: computed from the time of the run.')
    user_id = fields.Many2one('res.users', string='Run as', required=True, ondelete='restrict',
                              default=lambda self: self.env.user,
                              help='The report is generated with this user\'s rights: it shows the branches the '
                                   'user may see.')
    shared_user_ids = fields.Many2many('res.users', 'neopro_report_schedule_res_users_rel', 'schedule_id', 'user_id',
                                       string='Shared with', help='Users who see the generated files besides the '
                                                                  '"Run as" user and the administrators.')
    last_run = fields.Datetime(string='Last run', readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    file_ids = fields.One2many('neopro.report.file', 'schedule_id', string='Files')
    file_count = fields.Integer(compute='_compute_file_count', string='Files')

    _sql_constraints = [
        ('hour_range', 'CHECK(hour >= 0 AND hour <= 23)', 'The hour of a scheduled report is 0 to 23.'),
        ('minute_range', 'CHECK(minute >= 0 AND minute <= 59)', 'The minute of a scheduled report is 0 to 59.'),
        ('interval_positive', 'CHECK(interval_number > 0)', 'A scheduled report runs every 1 or more days, weeks '
                                                            'or months.'),
    ]

    @api.multi
    def _compute_file_count(self):
        data = self.env['neopro.report.file'].read_group([('schedule_id', 'in', self.ids)], ['schedule_id'],
                                                         ['schedule_id'])
        counts = {row['schedule_id'][0]: row['schedule_id_count'] for row in data}
        for schedule in self:
            schedule.file_count = counts.get(schedule.id, 0)

    @api.constrains('report', 'user_id')
    def _check_user_report(self):
        for schedule in self:
            try:
                schedule._check_report_access(schedule.user_id)
            except AccessError:
                raise ValidationError(_('Scheduled report %s: the user %s may not run the report "%s".')
                                      % (schedule.name, schedule.user_id.name, schedule._get_report_label()))

    @api.model
    def create(self, vals):
        schedule = super(NeoproReportSchedule, self).create(vals)
        if not schedule.nextcall:
            schedule.nextcall = schedule._get_first_call()
        return schedule

    @api.multi
    def write(self, vals):
        res = super(NeoproReportSchedule, self).write(vals)
        if 'nextcall' not in vals and {'hour', 'minute', 'user_id', 'active'} & set(vals):
            for schedule in self:
                schedule.nextcall = schedule._get_first_call()
        return res

    @api.multi
    def action_run_now(self):
        """Generate the report now (Administration) and show the file."""
        self.ensure_one()
        report_file = self._generate()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Report file'),
            'res_model': 'neopro.report.file',
            'res_id': report_file.id,
            'view_mode': 'form',
            'target': 'current',
        }

    @api.multi
    def action_files(self):
        """The files this schedule generated."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Files of %s') % self.name,
            'res_model': 'neopro.report.file',
            'view_mode': 'tree,form',
            'domain': [('schedule_id', '=', self.id)],
        }

    # Scheduling ----------------------------------------------------------------------------------------------------

    @api.multi
    def _get_tz(self):
        self.ensure_one()
        return pytz.timezone(self.user_id.tz or 'UTC')

    @api.multi
    def _get_first_call(self, now=None):
        """The next time (UTC, naive) at the schedule's hour and minute, local to the user, after ``now``."""
        self.ensure_one()
        tz = self._get_tz()
        now = pytz.utc.localize(fields.Datetime.from_string(now or fields.Datetime.now())).astimezone(tz)
        call = tz.localize(now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0, tzinfo=None))
        if call <= now:
            call = tz.localize(call.replace(tzinfo=None) + relativedelta(days=1))
        return fields.Datetime.to_string(call.astimezone(pytz.utc).replace(tzinfo=None))

    @api.multi
    def _get_following_call(self, now=None):
        """The run after the current one: the interval added (in local time) until it is after ``now``."""
        self.ensure_one()
        tz = self._get_tz()
        now = fields.Datetime.from_string(now or fields.Datetime.now())
        call = pytz.utc.localize(fields.Datetime.from_string(self.nextcall)).astimezone(tz).replace(tzinfo=None)
        step = relativedelta(**{self.interval_type: self.interval_number})
        while True:
            call += step
            utc = tz.localize(call).astimezone(pytz.utc).replace(tzinfo=None)
            if utc > now:
                return fields.Datetime.to_string(utc)

    @api.model
    def _run_due(self):
        """Cron: generate the reports whose time has come; a failing one is logged and the others still run."""
        for schedule in self.search([('nextcall', '<=', fields.Datetime.now())]):
            try:
                with self.env.cr.savepoint():
                    schedule._generate()
                schedule.last_error = False
            except Exception as error:  # one bad schedule must not stop the others
                _logger.exception('Scheduled report %s (id %s) failed', schedule.name, schedule.id)
                schedule.last_error = str(error)
            schedule.nextcall = schedule._get_following_call()
        return True

    @api.multi
    def _generate(self):
        """Generate the report for the open period with the rights of the "Run as" user; returns the file."""
        self.ensure_one()
        wizard = self.env['neopro.report.wizard'].sudo(self.user_id).create(self._prepare_wizard_values())
        report_file = wizard._generate_file(schedule=self)
        self.last_run = fields.Datetime.now()
        return report_file

    @api.multi
    def _prepare_wizard_values(self):
        """Values of the report wizard: the schedule's parameters (period and dates: the wizard's defaults, the
        open period; the verification date: today)."""
        self.ensure_one()
        values = {}
        for name in _PARAM_FIELDS:
            value = self[name]
            values[name] = value.id if isinstance(value, models.BaseModel) else value
        return values
