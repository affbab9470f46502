from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .neopro_calculation import set_jit

BALANCE_FIELDS = ('balance_start', 'amount_charged', 'amount_paid', 'amount_correction', 'amount_penalty',
                  'balance_end')

# One statement per kind of account: the account column and table are constants, never user data.
_ACCOUNTS = {
    'subscriber': ('subscriber_id', 'neopro_subscriber'),
    'contract': ('contract_id', 'neopro_contract'),
}

_RECOMPUTE_SQL = """
    INSERT INTO neopro_balance AS b ({account}, period_id, branch_id, balance_start, amount_charged, amount_paid,
                                     amount_correction, amount_penalty, balance_end,
                                     create_uid, create_date, write_uid, write_date)
    SELECT a.id, %(period)s, a.branch_id, v.balance_start, v.charged, v.paid, v.correction, v.penalty,
           v.balance_start + v.charged + v.correction + v.penalty - v.paid,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM (
            SELECT acc.id AS account_id,
                   COALESCE(pb.balance_end, cb.balance_start, 0) AS balance_start,
                   COALESCE(o.charged, 0) AS charged, COALESCE(o.paid, 0) AS paid,
                   COALESCE(o.correction, 0) AS correction, COALESCE(o.penalty, 0) AS penalty
              FROM (SELECT {account} AS id FROM neopro_operation
                     WHERE period_id = %(period)s AND {account} IS NOT NULL {filter_op}
                    UNION
                    SELECT {account} FROM neopro_balance
                     WHERE period_id IN %(periods)s AND {account} IS NOT NULL {filter_bal}) acc
         LEFT JOIN (SELECT {account} AS id,
                           SUM(amount) FILTER (WHERE operation_type = 'charge') AS charged,
                           SUM(amount) FILTER (WHERE operation_type = 'payment') AS paid,
                           SUM(amount) FILTER (WHERE operation_type = 'correction') AS correction,
                           SUM(amount) FILTER (WHERE operation_type = 'penalty') AS penalty
                      FROM neopro_operation
                     WHERE period_id = %(period)s AND {account} IS NOT NULL {filter_op}
                  GROUP BY {account}) o ON o.id = acc.id
         LEFT JOIN neopro_balance pb ON pb.{account} = acc.id AND pb.period_id = %(prev)s
         LEFT JOIN neopro_balance cb ON cb.{account} = acc.id AND cb.period_id = %(period)s
           ) v
      JOIN {table} a ON a.id = v.account_id
    ON CONFLICT ({account}, period_id) DO UPDATE
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
    UPDATE {table} a
       SET balance_start = v.balance_start, amount_charged = v.amount_charged, amount_paid = v.amount_paid,
           amount_correction = v.amount_correction, amount_penalty = v.amount_penalty, balance_end = v.balance_end
      FROM (SELECT x.id, COALESCE(b.balance_start, 0) AS balance_start,
                   COALESCE(b.amount_charged, 0) AS amount_charged, COALESCE(b.amount_paid, 0) AS amount_paid,
                   COALESCE(b.amount_correction, 0) AS amount_correction,
                   COALESCE(b.amount_penalty, 0) AS amount_penalty, COALESCE(b.balance_end, 0) AS balance_end
              FROM {table} x
         LEFT JOIN neopro_balance b ON b.{account} = x.id AND b.period_id = %(period)s
             WHERE TRUE {filter_acc}) v
     WHERE a.id = v.id
       AND (a.balance_start, a.amount_charged, a.amount_paid, a.amount_correction, a.amount_penalty, a.balance_end)
           IS DISTINCT FROM
           (v.balance_start, v.amount_charged, v.amount_paid, v.amount_correction, v.amount_penalty, v.balance_end)
"""


