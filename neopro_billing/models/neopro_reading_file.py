import logging
import time
from collections import namedtuple

import psycopg2
import psycopg2.errorcodes
import psycopg2.pool

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import ledger, reading_parser
from ..lib.sql_copy import copy_rows
from .neopro_guard_mixin import local_today
from .neopro_meter_reading import MIGRATION_SOURCE, READING_SOURCES

_logger = logging.getLogger(__name__)

ERROR_REASONS = [
    ('unknown_meter', 'Unknown meter'),
    ('value', 'Bad value'),
    ('digits', 'More digits than the counter'),
    ('lower', 'Lower than the previous reading'),
    ('date', 'Bad date'),
    ('closed_period', 'Date in a closed period'),
    ('source', 'Unknown source'),
    ('duplicate_line', 'Duplicate line'),
    ('duplicate_earlier', 'Loaded before'),
]

# How files name the sources besides their codes and labels in the installed languages.
SOURCE_ALIASES = {
    'subscriber': ['абонент', 'потребитель'],
    'inspector': ['контролер', 'контролёр', 'обходчик'],
    'remote': ['аскуэр', 'аскуэ', 'дистанционно', 'удаленно'],
    'verification': ['поверка'],
}

# A meter a reading line can go to, with what its readings store of it.
Meter = namedtuple('Meter', 'id serial digits removal_date initial_value service_id subscriber_id branch_id')
# What a _ChunkLookup found for a chunk: {serial: [Meter]}, {ЛС: [(Meter, service name)]}, and
# {(meter id, date): (value that day, (date, value, reset) before, (date, value, reset) after)}.
ChunkFound = namedtuple('ChunkFound', 'by_serial by_account neighbours')
# A reading to write: the parsed line, its Meter, and the source code.
GoodReading = namedtuple('GoodReading', 'line meter source')
# What every line of a file is checked against (NeoproReadingFile._get_file_rules).
_FileRules = namedtuple('_FileRules', 'today first_day closed sources default_source')


class NeoproReadingFormat(models.Model):
    """The layout of a meter-reading file (АСКУЭР export, inspectors' sheets): data, like a bank format."""
    _name = 'neopro.reading.format'
    _inherit = ['neopro.reference.mixin', 'neopro.file.format.mixin']
    _description = 'Meter reading file format'
    _order = 'name'

    column_serial = fields.Char(string='Serial number column',
                                help='Column title (alternatives separated by |), column number (1, 2, …) or letter '
                                     '(A, B, …). Empty: the meter is named by account and service.')
    column_account = fields.Char(string='Account column', help='Optional: the ЛС, with the service column, names '
                                                               'the meter when there is no serial number.')
    column_service = fields.Char(string='Service column')
    column_date = fields.Char(string='Date column', required=True)
    column_value = fields.Char(string='Value column', required=True)
    column_source = fields.Char(string='Source column',
                                help='Optional: subscriber, inspector, remote, verification (or their names).')
    source = fields.Selection([s for s in READING_SOURCES if s[0] != MIGRATION_SOURCE], string='Default source',
                              required=True, default='remote',
                              help='The source of lines that do not say it.')
    skip_empty_value = fields.Boolean(string='Skip lines without a value',
                                      help='A reading sheet lists every meter of the route: the meters not read '
                                           'are left out, not rejected.')
    empty_date_today = fields.Boolean(string='Empty date: day of loading',
                                      help='A line without a date gets the day the file is loaded.')

    def _get_columns(self):
        return {
            'serial': self.column_serial, 'account': self.column_account, 'service': self.column_service,
            'date': self.column_date, 'value': self.column_value, 'source': self.column_source,
        }

    def _get_parser_spec(self):
        spec = super(NeoproReadingFormat, self)._get_parser_spec()
        # the day a line without a date gets (the parser's: the meters are looked up by the dates it gives)
        spec.update(skip_empty_value=self.skip_empty_value,
                    empty_date=self.empty_date_today and fields.Date.from_string(local_today(self)) or None)
        return spec

    def _parser(self):
        return reading_parser


