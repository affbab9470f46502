from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, urlencode

from odoo import _, api, fields, models

HOLDER_TYPES = [
    ('subscriber', 'Subscriber'),
    ('contract', 'Contract'),
]
# The holder model of each holder type: the one place that knows both kinds of account.
HOLDER_MODELS = {
    'subscriber': 'neopro.subscriber',
    'contract': 'neopro.contract',
}
# The utility's Kaspi payment page (RULES §14, §15): the service alias, the service id and the id of the field
# Kaspi asks the account number in, as Kaspi gives them to the biller. Unset: no payment link and no QR code.
PARAM_KASPI_PAY_ALIAS = 'neopro_billing.kaspi_pay_alias'
PARAM_KASPI_PAY_SERVICE = 'neopro_billing.kaspi_pay_service_id'
PARAM_KASPI_PAY_FIELD = 'neopro_billing.kaspi_pay_account_field'
KASPI_PAY_URL = 'https://kaspi.kz/pay/'
BALANCE_FIELDS = ('balance_start', 'amount_charged', 'amount_paid', 'amount_correction', 'amount_penalty',
                  'balance_end')
# Who reads money (the six figures): operators, accountants and administrators; inspectors read none; portal users
# read those of their own accounts (the portal record rules, RULES §15).
MONEY_GROUPS = 'neopro_billing.group_operator,neopro_billing.group_accountant,base.group_portal'


class Money(fields.Monetary):
    """Tenge with 2 decimals, read back exactly.

    The holders read the account's figures through ``_inherits`` (a related field), which rounds with the
    currency's ``float_round``, off by one unit in the last place for some values (6.27 → 6.2700000000000005).
    The stored value has 2 decimals already (SQL numeric): the cache keeps the float nearest to it.
    """

    def convert_to_cache(self, value, record, validate=True):
        return round(float(value or 0.0), 2)


