import base64

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today


class NeoproReportWizard(models.TransientModel):
    """Reports → one XLSX report: its period or dates and filters; download it or keep it in the report files."""
    _name = 'neopro.report.wizard'
    _inherit = ['neopro.report.params', 'neopro.transient.guard']
    _description = 'Billing report'

    period_id = fields.Many2one('neopro.period', default=lambda self: self._default_period())
    date_from = fields.Date(default=lambda self: self._default_period().date_start or fields.Date.to_string(
        fields.Date.from_string(local_today(self)).replace(day=1)))
    date_to = fields.Date(default=lambda self: self._default_period().date_end or local_today(self))
    date = fields.Date(string='On date', default=local_today,
                       help='Verification state of the meters on this day.')

    @api.model
    def _default_period(self):
        return self.env['neopro.period']._get_open_period() or self.env['neopro.period'].search([], limit=1)

    @api.onchange('period_id')
    def _onchange_period_id(self):
        if self.period_id:
            self.date_from, self.date_to = self.period_id.date_start, self.period_id.date_end

    @api.multi
    def action_download(self):
        """Download the XLSX file now (a debt registry, in its layout's file type, through the report files)."""
        self._check_parameters()
        if self.report == 'debt_registry':
            return self._generate_file().action_open()
        return self._get_report_action().report_action(self, config=False)

    @api.multi
    def action_generate(self):
        """Generate the XLSX file and keep it in the report files; show it."""
        report_file = self._generate_file()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Report file'),
            'res_model': 'neopro.report.file',
            'res_id': report_file.id,
            'view_mode': 'form',
            'target': 'current',
        }

    @api.multi
    def _check_parameters(self):
        """Refuse a report without what it needs (period, date range, date)."""
        self.ensure_one()
        self._check_report_access()
        label = self._get_report_label()
        if self.report in ('turnover', 'charges', 'debtors', 'consumption', 'house_balance') and not self.period_id:
            raise UserError(_('Report "%s": choose the billing period.') % label)
        if self.report == 'payments':
            if not (self.date_from and self.date_to):
                raise UserError(_('Report "%s": choose the first and the last day.') % label)
            if self.date_from > self.date_to:
                raise UserError(_('Report "%s": the first day (%s) is after the last day (%s).')
                                % (label, self.date_from, self.date_to))
        if self.report == 'meter_verification' and not self.date:
            raise UserError(_('Report "%s": choose the date.') % label)
        if self.report == 'debt_registry' and not self.debt_format_id:
            raise UserError(_('Report "%s": choose the registry layout.') % label)
        if self.report == 'debtors' and self.debt_months < 0:
            raise UserError(_('Report "%s": the age of the debt cannot be negative months.') % label)
        self._get_branch_ids()

    @api.multi
    def _render(self):
        """The XLSX file content of the report (bytes)."""
        self._check_parameters()
        if self.report == 'debt_registry':
            return self.debt_format_id._render(self._get_branch_ids())
        content, _ext = self._get_report_action().render_xlsx(self.ids, {})
        return content

    @api.multi
    def _generate_file(self, schedule=None):
        """Render the report into a new report file (of ``schedule`` when given)."""
        self.ensure_one()
        content = self._render()
        now = self.env['neopro.guard']._to_local(fields.Datetime.now())
        # sudo: report files are made only here, from a report the user was allowed to render (no user creates one
        # over RPC with content of his own); the author is the real user
        return self.env['neopro.report.file'].sudo().create({
            'user_id': self.env.uid,
            'name': '%s, %s' % (self._get_report_label(), self._get_scope_text()),
            'report': self.report,
            'parameters': '\n'.join('%s: %s' % line for line in self._get_parameter_lines()),
            'filename': '%s %s.%s' % (self._get_report_label(), now.strftime('%Y-%m-%d %H-%M'),
                                      self.debt_format_id.file_type if self.report == 'debt_registry' else 'xlsx'),
            'data': base64.b64encode(content),
            'schedule_id': schedule.id if schedule else False,
            'shared_user_ids': [(6, 0, schedule.shared_user_ids.ids)] if schedule else [],
        })

    @api.multi
    def _get_scope_text(self):
        """The period, dates or day the report covers, in words."""
        self.ensure_one()
        if self.report == 'payments':
            return _('%s – %s') % (self._format_date(self.date_from), self._format_date(self.date_to))
        if self.report == 'meter_verification':
            return _('on %s') % self._format_date(self.date)
        if self.report == 'debt_registry':
            return _('period %s') % self.env['neopro.period']._get_open_period().name
        return _('period %s') % self.period_id.name

    def _format_date(self, date):
        return fields.Date.from_string(date).strftime('%d.%m.%Y')

    @api.multi
    def _get_parameter_lines(self):
        lines = super(NeoproReportWizard, self)._get_parameter_lines()
        if self.report == 'payments':
            scope = (_('Dates'), self._get_scope_text())
        elif self.report == 'meter_verification':
            scope = (_('On date'), self._format_date(self.date))
        elif self.report == 'debt_registry':
            scope = (_('Period'), self.env['neopro.period']._get_open_period().name)
        else:
            scope = (_('Period'), self.period_id.name)
        return [scope] + lines

    @api.multi
    def _get_previous_period(self, months):
        """The billing period ``months`` months before the chosen one (empty when none)."""
        self.ensure_one()
        start = fields.Date.from_string(self.period_id.date_start) - relativedelta(months=months)
        return self.env['neopro.period'].search([('date_start', '=', fields.Date.to_string(start))], limit=1)
