"""Administration → Penalty write-off: "the debt is paid — the penalty is written off" (RULES §12)."""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.neopro_guard_mixin import local_today

# Accounts whose principal debt (the opening debt of billing, charges and corrections dated up to the day, less the
# payments dated up to it) is fully paid, and what penalty they still owe: the penalties dated up to the day less the
# write-offs already made (whatever their date, so a second run writes nothing off twice).
_CANDIDATES_SQL = """
    SELECT o.account_id,
           SUM(o.amount) FILTER (WHERE o.operation_type = 'penalty' AND (o.date <= %(date)s OR o.amount < 0))
               AS penalty
      FROM neopro_operation o
 LEFT JOIN (SELECT b.account_id, b.balance_start
              FROM neopro_balance b
              JOIN neopro_period p ON p.id = b.period_id
             WHERE NOT EXISTS (SELECT 1 FROM neopro_period e WHERE e.date_start < p.date_start)) f
        ON f.account_id = o.account_id
  GROUP BY o.account_id, f.balance_start
    HAVING SUM(o.amount) FILTER (WHERE o.operation_type = 'penalty' AND (o.date <= %(date)s OR o.amount < 0)) > 0
       AND COALESCE(f.balance_start, 0)
           + COALESCE(SUM(o.amount) FILTER (WHERE o.operation_type IN ('charge', 'correction')
                                            AND o.date <= %(date)s), 0)
           - COALESCE(SUM(o.amount) FILTER (WHERE o.operation_type = 'payment' AND o.date <= %(date)s), 0) <= 0
  ORDER BY o.account_id
"""
_WRITEOFF_SQL = """
    INSERT INTO neopro_operation (operation_type, is_auto, period_id, date, account_id, branch_id, account_number,
                                  amount, name, create_uid, create_date, write_uid, write_date)
    SELECT 'penalty', FALSE, %(period_id)s, %(day)s, a.id, a.branch_id, a.account_number, -x.amount, %(reason)s,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM unnest(%(account_ids)s::integer[], %(amounts)s::numeric[]) AS x(account_id, amount)
      JOIN neopro_account a ON a.id = x.account_id
"""


class NeoproPenaltyWriteoff(models.TransientModel):
    """Writes off the penalties of every account whose principal debt was fully paid by a chosen date."""
    _name = 'neopro.penalty.writeoff'
    _inherit = ['neopro.currency.mixin']
    _description = 'Penalty write-off run'

    date = fields.Date(string='Debt paid by', required=True, default=local_today)
    reason = fields.Char(string='Write-off reason', required=True,
                         default=lambda self: _('The debt is paid: the penalty is written off'))
    state = fields.Selection([('draft', 'Choose'), ('preview', 'Preview'), ('done', 'Done')], default='draft',
                             readonly=True)
    account_count = fields.Integer(string='Accounts to write off', readonly=True)
    amount_total = fields.Monetary(string='Penalties written off', readonly=True)

    def _check_accountant(self):
        if not (self.env.user.has_group('neopro_billing.group_accountant') or self.env.user._is_superuser()):
            raise AccessError(_('Only accountants write penalties off.'))

    def _get_candidates(self):
        """[(account id, penalty to write off)] of the accounts the user may see."""
        self.ensure_one()
        self.env.cr.execute(_CANDIDATES_SQL, {'date': self.date})
        rows = [(account_id, amount) for account_id, amount in self.env.cr.fetchall()]
        # the record rules decide which accounts the user may write off (branches)
        visible = set(self.env['neopro.account'].search([('id', 'in', [a for a, _x in rows])]).ids)
        return [(account_id, amount) for account_id, amount in rows if account_id in visible]

    def _reopen(self):
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new'}

    @api.multi
    def action_preview(self):
        self.ensure_one()
        self._check_accountant()
        candidates = self._get_candidates()
        self.write({'state': 'preview', 'account_count': len(candidates),
                    'amount_total': float(sum(amount for _a, amount in candidates))})
        return self._reopen()

    @api.multi
    def action_apply(self):
        """Write the penalties off in one statement, refresh the balances and trace the run on the period."""
        self.ensure_one()
        self._check_accountant()
        period = self.env['neopro.period']._get_open_period()
        if not period:
            raise UserError(_('There is no open billing period to book the write-off in.'))
        candidates = self._get_candidates()
        if not candidates:
            raise UserError(_('No account paid its debt by %s and still owes a penalty: nothing to write off.')
                            % self.date)
        today = local_today(self)
        day = min(max(today, period.date_start), period.date_end)
        account_ids = [a for a, _x in candidates]
        total = sum(amount for _a, amount in candidates)
        self.env.cr.execute(_WRITEOFF_SQL, {
            'period_id': period.id, 'day': day, 'reason': self.reason, 'uid': self.env.uid,
            'account_ids': account_ids, 'amounts': [str(amount) for _a, amount in candidates]})
        self.env['neopro.operation'].invalidate_cache()
        self.env['neopro.operation']._refresh_balances(period, account_ids)
        # audit trail: who wrote off what, for which accounts
        period.message_post(body=_('Penalty write-off by %s (debt paid by %s, "%s"): %s accounts, %s.')
                            % (self.env.user.name, self.date, self.reason, len(account_ids), '%.2f' % total))
        self.write({'state': 'done', 'account_count': len(account_ids), 'amount_total': float(total)})
        return self._reopen()
