"""Guards the server applies whatever the client: system fields, money amounts, date bounds (issue 11).

Odoo serves every model to every logged-in user over XML-RPC and JSON-RPC, so what the screens hide or make
read-only is still writable by a hostile client. These small mixins check the values a client sends in ``create``
and ``write`` before the ORM converts them (a Monetary field silently rounds or keeps what it gets).
"""
import math
from decimal import Decimal, InvalidOperation

import pytz

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.dates import format_date
from ..lib.payment_parser import MAX_AMOUNT

# Every amount of tenge is below this bound (10^10): far beyond any bill or payment, far below any overflow.
MONEY_LIMIT = int(MAX_AMOUNT)
CENT = Decimal('0.01')
# Binary noise a float of cents may carry (0.1 + 0.2); anything bigger is a fraction of a tiyn.
_CENT_TOLERANCE = 1e-6
# The utility's time zone: the day "today" means when the user has none set (Kazakhstan, UTC+5).
DEFAULT_TZ = 'Asia/Almaty'


def local_today(record):
    """Today as a date string, the day of the user's time zone, or the utility's when the user has none.

    The one "today" of the add-on, for defaults (``default=local_today``) and checks alike. Odoo's
    ``fields.Date.context_today`` falls back to UTC, so from 19:00 UTC a user without a zone (the admin of a new
    database, a Kaspi or portal request) would get yesterday beside the date bounds and the portal, which use the
    utility's day.
    """
    return record.env['neopro.guard']._today()


def money_problem(value):
    """Why ``value`` is not an amount of tenge (None when it is one).

    An amount is a number (not text, not a boolean), finite, below ``MONEY_LIMIT`` in absolute value, with at
    most 2 decimals. Returns one of 'number', 'finite', 'limit', 'decimals'. False and None are Odoo's "empty"
    (0.00) and pass.
    """
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return 'number'
    if isinstance(value, Decimal):
        if not value.is_finite():
            return 'finite'
        if abs(value) >= MONEY_LIMIT:
            return 'limit'
        try:
            return None if value == value.quantize(CENT) else 'decimals'
        except InvalidOperation:
            return 'limit'
    if isinstance(value, float) and not math.isfinite(value):
        return 'finite'
    if abs(value) >= MONEY_LIMIT:
        return 'limit'
    if isinstance(value, float) and abs(value * 100 - round(value * 100)) > _CENT_TOLERANCE:
        return 'decimals'
    return None


def _user_language_env(records):
    """The records' environment in the user's language (an XML-RPC call usually sends no context)."""
    return records.env if records.env.lang else records.with_context(lang=records.env.user.lang).env


def field_label(records, name):
    """The label of field ``name`` in the user's language."""
    return records._fields[name].get_description(_user_language_env(records))['string']


def selection_label(records, name, value):
    """The label of ``value`` of the selection field ``name`` in the user's language."""
    return dict(records._fields[name]._description_selection(_user_language_env(records))).get(value)