class NeoproAccount(models.Model):
    """The personal account (ЛС): the one key of the ledger (RULES §13).

    A resident subscriber and a legal-entity contract each *are* an account (``_inherits``): the account number,
    the branch and the six figures of the open period live here once, and every operation, balance, payment line
    and Kaspi call points here. The six figures are stored copies of the account's ``neopro.balance`` of the open
    period, written by ``neopro.balance._recompute`` with SQL, so lists of 100k accounts sort and filter by debt.
    """
    _name = 'neopro.account'
    _inherit = ['neopro.currency.mixin', 'neopro.protected.mixin', 'neopro.field.groups.mixin']
    _description = 'Personal account'
    _order = 'account_number'
    _rec_name = 'account_number'

    # no index of their own: the number is looked up through its unique constraint (and the prefix index of
    # init()), the two holder types split the table in halves; each index costs every write of the balance figures
    account_number = fields.Char(required=True, index=False, copy=False, track_visibility='onchange')
    holder_type = fields.Selection(HOLDER_TYPES, required=True, readonly=True, index=False, string='Holder type')
    branch_id = fields.Many2one('neopro.branch', required=True, ondelete='restrict', index=True,
                                track_visibility='onchange')
    holder_name = fields.Char(compute='_compute_holder', store=True, string='Payer',
                              help='The subscriber, or the company and number of the contract.')
    payer_name = fields.Char(compute='_compute_holder', store=True, string='Payer name',
                             help='Who pays: the subscriber, or the contract\'s company.')
    holder_address = fields.Char(compute='_compute_holder', store=True, string='Address')
    holder_active = fields.Boolean(compute='_compute_holder', store=True, string='Open',
                                   help='The holder is active (and a contract is not terminated): payments are '
                                        'accepted.')
    holder_partner_id = fields.Many2one('res.partner', compute='_compute_holder_partner_id', store=True, index=True,
                                        string='Portal partner',
                                        help='The person (a subscriber\'s contact) or the company (a contract\'s) '
                                             'whose portal users see this account (RULES §15).')
    receipt_email = fields.Char(compute='_compute_receipt_email', string='Receipt e-mail',
                                help='Where the monthly receipt is sent: the holder\'s e-mail.')
    receipt_email_opt_out = fields.Boolean(string='No receipts by e-mail', copy=False,
                                           help='The holder asked not to get the monthly receipt by e-mail.')
    subscriber_ids = fields.One2many('neopro.subscriber', 'account_id')
    contract_ids = fields.One2many('neopro.contract', 'account_id')
    operation_ids = fields.One2many('neopro.operation', 'account_id', string='Operations')
    balance_ids = fields.One2many('neopro.balance', 'account_id', string='Balances')

    balance_start = Money(string='Opening balance', readonly=True, copy=False, default=0.0, groups=MONEY_GROUPS,
                          help='Closing balance of the previous period.')
    amount_paid = Money(string='Paid', readonly=True, copy=False, default=0.0, groups=MONEY_GROUPS)
    amount_charged = Money(string='Charged', readonly=True, copy=False, default=0.0, groups=MONEY_GROUPS)
    amount_correction = Money(string='Correction', readonly=True, copy=False, default=0.0, groups=MONEY_GROUPS)
    amount_penalty = Money(string='Penalty', readonly=True, copy=False, default=0.0, groups=MONEY_GROUPS)
    # not indexed (a debtors' filter reads 100,000 accounts in milliseconds): with no indexed column among the
    # figures, copying them onto the accounts (neopro.balance._publish) is a HOT update in the pages' free space
    balance_end = Money(string='Closing balance', readonly=True, copy=False, default=0.0, index=False,
                        groups=MONEY_GROUPS,
                        help='Opening balance + charged + correction + penalty − paid: the debt '
                             '(negative: paid in advance).')

    # The six figures are the ledger's: users read them, the engine writes them (SQL), nobody types them.
    _protected_fields = dict.fromkeys(BALANCE_FIELDS, (0,))

    _sql_constraints = [
        ('account_number_unique', 'unique(account_number)',
         'This account number is taken already: account numbers are unique across subscribers and contracts.'),
    ]

    @api.model_cr
    def init(self):
        """Indexes of the search boxes, so they answer at once on 100 000 accounts.

        Odoo's ``index=True`` btree does not serve ``LIKE 'x%'`` under a collation other than C (C.UTF-8, ru_RU…):
        the account number gets a ``varchar_pattern_ops`` btree for its prefix search.

        Every account's figures are rewritten by every payment file, calculation and month (``_publish``): pages
        are filled to half (fillfactor 50), so the new version of a row fits beside the old one (a HOT update: no
        index entry written). On 100,000 accounts the copy of a Kaspi registry's balances went from 2.0 s to 0.5 s.
        """
        self.env.cr.execute('CREATE INDEX IF NOT EXISTS neopro_account_account_number_prefix_index '
                            'ON neopro_account (account_number varchar_pattern_ops)')
        self.env.cr.execute('ALTER TABLE neopro_account SET (fillfactor = 50)')

    @api.depends('subscriber_ids.name', 'subscriber_ids.address', 'subscriber_ids.active',
                 'contract_ids.name', 'contract_ids.partner_id.name', 'contract_ids.partner_id.neopro_address',
                 'contract_ids.active', 'contract_ids.state')
    def _compute_holder(self):
        for account in self:
            holder = account._get_holder()
            account.holder_name = holder._get_account_holder_name() if holder else False
            account.payer_name = holder._get_payer_name() if holder else False
            account.holder_address = holder._get_account_holder_address() if holder else False
            account.holder_active = holder._is_account_open() if holder else False

    @api.depends('subscriber_ids.partner_id', 'contract_ids.partner_id')
    def _compute_holder_partner_id(self):
        # archived holders too, read for the whole batch at once (the upgrade computes 100 000 accounts): an
        # account has one holder, taken without slicing, which would lose the batch's prefetch
        for account, holder_account in zip(self, self.with_context(active_test=False)):
            holder = holder_account.subscriber_ids or holder_account.contract_ids
            if len(holder) > 1:
                holder = holder[:1]
            account.holder_partner_id = holder._get_portal_partner() if holder else False

    def _compute_receipt_email(self):
        for account in self:
            holder = account._get_holder()
            account.receipt_email = holder._get_receipt_email() if holder else False

    @api.multi
    def name_get(self):
        return [(a.id, '%s %s' % (a.account_number, a.holder_name or '')) for a in self]

    def _get_guard_label(self, vals):
        numbers = self.mapped('account_number') if self else [vals.get('account_number') or '-']
        return _('Account %s') % ', '.join(n or '-' for n in numbers)

    @api.model
    def _name_search(self, name, args=None, operator='ilike', limit=100, name_get_uid=None):
        args = list(args or [])
        if name:
            args += ['|', ('account_number', '=like', name + '%'), ('holder_name', operator, name)]
        return self.search(args, limit=limit).name_get()

    def _get_holder(self):
        """The subscriber or contract that is this account (archived ones too: the account keeps its holder)."""
        self.ensure_one()
        account = self.with_context(active_test=False)
        return account.subscriber_ids[:1] or account.contract_ids[:1]

    @api.model
    def _find(self, numbers):
        """``{account number: (account id, branch id, open)}`` of the given account numbers, in one query."""
        numbers = [n for n in set(numbers) if n]
        if not numbers:
            return {}
        self.env.cr.execute('SELECT account_number, id, branch_id, holder_active FROM neopro_account '
                            'WHERE account_number = ANY(%s)', (numbers,))
        return {number: (account_id, branch_id, bool(active))
                for number, account_id, branch_id, active in self.env.cr.fetchall()}

    @api.multi
    def _get_kaspi_pay_url(self, amount=None):
        """The Kaspi deep link that opens the utility's payment page for this account and ``amount`` (tenge).

        ``https://kaspi.kz/pay/<alias>?service_id=<id>&<account field>=<ЛС>&amount=<due>``; the amount is left
        out when it is not positive (the payer types it). False while the settings are not filled in.
        """
        self.ensure_one()
        # sudo: the link's settings are public facts printed on every receipt; only administrators edit them
        get_param = self.env['ir.config_parameter'].sudo().get_param
        alias = (get_param(PARAM_KASPI_PAY_ALIAS) or '').strip()
        service_id = (get_param(PARAM_KASPI_PAY_SERVICE) or '').strip()
        account_field = (get_param(PARAM_KASPI_PAY_FIELD) or '').strip()
        if not (alias and service_id and account_field):
            return False
        query = [('service_id', service_id), (account_field, self.account_number)]
        if amount and amount > 0:
            due = Decimal(repr(float(amount))).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)
            query.append(('amount', str(due)))
        return KASPI_PAY_URL + quote(alias, safe='') + '?' + urlencode(query)

    @api.multi
    def _audit_post(self, body):
        """A message on the holder's chatter (the author is the real user)."""
        for account in self:
            holder = account._get_holder()
            # sudo: an accountant may book on an account he can only read; the author stays the real user
            holder.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)


