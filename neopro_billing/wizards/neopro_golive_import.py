import base64
import io
from collections import Counter, OrderedDict, defaultdict

import psycopg2
from psycopg2.extras import execute_values

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import file_parser, kz_id, ledger
from ..models.neopro_guard_mixin import local_today
from ..models.neopro_meter_reading import MIGRATION_SOURCE

# The go-live workbook (RULES §14): one sheet per table, the column titles in row 1. The titles are the layout (as
# the shipped file formats' columns are data in Russian): the template writes them, the reader finds the columns
# by them. Each sheet: (key, sheet name, [(column key, title)]); the first column identifies a row.
SUBSCRIBERS, LEGAL, METERS, BALANCES = 'subscribers', 'legal', 'meters', 'balances'
SHEETS = OrderedDict([
    (SUBSCRIBERS, ('Абоненты', [
        ('account', 'ЛС'), ('last_name', 'Фамилия'), ('first_name', 'Имя'), ('patronymic', 'Отчество'),
        ('branch', 'Участок'), ('category', 'Категория'), ('residents', 'Проживающих'), ('city', 'Город'),
        ('street', 'Улица'), ('house', 'Дом'), ('premise', 'Квартира'), ('services', 'Услуги')])),
    (LEGAL, ('Юрлица', [
        ('account', 'ЛС'), ('bin', 'БИН'), ('company', 'Наименование'), ('contract', 'Договор №'),
        ('branch', 'Участок'), ('category', 'Категория'), ('point', 'Точка учета'), ('service', 'Услуга'),
        ('serial', 'Счетчик №'), ('volume', 'Объем, м³')])),
    (METERS, ('Счетчики', [
        ('serial', 'Заводской №'), ('service', 'Услуга'), ('type', 'Тип'), ('account', 'ЛС владельца'),
        ('installation_date', 'Дата установки'), ('value', 'Показание'), ('reading_date', 'Дата показания'),
        ('verification_date', 'Дата поверки'), ('digits', 'Разрядность')])),
    (BALANCES, ('Сальдо', [('account', 'ЛС'), ('amount', 'Сумма')])),
])
DATE_FORMAT = '%d.%m.%Y'
DATE_COLUMNS = ('installation_date', 'reading_date', 'verification_date')