class NeoproGuard(models.AbstractModel):
    """Date bounds of the billing history: ``self.env['neopro.guard']._check_date_bounds(date, what)``."""
    _name = 'neopro.guard'
    _description = 'Bounds of the billing data'

    @api.model
    def _get_tz(self):
        """The user's time zone (the utility's when the user has none): every time a user reads is in it."""
        try:
            return pytz.timezone(self.env.context.get('tz') or self.env.user.tz or DEFAULT_TZ)
        except pytz.UnknownTimeZoneError:
            return pytz.timezone(DEFAULT_TZ)

    @api.model
    def _to_local(self, value):
        """A UTC datetime (or its string) as a naive datetime in the user's time zone."""
        value = fields.Datetime.from_string(value) if isinstance(value, str) else value
        return pytz.utc.localize(value).astimezone(self._get_tz()).replace(tzinfo=None)

    @api.model
    def _format_datetime(self, value, seconds=True):
        """A UTC datetime as the user reads it: ДД.ММ.ГГГГ ЧЧ:ММ[:СС] in the user's time zone."""
        return self._to_local(value).strftime('%d.%m.%Y %H:%M:%S' if seconds else '%d.%m.%Y %H:%M') if value else ''

    @api.model
    def _get_tz_offset(self):
        """Minutes the user's time zone is ahead of UTC now (the web client shows times with it)."""
        now = fields.Datetime.from_string(fields.Datetime.now())
        return int((self._to_local(now) - now).total_seconds() // 60)

    @api.model
    def _today(self):
        """Today in the user's time zone (the utility's when the user has none), as a date string."""
        return fields.Date.to_string(self._to_local(fields.Datetime.now()).date())

    @api.model
    def _first_period_start(self):
        """Start of the utility's first billing period (None before any period exists)."""
        self.env.cr.execute('SELECT MIN(date_start) FROM neopro_period')
        start = self.env.cr.fetchone()[0]  # Odoo 11 reads dates as text
        if start and not isinstance(start, str):
            start = fields.Date.to_string(start)
        return start or None

    @api.model
    def _check_date_bounds(self, date, what, superuser=False):
        """Refuse a date after today or before the first billing period; ``what`` names the record and the field.

        The bounds hold for users (whatever they send over RPC or the web client). The superuser is trusted code:
        the data migration and the demo record the history before the first period; with ``superuser`` it is
        checked too, for outside callers the server books as the superuser (Kaspi).
        """
        if not date or (self.env.uid == SUPERUSER_ID and not superuser):
            return
        date = fields.Date.to_string(fields.Date.from_string(date))
        if date > self._today():
            raise ValidationError(_('%s: the date %s is in the future.') % (what, format_date(date)))
        start = self._first_period_start()
        if start and date < start:
            raise ValidationError(_('%s: the date %s is before the first billing period, which starts on %s.')
                                  % (what, format_date(date), format_date(start)))


class NeoproProtectedMixin(models.AbstractModel):
    """System fields users may not set: the billing engine writes them (with SQL), users only read them.

    A model lists them in ``_protected_fields``: ``{field name: values a user may still give on create}`` (the
    neutral ones a screen sends, such as ``is_auto=False``). A client that sends another value, on create or
    write, is refused with a message, not silently ignored; a write repeating the current value is harmless and
    passes. Trusted code runs as the superuser (``sudo()``), which is not checked.
    """
    _name = 'neopro.protected.mixin'
    _description = 'System fields guarded against users'

    _protected_fields = {}

    @api.model
    def create(self, vals):
        self._check_protected_fields(vals)
        return super(NeoproProtectedMixin, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_protected_fields(vals)
        return super(NeoproProtectedMixin, self).write(vals)

    def _check_protected_fields(self, vals):
        """Refuse a user's value of a system field (create: ``self`` is empty; write: the records written)."""
        if self.env.uid == SUPERUSER_ID:
            return
        for name in sorted(set(vals) & set(self._protected_fields)):
            field = self._fields[name]
            value = self._normalize_protected(field, vals[name])
            if not self:
                allowed = {self._normalize_protected(field, v) for v in self._protected_fields[name]}
                if value in allowed:
                    continue
            elif field.type not in ('one2many', 'many2many') and all(
                    self._normalize_protected(field, field.convert_to_write(record[name], record)) == value
                    for record in self):
                continue
            raise AccessError(_('%s: the field "%s" is filled by the system and cannot be set by users.')
                              % (self._get_guard_label(vals), field_label(self, name)))

    @api.model
    def _normalize_protected(self, field, value):
        """A value in a comparable form: empty as False, amounts as rounded floats, records as ids."""
        if field.type in ('float', 'monetary', 'integer'):
            try:
                return round(float(value or 0), 6)
            except (TypeError, ValueError):
                return value
        if field.type == 'many2one' and isinstance(value, models.BaseModel):
            return value.id or False
        if isinstance(value, list):
            return tuple(tuple(v) if isinstance(v, list) else v for v in value) or False
        return value or False

    def _get_guard_label(self, vals):
        """Who the refused value is about, for the message: the record(s), or the model on create."""
        if self:
            return ', '.join(self.mapped('display_name'))
        return self._description


class NeoproMoneyMixin(models.AbstractModel):
    """Amounts of tenge that are amounts: finite, below 10^10 in absolute value, with at most 2 decimals.

    A model lists its amount fields in ``_money_fields``; the values a client sends are checked before the ORM
    converts them (a Monetary field keeps NaN, rounds 10.005 to 10.01 on write and takes the text "1e3"), then
    stored as exact cents. The model adds a constraint on the stored value and an SQL CHECK for the paths that
    write with SQL.
    """
    _name = 'neopro.money.mixin'
    _description = 'Amounts of tenge guarded against nonsense'

    _money_fields = ()

    @api.model
    def create(self, vals):
        return super(NeoproMoneyMixin, self).create(self._check_money_vals(vals))

    @api.multi
    def write(self, vals):
        return super(NeoproMoneyMixin, self).write(self._check_money_vals(vals))

    def _check_money_vals(self, vals):
        """``vals`` with every amount checked and rounded to cents; a bad amount raises ValidationError."""
        names = set(vals) & set(self._money_fields)
        if not names:
            return vals
        vals = dict(vals)
        for name in sorted(names):
            self._check_money_value(name, vals[name], vals)
            if isinstance(vals[name], (int, float, Decimal)) and not isinstance(vals[name], bool):
                vals[name] = round(float(vals[name]), 2)
        return vals

    def _check_money_value(self, name, value, vals=None):
        """Raise a ValidationError naming the account and the field when ``value`` is no amount of tenge."""
        problem = money_problem(value)
        if not problem:
            return
        label = self._get_money_label(vals or {})
        field = field_label(self, name)
        shown = repr(value) if isinstance(value, str) else str(value)
        if problem == 'number':
            message = _('Account %s: %s must be a number, not %s.')
        elif problem == 'finite':
            message = _('Account %s: %s must be a finite amount of tenge, not %s.')
        elif problem == 'limit':
            message = _('Account %s: %s %s is beyond the limit of 10,000,000,000 tenge.')
        else:
            message = _('Account %s: %s %s has more than 2 decimals: amounts are in tenge and tiyn.')
        raise ValidationError(message % (label, field, shown))

    def _get_money_label(self, vals):
        """The account the amount belongs to, for the message (account number; the record's name by default)."""
        Account = self.env['neopro.account']
        account_id = vals.get('account_id')
        if not account_id and not self and 'account_id' in self._fields:
            # the account the defaults give (neopro.account.link turns default_subscriber_id into it)
            account_id = self.default_get(['account_id']).get('account_id')
        numbers = []
        if account_id:
            # sudo: only the number is read, for the message of a refusal
            numbers = Account.sudo().browse(account_id).mapped('account_number')
        elif self:
            for record in self:
                account = getattr(record, 'account_id', Account)
                numbers.append(account.sudo().account_number or record.display_name)
        return ', '.join(n for n in numbers if n) or '-'

    def _check_money_stored(self, name):
        """Constraint helper: the stored amounts of ``name`` are amounts of tenge."""
        for record in self:
            record._check_money_value(name, record[name])


class NeoproFieldGroupsMixin(models.AbstractModel):
    """Fields reserved to groups (``groups=``, the money of the accounts) refused to other users in a domain, an
    order and a ``read_group`` too: Odoo 11 checks them only on ``read`` and ``write``, so an inspector could still
    find the debtors by searching, sorting or summing the figures he may not read."""
    _name = 'neopro.field.groups.mixin'
    _description = 'Fields reserved to groups, also in searches and sums'

    @api.model
    def _check_field_groups(self, names):
        """Refuse the fields among ``names`` (field names, dotted paths, ``name:aggregate``) the user may not read."""
        if self.env.uid == SUPERUSER_ID:
            return
        for name in names:
            if not isinstance(name, str):
                continue
            field = self._fields.get(name.split('.')[0].split(':')[0].strip())
            if field and field.groups and not self.user_has_groups(field.groups):
                raise AccessError(_('%s: your billing role does not see the field "%s".')
                                  % (self._description, field_label(self, field.name)))

    @api.model
    def _where_calc(self, domain, active_test=True):
        self._check_field_groups([leaf[0] for leaf in domain or [] if isinstance(leaf, (list, tuple)) and leaf])
        return super(NeoproFieldGroupsMixin, self)._where_calc(domain, active_test=active_test)

    @api.model
    def _generate_order_by(self, order_spec, query):
        if order_spec:
            self._check_field_groups([part.split()[0] for part in order_spec.split(',') if part.strip()])
        return super(NeoproFieldGroupsMixin, self)._generate_order_by(order_spec, query)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if not fields and self.env.uid != SUPERUSER_ID:  # no fields: Odoo sums every stored one; only the readable
            fields = [name for name, field in self._fields.items()
                      if field.store and (not field.groups or self.user_has_groups(field.groups))]
        self._check_field_groups(list(fields or []) + groupby)
        if orderby:
            self._check_field_groups([part.split()[0] for part in orderby.split(',') if part.strip()])
        return super(NeoproFieldGroupsMixin, self).read_group(domain, fields, groupby, offset=offset, limit=limit,
                                                              orderby=orderby, lazy=lazy)


class NeoproTransientGuard(models.AbstractModel):
    """A dialog (transient model) takes no record the user may not read.

    Odoo 11 lets every user create and read any transient record, and shows the names of its many2one values and
    its related fields as the superuser: a dialog given another branch's account or meter would show its name, its
    owner or its figures. Every record a dialog is given (in the values, or by a ``default_*`` of the context) must
    be readable by the user, by the access rights and the record rules of its model.
    """
    _name = 'neopro.transient.guard'
    _description = 'Dialog taking only records the user may read'

    @api.model
    def create(self, vals):
        vals = self._add_missing_default_values(vals)
        self._check_linked_records(vals)
        return super(NeoproTransientGuard, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_linked_records(vals)
        return super(NeoproTransientGuard, self).write(vals)

    @api.model
    def _check_linked_records(self, vals):
        """Refuse values naming records (many2one, many2many) the user may not read."""
        if self.env.uid == SUPERUSER_ID:
            return
        for name, value in vals.items():
            field = self._fields.get(name)
            if not field or field.type not in ('many2one', 'many2many') or not value:
                continue
            records = self.env[field.comodel_name]
            if records.is_transient():
                continue
            records = records.browse(_command_ids(value)).exists()
            records.check_access_rights('read')
            records.check_access_rule('read')


def _command_ids(value):
    """The ids a many2one or many2many value names (an id, a record, or x2many commands)."""
    if isinstance(value, models.BaseModel):
        return value.ids
    if isinstance(value, int):
        return [value]
    ids = []
    for command in value if isinstance(value, (list, tuple)) else []:
        if isinstance(command, int):
            ids.append(command)
        elif isinstance(command, (list, tuple)) and command:
            if command[0] == 6 and len(command) > 2:
                ids.extend(command[2] or [])
            elif command[0] == 4 and len(command) > 1:
                ids.append(command[1])
    return ids