class NeoproAccountLink(models.AbstractModel):
    """A record of one personal account (ledger line, balance, History window, entry dialog).

    ``account_id`` is the key; ``subscriber_id`` and ``contract_id`` are the RULES §11 names of its holder: they read
    from the account, and given on create or write, or in a domain, they mean its account.
    """
    _name = 'neopro.account.link'
    _description = 'Record of a personal account'

    account_id = fields.Many2one('neopro.account', ondelete='restrict', index=True)
    subscriber_id = fields.Many2one('neopro.subscriber', compute='_compute_holder', search='_search_subscriber_id')
    contract_id = fields.Many2one('neopro.contract', compute='_compute_holder', search='_search_contract_id')

    @api.depends('account_id')
    def _compute_holder(self):
        for record in self:
            record.subscriber_id = record.account_id.subscriber_ids[:1]
            record.contract_id = record.account_id.contract_ids[:1]

    def _search_subscriber_id(self, operator, value):
        return self._holder_domain(self.env['neopro.subscriber'], operator, value)

    def _search_contract_id(self, operator, value):
        return self._holder_domain(self.env['neopro.contract'], operator, value)

    @api.model
    def _holder_domain(self, holders, operator, value):
        """``(subscriber_id, operator, value)`` as a domain on the account: the accounts of those subscribers;
        ``subscriber_id = False``: the accounts that are not a subscriber's."""
        if value is False or value is None:
            return [('account_id.holder_type', '!=' if operator == '=' else '=', holders._holder_type)]
        if isinstance(value, str) and operator not in ('in', 'not in'):
            found = holders.search([('name', operator, value)])
        else:
            found = holders.with_context(active_test=False).search([('id', operator, value)])
        return [('account_id', 'in', found.mapped('account_id').ids)]

    @api.model
    def _holder_to_account(self, vals):
        """Values with ``subscriber_id`` / ``contract_id`` turned into the ``account_id`` they mean."""
        vals = dict(vals)
        for field in ('subscriber_id', 'contract_id'):
            holder_id = vals.pop(field, None)
            if holder_id and not vals.get('account_id'):
                holder = self.env[self._fields[field].comodel_name].browse(holder_id)
                # the holder must be readable by the user: its account is then his to use
                holder.check_access_rights('read')
                holder.check_access_rule('read')
                vals['account_id'] = holder.account_id.id
        return vals

    @api.model
    def default_get(self, fields_list):
        defaults = super(NeoproAccountLink, self).default_get(fields_list)
        for field in ('subscriber_id', 'contract_id'):
            holder_id = self.env.context.get('default_' + field)
            if holder_id and 'account_id' in fields_list and not defaults.get('account_id'):
                defaults.update(self._holder_to_account({field: holder_id}))
        return defaults

    @api.model
    def create(self, vals):
        return super(NeoproAccountLink, self).create(self._holder_to_account(vals))

    @api.multi
    def write(self, vals):
        return super(NeoproAccountLink, self).write(self._holder_to_account(vals))

    @api.multi
    def _check_account_access(self):
        """Refuse reading the figures of an account the user may not read (raw SQL bypasses the record rules)."""
        accounts = self.mapped('account_id')
        accounts.check_access_rights('read')
        accounts.check_access_rule('read')
        # the figures are money: the roles that read the ledger (inspectors read none)
        self.env['neopro.operation'].check_access_rights('read')