class NeoproGoliveImport(models.TransientModel):
    """The go-live import (Администрирование → Загрузка базы), RULES §14: the database of the old system from the
    template workbook. A dry run checks every row by the models' own rules and writes nothing; the load is all or
    nothing; rows loaded before (same ЛС / serial / BIN with the same data) are skipped, so a second load changes
    nothing."""
    _name = 'neopro.golive.import'
    _description = 'Go-live import'

    data_file = fields.Binary(string='Filled template')
    filename = fields.Char()
    template_file = fields.Binary(string='Template', readonly=True)
    template_filename = fields.Char(readonly=True)
    state = fields.Selection([('draft', 'To check'), ('checked', 'Checked'), ('failed', 'Problems found'),
                              ('done', 'Loaded')], default='draft', readonly=True)
    problem_count = fields.Integer(string='Problems', readonly=True)
    protocol = fields.Text(readonly=True)

    # ------------------------------------------------------------------------------------------------ actions

    def _check_administrator(self):
        """Only administrators load a database (a transient model has no access rows in Odoo 11: checked here,
        so it holds over RPC too)."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group('neopro_billing.group_administrator'):
            raise AccessError(_('Only administrators may run the go-live import.'))

    def _reopen(self):
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new', 'name': _('Go-live import')}

    @api.multi
    def action_download_template(self):
        """Put the empty template workbook on the form for download."""
        self.ensure_one()
        self._check_administrator()
        self.write({'template_file': base64.b64encode(self._render_template()),
                    'template_filename': 'golive_template.xlsx'})
        return self._reopen()

    @api.multi
    def action_check(self):
        """Dry run: every problem by sheet, row and column; nothing is written."""
        self.ensure_one()
        self._check_administrator()
        self._run(dry_run=True)
        return self._reopen()

    @api.multi
    def action_load(self):
        """The real load, all or nothing: with any problem nothing is written and the problems are listed."""
        self.ensure_one()
        self._check_administrator()
        self._run(dry_run=False)
        return self._reopen()

    # ------------------------------------------------------------------------------------------------ template

    @api.model
    def _render_template(self):
        import xlsxwriter
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {'in_memory': True})
        head = book.add_format({'bold': True, 'border': 1, 'text_wrap': True, 'valign': 'top', 'bg_color': '#DDEBF7'})
        bold = book.add_format({'bold': True})
        date_format = book.add_format({'num_format': 'dd.mm.yyyy'})
        text_format = book.add_format({'num_format': '@'})
        guide = book.add_worksheet(_('Instructions'))
        period = self.env['neopro.period']._get_open_period()
        lines = [
            (_('Go-live import: fill in the sheets, one row per record; leave a sheet empty if it has nothing.'),
             bold),
            (_('Load the file through Administration → Go-live import: "Check" lists every problem by sheet, row '
               'and column and writes nothing; "Load" writes everything or nothing. A row loaded before is '
               'skipped.'), None),
            (_('Subscribers: missing cities, streets, houses and apartments are created. Services: codes or '
               'names separated by commas.'), None),
            (_('Legal entities: one row per metering point; the contract and company repeat on each row. Give '
               'the meter serial number (the meter itself on the sheet "Счетчики") or a fixed monthly volume.'),
             None),
            (_('Meters: the owner is the account of a subscriber or of a contract (whose metering point names the '
               'meter); the last reading with its date. Dates as DD.MM.YYYY.'), None),
            (_('Opening balances: the debt (positive) or overpayment (negative) of each account at the start of '
               'the open period %s.') % (period.name or _('(no open period yet: create it first)')), None),
            ('', None),
        ]
        for label, model, fields_ in ((_('Branches'), 'neopro.branch', ('code', 'name')),
                                      (_('Categories'), 'neopro.subscriber.category', ('code', 'name')),
                                      (_('Services'), 'neopro.service', ('code', 'name')),
                                      (_('Meter types'), 'neopro.meter.type', ('name',))):
            records = self.env[model].search([])
            lines.append(('%s: %s' % (label, '; '.join(' — '.join(r[f] or '' for f in fields_) for r in records)),
                          None))
        for row, (text, style) in enumerate(lines):
            guide.write_string(row, 0, text, style)
        guide.set_column(0, 0, 120)
        for key, (name, columns) in SHEETS.items():
            sheet = book.add_worksheet(name)
            for column, (ckey, title) in enumerate(columns):
                sheet.write_string(0, column, title, head)
                style = date_format if ckey in DATE_COLUMNS else (
                    text_format if ckey in ('account', 'bin', 'serial', 'contract', 'house', 'premise') else None)
                sheet.set_column(column, column, 16, style)
            sheet.freeze_panes(1, 0)
        book.close()
        return out.getvalue()

    # ------------------------------------------------------------------------------------------------ reading

    @api.model
    def _read_sheet(self, data, key):
        """The data rows of a sheet as ``[(row number, {column key: cell})]``; a sheet left out is empty."""
        name, columns = SHEETS[key]
        spec = {'file_type': 'xlsx', 'header_row': 1, 'date_format': DATE_FORMAT, 'skip_pattern': '',
                'sheet': name, 'columns': {ckey: title for ckey, title in columns}}
        try:
            table = file_parser.read_table(data, spec, [columns[0][0]], [c for c, _t in columns[1:]])
            getters = {ckey: table.getter(ckey) for ckey, _t in columns}
            return [(number, {ckey: get(row) for ckey, get in getters.items()}) for number, row in table]
        except file_parser.FileError as exc:
            if exc.code == 'sheet':
                return []
            if exc.code == 'header':
                raise UserError(_('Sheet "%s": the column titles were not found in row 1 (looked for "%s"). '
                                  'Use the template of the go-live import.') % (name, columns[0][1]))
            raise UserError(_('The file cannot be read as an XLSX workbook (%s).') % (exc.detail or exc.code))

    # ------------------------------------------------------------------------------------------------ the run

    def _run(self, dry_run):
        """Check every row (nothing written); then, with no problem and not a dry run, write it all at once."""
        if not self.data_file:
            raise UserError(_('Choose the filled template first.'))
        data = base64.b64decode(self.data_file)
        tables = OrderedDict((key, self._read_sheet(data, key)) for key in SHEETS)
        loader = _Loader(self.env)
        loader.check(tables)
        if not loader.problems and not dry_run:
            try:
                with self.env.cr.savepoint():
                    loader.save()
            except ValidationError as exc:
                # a model refused a record of the legal sheet (created through the ORM) the checks let pass
                self.env.clear()
                loader.problems.append(exc.name)
            except psycopg2.IntegrityError as exc:
                # a constraint of the database (a record made meanwhile by another user): nothing was written
                self.env.clear()
                loader.problems.append((exc.diag.message_primary or str(exc)).strip())
        lines = loader.problems[:]
        summary = loader.summary()
        if loader.problems:
            state = 'failed'
            lines.append(_('Nothing was written.') if not dry_run else _('Check finished: nothing was written.'))
        elif dry_run:
            state = 'checked'
            lines.append(_('Check finished: no problems. Press "Load" to write it.'))
        else:
            state = 'done'
            lines.append(_('Loaded.'))
        self.write({'state': state, 'problem_count': len(loader.problems),
                    'protocol': '\n'.join(lines + [''] + summary)})
        return loader


# ---------------------------------------------------------------------------------------------------- set-based SQL

INSERT_CHUNK = 5000
LOG_COLUMNS = ('create_uid', 'create_date', 'write_uid', 'write_date')


def insert_rows(env, model, rows):
    """Insert ``rows`` (dicts with the same keys: column values) into the table of ``model`` with batch INSERTs, the
    fields not given getting their defaults as ``create`` gives them; the new records, in the order of ``rows``.

    Only names of the model's columns go into the statement; every value is a parameter."""
    records = env[model]
    if not rows:
        return records
    given = list(rows[0])
    missing = [name for name, field in records._fields.items()
               if field.store and field.column_type and not field.compute and not field.inherited
               and name not in given and name not in LOG_COLUMNS and name != 'id']
    defaults = records.default_get(missing)
    default_names = [name for name in missing if name in defaults]
    now = fields.Datetime.now()
    tail = tuple(records._fields[name].convert_to_column(defaults[name], records) for name in default_names) + (
        env.uid, now, env.uid, now)
    columns = ', '.join('"%s"' % name for name in given + default_names + list(LOG_COLUMNS))
    query = 'INSERT INTO "%s" (%s) VALUES %%s RETURNING id' % (records._table, columns)
    ids = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start:start + INSERT_CHUNK]
        execute_values(env.cr, query, [tuple(row[name] for name in given) + tail for row in chunk],
                       page_size=len(chunk))
        ids.extend(row[0] for row in env.cr.fetchall())
    return records.browse(ids)


def recompute_stored(records, names):
    """Recompute the stored fields ``names`` of ``records`` through the ORM: for batches of a few thousand at most
    (the legal sheet's, and records loaded before that new rows touch); its recompute writes one record at a time
    and, in Odoo 11, grows with the square of the batch, too slow for 100,000 subscribers."""
    if not records:
        return
    records.invalidate_cache()
    for name in names:
        records._recompute_todo(records._fields[name])
    for name in names:
        # what the computation reads, read for the whole batch first (the computations of Odoo 11 read the records
        # they follow one at a time)
        for path in records._fields[name].depends:
            records.mapped(path)
    records.recompute()


def insert_records(env, model, rows):
    """``insert_rows``, then the stored computed fields not given recomputed through the ORM: for the batches of a
    few thousand records (the partners and contracts of the legal sheet), whose models compute much."""
    records = insert_rows(env, model, rows)
    recompute_stored(records, [name for name, field in records._fields.items()
                               if field.store and field.compute and rows and name not in rows[0]])
    return records