class NeoproReadingFile(models.Model):
    """A meter-reading file loaded (RULES §14), with its load protocol and the original."""
    _name = 'neopro.reading.file'
    _inherit = ['neopro.file.registry.mixin']
    _description = 'Meter reading file'
    _order = 'upload_date desc, id desc'
    _protocol_table = 'neopro_reading_file_error'
    _protocol_columns = ('line_number', 'serial_number', 'value_text', 'date_text', 'reason', 'message')

    format_id = fields.Many2one('neopro.reading.format', ondelete='restrict', readonly=True)
    user_id = fields.Many2one('res.users', string='Loaded by', readonly=True, default=lambda self: self.env.uid,
                              index=True)
    total_records = fields.Integer(readonly=True, help='Reading lines in the file (without blank and skipped rows).')
    error_ids = fields.One2many('neopro.reading.file.error', 'file_id', string='Load protocol', readonly=True)
    reading_ids = fields.One2many('neopro.meter.reading', 'reading_file_id', string='Readings', readonly=True)

    @api.multi
    def unlink(self):
        for record in self:
            if record.reading_ids:
                raise UserError(_('File %s loaded %s readings: it cannot be deleted.')
                                % (record.name, record.loaded_count))
        return super(NeoproReadingFile, self).unlink()

    @api.multi
    def action_view_readings(self):
        """The readings loaded from this file."""
        self.ensure_one()
        action = self.env.ref('neopro_billing.neopro_meter_reading_action').read()[0]
        action.update(domain=[('reading_file_id', '=', self.id)], context={}, name=_('Readings of %s') % self.name)
        return action

    # ------------------------------------------------------------------------------------ import

    @api.model
    def _import_file(self, reading_format, data, filename):
        """Load a readings file: check every line by the rules of a reading typed by hand, write the good ones,
        keep the rest in the load protocol. Returns the new ``neopro.reading.file``; nothing is written when
        anything fails; a file loaded before is refused, and a reading loaded before is never written twice.

        The file is read in the background while each chunk of it is checked and written, all in one savepoint;
        the reader also looks up the meters and readings of the chunk it read (``_ChunkLookup``) on a connection
        of its own, while this one writes the chunk before, when a second connection sees what this one sees
        (``_can_look_up_apart``). The rules between the readings of a meter take its lines in date order: when a
        chunk brings a meter's reading dated before one of an earlier chunk, the load starts again with the file
        checked as a whole. So it does when a reading found by the reader refers to a row committed after this
        transaction began (a meter made meanwhile: the reader's snapshot is the newer one, and the foreign key
        check of the write uses this one's), the whole file then looked up here.
        """
        self._check_import_rights()
        file_hash = self._get_file_hash(data)
        self._check_not_loaded(file_hash)
        started = time.time()
        apart = self._can_look_up_apart()
        lookup = self._get_chunk_lookup(apart)
        streamed = reading_format._read_file(data, self._import_chunk_lines, prepare=lookup if apart else None)
        try:
            try:
                record = self._load_file(reading_format, data, filename, file_hash, streamed, lookup)
            except (_LinesOutOfOrder, psycopg2.IntegrityError) as error:
                if isinstance(error, psycopg2.IntegrityError) and not (
                        lookup.pool and error.pgcode == psycopg2.errorcodes.FOREIGN_KEY_VIOLATION):
                    raise
                _logger.info('Readings file %s: loaded again as a whole (%s)', filename,
                             'a chunk goes back in a meter\'s dates' if isinstance(error, _LinesOutOfOrder) else
                             'a row committed meanwhile')
                streamed.stop_preparing()
                streamed.read_all()  # the rest of the file: then it comes as one chunk, looked up here
                record = self._load_file(reading_format, data, filename, file_hash, streamed, lookup)
        finally:
            streamed.close()
        self.env['neopro.meter.reading'].invalidate_cache()
        self.invalidate_cache()
        _logger.info('Readings file %s (id %s) by uid %s: %s lines, %s readings, %s refused, %.1f s, lookups %s',
                     record.name, record.id, self.env.uid, record.total_records, record.loaded_count,
                     record.error_count, time.time() - started, 'on their own connection' if apart else 'here')
        return record

    @api.model
    def _load_file(self, reading_format, data, filename, file_hash, streamed, lookup):
        """In one savepoint: the file record, its readings chunk by chunk as the file is read, its protocol and
        counts. Raises ``_LinesOutOfOrder`` (the savepoint taken back) when a chunk goes back in a meter's dates.
        ``lookup``: the ``_ChunkLookup`` of the file, run here on the chunks the reader did not look up."""
        with self.env.cr.savepoint():
            record = self._create_loaded_file({
                'name': filename or _('Readings file'), 'format_id': reading_format.id}, data, file_hash)
            sequence, rules = _Sequence(), self._get_file_rules(reading_format)
            loaded, errors = 0, []
            for chunk, found in streamed.prepared_chunks():
                if found is None:  # not looked up by the reader, or the whole file read again
                    found = lookup.look_up(self.env.cr, chunk, record.id)
                good, chunk_errors = self._check_lines(chunk, sequence, rules, found)
                self._insert_readings(record, good)
                loaded += len(good)
                errors.extend(chunk_errors)
            errors.sort(key=lambda e: e['line_number'])
            # sudo: the counts of the file record made just above, which nobody else writes (see
            # _create_loaded_file)
            record.sudo().write({'total_records': len(streamed.lines), 'loaded_count': loaded,
                                 'error_count': len(errors)})
            self._insert_errors(record, errors)
        return record

    @api.model
    def _check_import_rights(self):
        """Whoever may enter readings may load them (inspectors and up)."""
        if not self.env.user.has_group('neopro_billing.group_inspector'):
            raise AccessError(_('Only inspectors, operators and administrators can load readings.'))
        self.env['neopro.meter.reading'].check_access_rights('create')

    @api.model
    def _get_chunk_lookup(self, apart=False):
        """The ``_ChunkLookup`` of a file for this user: the meters' query with the record rules of
        ``neopro.meter`` applied, and the services' names; ``apart``: the reader may open a cursor of its own."""
        Meter_ = self.env['neopro.meter']
        Meter_.check_access_rights('read')
        query = Meter_._where_calc([])
        Meter_._apply_ir_rules(query, 'read')
        return _ChunkLookup(query.get_sql(), self._get_service_names(), self.pool if apart else None)

    @api.model
    def _can_look_up_apart(self):
        """Whether a file's lookups may run on a connection of their own: when this transaction has written
        nothing yet, another one sees all this one sees, and what others committed since (a reading typed
        meanwhile is then "loaded before"; a meter made meanwhile is retried by ``_import_file``). Not while the
        registry is in test mode, where every cursor is the test's one; a test that wrote its meters looks them up
        on its own cursor. (The snapshot of this transaction cannot be handed over instead: PostgreSQL exports
        none from inside a savepoint, where a caller may have put the load.)"""
        if self.pool.in_test_mode():
            return False
        self.env.cr.execute('SELECT txid_current_if_assigned() IS NULL')
        return self.env.cr.fetchone()[0]

    @api.model
    def _check_not_loaded(self, file_hash):
        # sudo: the file may have been loaded by another user; only its name, date and author are told
        earlier = self.sudo().search([('file_hash', '=', file_hash)], limit=1)
        if earlier:
            raise UserError(_('This file was loaded already: "%s" on %s by %s, %s readings. It is not loaded again.')
                            % (earlier.name,
                               fields.Datetime.context_timestamp(self, fields.Datetime.from_string(earlier.upload_date))
                               .strftime('%d.%m.%Y %H:%M:%S'), earlier.user_id.name, earlier.loaded_count))

    @api.model
    def _check_lines(self, lines, sequence, rules, found):
        """Split parsed lines into readings to write and protocol rows, by the rules of ``neopro.meter.reading``
        (``_check_value``, ``_check_date_open``, ``_check_date_bounds``), checked set-based; ``sequence``: what the
        file's earlier chunks left (``_Sequence``), ``rules``: what ``_get_file_rules`` read for the file,
        ``found``: what the ``_ChunkLookup`` read for these lines.

        Returns ``(good, errors)``: good are ``GoodReading`` tuples, errors dicts of protocol values.
        """
        today, first_day, closed, sources, default_source = rules
        candidates, errors = [], []
        date_problems = {}  # a file has a few distinct dates: each one checked and worded once
        for line in lines:
            problems = self._get_cell_problems(line) if line.errors else []
            if line.date:
                if line.date not in date_problems:
                    date_problems[line.date] = self._get_date_problems(line.date, today, first_day, closed)
                problems.extend(date_problems[line.date])
            meter, count = _meter_of(line, found)
            if meter is None and line.serial:
                if not count:
                    problems.append(('unknown_meter', _('Meter %s not found') % line.serial))
                else:
                    problems.append(('unknown_meter', _('Serial number %s names %s meters: give the account and '
                                                        'service') % (line.serial, count)))
            elif meter is None and line.account:
                problems.append(('unknown_meter', _('Account %s has no single meter of service "%s"')
                                 % (line.account, line.service or '')))
            source = default_source
            if line.source:
                source = sources.get(line.source.lower())
                if not source:
                    problems.append(('source', _('Unknown source "%s"') % line.source))
            if meter and line.value is not None and ledger.has_too_many_digits(line.value, meter.digits):
                problems.append(('digits', _('The reading %s has more digits than the counter (%s)')
                                 % (line.raw_value, meter.digits)))
            if meter and line.date and meter.removal_date and line.date > meter.removal_date:
                problems.append(('date', _('Meter %s was removed on %s') % (
                    meter.serial, meter.removal_date.strftime('%d.%m.%Y'))))
            if problems:
                errors.append(self._error(line, problems))
            else:
                candidates.append(GoodReading(line, meter, source))
        good, later = self._check_sequence(candidates, sequence, found.neighbours)
        errors.extend(later)
        errors.sort(key=lambda e: e['line_number'])
        return good, errors

    @api.model
    def _get_file_rules(self, reading_format):
        """What a file's lines are checked against, read once for all its chunks: ``(today, start of the first
        period, closed periods, source map, the format's default source)``."""
        first_day = self.env['neopro.guard']._first_period_start()
        return _FileRules(fields.Date.from_string(local_today(self)),
                          first_day and fields.Date.from_string(first_day), self._get_closed_periods(),
                          self._get_source_map(), reading_format.source)

    @api.model
    def _error(self, line, problems):
        return {'line_number': line.line_number, 'serial_number': line.serial or line.account or None,
                'value_text': line.raw_value or None, 'date_text': line.raw_date or None,
                'reason': problems[0][0], 'message': '; '.join(p[1] for p in problems)}

    @api.model
    def _get_cell_problems(self, line):
        """Problems of the cells, worded."""
        problems = []
        for code, raw in line.errors:
            if code == reading_parser.NO_METER:
                problems.append(('unknown_meter', _('No serial number')))
            elif code == reading_parser.BAD_VALUE:
                problems.append(('value', _('Bad reading "%s"') % raw))
            elif code == reading_parser.BAD_DATE:
                problems.append(('date', _('Bad date "%s"') % raw))
        return problems

    @api.model
    def _get_date_problems(self, date, today, first_day, closed):
        """Problems of a reading's date, worded: in the future, before the first period or in a closed one."""
        if date > today:
            return [('date', _('The date %s is in the future') % date.strftime('%d.%m.%Y'))]
        if first_day and date < first_day:
            return [('date', _('The date %s is before the first billing period, which starts on %s')
                     % (date.strftime('%d.%m.%Y'), first_day.strftime('%d.%m.%Y')))]
        period = next((name for start, end, name in closed if start <= date <= end), None)
        if period:
            return [('closed_period', _('The date %s lies in the closed period %s, whose charges are final')
                     % (date.strftime('%d.%m.%Y'), period))]
        return []

    @api.model
    def _get_closed_periods(self):
        return [(fields.Date.from_string(p.date_start), fields.Date.from_string(p.date_end), p.name)
                for p in self.env['neopro.period'].search([('state', '=', 'closed')])]

    @api.model
    def _get_service_names(self):
        """``{service id: [lower-case code, name and short name in the installed languages and aliases]}``."""
        result = {}
        for alias, service_id in self.env['neopro.payment.file']._get_service_map().items():
            result.setdefault(service_id, []).append(alias)
        return result

    @api.model
    def _get_source_map(self):
        """``{lower-case code, label or alias: source code}``."""
        result = {}
        for code, aliases in SOURCE_ALIASES.items():
            result.update(dict.fromkeys(aliases, code))
        langs = [code for code, _name in self.env['res.lang'].get_installed()]
        for lang in set(langs + ['en_US']):
            field = self.env['neopro.meter.reading'].with_context(lang=lang)._fields['source']
            for code, label in field._description_selection(self.env(context=dict(self.env.context, lang=lang))):
                if code == MIGRATION_SOURCE:  # the go-live import's only (neopro.meter.reading)
                    continue
                result[code] = code
                result[label.lower()] = code
        return result

    @api.model
    def _check_sequence(self, candidates, sequence, neighbours):
        """The rules between readings of a meter: one a day, never lower than the one before (unless a rollover),
        never higher than a later one — against the database (``neighbours``: ``_ChunkLookup.neighbours``) and the
        file's own earlier lines, a meter's lines taken in date order (``sequence``: the earlier chunks', which
        must not be dated after these).

        Returns ``(good, errors)``."""
        if not candidates:
            return [], []
        latest = sequence.latest
        if any(c.meter.id in latest and c.line.date < latest[c.meter.id] for c in candidates):
            raise _LinesOutOfOrder()
        good, errors, seen, accepted = [], [], sequence.seen, sequence.accepted
        for cand in sorted(candidates, key=lambda c: (c.meter.id, c.line.date, c.line.line_number)):
            line, meter = cand.line, cand.meter
            key = (meter.id, line.date)
            same_day, previous, following = neighbours.get(key, (None, None, None))
            problems = []
            if key in seen:
                problems.append(('duplicate_line', _('Duplicate of line %s (meter %s, %s)') % (
                    seen[key], meter.serial, line.date.strftime('%d.%m.%Y'))))
            elif same_day is not None:
                if same_day == line.value:
                    problems.append(('duplicate_earlier', _('The reading %s of %s was loaded before') % (
                        line.raw_value, line.date.strftime('%d.%m.%Y'))))
                else:
                    problems.append(('duplicate_earlier', _('Meter %s has a reading of %s already: %s') % (
                        meter.serial, line.date.strftime('%d.%m.%Y'), _number(same_day))))
            else:
                earlier = accepted.get(meter.id)
                if earlier and (previous is None or earlier[-1][0] > previous[0]):
                    previous = earlier[-1][:2] + (False,)
                if previous is None:
                    previous = (None, meter.initial_value, False)
                if ledger.is_lower_reading(previous[1], float(line.value), meter.digits):
                    when = previous[0] and _(' of %s') % previous[0].strftime('%d.%m.%Y') or ''
                    problems.append(('lower', _('The reading %s is lower than the previous reading %s%s')
                                     % (line.raw_value, _number(previous[1]), when)))
                elif following is not None and ledger.is_lower_reading(
                        float(line.value), following[1], meter.digits, following[2]):
                    problems.append(('lower', _('The reading %s is higher than the later reading %s of %s')
                                     % (line.raw_value, _number(following[1]), following[0].strftime('%d.%m.%Y'))))
            seen.setdefault(key, line.line_number)
            latest[meter.id] = line.date
            if problems:
                errors.append(self._error(line, problems))
            else:
                accepted.setdefault(meter.id, []).append((line.date, float(line.value)))
                good.append(cand)
        return good, errors

    @api.model
    def _insert_readings(self, record, good):
        """Write the good readings with one COPY; the stored related fields come from the meter (read with it)."""
        if not good:
            return
        uid, now = self.env.uid, fields.Datetime.now()
        rows = [(g.meter.id, g.line.date, g.line.value, g.source, g.meter.service_id, g.meter.subscriber_id,
                 g.meter.branch_id) for g in good]
        copy_rows(self.env.cr, 'neopro_meter_reading', (
            'meter_id', 'date', 'value', 'source', 'service_id', 'subscriber_id', 'branch_id'), rows, constants={
                'is_reset': False, 'reading_file_id': record.id, 'create_uid': uid, 'write_uid': uid,
                'create_date': now, 'write_date': now})


