from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today


class NeoproPeriodCalculate(models.TransientModel):
    """Administration → Calculate period: intermediate figures of the open period up to a chosen date."""
    _name = 'neopro.period.calculate'
    _inherit = ['neopro.currency.mixin', 'neopro.transient.guard']
    _description = 'Period calculation'

    period_id = fields.Many2one('neopro.period', readonly=True,
                                default=lambda self: self.env['neopro.period']._get_open_period())
    date = fields.Date(string='Calculate up to', required=True, default=lambda self: self._default_date())
    state = fields.Selection([('draft', 'To calculate'), ('queued', 'Running in the background'),
                              ('done', 'Calculated')], default='draft', readonly=True)
    calculation_progress = fields.Float(related='period_id.calculation_progress', readonly=True)
    calculation_state = fields.Selection(related='period_id.calculation_state', readonly=True)
    line_ids = fields.One2many('neopro.period.calculate.line', 'wizard_id', string='Totals', readonly=True)
    amount_charged = fields.Monetary(compute='_compute_totals', string='Charged')
    amount_penalty = fields.Monetary(compute='_compute_totals', string='Penalties')
    intermediate_note = fields.Char(compute='_compute_intermediate_note', string='Intermediate calculation')

    @api.model
    def _default_date(self):
        period = self.env['neopro.period']._get_open_period()
        today = local_today(self)
        if not period:
            return today
        return min(max(today, period.date_start), period.date_end)

    @api.depends('date', 'period_id')
    def _compute_intermediate_note(self):
        for wizard in self:
            period = wizard.period_id
            if period and wizard.date and wizard.date < period.date_end:
                days = (fields.Date.from_string(wizard.date) - fields.Date.from_string(period.date_start)).days + 1
                total = (fields.Date.from_string(period.date_end) - fields.Date.from_string(period.date_start)).days + 1
                wizard.intermediate_note = _(
                    'Prorated to %s: norms, averages and fixed volumes for %s of %s days, meters by the readings '
                    'up to that day; each line keeps the basis the full month would have with these readings.') \
                    % (fields.Date.from_string(wizard.date).strftime('%d.%m.%Y'), days, total)
            else:
                wizard.intermediate_note = False

    @api.depends('line_ids.amount', 'line_ids.operation_type')
    def _compute_totals(self):
        for wizard in self:
            wizard.amount_charged = round(sum(wizard.line_ids.filtered(
                lambda line: line.operation_type == 'charge').mapped('amount')), 2)
            wizard.amount_penalty = round(sum(wizard.line_ids.filtered(
                lambda line: line.operation_type == 'penalty').mapped('amount')), 2)

    @api.multi
    def action_calculate(self):
        """Calculate now, or in background jobs when there are many accounts; then show the totals."""
        self.ensure_one()
        if not self.period_id or self.period_id.state != 'open':
            raise UserError(_('There is no open billing period to calculate. Create the first period '
                              '(Administration → Periods).'))
        get = self.env['ir.config_parameter'].sudo().get_param  # sudo: system parameters are admin-only
        threshold = int(get('neopro_billing.calculation_job_threshold', '20000'))
        size = int(get('neopro_billing.calculation_job_size', '25000'))
        accounts = self.env['neopro.subscriber'].search_count([]) + self.env['neopro.contract'].search_count([])
        if accounts > threshold:
            self.period_id._enqueue_calculation(self.date, size)
            self.state = 'queued'
        else:
            self.period_id.action_calculate(self.date)
            self.state = 'done'
        self._fill_totals()
        return self._reopen()

    @api.multi
    def action_refresh(self):
        """Show the totals again (after background jobs ran)."""
        self.ensure_one()
        if self.state == 'queued' and self.calculation_state == 'done':
            self.state = 'done'
        self._fill_totals()
        return self._reopen()

    @api.multi
    def _fill_totals(self):
        """Totals of the period's charges and penalties by branch and service, from one grouped query."""
        self.ensure_one()
        groups = self.env['neopro.operation'].read_group(
            [('period_id', '=', self.period_id.id), ('operation_type', 'in', ('charge', 'penalty'))],
            ['branch_id', 'service_id', 'operation_type', 'volume', 'amount'],
            ['branch_id', 'service_id', 'operation_type'], lazy=False, orderby='branch_id, service_id')
        self.line_ids = [(5, 0, 0)] + [(0, 0, {
            'branch_id': g['branch_id'] and g['branch_id'][0],
            'service_id': g['service_id'] and g['service_id'][0],
            'operation_type': g['operation_type'],
            'count': g['__count'],
            'volume': g['volume'] or 0.0,
            'amount': g['amount'] or 0.0,
        }) for g in groups]

    @api.multi
    def _reopen(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Calculate period'),
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'new',
        }


class NeoproPeriodCalculateLine(models.TransientModel):
    _name = 'neopro.period.calculate.line'
    _inherit = 'neopro.currency.mixin'
    _description = 'Period calculation total'
    _order = 'branch_id, operation_type, service_id'

    wizard_id = fields.Many2one('neopro.period.calculate', required=True, ondelete='cascade')
    branch_id = fields.Many2one('neopro.branch', readonly=True)
    service_id = fields.Many2one('neopro.service', readonly=True)
    operation_type = fields.Selection([('charge', 'Charge'), ('penalty', 'Penalty')], readonly=True)
    count = fields.Integer(string='Lines', readonly=True)
    volume = fields.Float(digits=(16, 3), readonly=True)
    amount = fields.Monetary(readonly=True)