class _Loader(object):
    """One run over the workbook, in two steps.

    ``check`` reads what the rows are checked against in a few queries per sheet, then checks every row in Python
    (by the models' rules) against them and against the file's earlier rows, and plans what is new. ``save`` (no
    problem, not a dry run) inserts the plans with batch INSERTs (``insert_rows``), the stored computed fields of
    the new records written with them (see "writing" below)."""

    def __init__(self, env):
        self.env = env
        self.problems = []
        self.counts = {key: {'rows': 0, 'new': 0, 'same': 0} for key in SHEETS}
        self.seen = {}  # (sheet or scope, identifier) -> row number, for duplicates in the file
        self.period = env['neopro.period']._get_open_period()
        self.previous = self.period._get_previous() if self.period else self.period
        self.today = local_today(env['neopro.meter'])  # the date rules of neopro.meter and its readings
        self._refs = {}
        # the plans of check(), written by save()
        self.new_subscribers = OrderedDict()  # account number -> (vals, address, service ids)
        self.new_contracts = OrderedDict()  # account number -> (BIN, company, contract, branch id, category id)
        self.new_partners = OrderedDict()  # BIN -> (company, branch id) of the partners to create
        self.new_points = []  # (account number, description, service id, serial, volume)
        self.new_meters = []  # (vals, owner: ('subscriber', account number) or point, (date, value) or None)
        self.new_balances = []  # (account number, amount)
        # meter serial -> ("point", id, service id) of a point loaded before, or ("new", index in new_points, service)
        self.points = {}

    # -------------------------------------------------------------------------------- helpers

    def problem(self, sheet, number, column, message):
        name, columns = SHEETS[sheet]
        title = dict(columns).get(column, column)
        self.problems.append(_('Sheet "%s", row %s, column "%s": %s') % (name, number, title, message))

    def summary(self):
        return [_('Sheet "%s": %s rows, %s new, %s loaded before.') % (
            SHEETS[key][0], c['rows'], c['new'], c['same']) for key, c in self.counts.items()]

    def ref(self, model, text, keys=('code', 'name')):
        """A reference record by code or name (without case), or None."""
        if model not in self._refs:
            index = {}
            for record in self.env[model].search([]):
                for key in keys:
                    if record[key]:
                        index.setdefault(str(record[key]).strip().lower(), record)
            self._refs[model] = index
        return self._refs[model].get(text.strip().lower())

    def duplicate(self, sheet, number, column, identifier, scope=None):
        """Whether ``identifier`` came on an earlier row (of the sheet, or of the ``scope`` spanning sheets)."""
        first = self.seen.get((scope or sheet, identifier))
        if first:
            self.problem(sheet, number, column, _('%s is given on row %s already.') % (identifier, first))
            return True
        self.seen[(scope or sheet, identifier)] = number
        return False

    def holder_type(self, number):
        """The holder type of account ``number``: in the database, or planned by an earlier sheet; else None."""
        if number in self.accounts:
            return self.accounts[number][1]
        if number in self.new_subscribers:
            return 'subscriber'
        if number in self.new_contracts:
            return 'contract'
        return None

    @staticmethod
    def text(value):
        return file_parser.to_text(value)

    def number_cell(self, sheet, number, column, value, integer=False, required=False):
        """``(ok, Decimal or None)``."""
        if value in (None, ''):
            if required:
                self.problem(sheet, number, column, _('the value is missing.'))
                return False, None
            return True, None
        amount = file_parser.to_decimal(value)
        if amount is None or amount < 0 or (integer and amount != amount.to_integral_value()):
            self.problem(sheet, number, column, _('"%s" is not a %s.') % (
                self.text(value), _('whole number') if integer else _('number')))
            return False, None
        return True, amount

    def date_cell(self, sheet, number, column, value):
        """``(ok, date string or False)``."""
        if value in (None, ''):
            return True, False
        date = file_parser.parse_date(value, DATE_FORMAT)
        if date is None:
            self.problem(sheet, number, column, _('"%s" is not a date (DD.MM.YYYY).') % self.text(value))
            return False, False
        return True, fields.Date.to_string(date)

    def reference(self, sheet, number, column, value, model, what, required=True):
        """``(ok, record or None)`` of a reference named by code or name."""
        text = self.text(value)
        if not text:
            if required:
                self.problem(sheet, number, column, _('the value is missing.'))
                return False, None
            return True, None
        record = self.ref(model, text)
        if record is None:
            self.problem(sheet, number, column, _('unknown %s "%s".') % (what, text))
            return False, None
        return True, record

    # -------------------------------------------------------------------------------- prefetch

    def prefetch(self, tables):
        """Everything the rows are checked against, in a few queries per sheet."""
        numbers = sorted({file_parser.to_identifier(row['account']) for rows in tables.values()
                          for _number, row in rows} - {''})
        serials = sorted({file_parser.to_identifier(row['serial']) for _number, row in tables[METERS]} - {''})
        bins = sorted({file_parser.to_identifier(row['bin']) for _number, row in tables[LEGAL]} - {''})
        self._prefetch_accounts(numbers)
        self._prefetch_addresses()
        self._prefetch_meters(serials)
        partners = self.env['res.partner'].with_context(active_test=False).search([('neopro_bin', 'in', bins)])
        self.partners = {}
        for partner in partners:
            self.partners.setdefault(partner.neopro_bin, partner)
        self.closed_periods = [(p.date_start, p.date_end, p.name)
                               for p in self.env['neopro.period'].search([('state', '=', 'closed')])]

    def _prefetch_accounts(self, numbers):
        """The accounts named in the file, their subscribers (with the address) and contracts, their balances."""
        cr = self.env.cr
        cr.execute('SELECT account_number, id, holder_type, branch_id FROM neopro_account '
                   'WHERE account_number = ANY(%s)', (numbers,))
        self.accounts = {row[0]: row[1:] for row in cr.fetchall()}  # number -> (id, holder type, branch id)
        ids = [account_id for account_id, _type, _branch in self.accounts.values()]
        cr.execute("""
            SELECT s.account_id, s.id, s.last_name, s.first_name, s.patronymic, a.branch_id, s.category_id,
                   s.residents, c.name, st.name, h.number, p.number
              FROM neopro_subscriber s
              JOIN neopro_account a ON a.id = s.account_id
         LEFT JOIN neopro_premise p ON p.id = s.premise_id
         LEFT JOIN neopro_house h ON h.id = COALESCE(p.house_id, s.house_id)
         LEFT JOIN neopro_street st ON st.id = h.street_id
         LEFT JOIN neopro_city c ON c.id = st.city_id
             WHERE s.account_id = ANY(%s)""", (ids,))
        rows = cr.fetchall()
        records = self.env['neopro.subscriber'].browse([row[1] for row in rows])  # one prefetch for the services
        self.subscribers = {row[0]: (record, row[2:]) for row, record in zip(rows, records)}
        contracts = self.env['neopro.contract'].with_context(active_test=False).search([('account_id', 'in', ids)])
        self.contracts = {contract.account_id.id: contract for contract in contracts}
        cr.execute('SELECT account_id, period_id, balance_start FROM neopro_balance '
                   'WHERE account_id = ANY(%s) AND period_id = ANY(%s)',
                   (ids, [p.id for p in (self.period, self.previous) if p]))
        self.balances = {(account_id, period_id): start for account_id, period_id, start in cr.fetchall()}

    def _prefetch_addresses(self):
        """The address registry (cities, streets, houses, apartments) by its unique keys."""
        cr = self.env.cr
        cr.execute('SELECT name, id FROM neopro_city')
        self.cities = dict(cr.fetchall())
        cr.execute('SELECT city_id, name, id FROM neopro_street')
        self.streets = {(city_id, name): street_id for city_id, name, street_id in cr.fetchall()}
        cr.execute('SELECT street_id, number, id, full_address FROM neopro_house')
        self.houses, self.house_addresses = {}, {}
        for street_id, number, house_id, full_address in cr.fetchall():
            self.houses[(street_id, number)] = house_id
            self.house_addresses[house_id] = full_address
        cr.execute('SELECT house_id, number, id, full_address FROM neopro_premise')
        self.premises, self.premise_addresses = {}, {}
        for house_id, number, premise_id, full_address in cr.fetchall():
            self.premises[(house_id, number)] = premise_id
            self.premise_addresses[premise_id] = full_address

    def _prefetch_meters(self, serials):
        """The meters of the serial numbers in the file (archived ones too) and their readings."""
        cr = self.env.cr
        cr.execute('SELECT serial_number, service_id, id, account_id FROM neopro_meter WHERE serial_number = ANY(%s)',
                   (serials,))
        self.meters = {(serial, service_id): (meter_id, account_id)
                       for serial, service_id, meter_id, account_id in cr.fetchall()}
        cr.execute('SELECT meter_id, date, value FROM neopro_meter_reading WHERE meter_id = ANY(%s)',
                   ([meter_id for meter_id, _account in self.meters.values()],))
        self.readings = {(meter_id, str(date)): value for meter_id, date, value in cr.fetchall()}

    # -------------------------------------------------------------------------------- checking

    def check(self, tables):
        """Check every row; the new records go into the plans, each problem into ``problems``."""
        self.prefetch(tables)
        for key, check_row in ((SUBSCRIBERS, self.subscriber_row), (LEGAL, self.legal_row),
                               (METERS, self.meter_row), (BALANCES, self.balance_row)):
            for number, row in tables[key]:
                self.counts[key]['rows'] += 1
                check_row(number, row)

    def _account_number(self, sheet, number, row, holder_type):
        """``(number, existing account or None)`` of the row's account, which must be of ``holder_type``."""
        account = file_parser.to_identifier(row['account'])
        if not account:
            self.problem(sheet, number, 'account', _('the account number is missing.'))
            return None, None
        existing = self.accounts.get(account)
        if existing and existing[1] != holder_type:
            self.problem(sheet, number, 'account', _('the number %s belongs to another account already.') % account)
            return None, None
        return account, existing

    def subscriber_row(self, number, row):
        sheet = SUBSCRIBERS
        account, existing = self._account_number(sheet, number, row, 'subscriber')
        if not account or self.duplicate(sheet, number, 'account', account, 'accounts'):
            return
        ok = True
        parts = [self.text(row[k]) for k in ('last_name', 'first_name', 'patronymic')]
        if not any(parts):
            self.problem(sheet, number, 'last_name', _('the name is missing.'))
            ok = False
        good, branch = self.reference(sheet, number, 'branch', row['branch'], 'neopro.branch', _('branch'))
        ok &= good
        good, category = self.reference(sheet, number, 'category', row['category'], 'neopro.subscriber.category',
                                        _('category'))
        ok &= good
        good, residents = self.number_cell(sheet, number, 'residents', row['residents'], integer=True)
        ok &= good
        services = self.env['neopro.service']
        for text in filter(None, (t.strip() for t in self.text(row['services']).split(','))):
            service = self.ref('neopro.service', text)
            if service is None:
                self.problem(sheet, number, 'services', _('unknown %s "%s".') % (_('service'), text))
                ok = False
            else:
                services |= service
        address = [self.text(row[k]) for k in ('city', 'street', 'house', 'premise')]
        if any(address) and not all(address[:3]):
            column = ('city', 'street', 'house')[[bool(a) for a in address[:3]].index(False)]
            self.problem(sheet, number, column, _('the address needs the city, the street and the house.'))
            ok = False
        if not ok:
            return
        vals = {'last_name': parts[0] or False, 'first_name': parts[1] or False, 'patronymic': parts[2] or False,
                'branch_id': branch.id, 'category_id': category.id,
                'residents': int(residents) if residents is not None else 1}
        if existing:
            self.same_subscriber(number, account, existing[0], vals, address, services)
            return
        self.new_subscribers[account] = (vals, address if any(address) else None, services.ids)
        self.counts[sheet]['new'] += 1

    def same_subscriber(self, number, account, account_id, vals, address, services):
        """A subscriber loaded before: identical → skipped, else refused (the import does not change records)."""
        sub, stored = self.subscribers[account_id]
        keys = ('last_name', 'first_name', 'patronymic', 'branch_id', 'category_id', 'residents')
        differ = [key for key, value in zip(keys, stored) if (value or False) != vals[key]]
        if any(address) and [value or '' for value in stored[6:]] != address:
            differ.append('house')
        if services and services != sub.service_ids:
            differ.append('services')
        if differ:
            columns = dict(SHEETS[SUBSCRIBERS][1])
            names = ', '.join(columns.get(key.replace('_id', ''), key) for key in differ)
            self.problem(SUBSCRIBERS, number, 'account', _('the account %s exists already with other data (%s); '
                                                           'the import does not change it.') % (account, names))
        else:
            self.counts[SUBSCRIBERS]['same'] += 1

    def legal_row(self, number, row):
        sheet = LEGAL
        account, existing = self._account_number(sheet, number, row, 'contract')
        if not account:
            return
        ok = True
        bin_ = file_parser.to_identifier(row['bin'])
        if not kz_id.is_valid(bin_):
            self.problem(sheet, number, 'bin', _('"%s" is no valid BIN: 12 digits, the last one the check digit.')
                         % bin_ if bin_ else _('the BIN is missing.'))
            ok = False
        company = self.text(row['company'])
        contract_name = self.text(row['contract'])
        for column, value in (('company', company), ('contract', contract_name)):
            if not value:
                self.problem(sheet, number, column, _('the value is missing.'))
                ok = False
        good, branch = self.reference(sheet, number, 'branch', row['branch'], 'neopro.branch', _('branch'))
        ok &= good
        good, category = self.reference(sheet, number, 'category', row['category'], 'neopro.subscriber.category',
                                        _('category'))
        ok &= good
        good, service = self.reference(sheet, number, 'service', row['service'], 'neopro.service', _('service'))
        ok &= good
        serial = file_parser.to_identifier(row['serial'])
        good, volume = self.number_cell(sheet, number, 'volume', row['volume'])
        ok &= good
        if good and not serial and volume is None:
            self.problem(sheet, number, 'serial', _('give the meter serial number or the fixed volume.'))
            ok = False
        if not ok:
            return
        # the contract repeats on each row of its points: the first row makes it, the others must agree
        head = (bin_, company, contract_name, branch.id, category.id)
        first = self.seen.get(('contract', account))
        if first and first[1] != head:
            self.problem(sheet, number, 'account', _('the contract %s is given on row %s with other data.')
                         % (account, first[0]))
            return
        if not first:
            if self.duplicate(sheet, number, 'account', account, 'accounts'):
                return
            self.seen[('contract', account)] = (number, head)
        if serial and self.duplicate(sheet, number, 'serial', serial, 'points'):
            return
        self.plan_point(number, account, existing, head, (self.text(row['point']), service, serial, volume))

    def plan_point(self, number, account, existing, head, point):
        """A metering point of the sheet "Юрлица": the same as loaded before, else planned with its contract."""
        bin_, company, contract_name, branch_id, category_id = head
        point_name, service, serial, volume = point
        partner = self.partners.get(bin_)
        owner = partner.name if partner else self.new_partners.get(bin_, (company,))[0]
        if owner != company:
            self.problem(LEGAL, number, 'bin', _('the BIN %s belongs to "%s" already.') % (bin_, owner))
            return
        if existing:
            contract = self.contracts[existing[0]]
            if (contract.partner_id, contract.name, contract.branch_id.id, contract.category_id.id) != (
                    partner, contract_name, branch_id, category_id):
                self.problem(LEGAL, number, 'account', _('the account %s exists already with other data; the import '
                                                         'does not change it.') % account)
                return
            points = contract.metering_point_ids.filtered(lambda p: p.service_id == service)
            if serial:
                same = points.filtered(lambda p: serial in p.meter_ids.mapped('serial_number'))
            else:
                same = points.filtered(lambda p: not p.meter_ids and round(p.volume, 3) == float(volume))
            if same:
                if serial:
                    self.points[serial] = ('point', same[0].id, service.id)
                self.counts[LEGAL]['same'] += 1
                return
        else:
            self.new_contracts.setdefault(account, head)
            if not partner:
                self.new_partners.setdefault(bin_, (company, branch_id))
        self.new_points.append((account, point_name, service.id, serial, volume))
        if serial:
            self.points[serial] = ('new', len(self.new_points) - 1, service.id)
        self.counts[LEGAL]['new'] += 1

    def meter_row(self, number, row):
        sheet = METERS
        serial = file_parser.to_identifier(row['serial'])
        if not serial:
            self.problem(sheet, number, 'serial', _('the serial number is missing.'))
            return
        if self.duplicate(sheet, number, 'serial', serial):
            return
        ok, service = self.reference(sheet, number, 'service', row['service'], 'neopro.service', _('service'))
        good, meter_type = self.reference(sheet, number, 'type', row['type'], 'neopro.meter.type', _('meter type'),
                                          required=False)
        ok &= good
        dates = {}
        for column in DATE_COLUMNS:
            good, dates[column] = self.date_cell(sheet, number, column, row[column])
            ok &= good
        good, value = self.number_cell(sheet, number, 'value', row['value'])
        ok &= good
        good, digits = self.number_cell(sheet, number, 'digits', row['digits'], integer=True)
        if good and digits is not None and digits > 12:
            self.problem(sheet, number, 'digits', _('a counter has at most 12 digits, not %s.') % digits)
            good = False
        ok &= good
        if ok and good and (value is None) != (not dates['reading_date']):
            self.problem(sheet, number, 'reading_date' if value is not None else 'value',
                         _('the last reading needs both its value and its date.'))
            ok = False
        ok &= self._check_dates(number, row, dates)
        owner = file_parser.to_identifier(row['account'])
        holder_type = self.holder_type(owner) if owner else None
        if not holder_type:
            self.problem(sheet, number, 'account', _('no account %s (neither in the database nor in the file).')
                         % owner if owner else _('the account number is missing.'))
            ok = False
        if not ok:
            return
        reading = (dates['reading_date'], float(value)) if dates['reading_date'] else None
        existing = self.meters.get((serial, service.id))
        if existing:
            self.same_meter(number, serial, owner, existing, reading)
            return
        digits = int(digits) if digits is not None else 5
        vals = {'serial_number': serial, 'service_id': service.id, 'type_id': meter_type.id if meter_type else None,
                'installation_date': dates['installation_date'] or None,
                'verification_date': dates['verification_date'] or None, 'digits': digits}
        if holder_type == 'subscriber':
            meter_owner = ('subscriber', owner)
        else:
            meter_owner = self.points.get(serial)
            if not meter_owner:
                self.problem(sheet, number, 'account', _('no metering point of the contract %s names the meter %s '
                                                         '(sheet "%s").') % (owner, serial, SHEETS[LEGAL][0]))
                return
            if meter_owner[2] != service.id:
                self.problem(sheet, number, 'service', _('the metering point of the meter %s (sheet "%s") is of '
                                                         'another service.') % (serial, SHEETS[LEGAL][0]))
                return
        if reading and ledger.has_too_many_digits(reading[1], digits):
            # the rule of neopro.meter.reading._check_value (a new meter's only reading has no neighbours)
            self.problem(sheet, number, 'value', _('Meter %s: the reading %s has more digits than the counter (%s).')
                         % (serial, reading[1], digits))
            return
        self.new_meters.append((vals, meter_owner, reading))
        self.counts[sheet]['new'] += 1

    def _check_dates(self, number, row, dates):
        """The last reading not in the future nor in a closed period; the verification not in the future."""
        ok = True
        reading_date = dates['reading_date']
        if reading_date and reading_date > self.today:
            self.problem(METERS, number, 'reading_date', _('the date %s is in the future.')
                         % self.text(row['reading_date']))
            ok = False
        closed = next((name for start, end, name in self.closed_periods if start <= (reading_date or '') <= end),
                      None)
        if closed:
            self.problem(METERS, number, 'reading_date', _('the date %s lies in the closed period %s, whose charges '
                                                           'are final.') % (self.text(row['reading_date']), closed))
            ok = False
        # the rule of neopro.meter._check_verification_date (also run on the written meters)
        if dates['verification_date'] and dates['verification_date'] > self.today:
            self.problem(METERS, number, 'verification_date', _('the date %s is in the future.')
                         % self.text(row['verification_date']))
            ok = False
        return ok

    def same_meter(self, number, serial, owner, existing, reading):
        """A meter loaded before: of the same account with the same last reading → skipped, else refused."""
        meter_id, account_id = existing
        account = self.accounts.get(owner)
        if not account or account[0] != account_id:
            self.problem(METERS, number, 'serial', _('the meter %s belongs to another account already.') % serial)
            return
        if reading:
            value = self.readings.get((meter_id, reading[0]))
            if value is None:
                self.problem(METERS, number, 'value', _('the meter %s exists already without the reading of %s; the '
                                                        'import does not change it.') % (serial, reading[0]))
                return
            if round(value, 3) != reading[1]:
                self.problem(METERS, number, 'value', _('the meter %s has the reading %s on %s already.')
                             % (serial, value, reading[0]))
                return
        self.counts[METERS]['same'] += 1

    def balance_row(self, number, row):
        sheet = BALANCES
        account_number = file_parser.to_identifier(row['account'])
        if not account_number:
            self.problem(sheet, number, 'account', _('the account number is missing.'))
            return
        if self.duplicate(sheet, number, 'account', account_number):
            return
        amount = file_parser.parse_amount(row['amount'])
        if amount is None:
            self.problem(sheet, number, 'amount', _('"%s" is not an amount in tenge.') % self.text(row['amount']))
            return
        period = self.period
        if not period:
            self.problem(sheet, number, 'amount', _('there is no open period: create the first period, then load '
                                                    'the opening balances.'))
            return
        if not self.holder_type(account_number):
            self.problem(sheet, number, 'account', _('no account %s (neither in the database nor in the file).')
                         % account_number)
            return
        account_id = self.accounts[account_number][0] if account_number in self.accounts else None
        start = self.balances.get((account_id, period.id))
        if start is not None:
            if float(start) != float(amount):
                self.problem(sheet, number, 'amount', _('the account %s has the opening balance %s in %s already.')
                             % (account_number, '%.2f' % start, period.name))
            else:
                self.counts[sheet]['same'] += 1
            return
        previous = self.previous
        if previous and (account_id, previous.id) in self.balances:
            self.problem(sheet, number, 'amount', _('the opening balance of %s is the closing balance of %s: '
                                                    'it cannot be loaded.') % (period.name, previous.name))
            return
        self.new_balances.append((account_number, amount))
        self.counts[sheet]['new'] += 1

    # -------------------------------------------------------------------------------- writing
    # The stored computed fields of the new records are written with them, by the models' helpers where the models
    # have them (full names, addresses, verification dates): the ORM's recompute of 100,000 new records takes
    # longer than the whole load (it is quadratic in the batch in Odoo 11). test_golive_import recomputes them
    # through the ORM and finds them unchanged.

    def save(self):
        """Write the plans: batch INSERTs, the model constraints run on the new batches, caches invalidated."""
        self.account_ids = {number: values[0] for number, values in self.accounts.items()}
        self.branch_ids = {number: values[2] for number, values in self.accounts.items()}
        self.subscriber_ids = {number: self.subscribers[values[0]][0].id for number, values in self.accounts.items()
                               if values[1] == 'subscriber'}
        self.holders = {}  # account number -> (branch id, name, address) of a subscriber
        self._write_subscribers()
        point_ids = self._write_legal()
        self._write_meters(point_ids)
        self._write_balances()
        self.env.cache.invalidate()

    def _insert_missing(self, model, index, keyed_rows):
        """Insert the rows whose key is not in ``index`` yet (each key once) and add their ids to it."""
        keys, rows = [], []
        for key, row in keyed_rows:
            if key not in index:
                index[key] = None
                keys.append(key)
                rows.append(row)
        index.update(zip(keys, insert_rows(self.env, model, rows).ids))

    def _write_addresses(self):
        """The cities, streets, houses and apartments of the new subscribers, created when missing:
        ``{account number: (house id, apartment id, address)}``."""
        House, Premise = self.env['neopro.house'], self.env['neopro.premise']
        addressed = [(number, vals, address) for number, (vals, address, _s) in self.new_subscribers.items()
                     if address]
        self._insert_missing('neopro.city', self.cities, [(a[0], {'name': a[0]}) for _n, _v, a in addressed])
        self._insert_missing('neopro.street', self.streets, [
            ((self.cities[a[0]], a[1]), {'city_id': self.cities[a[0]], 'name': a[1]}) for _n, _v, a in addressed])
        houses = []
        for _number, vals, (city, street, house, _premise) in addressed:
            city_id = self.cities[city]
            street_id = self.streets[(city_id, street)]
            houses.append(((street_id, house), {
                'street_id': street_id, 'city_id': city_id, 'number': house, 'branch_id': vals['branch_id'],
                'full_address': House._get_full_address(city, street, house)}))
        self._insert_missing('neopro.house', self.houses, houses)
        for key, row in houses:
            self.house_addresses.setdefault(self.houses[key], row['full_address'])
        premises = [((self.houses[key], a[3]), {
            'house_id': self.houses[key], 'number': a[3],
            'full_address': Premise._get_full_address(self.house_addresses[self.houses[key]], a[3])})
            for (key, _row), (_n, _v, a) in zip(houses, addressed) if a[3]]
        self._insert_missing('neopro.premise', self.premises, premises)
        for key, row in premises:
            self.premise_addresses.setdefault(self.premises[key], row['full_address'])
        located = {}
        for (key, _row), (number, _v, a) in zip(houses, addressed):
            house_id = self.houses[key]
            premise_id = self.premises[(house_id, a[3])] if a[3] else None
            located[number] = (house_id, premise_id, self.premise_addresses[premise_id] if premise_id
                               else self.house_addresses[house_id])
        return located

    def _write_subscribers(self):
        """Accounts, subscribers and service connections of the sheet "Абоненты"; the account numbers taken from
        the branches' sequences; the first line of each chatter."""
        if not self.new_subscribers:
            return
        located = self._write_addresses()
        meter_counts = Counter(owner[1] for _vals, owner, _reading in self.new_meters if owner[0] == 'subscriber')
        numbers = list(self.new_subscribers)
        for number, (vals, _a, _s) in self.new_subscribers.items():
            name = self.env['neopro.subscriber']._get_full_name(vals['last_name'], vals['first_name'],
                                                                vals['patronymic'])
            self.holders[number] = (vals['branch_id'], name, located.get(number, (None, None, None))[2])
        # the holder fields as neopro.account._compute_holder gives them for a subscriber (the holder methods of
        # neopro.subscriber): its name, its address, open; no portal contact before the portal invitation
        accounts = insert_rows(self.env, 'neopro.account', [
            {'account_number': number, 'holder_type': 'subscriber', 'branch_id': branch_id, 'holder_name': name,
             'payer_name': name, 'holder_address': address, 'holder_active': True, 'holder_partner_id': None}
            for number, (branch_id, name, address) in self.holders.items()])
        self.account_ids.update(zip(numbers, accounts.ids))
        rows = []
        for number, (vals, _a, _s) in self.new_subscribers.items():
            house_id, premise_id, address = located.get(number, (None, None, None))
            rows.append({'account_id': self.account_ids[number], 'name': self.holders[number][1],
                         'last_name': vals['last_name'] or None, 'first_name': vals['first_name'] or None,
                         'patronymic': vals['patronymic'] or None, 'house_id': house_id, 'premise_id': premise_id,
                         'address': address, 'residents': vals['residents'], 'category_id': vals['category_id'],
                         'meter_count': meter_counts[number]})
            self.branch_ids[number] = vals['branch_id']
        subscribers = insert_rows(self.env, 'neopro.subscriber', rows)
        self.subscriber_ids.update(zip(numbers, subscribers.ids))
        # a first connection has no date bound (neopro.subscriber._inverse_service_ids)
        insert_rows(self.env, 'neopro.service.connection', [
            {'subscriber_id': self.subscriber_ids[number], 'service_id': service_id, 'branch_id': vals['branch_id']}
            for number, (vals, _a, services) in self.new_subscribers.items() for service_id in services])
        self._take_account_numbers({number: vals for number, (vals, _a, _s) in self.new_subscribers.items()})
        self._post_created(subscribers)

    def _write_legal(self):
        """Partners, contracts and metering points of the sheet "Юрлица"; ``{index in new_points: point id}``."""
        partners = insert_records(self.env, 'res.partner', [
            {'name': company, 'is_company': True, 'neopro_is_contractor': True, 'neopro_bin': bin_,
             'neopro_branch_id': branch_id} for bin_, (company, branch_id) in self.new_partners.items()])
        partner_ids = {bin_: partner.id for bin_, partner in self.partners.items()}
        partner_ids.update(zip(self.new_partners, partners.ids))
        numbers = list(self.new_contracts)
        accounts = insert_rows(self.env, 'neopro.account', [
            {'account_number': number, 'holder_type': 'contract', 'branch_id': head[3]}
            for number, head in self.new_contracts.items()])
        self.account_ids.update(zip(numbers, accounts.ids))
        self.branch_ids.update((number, head[3]) for number, head in self.new_contracts.items())
        contracts = insert_records(self.env, 'neopro.contract', [
            {'account_id': self.account_ids[number], 'name': name, 'partner_id': partner_ids[bin_],
             'category_id': category_id}
            for number, (bin_, _company, name, _branch, category_id) in self.new_contracts.items()])
        recompute_stored(accounts, ['holder_name', 'payer_name', 'holder_address', 'holder_active',
                                    'holder_partner_id'])
        self._take_account_numbers(self.new_contracts)
        self._post_created(contracts)
        contract_ids = dict(zip(accounts.ids, contracts.ids))
        contract_ids.update({account_id: contract.id for account_id, contract in self.contracts.items()})
        # the address of a point is its house's (none on the sheet); its meter is set with the meters
        points = insert_rows(self.env, 'neopro.metering.point', [
            {'contract_id': contract_ids[self.account_ids[number]], 'name': name or None, 'service_id': service_id,
             'volume': float(volume or 0), 'branch_id': self.branch_ids[number], 'address': None, 'meter_id': None}
            for number, name, service_id, _serial, volume in self.new_points])
        return dict(enumerate(points.ids))

    def _take_account_numbers(self, plans):
        """Move the branches' sequences past the new account numbers (``{number: plan with the branch id}``), as
        saving a holder does (neopro.branch._take_account_number)."""
        by_branch = defaultdict(list)
        for number, plan in plans.items():
            by_branch[plan['branch_id'] if isinstance(plan, dict) else plan[3]].append(number)
        for branch in self.env['neopro.branch'].browse(list(by_branch)):
            for number in by_branch[branch.id]:
                branch._take_account_number(number)

    def _meter_owner(self, owner, points):
        """The owner columns of a new meter, as neopro.meter._compute_owner gives them."""
        kind, key = owner[0], owner[1]
        if kind == 'subscriber':
            if key not in self.holders:  # a subscriber loaded before
                sub = self.subscribers[self.account_ids[key]][0]
                self.holders[key] = (sub.branch_id.id, sub.name, sub.address or None)
            branch_id, name, address = self.holders[key]
            return {'subscriber_id': self.subscriber_ids[key], 'metering_point_id': None, 'contract_id': None,
                    'account_id': self.account_ids[key], 'branch_id': branch_id, 'owner_name': name,
                    'address': address}
        return points[key]

    def _point_owners(self, points):
        """``{point id: owner columns}`` of the meters of ``points``, as neopro.meter._compute_owner gives them."""
        owners = {}
        for row in points.read(['contract_id', 'branch_id', 'address']):
            contract = self.env['neopro.contract'].browse(row['contract_id'][0]).with_prefetch(points._prefetch)
            owners[row['id']] = {'subscriber_id': None, 'metering_point_id': row['id'], 'contract_id': contract.id,
                                 'branch_id': row['branch_id'] and row['branch_id'][0] or None,
                                 'address': row['address'] or None}
        contracts = self.env['neopro.contract'].browse({owner['contract_id'] for owner in owners.values()})
        companies = {contract['id']: contract for contract in contracts.read(['account_id', 'partner_id'])}
        partners = {partner['id']: partner for partner in self.env['res.partner'].browse(
            {contract['partner_id'][0] for contract in companies.values()}).read(['name', 'neopro_address'])}
        for owner in owners.values():
            contract = companies[owner['contract_id']]
            partner = partners[contract['partner_id'][0]]
            owner.update(account_id=contract['account_id'][0], owner_name=partner['name'] or None,
                         address=owner['address'] or partner['neopro_address'] or None)
        return owners

    def _write_meters(self, point_ids):
        """Meters and their last readings; the meter counts of the subscribers and the points' meters."""
        if not self.new_meters:
            return
        Meter = self.env['neopro.meter']
        interval = Meter.default_get(['verification_interval'])['verification_interval']
        ids = {key: point_ids[key] if kind == 'new' else key for _v, (kind, key, *_r), _r in self.new_meters
               if kind != 'subscriber'}
        all_points = self.env['neopro.metering.point'].browse(list(set(ids.values())))
        owners = self._point_owners(all_points)
        points = {key: owners[point_id] for key, point_id in ids.items()}
        rows = [dict(vals, verification_interval=interval, **self._meter_owner(owner, points),
                     next_verification_date=Meter._get_next_verification_date(
                         vals['verification_date'] or vals['installation_date'], interval) or None)
                for vals, owner, _reading in self.new_meters]
        meters = insert_rows(self.env, 'neopro.meter', rows)
        # the last reading of the old system is history before the first billing period, which the date guard
        # refuses to users (neopro.guard._check_date_bounds: the migration records it as the superuser would); the
        # future, closed periods and the digits are checked in meter_row
        insert_rows(self.env, 'neopro.meter.reading', [
            {'meter_id': meter_id, 'date': reading[0], 'value': reading[1], 'source': MIGRATION_SOURCE,
             'service_id': row['service_id'], 'subscriber_id': row['subscriber_id'], 'branch_id': row['branch_id']}
            for meter_id, row, (_vals, _owner, reading) in zip(meters.ids, rows, self.new_meters) if reading])
        loaded_before = set(self.subscriber_ids.values()) - set(self.subscriber_ids[n] for n in self.new_subscribers)
        recompute_stored(self.env['neopro.subscriber'].browse(
            {row['subscriber_id'] for row in rows} & loaded_before), ['meter_count'])
        # the meter in service of a new point is its one meter (neopro.metering.point._compute_meter_id)
        new_points = set(point_ids.values())
        execute_values(self.env.cr, 'UPDATE neopro_metering_point AS p SET meter_id = v.meter_id '
                                    'FROM (VALUES %s) AS v(id, meter_id) WHERE p.id = v.id',
                       [(row['metering_point_id'], meter_id) for meter_id, row in zip(meters.ids, rows)
                        if row['metering_point_id'] in new_points], page_size=INSERT_CHUNK)
        recompute_stored(all_points.filtered(lambda point: point.id not in new_points), ['meter_id'])
        self._post_created(meters)

    def _write_balances(self):
        """The opening balances of the open period, then the accounts' figures (``neopro.balance._recompute``)."""
        if not self.new_balances:
            return
        # the figures of a balance are system fields (neopro.protected.mixin): this is the one trusted path that sets
        # an opening balance (RULES §11: the first period's initial debt), run by administrators only
        rows = [{'account_id': self.account_ids[number], 'period_id': self.period.id,
                 'branch_id': self.branch_ids[number], 'balance_start': amount, 'amount_charged': 0,
                 'amount_paid': 0, 'amount_correction': 0, 'amount_penalty': 0, 'balance_end': amount}
                for number, amount in self.new_balances]
        insert_rows(self.env, 'neopro.balance', rows)
        self.env['neopro.balance']._recompute(self.period, [row['account_id'] for row in rows])

    def _post_created(self, records):
        """The first line of the new records' chatter, as ``create`` writes it (models/mail_message.py)."""
        if not records:
            return
        messages = self.env['mail.message']
        body = messages._fields['body'].convert_to_column(
            _('New record: %s') % self.env['ir.model']._get(records._name).name, messages)  # sanitized, as on create
        subtype = self.env.ref('mail.mt_note').id
        author = self.env.user.partner_id.id
        insert_rows(self.env, 'mail.message', [
            {'model': records._name, 'res_id': record_id, 'body': body, 'message_type': 'notification',
             'subtype_id': subtype, 'author_id': author, 'message_id': tools.generate_tracking_message_id('import')}
            for record_id in records.ids])