def _meter_of(line, found):
    """``(Meter, count)``: the one meter a line names in what a ``_ChunkLookup`` found (else None), and how many
    its serial number or account and service name."""
    if line.serial:
        meters = found.by_serial.get(line.serial, [])
    elif line.account:
        meters = [m for m, service in found.by_account.get(line.account, [])
                  if not line.service or service == line.service.lower()]
        meters = list({m.id: m for m in meters}.values())  # a meter is there once per name of its service
    else:
        return None, 0
    return (meters[0] if len(meters) == 1 else None), len(meters)


class _ChunkLookup(object):
    """What the lines of a chunk are checked against in the database: the active meters they name, which the user
    may read, and the readings around their dates — in plain SQL on the cursor given (``look_up``), no ORM, so
    that the file's reader thread can run it on a connection of its own while the request's thread writes the
    chunk before: called with the lines (the ``prepare`` step of ``StreamedLines``), it looks them up on a cursor
    it opens from ``pool`` on the first chunk, closed by ``close()`` when the reader stops.

    Made by ``NeoproReadingFile._get_chunk_lookup`` in the request's thread: ``meter_query`` is the ORM's
    ``(from, where, params)`` of ``neopro.meter`` with the user's record rules, ``services`` ``{service id:
    [lower-case names]}``.
    """

    def __init__(self, meter_query, services, pool=None):
        self.meter_query = meter_query
        self.services = services
        self.pool = pool
        self._cr = None

    def __call__(self, lines):
        """The reader's step: a ``ChunkFound``, or None when no connection is to be had (the pool or the server
        full) — the request then looks the chunk up on its own cursor, as every later one."""
        if self._cr is None:
            if self.pool is None:
                return None
            try:
                self._cr = self.pool.cursor()
            except (psycopg2.pool.PoolError, psycopg2.OperationalError) as error:
                _logger.warning('Readings file: no connection of its own for the lookups (%s); the request looks '
                                'its chunks up itself', error)
                self.pool = None
                return None
        return self.look_up(self._cr, lines)

    def close(self):
        if self._cr is not None:
            self._cr.close()  # it only read: closing rolls back
            self._cr = None

    def look_up(self, cr, lines, file_id=None):
        """A ``ChunkFound`` of ``lines``; ``file_id``: the file being loaded, whose own readings (written by the
        transaction of ``cr``) are not "loaded before"; a cursor of its own does not see them."""
        by_serial, by_account = self.meters(cr, lines)
        found = ChunkFound(by_serial, by_account, {})
        keys = set()
        for line in lines:
            if line.date:
                meter, _count = _meter_of(line, found)
                if meter:
                    keys.add((meter.id, line.date))
        found.neighbours.update(self.neighbours(cr, keys, file_id))
        return found

    def meters(self, cr, lines):
        """``({serial: [Meter]}, {ЛС: [(Meter, service)]})`` of the active meters the user may read, one query
        each, where service is the lower-case code, name or short name of the meter's service."""
        serials = sorted({line.serial for line in lines if line.serial})
        accounts = sorted({line.account for line in lines if line.account and not line.serial})
        by_serial, by_account = {}, {}
        if serials:
            for row in self._query_meters(cr, serials):
                by_serial.setdefault(row[1], []).append(Meter(*row[:8]))
        if accounts:
            for row in self._query_meters(cr, accounts, by_account=True):
                meter = Meter(*row[:8])
                for name in self.services.get(row[5], []):
                    by_account.setdefault(row[8], []).append((meter, name))
                by_account.setdefault(row[8], []).append((meter, None))
        # a line without a service matches the meter only when the account has one meter
        for number, pairs in by_account.items():
            ids = {m.id for m, _name in pairs}
            by_account[number] = [(m, n) for m, n in pairs if n is not None or len(ids) == 1]
        return by_serial, by_account

    def _query_meters(self, cr, values, by_account=False):
        """``(id, serial, digits, removal date, initial value, service id, subscriber id, branch id, ЛС)`` of the
        active meters whose serial (``by_account``: whose ЛС) is one of ``values`` and the user may read: the
        ORM's query with the record rules applied, the values as one array parameter (an IN list of 10,000
        parameters costs a second to send and plan). The ЛС is read only by account: the join of the accounts
        is more than half of a serial lookup's time (10,000 serials: 43 ms with it, 18 ms without)."""
        from_clause, where_clause, params = self.meter_query
        if by_account:
            join, column = ' LEFT JOIN neopro_account acc ON acc.id = "neopro_meter".account_id', 'acc.account_number'
            account = column
        else:
            join, column, account = '', '"neopro_meter".serial_number', 'NULL'
        cr.execute(
            'SELECT "neopro_meter".id, "neopro_meter".serial_number, "neopro_meter".digits, '
            '"neopro_meter".removal_date, "neopro_meter".initial_value, "neopro_meter".service_id, '
            '"neopro_meter".subscriber_id, "neopro_meter".branch_id, %s '
            'FROM %s%s WHERE (%s) AND %s = ANY(%%s)' % (account, from_clause, join, where_clause or 'TRUE', column),
            params + [list(values)])
        return [(i, s, d or 0, r and fields.Date.from_string(r), iv or 0.0, sv, sb, br, a)
                for i, s, d, r, iv, sv, sb, br, a in cr.fetchall()]

    @staticmethod
    def neighbours(cr, keys, file_id=None):
        """``{(meter id, date): (value that day, (date, value, reset) before, (date, value, reset) after)}`` from
        the readings in the database (not those of the file ``file_id``), one statement over the keys; the one
        after is not looked for when there is one that day (None)."""
        if not keys:
            return {}
        cr.execute('CREATE TEMPORARY TABLE IF NOT EXISTS neopro_reading_import_keys '
                   '(meter_id integer, date date) ON COMMIT DROP')
        cr.execute('TRUNCATE neopro_reading_import_keys')
        copy_rows(cr, 'neopro_reading_import_keys', ('meter_id', 'date'), sorted(keys))
        cr.execute('ANALYZE neopro_reading_import_keys')
        # the reading on or after the day: that day's when there is one (a line then refused, whatever follows),
        # else the next one — two index probes a line instead of three
        cr.execute("""
            SELECT k.meter_id, k.date, prev.date, prev.value, prev.is_reset, nxt.date, nxt.value, nxt.is_reset
              FROM neopro_reading_import_keys k
              LEFT JOIN LATERAL (SELECT r.date, r.value, r.is_reset FROM neopro_meter_reading r
                                  WHERE r.meter_id = k.meter_id AND r.date < k.date
                                    AND r.reading_file_id IS DISTINCT FROM %(file)s
                               ORDER BY r.date DESC LIMIT 1) prev ON TRUE
              LEFT JOIN LATERAL (SELECT r.date, r.value, r.is_reset FROM neopro_meter_reading r
                                  WHERE r.meter_id = k.meter_id AND r.date >= k.date
                                    AND r.reading_file_id IS DISTINCT FROM %(file)s
                               ORDER BY r.date ASC LIMIT 1) nxt ON TRUE""", {'file': file_id or 0})  # no file has id 0
        dates = {}  # Odoo reads dates as text: parse each distinct one once

        def to_date(text):
            if text not in dates:
                dates[text] = fields.Date.from_string(text)
            return dates[text]
        result = {}
        for meter_id, date, p_date, p_value, p_reset, n_date, n_value, n_reset in cr.fetchall():
            key, previous = (meter_id, to_date(date)), p_date and (to_date(p_date), p_value, p_reset)
            if n_date == date:
                result[key] = (n_value, previous, None)
            else:
                result[key] = (None, previous, n_date and (to_date(n_date), n_value, n_reset))
        return result


class _LinesOutOfOrder(Exception):
    """A chunk of a readings file goes back in the dates of a meter of an earlier chunk."""


class _Sequence(object):
    """What the chunks of a readings file checked so far leave to the next: ``seen`` {(meter id, date): line
    number}, ``accepted`` {meter id: [(date, value)] of its good lines, in date order}, ``latest`` {meter id: the
    latest date of its lines}."""

    def __init__(self):
        self.seen, self.accepted, self.latest = {}, {}, {}


def _number(value):
    """A counter value as people write it: 1234.5, not 1234.500."""
    return ('%.3f' % value).rstrip('0').rstrip('.')


class NeoproReadingFileError(models.Model):
    """A rejected line of a readings file (load protocol)."""
    _name = 'neopro.reading.file.error'
    _description = 'Readings file load protocol line'
    _order = 'file_id, line_number'

    file_id = fields.Many2one('neopro.reading.file', required=True, ondelete='cascade', index=True)
    line_number = fields.Integer(required=True)
    serial_number = fields.Char(help='The serial number (or account) the line names.')
    value_text = fields.Char(string='Value')
    date_text = fields.Char(string='Date')
    reason = fields.Selection(ERROR_REASONS, required=True)
    message = fields.Char(required=True)
