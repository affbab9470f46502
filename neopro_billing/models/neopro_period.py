from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class NeoproPeriod(models.Model):
    _name = 'neopro.period'
    _inherit = 'mail.thread'
    _description = 'Billing period'
    _order = 'date_start desc'

    name = fields.Char(compute='_compute_name', store=True)
    date_start = fields.Date(required=True, readonly=True, states={'open': [('readonly', False)]})
    date_end = fields.Date(required=True, readonly=True, states={'open': [('readonly', False)]})
    state = fields.Selection([('open', 'Open'), ('closed', 'Closed')], default='open', required=True,
                             readonly=True, track_visibility='onchange')

    _sql_constraints = [
        ('date_start_unique', 'unique(date_start)', 'This month has a billing period already.'),
    ]

    @api.depends('date_start')
    def _compute_name(self):
        for period in self:
            period.name = period.date_start and '%s.%s' % (period.date_start[5:7], period.date_start[:4])

    @api.constrains('date_start', 'date_end')
    def _check_month(self):
        for period in self:
            start = fields.Date.from_string(period.date_start)
            if start.day != 1 or fields.Date.from_string(period.date_end) != start + relativedelta(months=1, days=-1):
                raise ValidationError(_('A billing period is one calendar month: from the 1st to its last day.'))

    @api.constrains('state')
    def _check_one_open(self):
        if self.search_count([('state', '=', 'open')]) > 1:
            raise ValidationError(_('Only one billing period can be open at a time.'))

    @api.onchange('date_start')
    def _onchange_date_start(self):
        if self.date_start:
            start = fields.Date.from_string(self.date_start).replace(day=1)
            self.date_start = fields.Date.to_string(start)
            self.date_end = fields.Date.to_string(start + relativedelta(months=1, days=-1))

    @api.model
    def _get_open_period(self):
        """The open billing period (empty recordset when none exists yet)."""
        return self.search([('state', '=', 'open')], limit=1)

    def _on_close(self):
        """Extension point run after the period is closed (the accounting link posts its entries here)."""
        return True
