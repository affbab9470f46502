from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib.ledger import BALANCE_END_SQL
from .neopro_account import BALANCE_FIELDS, HOLDER_MODELS
from .neopro_calculation import set_jit

# The balance of an account in a period from its ledger lines and the previous period's closing balance; the closing
# balance by the one formula (neopro_balance_formula below, also an SQL CHECK of the table).
_RECOMPUTE_SQL = """
    INSERT INTO neopro_balance AS b (account_id, period_id, branch_id, balance_start, amount_charged, amount_paid,
                                     amount_correction, amount_penalty, balance_end,
                                     create_uid, create_date, write_uid, write_date)
    SELECT a.id, %(period)s, a.branch_id, v.balance_start, v.charged, v.paid, v.correction, v.penalty,
           """ + BALANCE_END_SQL.format(start='v.balance_start', charged='v.charged', correction='v.correction',
                                        penalty='v.penalty', paid='v.paid') + """,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM (
            SELECT acc.id AS account_id,
                   COALESCE(pb.balance_end, cb.balance_start, 0) AS balance_start,
                   COALESCE(o.charged, 0) AS charged, COALESCE(o.paid, 0) AS paid,
                   COALESCE(o.correction, 0) AS correction, COALESCE(o.penalty, 0) AS penalty
              FROM (SELECT account_id AS id FROM neopro_operation
                     WHERE period_id = %(period)s AND (%(all)s OR account_id = ANY(%(ids)s))
                    UNION
                    SELECT account_id FROM neopro_balance
                     WHERE period_id IN %(periods)s AND (%(all)s OR account_id = ANY(%(ids)s))) acc
         LEFT JOIN (SELECT account_id AS id,
                           SUM(amount) FILTER (WHERE operation_type = 'charge') AS charged,
                           SUM(amount) FILTER (WHERE operation_type = 'payment') AS paid,
                           SUM(amount) FILTER (WHERE operation_type = 'correction') AS correction,
                           SUM(amount) FILTER (WHERE operation_type = 'penalty') AS penalty
                      FROM neopro_operation
                     WHERE period_id = %(period)s AND (%(all)s OR account_id = ANY(%(ids)s))
                  GROUP BY account_id) o ON o.id = acc.id
         LEFT JOIN neopro_balance pb ON pb.account_id = acc.id AND pb.period_id = %(prev)s
         LEFT JOIN neopro_balance cb ON cb.account_id = acc.id AND cb.period_id = %(period)s
           ) v
      JOIN neopro_account a ON a.id = v.account_id
    ON CONFLICT (account_id, period_id) DO UPDATE
       SET balance_start = EXCLUDED.balance_start, amount_charged = EXCLUDED.amount_charged,
           amount_paid = EXCLUDED.amount_paid, amount_correction = EXCLUDED.amount_correction,
           amount_penalty = EXCLUDED.amount_penalty, balance_end = EXCLUDED.balance_end,
           branch_id = EXCLUDED.branch_id, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
     WHERE (b.balance_start, b.amount_charged, b.amount_paid, b.amount_correction, b.amount_penalty,
            b.balance_end, b.branch_id)
           IS DISTINCT FROM
           (EXCLUDED.balance_start, EXCLUDED.amount_charged, EXCLUDED.amount_paid, EXCLUDED.amount_correction,
            EXCLUDED.amount_penalty, EXCLUDED.balance_end, EXCLUDED.branch_id)
"""

# Copy the figures of the open period onto the accounts (zero for accounts without a balance row).
_PUBLISH_SQL = """
    UPDATE neopro_account a
       SET balance_start = v.balance_start, amount_charged = v.amount_charged, amount_paid = v.amount_paid,
           amount_correction = v.amount_correction, amount_penalty = v.amount_penalty, balance_end = v.balance_end
      FROM (SELECT x.id, COALESCE(b.balance_start, 0) AS balance_start,
                   COALESCE(b.amount_charged, 0) AS amount_charged, COALESCE(b.amount_paid, 0) AS amount_paid,
                   COALESCE(b.amount_correction, 0) AS amount_correction,
                   COALESCE(b.amount_penalty, 0) AS amount_penalty, COALESCE(b.balance_end, 0) AS balance_end
              FROM neopro_account x
         LEFT JOIN neopro_balance b ON b.account_id = x.id AND b.period_id = %(period)s
             WHERE %(all)s OR x.id = ANY(%(ids)s)) v
     WHERE a.id = v.id
       AND (a.balance_start, a.amount_charged, a.amount_paid, a.amount_correction, a.amount_penalty, a.balance_end)
           IS DISTINCT FROM
           (v.balance_start, v.amount_charged, v.amount_paid, v.amount_correction, v.amount_penalty, v.balance_end)
"""