class NeoproBalance(models.Model):
    """Figures of one account (subscriber or contract) in one billing period (SPEC §11)."""
    _name = 'neopro.balance'
    _inherit = ['neopro.currency.mixin', 'neopro.protected.mixin']
    _description = 'Account balance of a period'
    _order = 'period_id desc, id'
    # Computed from the ledger with SQL (_recompute, _carry_over): nobody types a balance.
    _protected_fields = dict.fromkeys(BALANCE_FIELDS, (0,))

    # Looked up through the unique (account, period) indexes: no index of their own (fewer to maintain).
    subscriber_id = fields.Many2one('neopro.subscriber', ondelete='restrict', readonly=True)
    contract_id = fields.Many2one('neopro.contract', ondelete='restrict', readonly=True)
    period_id = fields.Many2one('neopro.period', required=True, ondelete='restrict', index=True, readonly=True)
    period_state = fields.Selection(related='period_id.state', readonly=True, string='Period state')
    branch_id = fields.Many2one('neopro.branch', index=True, readonly=True)
    account_number = fields.Char(compute='_compute_account', search='_search_account_number')
    account_name = fields.Char(compute='_compute_account', string='Account')
    balance_start = fields.Monetary(string='Opening balance', readonly=True)
    amount_charged = fields.Monetary(string='Charged', readonly=True)
    amount_paid = fields.Monetary(string='Paid', readonly=True)
    amount_correction = fields.Monetary(string='Correction', readonly=True)
    amount_penalty = fields.Monetary(string='Penalty', readonly=True)
    balance_end = fields.Monetary(string='Closing balance', readonly=True)

    _sql_constraints = [
        ('one_account', 'CHECK((subscriber_id IS NULL) <> (contract_id IS NULL))',
         'A balance belongs to one subscriber or to one contract.'),
        ('subscriber_period_unique', 'unique(subscriber_id, period_id)',
         'A subscriber has one balance per period.'),
        ('contract_period_unique', 'unique(contract_id, period_id)', 'A contract has one balance per period.'),
        ('balance_formula', 'CHECK(balance_end = balance_start + amount_charged + amount_correction '
                            '+ amount_penalty - amount_paid)',
         'The closing balance is the opening balance plus charges, corrections and penalties minus payments.'),
    ]

    @api.multi
    def _compute_account(self):
        for balance in self:
            account = balance.subscriber_id or balance.contract_id
            balance.account_number = account.account_number
            balance.account_name = account.display_name

    def _search_account_number(self, operator, value):
        return ['|', ('subscriber_id.account_number', operator, value), ('contract_id.account_number', operator, value)]

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
    def _recompute(self, period, subscriber_ids=None, contract_ids=None):
        """Recompute the balances of ``period`` from the ledger, set-based.

        Both id lists None: every account; otherwise only the listed ones (None counting as none).
        The figures of the open period are copied onto the subscribers and contracts.
        """
        period.ensure_one()
        if period.state != 'open':
            raise UserError(_('The period %s is closed: its balances are frozen.') % period.name)
        everything = subscriber_ids is None and contract_ids is None
        previous = period._get_previous()
        if everything:
            set_jit(self.env.cr, False)
        for kind, ids in (('subscriber', subscriber_ids), ('contract', contract_ids)):
            if not everything and not ids:
                continue
            account, table = _ACCOUNTS[kind]
            params = {'period': period.id, 'prev': previous.id or None, 'uid': self.env.uid,
                      'periods': tuple(p for p in (period.id, previous.id) if p), 'ids': list(ids or [])}
            filter_op = '' if everything else 'AND {} = ANY(%(ids)s)'.format(account)
            self.env.cr.execute(_RECOMPUTE_SQL.format(account=account, table=table, filter_op=filter_op,
                                                      filter_bal=filter_op), params)
            self._publish(period, kind, None if everything else ids)
        if everything:
            set_jit(self.env.cr, True)
        self.invalidate_cache()
        return True

    @api.model
    def _publish(self, period, kind, ids=None):
        """Copy the figures of the open ``period`` onto the accounts of ``kind`` (all when ``ids`` is None)."""
        if period.state != 'open':
            return
        account, table = _ACCOUNTS[kind]
        filter_acc = '' if ids is None else 'AND x.id = ANY(%(ids)s)'
        self.env.cr.execute(_PUBLISH_SQL.format(account=account, table=table, filter_acc=filter_acc),
                            {'period': period.id, 'ids': list(ids or [])})
        self.env[table.replace('_', '.')].invalidate_cache(fnames=list(BALANCE_FIELDS))

    @api.model
    def _carry_over(self, closed, new):
        """Open ``new`` with the closing balances of ``closed`` as opening balances, for every account."""
        for kind in _ACCOUNTS:
            account, table = _ACCOUNTS[kind]
            self.env.cr.execute("""
                INSERT INTO neopro_balance ({account}, period_id, branch_id, balance_start, amount_charged,
                                            amount_paid, amount_correction, amount_penalty, balance_end,
                                            create_uid, create_date, write_uid, write_date)
                SELECT b.{account}, %(new)s, a.branch_id, b.balance_end, 0, 0, 0, 0, b.balance_end,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM neopro_balance b JOIN {table} a ON a.id = b.{account}
                 WHERE b.period_id = %(closed)s AND b.{account} IS NOT NULL
                ON CONFLICT DO NOTHING
            """.format(account=account, table=table), {'new': new.id, 'closed': closed.id, 'uid': self.env.uid})
            self._publish(new, kind)
        self.invalidate_cache()
