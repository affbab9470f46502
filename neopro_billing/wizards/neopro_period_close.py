from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

from ..models.neopro_guard_mixin import local_today
from ..models.neopro_period import format_date


class NeoproPeriodClose(models.TransientModel):
    """Close a period before its month has ended: what it means, spelled out, and an administrator's confirmation."""
    _name = 'neopro.period.close'
    _inherit = ['neopro.currency.mixin', 'neopro.transient.guard']
    _description = 'Closing a period before its end'

    period_id = fields.Many2one('neopro.period', required=True, readonly=True, ondelete='cascade')
    date_end = fields.Date(related='period_id.date_end', readonly=True)
    date_calculated = fields.Date(related='period_id.date_calculated', readonly=True)
    date_today = fields.Date(string='Today', readonly=True, default=lambda self: local_today(self))
    days_left = fields.Integer(compute='_compute_figures', string='Days not over yet',
                               help='Days of the period from today to its last day.')
    amount_charged = fields.Monetary(compute='_compute_figures', string='Charged so far')
    amount_penalty = fields.Monetary(compute='_compute_figures', string='Penalties so far')
    amount_correction = fields.Monetary(compute='_compute_figures', string='Corrections')
    amount_paid = fields.Monetary(compute='_compute_figures', string='Paid')
    consequences = fields.Text(compute='_compute_figures')
    confirmed = fields.Boolean(string='I close the period before its end, with these consequences')

    @api.depends('period_id', 'date_today')
    def _compute_figures(self):
        if self.filtered('period_id') and not self.env.user.has_group('neopro_billing.group_administrator'):
            # the totals are every branch's (read as the superuser): only those who close periods see them
            raise AccessError(_('Only billing administrators close periods.'))
        for wizard in self.filtered('period_id'):
            period = wizard.period_id
            totals = period._get_operation_totals()
            wizard.amount_charged = totals['charge']
            wizard.amount_penalty = totals['penalty']
            wizard.amount_correction = totals['correction']
            wizard.amount_paid = totals['payment']
            wizard.days_left = max((fields.Date.from_string(period.date_end)
                                    - fields.Date.from_string(wizard.date_today)).days + 1, 0)
            wizard.consequences = '\n\n'.join(wizard._get_consequences())

    def _get_consequences(self):
        """The paragraphs of the dialog: what closing the period now freezes and what it refuses afterwards."""
        self.ensure_one()
        period = self.period_id
        today, end = format_date(self.date_today), format_date(period.date_end)
        following = (fields.Date.from_string(period.date_end) + timedelta(days=1)).strftime('%m.%Y')
        paragraphs = [_('Today is %s; the period %s runs until %s: %s of its days are not over yet.')
                      % (today, period.name, end, self.days_left)]
        charged, penalties = (formatLang(self.env, amount, currency_obj=self.currency_id)
                              for amount in (self.amount_charged, self.amount_penalty))
        if period.date_calculated and period.date_calculated <= self.date_today:
            paragraph = _('It keeps what was calculated up to %s: %s charged and %s penalties. The days after '
                          'that are never charged in %s.') % (format_date(period.date_calculated), charged,
                                                              penalties, period.name)
            if period.date_calculated < self.date_today:
                paragraph += ' ' + _('Calculate it again first (Calculate period) to charge up to today.')
            paragraphs.append(paragraph)
        elif period.date_calculated:
            paragraphs.append(_('It keeps what was calculated up to %s: %s charged and %s penalties, without the '
                                'readings and payments of the days still to come.')
                              % (format_date(period.date_calculated), charged, penalties))
        else:
            paragraphs.append(_('It has not been calculated: nothing is charged for it.'))
        paragraphs.append(_('Once it is closed, its charges, payments, corrections and balances are frozen; every '
                            'meter reading and correction dated %s – %s is refused (they lie in a closed period), '
                            'and payments paid on those days, bank files and Kaspi included, are booked on the first '
                            'day of %s, keeping the day they were paid.') % (today, end, following))
        paragraphs.append(_('The period %s opens, with the closing balances as its opening balances.') % following)
        if self.env.user.company_id.neopro_post_on_close:
            paragraphs.append(_('The period goes to accounting at once (setting "Post billing to accounting on '
                                'period close"): after that it can no longer be reopened.'))
        else:
            paragraphs.append(_('An administrator can reopen it as long as it has not gone to accounting and %s '
                                'has no operations of its own.') % following)
        return paragraphs

    @api.multi
    def action_confirm(self):
        """Close the period now; shows the month it opens."""
        self.ensure_one()
        if not self.confirmed:
            raise UserError(_('Tick the confirmation first: a period is closed before its end only on purpose.'))
        return self.period_id.with_context(neopro_close_before_end=True).action_close()