_CARRY_OVER_SQL = """
    INSERT INTO neopro_balance (account_id, period_id, branch_id, balance_start, amount_charged, amount_paid,
                                amount_correction, amount_penalty, balance_end,
                                create_uid, create_date, write_uid, write_date)
    SELECT b.account_id, %(new)s, a.branch_id, b.balance_end, 0, 0, 0, 0, b.balance_end,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM neopro_balance b JOIN neopro_account a ON a.id = b.account_id
     WHERE b.period_id = %(closed)s
    ON CONFLICT DO NOTHING
"""


class NeoproBalance(models.Model):
    """Figures of one personal account in one billing period (RULES §11)."""
    _name = 'neopro.balance'
    _inherit = ['neopro.currency.mixin', 'neopro.account.link', 'neopro.protected.mixin']
    _description = 'Account balance of a period'
    _order = 'period_id desc, id'
    # Computed from the ledger with SQL (_recompute, _carry_over): nobody types a balance.
    _protected_fields = dict.fromkeys(BALANCE_FIELDS, (0,))

    # Looked up through the unique (account, period) indexes: no index of their own (fewer to maintain).
    account_id = fields.Many2one('neopro.account', required=True, ondelete='restrict', index=False,
                                 readonly=True)
    period_id = fields.Many2one('neopro.period', required=True, ondelete='restrict', index=True, readonly=True)
    period_state = fields.Selection(related='period_id.state', readonly=True, string='Period state')
    branch_id = fields.Many2one('neopro.branch', index=True, readonly=True)
    account_number = fields.Char(related='account_id.account_number', readonly=True)
    account_name = fields.Char(related='account_id.holder_name', readonly=True, string='Payer')
    balance_start = fields.Monetary(string='Opening balance', readonly=True)
    amount_charged = fields.Monetary(string='Charged', readonly=True)
    amount_paid = fields.Monetary(string='Paid', readonly=True)
    amount_correction = fields.Monetary(string='Correction', readonly=True)
    amount_penalty = fields.Monetary(string='Penalty', readonly=True)
    balance_end = fields.Monetary(string='Closing balance', readonly=True)

    _sql_constraints = [
        ('account_period_unique', 'unique(account_id, period_id)', 'An account has one balance per period.'),
        ('balance_formula', 'CHECK(balance_end = ' + BALANCE_END_SQL.format(
            start='balance_start', charged='amount_charged', correction='amount_correction', penalty='amount_penalty',
            paid='amount_paid') + ')',
         'The closing balance is the opening balance plus charges, corrections and penalties minus payments.'),
    ]

    @api.model
    def create(self, vals):
        period = self.env['neopro.period'].browse(vals.get('period_id'))
        if period.state == 'closed':
            raise UserError(_('The period %s is closed: no balance can be added to it.') % period.name)
        return super(NeoproBalance, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_open(_('changed'))
        return super(NeoproBalance, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_open(_('deleted'))
        return super(NeoproBalance, self).unlink()

    def _check_open(self, what):
        """Refuse changing the figures of a closed period."""
        for balance in self.filtered(lambda b: b.period_id.state == 'closed'):
            raise UserError(_('Account %s: the balance of the closed period %s cannot be %s.')
                            % (balance.account_number, balance.period_id.name, what))

    def _get_guard_label(self, vals):
        return _('Account %s') % (', '.join(b.account_number or '-' for b in self) or '-')

    @api.model
    def _recompute(self, period, account_ids=None):
        """Recompute the balances of ``period`` from the ledger, set-based: every account when ``account_ids`` is
        None, else only those. The figures of the open period are copied onto the accounts."""
        period.ensure_one()
        if period.state != 'open':
            raise UserError(_('The period %s is closed: its balances are frozen.') % period.name)
        everything = account_ids is None
        if not everything and not account_ids:
            return True
        previous = period._get_previous()
        params = {'period': period.id, 'prev': previous.id or None, 'uid': self.env.uid,
                  'periods': tuple(p for p in (period.id, previous.id) if p), 'all': everything,
                  'ids': list(account_ids or [])}
        if everything:
            set_jit(self.env.cr, False)
        self.env.cr.execute(_RECOMPUTE_SQL, params)
        self._publish(period, account_ids)
        if everything:
            set_jit(self.env.cr, True)
        self.invalidate_cache()
        return True

    @api.model
    def _publish(self, period, account_ids=None):
        """Copy the figures of the open ``period`` onto the accounts (all when ``account_ids`` is None)."""
        if period.state != 'open':
            return
        self.env.cr.execute(_PUBLISH_SQL, {'period': period.id, 'all': account_ids is None,
                                           'ids': list(account_ids or [])})
        for model in ['neopro.account'] + list(HOLDER_MODELS.values()):
            self.env[model].invalidate_cache(fnames=list(BALANCE_FIELDS))

    @api.model
    def _carry_over(self, closed, new):
        """Open ``new`` with the closing balances of ``closed`` as opening balances, for every account."""
        self.env.cr.execute(_CARRY_OVER_SQL, {'new': new.id, 'closed': closed.id, 'uid': self.env.uid})
        self._publish(new)
        self.invalidate_cache()
