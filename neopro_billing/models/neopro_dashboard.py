from odoo import api, models

from .neopro_account import MONEY_GROUPS
from .neopro_guard_mixin import local_today


class NeoproDashboard(models.AbstractModel):
    """The summary panel on top of the main lists (RULES §1), from aggregate queries."""
    _name = 'neopro.dashboard'
    _description = 'Billing summary panel'

    @api.model
    def get_summary(self):
        """Counts and totals of the user's branches: one aggregate query each, record rules applied."""
        today = local_today(self)
        period = self.env['neopro.period']._get_open_period()
        summary = {
            'subscribers': self.env['neopro.subscriber'].search_count([]),
            'contracts': self.env['neopro.contract'].search_count([]),
            'meters': self.env['neopro.meter'].search_count([]),
            'overdue_verifications': self.env['neopro.meter'].search_count([('next_verification_date', '<', today)]),
            'period': period.name or '',
            'charged': 0.0, 'paid': 0.0, 'debt': 0.0,
            # the money of the panel, for the roles that read money: an inspector's panel shows none (not 0.00)
            'money': self.user_has_groups(MONEY_GROUPS),
        }
        if period and summary['money'] and self.env['neopro.balance'].check_access_rights('read',
                                                                                          raise_exception=False):
            Balance = self.env['neopro.balance']
            totals = Balance.read_group([('period_id', '=', period.id)], ['amount_charged', 'amount_paid'], [])
            debt = Balance.read_group([('period_id', '=', period.id), ('balance_end', '>', 0)], ['balance_end'], [])
            summary.update({
                'charged': totals and totals[0]['amount_charged'] or 0.0,
                'paid': totals and totals[0]['amount_paid'] or 0.0,
                'debt': debt and debt[0]['balance_end'] or 0.0,
            })
        currency = self.env.user.company_id.currency_id
        summary['currency_symbol'] = currency.symbol or ''
        return summary
